using Microsoft.Playwright;
using Studio.E2ETests.Infrastructure;

namespace Studio.E2ETests.Teams;

/// <summary>
/// Two members of one team in two browser contexts: the owner invites the other through the Team page, both open
/// one project, the owner generates, and the other sees the take appear and finish without reloading.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TwoMembersLiveTests(StudioServer server, Chromium chromium)
{
    [Fact]
    public async Task A_take_started_by_one_member_appears_and_finishes_in_a_teammates_open_gallery_without_a_reload()
    {
        await using var owner = await chromium.NewSessionAsync(server.BaseAddress, "TwoMembersLive_Owner");
        await using var teammate = await chromium.NewSessionAsync(server.BaseAddress, "TwoMembersLive_Teammate");

        await RegisterAsync(owner.Page, "Olive Owner");
        await owner.Page.GotoAsync("/team");
        await WaitUntilInteractiveAsync(owner.Page);
        await owner.Page.GetByRole(AriaRole.Button, new() { Name = "Create invite link" }).ClickAsync();
        var link = await owner.Page.Locator("[data-testid=invite-link]").InnerTextAsync();

        await RegisterAsync(teammate.Page, "Tess Teammate");
        await teammate.Page.GotoAsync(link);
        await WaitUntilInteractiveAsync(teammate.Page);
        await teammate.Page.GetByRole(AriaRole.Button, new() { Name = "Join Olive Owner's team" }).ClickAsync();
        await teammate.Page.WaitForURLAsync("**/projects");
        await WaitUntilInteractiveAsync(teammate.Page);

        await owner.Page.GotoAsync("/projects");
        await WaitUntilInteractiveAsync(owner.Page);
        await owner.Page.GetByRole(AriaRole.Button, new() { Name = "New project" }).ClickAsync();
        await owner.Page.GetByLabel("Project name").FillAsync("Rooftop chase");
        await owner.Page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        await owner.Page.WaitForURLAsync("**/projects/*", new() { WaitUntil = WaitUntilState.Commit });
        await WaitUntilInteractiveAsync(owner.Page);

        // The teammate finds the project in the shared team and keeps the gallery open.
        await teammate.Page.ReloadAsync();
        await teammate.Page.GetByRole(AriaRole.Link, new() { Name = "Open project Rooftop chase" }).ClickAsync();
        await teammate.Page.WaitForURLAsync(owner.Page.Url, new() { WaitUntil = WaitUntilState.Commit });
        await WaitUntilInteractiveAsync(teammate.Page);
        await teammate.Page.EvaluateAsync("() => { window.__noReload = 'still here'; }");
        await Assertions.Expect(teammate.Page.Locator("[data-testid=take-card]")).ToHaveCountAsync(0);

        await owner.Page.GetByLabel("Prompt").FillAsync("Two runners leap between rooftops at dusk, handheld");
        await owner.Page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();

        var card = teammate.Page.Locator("[data-testid=take-card]").First;
        await Assertions.Expect(card).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(card).ToHaveAttributeAsync("data-state", "Ready", new() { Timeout = 90_000 });
        Assert.Equal("still here", await teammate.Page.EvaluateAsync<string>("() => window.__noReload"));

        owner.MarkPassed();
        teammate.MarkPassed();
    }

    private static async Task RegisterAsync(IPage page, string name)
    {
        await page.GotoAsync("/account/register");
        await page.GetByLabel("Your name").FillAsync(name);
        await page.GetByLabel("Email").FillAsync($"{name.Split(' ')[0].ToLowerInvariant()}-{Guid.NewGuid():N}@example.com");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("teamwork-pass-1");
        await page.GetByLabel("Confirm password").FillAsync("teamwork-pass-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await page.WaitForURLAsync("**/projects");
    }

    private static Task WaitUntilInteractiveAsync(IPage page) =>
        page.Locator("[data-testid=interactive]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
}
