using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Studio.E2ETests.Infrastructure;

namespace Studio.E2ETests.Storyboards;

/// <summary>
/// A newcomer's first film (issue 8): in Debian's Chromium against the real studio in Sandbox mode, a new member
/// writes a three-shot storyboard in which shots 2 and 3 continue from the shot before, generates all of it at once,
/// watches every shot get its chosen take without a reload, assembles the final cut and plays it.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class NewcomerStoryboardTests(StudioServer server, Chromium chromium)
{
    private const string Project = "Harbour at dawn";
    private const int ShotSeconds = 2;
    private const string Id = "[0-9a-f-]{36}";

    private static readonly (string Title, string Prompt)[] Shots =
    [
        ("Boats leave", "Fishing boats leave a misty harbour at dawn, gulls overhead, slow dolly forward"),
        ("Open sea", "The boats reach open water as the sun breaks through the mist, wide aerial shot"),
        ("Nets out", "Fishermen cast their nets from the deck in golden light, handheld close-up"),
    ];

    [Fact]
    public async Task Newcomer_BuildsThreeShotStoryboard_GeneratesAll_AssemblesAndPlaysTheFinalCut()
    {
        await using var session = await chromium.NewSessionAsync(server.BaseAddress);
        var page = session.Page;
        var screenshotPrefix = Path.Combine(Artifacts.Directory, Artifacts.SafeFileName(session.TestName));

        await RegisterAndCreateProjectAsync(page);

        // The project's Storyboards tab: empty, then a new storyboard that starts with one empty shot.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Storyboards" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=storyboards-empty]")).ToBeVisibleAsync();
        var newStoryboard = page.Locator("[data-testid=storyboards-empty]").GetByRole(AriaRole.Button, new() { Name = "New storyboard" });
        await Assertions.Expect(newStoryboard).ToBeEnabledAsync();
        await newStoryboard.ClickAsync();
        await page.GetByLabel("Storyboard title").FillAsync("Morning run");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create storyboard" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/projects/{Id}/storyboards/{Id}$"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Morning run", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=shot-item]")).ToHaveCountAsync(1);

        // A marker in the page's JavaScript world survives only if the page is never reloaded.
        await page.EvaluateAsync("() => { window.__noReload = 'still here'; }");

        // Shot 1, then shots 2 and 3 added at the end, each continuing from the one before.
        await WriteShotAsync(page, 1, continueFromPrevious: false);
        for (var number = 2; number <= 3; number++)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Add shot", Exact = true }).ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=shot-item]")).ToHaveCountAsync(number);
            await WriteShotAsync(page, number, continueFromPrevious: true);
        }

        // Autosave: every card says Saved, and the page (re-read from the server) has the three shots, titles, seconds and links.
        for (var number = 1; number <= 3; number++)
        {
            await Assertions.Expect(ShotItem(page, number).Locator("[data-testid=save-state]")).ToHaveTextAsync("Saved");
            await Assertions.Expect(ShotItem(page, number)).ToHaveAttributeAsync("aria-label", $"Shot {number}: {Shots[number - 1].Title}");
        }
        await Assertions.Expect(page.Locator("[data-testid=storyboard-stats]")).ToHaveTextAsync($"3 shots · {3 * ShotSeconds} s · 0 of 3 chosen");
        await Assertions.Expect(page.Locator("[data-testid=shot-join-link]")).ToHaveTextAsync(
        [
            "Shot 2 continues from the last frame of shot 1",
            "Shot 3 continues from the last frame of shot 2",
        ]);

        // Generate all: the cost preview lists the three shots, 2 and 3 waiting for the shot before.
        await page.Locator("[data-testid=generate-all]").ClickAsync();
        var preview = page.Locator("[data-testid=genall-table]");
        await Assertions.Expect(preview).ToBeVisibleAsync();
        var rows = preview.Locator("tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        for (var number = 1; number <= 3; number++)
        {
            var row = rows.Nth(number - 1);
            await Assertions.Expect(row.Locator("th")).ToContainTextAsync(Shots[number - 1].Title);
            await Assertions.Expect(row).ToContainTextAsync($"{ShotSeconds} s × 1 ×");
            var waits = row.Locator(".genall-waits");
            if (number == 1)
            {
                await Assertions.Expect(waits).ToHaveCountAsync(0);
            }
            else
            {
                await Assertions.Expect(waits).ToHaveTextAsync($"waits for shot {number - 1}, then starts on its last frame");
            }
        }
        await Assertions.Expect(preview.Locator("tfoot")).ToContainTextAsync($"3 takes · {3 * ShotSeconds} s of video");
        await Assertions.Expect(page.Locator("[data-testid=genall-sandbox]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=genall-problems]")).ToHaveCountAsync(0);
        var confirm = page.Locator("[data-testid=genall-confirm]");
        await Assertions.Expect(confirm).ToHaveTextAsync("Generate 3 takes");
        // Shots 2 and 3 wait while shot 1 is made; on a quick machine that lasts a second or two, so a watcher in the
        // page records the waiting lines as they appear.
        await page.EvaluateAsync("""
            () => {
                window.__waiting = {};
                const look = () => document.querySelectorAll('[data-testid=shot-item]').forEach(item => {
                    const line = item.querySelector('[data-testid=shot-waiting]');
                    if (line) { window.__waiting[item.dataset.shot] = line.textContent.trim(); }
                });
                look();
                new MutationObserver(look).observe(document.body, { childList: true, subtree: true, characterData: true });
            }
            """);
        await confirm.ClickAsync();
        await Assertions.Expect(preview).ToBeHiddenAsync();

        // The takes arrive live, in continuity order: shots 2 and 3 first wait for the shot before, then each shot ends
        // up with a ready take, chosen.
        await Assertions.Expect(page.Locator("[data-testid=run-status]")).ToContainTextAsync("started by Grace Hopper");
        for (var number = 1; number <= 3; number++)
        {
            var chosen = ShotItem(page, number).Locator("[data-testid=mini-take].selected");
            await Assertions.Expect(chosen).ToHaveAttributeAsync("data-state", "Ready", new() { Timeout = 60_000 });
            await Assertions.Expect(chosen.Locator("[data-testid=selected-badge]")).ToHaveTextAsync("Chosen");
            await Assertions.Expect(ShotItem(page, number).GetByRole(AriaRole.Button, new() { Name = $"Play the chosen take of shot {number}" })).ToBeVisibleAsync();
        }
        var waited = await page.EvaluateAsync<Dictionary<string, string>>("() => window.__waiting");
        Assert.False(waited.ContainsKey("1"), "shot 1 starts at once");
        for (var number = 2; number <= 3; number++)
        {
            Assert.Equal($"1 take will start when shot {number - 1} has a finished take.", waited.GetValueOrDefault(number.ToString(CultureInfo.InvariantCulture)));
        }
        await Assertions.Expect(page.Locator("[data-testid=storyboard-stats]")).ToHaveTextAsync($"3 shots · {3 * ShotSeconds} s · 3 of 3 chosen");
        // Lineage: each continued shot's chosen take was made from the previous shot's take 1.
        await Assertions.Expect(ShotItem(page, 2).Locator("[data-testid=shot-lineage]")).ToHaveTextAsync("Chosen take made from shot 1 · take 1");
        await Assertions.Expect(ShotItem(page, 2).Locator("[data-testid=mini-take]")).ToContainTextAsync("from shot 1 · take 1");
        await Assertions.Expect(ShotItem(page, 3).Locator("[data-testid=shot-lineage]")).ToHaveTextAsync("Chosen take made from shot 2 · take 1");
        await Assertions.Expect(page.Locator("[data-testid=stale-badge]")).ToHaveCountAsync(0);
        // The timeline at the top: three chosen segments, the joins, and a segment takes the keyboard to its shot.
        var timeline = page.GetByRole(AriaRole.Navigation, new() { Name = "Timeline" });
        await Assertions.Expect(timeline.Locator("[data-testid=timeline-shot]")).ToHaveCountAsync(3);
        foreach (var segment in await timeline.Locator("[data-testid=timeline-shot]").AllAsync())
        {
            await Assertions.Expect(segment).ToHaveAttributeAsync("data-state", "chosen");
        }
        await timeline.GetByRole(AriaRole.Button, new() { Name = $"Shot 3: {Shots[2].Title}, {ShotSeconds} s, chosen take 1" }).ClickAsync();
        await Assertions.Expect(ShotItem(page, 3)).ToBeFocusedAsync();
        await Assertions.Expect(ShotItem(page, 3)).ToBeInViewportAsync();
        Assert.Equal("still here", await page.EvaluateAsync<string>("() => window.__noReload"));
        await FullPageScreenshotAsync(page, screenshotPrefix + "_ThreeReadyShots.png");

        // Assemble: the progress panel shows (however briefly: a watcher in the page records it), then the ready cut.
        await page.EvaluateAsync("""
            () => {
                window.__sawCutProgress = !!document.querySelector('[data-testid=cut-progress]');
                new MutationObserver((_, observer) => {
                    if (document.querySelector('[data-testid=cut-progress]')) {
                        window.__sawCutProgress = true;
                        observer.disconnect();
                    }
                }).observe(document.body, { childList: true, subtree: true });
            }
            """);
        var assemble = page.Locator("[data-testid=assemble]");
        await Assertions.Expect(assemble).ToBeEnabledAsync();
        await assemble.ClickAsync();
        var ready = page.Locator("[data-testid=cut-ready]");
        await Assertions.Expect(ready).ToBeVisibleAsync(new() { Timeout = 60_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sawCutProgress"), "the final cut's progress panel shows while it is assembled");
        await Assertions.Expect(page.Locator("[data-testid=cut-progress]")).ToHaveCountAsync(0);
        await Assertions.Expect(ready.Locator("[data-testid=cut-duration]")).ToContainTextAsync($"{3 * ShotSeconds:0.0} s · 3 shots · assembled by Grace Hopper");
        Assert.Equal("still here", await page.EvaluateAsync<string>("() => window.__noReload"));
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new() { Path = screenshotPrefix + "_FinalCutReady.png" });

        // Play it: the film is as long as its three takes together, and it plays.
        await ready.GetByRole(AriaRole.Button, new() { Name = "Play the final cut" }).ClickAsync();
        var player = page.Locator("video[data-testid=player]");
        await Assertions.Expect(player).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("assembled by the studio from the chosen takes");
        await page.WaitForFunctionAsync("() => document.querySelector('video[data-testid=player]').readyState >= 2", null, new() { Timeout = 30_000 });
        var duration = await player.EvaluateAsync<double>("v => v.duration");
        Assert.InRange(duration, 3 * ShotSeconds - 0.2, 3 * ShotSeconds + 0.2);
        // It starts by itself (the dialog's video autoplays after the user's click) and keeps going.
        var startedAt = await player.EvaluateAsync<double>("v => v.currentTime");
        await page.WaitForFunctionAsync("([start]) => { const v = document.querySelector('video[data-testid=player]'); return !v.paused && v.currentTime > start + 0.5; }",
            new object[] { startedAt }, new() { Timeout = 15_000 });
        await page.ScreenshotAsync(new() { Path = screenshotPrefix + "_FinalCutPlaying.png" });
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(player).ToHaveCountAsync(0);

        // Back in the project, the Takes tab's gallery has the film as a "Final cut" card.
        await page.GetByRole(AriaRole.Link, new() { Name = Project }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/projects/{Id}\\?tab=storyboards$"));
        await Assertions.Expect(page.Locator("[data-testid=final-cut-badge]")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Takes" }).ClickAsync();
        // The tab is kept in the address: wait for that navigation so that the test does not end in the middle of it.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/projects/{Id}$"));
        var cutCard = page.Locator("[data-testid=take-card]").Filter(new() { Has = page.Locator("[data-testid=final-cut-chip]") });
        await Assertions.Expect(cutCard).ToHaveCountAsync(1);
        await Assertions.Expect(cutCard).ToBeVisibleAsync();
        await Assertions.Expect(cutCard).ToHaveAttributeAsync("data-state", "Ready");
        await Assertions.Expect(cutCard.Locator("[data-testid=final-cut-chip]")).ToHaveTextAsync("Final cut");
        await Assertions.Expect(cutCard).ToContainTextAsync("Morning run");
        await Assertions.Expect(cutCard).ToContainTextAsync($"Final cut · 16:9 landscape · {3 * ShotSeconds} s");
        await Assertions.Expect(page.Locator("[data-testid=take-card]")).ToHaveCountAsync(4);

        session.MarkPassed();
    }

    /// <summary>From the top: a full-page shot taken further down paints the fixed app bar and sticky toolbar mid-page.</summary>
    private static async Task FullPageScreenshotAsync(IPage page, string path)
    {
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
    }

    private static ILocator ShotItem(IPage page, int number) => page.Locator($"[data-testid=shot-item][data-shot='{number}']");

    /// <summary>
    /// Writes a shot the way a newcomer does. The choices go first (they save at once); the words go last, title after
    /// prompt, so that the title the server shows back (the shot's label) proves the prompt was saved with it.
    /// </summary>
    private static async Task WriteShotAsync(IPage page, int number, bool continueFromPrevious)
    {
        var shot = ShotItem(page, number);
        var (title, prompt) = Shots[number - 1];

        if (continueFromPrevious)
        {
            var toggle = shot.GetByLabel($"Continue from shot {number - 1}");
            await toggle.CheckAsync();
            await Assertions.Expect(toggle).ToBeCheckedAsync();
            await Assertions.Expect(shot.Locator("[data-testid=continue-note]")).ToContainTextAsync($"the last frame of shot {number - 1}'s chosen take");
        }

        // The drop-down is found as a newcomer's screen reader finds it: a combobox named Duration, and its options.
        await shot.GetByRole(AriaRole.Combobox, new() { Name = "Duration" }).ClickAsync();
        await page.GetByRole(AriaRole.Listbox, new() { Name = "Duration" }).GetByRole(AriaRole.Option, new() { Name = $"{ShotSeconds} s", Exact = true }).ClickAsync();
        await Assertions.Expect(shot.Locator("[data-testid=shot-duration]")).ToHaveValueAsync($"{ShotSeconds}");
        await Assertions.Expect(shot.Locator("[data-testid=shot-estimate]")).ToHaveTextAsync($"{ShotSeconds} s a take · free in Sandbox");

        await shot.GetByLabel("Prompt", new() { Exact = true }).FillAsync(prompt);
        await shot.GetByLabel("Title", new() { Exact = true }).FillAsync(title);
        await Assertions.Expect(shot).ToHaveAttributeAsync("aria-label", $"Shot {number}: {title}");
        await Assertions.Expect(shot.Locator("[data-testid=save-state]")).ToHaveTextAsync("Saved");
    }

    private static async Task RegisterAndCreateProjectAsync(IPage page)
    {
        await StudioPages.RegisterAsync(page, "Grace Hopper", "compilers-rule");
        await WaitUntilInteractiveAsync(page);

        await StudioPages.CreateProjectAsync(page, Project);
    }

    private static Task WaitUntilInteractiveAsync(IPage page) => StudioPages.WaitUntilInteractiveAsync(page);
}
