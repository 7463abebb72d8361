using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Studio.E2ETests.Infrastructure;

/// <summary>Steps several browser tests share.</summary>
internal static partial class StudioPages
{
    /// <summary>The layout renders a marker once the page's circuit is up: clicks before that would be lost.</summary>
    public static Task WaitUntilInteractiveAsync(IPage page) =>
        page.Locator("[data-testid=interactive]").WaitForAsync(new() { State = WaitForSelectorState.Attached });

    /// <summary>Registers a new account on the register page and waits for the projects page it lands on.</summary>
    public static async Task RegisterAsync(IPage page, string name, string password)
    {
        await page.GotoAsync("/account/register");
        await page.GetByLabel("Your name").FillAsync(name);
        await page.GetByLabel("Email").FillAsync($"{name.Split(' ')[0].ToLowerInvariant()}-{Guid.NewGuid():N}@example.com");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByLabel("Confirm password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        // Polled rather than WaitForURLAsync, which can miss an in-page navigation that comes at the wrong moment.
        await ExpectProjectsPageAsync(page);
    }

    /// <summary>
    /// Creates a project from the projects page (already interactive) and waits on the project's page until it is
    /// interactive too.
    /// </summary>
    public static async Task CreateProjectAsync(IPage page, string name)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "New project" }).ClickAsync();
        await page.GetByLabel("Project name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        // Polled rather than WaitForURLAsync, which misses this in-page navigation when it comes at the wrong moment
        // (the page was there, the wait timed out: TwoMembersLiveTests on CI).
        await Assertions.Expect(page).ToHaveURLAsync(ProjectPath());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 1 })).ToBeVisibleAsync();
        await WaitUntilInteractiveAsync(page);
    }

    /// <summary>Waits, polling, until the page is at the projects list (after signing in or joining a team).</summary>
    public static Task ExpectProjectsPageAsync(IPage page) => Assertions.Expect(page).ToHaveURLAsync(ProjectsPath());

    [GeneratedRegex("/projects$")]
    private static partial Regex ProjectsPath();

    [GeneratedRegex("/projects/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    private static partial Regex ProjectPath();
}
