using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Studio.E2ETests.Infrastructure;

namespace Studio.E2ETests.Home;

[Collection(BrowserCollection.Name)]
public sealed class HomePageTests(StudioServer server, Chromium chromium)
{
    [Fact]
    public async Task HomePage_ForAnonymousVisitor_ShowsStudioSignIn()
    {
        await using var session = await chromium.NewSessionAsync(server.BaseAddress);
        var page = session.Page;

        var response = await page.GotoAsync("/");

        Assert.NotNull(response);
        Assert.True(response.Ok, $"GET / answered {response.Status} {response.StatusText}");
        Assert.Contains("Studio", await page.TitleAsync());

        var name = new Regex("^(Sign in|Register)$", RegexOptions.IgnoreCase);
        var signInOrRegister = page.GetByRole(AriaRole.Link, new() { NameRegex = name })
            .Or(page.GetByRole(AriaRole.Button, new() { NameRegex = name }));
        await Assertions.Expect(signInOrRegister.First).ToBeVisibleAsync();

        session.MarkPassed();
    }
}
