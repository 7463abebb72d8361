using Microsoft.Playwright;
using Studio.E2ETests.Infrastructure;

namespace Studio.E2ETests.Newcomer;

/// <summary>
/// The newcomer's whole path from DESIGN.md, in one browser page: register, create a project, generate a take in
/// Sandbox mode, watch it go live to Ready without a reload, and play it. Shared by the runs on each storage
/// back-end (<see cref="NewcomerPathTests"/>, <see cref="NewcomerPathOnAzureBlobTests"/>).
/// </summary>
internal static class NewcomerPath
{
    /// <summary>Walks the path and returns the played video's address, e.g. <c>/media/generations/{id}/video</c>.</summary>
    public static async Task<string> WalkAsync(IPage page)
    {
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Register" }).First.ClickAsync();

        await page.GetByLabel("Your name").FillAsync("Grace Hopper");
        await page.GetByLabel("Email").FillAsync($"grace-{Guid.NewGuid():N}@example.com");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("compilers-rule");
        await page.GetByLabel("Confirm password").FillAsync("compilers-rule");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

        await StudioPages.ExpectProjectsPageAsync(page);
        await Assertions.Expect(page.GetByText("No projects yet")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Grace Hopper's team").First).ToBeVisibleAsync();
        await WaitUntilInteractiveAsync(page);

        await StudioPages.CreateProjectAsync(page, "Harbour at dawn");

        // A marker in the page's JavaScript world survives only if the page is never reloaded.
        await page.EvaluateAsync("() => { window.__noReload = 'still here'; }");
        var navigations = 0;
        page.FrameNavigated += (_, frame) => { if (frame == page.MainFrame) navigations++; };

        await page.GetByLabel("Prompt").FillAsync("Fishing boats leave a misty harbour at dawn, gulls overhead");
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();

        var card = page.Locator("[data-testid=take-card]").First;
        await Assertions.Expect(card).ToBeVisibleAsync();
        var seen = new List<string>();
        var sawProgressBar = false;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            var state = await card.GetAttributeAsync("data-state") ?? "";
            if (seen.LastOrDefault() != state)
            {
                seen.Add(state);
            }
            if (state == "Running" && await card.Locator("[data-testid=take-progress]").CountAsync() > 0)
            {
                sawProgressBar = true;
            }
            if (state is "Ready" or "Failed" or "Uncertain" or "Cancelled")
            {
                break;
            }
            await page.WaitForTimeoutAsync(100);
        }

        Assert.Equal("Ready", seen.LastOrDefault());
        Assert.True(seen.Count >= 2, $"expected to watch at least one state change, saw: {string.Join(" -> ", seen)}");
        Assert.Contains("Running", seen);
        Assert.True(sawProgressBar, "a progress bar shows while the take renders");
        Assert.Equal(0, navigations);
        Assert.Equal("still here", await page.EvaluateAsync<string>("() => window.__noReload"));

        await card.GetByRole(AriaRole.Button, new() { Name = "Play take" }).ClickAsync();
        var player = page.Locator("video[data-testid=player]");
        await Assertions.Expect(player).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('video[data-testid=player]').readyState >= 2", null,
            new() { Timeout = 30_000 });
        var src = await player.GetAttributeAsync("src");
        Assert.StartsWith("/media/generations/", src);
        await Assertions.Expect(page.GetByText("Fishing boats leave a misty harbour at dawn, gulls overhead").Last).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Grace Hopper,")).ToBeVisibleAsync();

        return src!;
    }

    private static Task WaitUntilInteractiveAsync(IPage page) => Infrastructure.StudioPages.WaitUntilInteractiveAsync(page);
}
