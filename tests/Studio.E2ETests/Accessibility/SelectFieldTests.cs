using Microsoft.Playwright;
using Studio.E2ETests.Infrastructure;

namespace Studio.E2ETests.Accessibility;

/// <summary>
/// The studio's drop-down fields (MudSelect) are announced as what they are: a combobox named by its label, whether
/// its list is open, and a list of options with the chosen one marked (<c>wwwroot-assets/select-a11y.js</c>; MudBlazor 8
/// draws them as an unnamed text and a column of paragraphs). Driven here by role and name only, as assistive
/// technology finds them, with the keyboard.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SelectFieldTests(StudioServer server, Chromium chromium)
{
    [Fact]
    public async Task TheComposersProviderField_IsACombobox_NamedByItsLabel_WithOptions_AndWorksFromTheKeyboard()
    {
        await using var session = await chromium.NewSessionAsync(server.BaseAddress);
        var page = session.Page;
        await StudioPages.RegisterAsync(page, "Alan Turing", "imitation-game");
        await StudioPages.WaitUntilInteractiveAsync(page);
        await StudioPages.CreateProjectAsync(page, "Bombe");

        var provider = page.GetByRole(AriaRole.Combobox, new() { Name = "Provider" });
        await Assertions.Expect(provider).ToHaveTextAsync("Runway · Sandbox");
        await Assertions.Expect(provider).ToHaveAttributeAsync("aria-expanded", "false");

        // MudSelect hears keys through MudBlazor's key interceptor, which it connects after the field's first render: on
        // a busy machine the first key can come before that and is lost (a fresh-clone run). Press again until it opens.
        await provider.FocusAsync();
        for (var attempt = 1; await provider.GetAttributeAsync("aria-expanded") != "true"; attempt++)
        {
            Assert.True(attempt <= 10, "ArrowDown on the focused Provider field never opened its list");
            await page.Keyboard.PressAsync("ArrowDown");
            try
            {
                await Assertions.Expect(provider).ToHaveAttributeAsync("aria-expanded", "true", new() { Timeout = 2_000 });
            }
            catch (PlaywrightException)
            {
                // not open yet: press again
            }
        }
        var list = page.GetByRole(AriaRole.Listbox, new() { Name = "Provider" });
        await Assertions.Expect(list.GetByRole(AriaRole.Option)).ToHaveTextAsync(["Runway · Sandbox", "Pixazo · Sandbox", "Runware · Sandbox", "kie · Sandbox"]);
        await Assertions.Expect(list.GetByRole(AriaRole.Option, new() { Name = "Runway · Sandbox" })).ToHaveAttributeAsync("aria-selected", "true");
        await Assertions.Expect(list.GetByRole(AriaRole.Option, new() { Name = "Pixazo · Sandbox" })).ToHaveAttributeAsync("aria-selected", "false");
        var composer = page.GetByRole(AriaRole.Region, new() { Name = "Composer" });
        await Assertions.Expect(composer).ToContainTextAsync("up to 3.3 MB"); // Runway takes first frames inline

        await list.GetByRole(AriaRole.Option, new() { Name = "Pixazo · Sandbox" }).ClickAsync();

        await Assertions.Expect(provider).ToHaveTextAsync("Pixazo · Sandbox");
        await Assertions.Expect(provider).ToHaveAttributeAsync("aria-expanded", "false");
        // The choice took: the composer now follows Pixazo's rules (first frames by URL, up to 16 MB).
        await Assertions.Expect(composer).ToContainTextAsync("up to 16 MB");

        session.MarkPassed();
    }
}
