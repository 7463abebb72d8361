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
        await Assertions.Expect(page).ToHaveURLAsync(ProjectsPath());
    }

    [GeneratedRegex("/projects$")]
    private static partial Regex ProjectsPath();
}
