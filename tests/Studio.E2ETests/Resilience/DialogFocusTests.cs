using Microsoft.Playwright;
using Studio.E2ETests.Infrastructure;

namespace Studio.E2ETests.Resilience;

/// <summary>
/// A dialog's focus request that reaches the browser after the dialog's element has left the page must not end the
/// page's circuit. On a busy server MudBlazor's dialog (MudFocusTrap) asks Blazor to focus an element from
/// OnAfterRenderAsync; when the element is gone by then, Blazor's focus function throws "Unable to focus an invalid
/// element", the exception escapes OnAfterRenderAsync and the circuit ends: every click after it does nothing. Browser
/// tests failed that way under load. <c>wwwroot-assets/focus-guard.js</c> answers such a request as done.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DialogFocusTests(StudioServer server, Chromium chromium)
{
    [Fact]
    public async Task WhenTheDialogsElementHasLeftThePageBeforeItsFocusArrives_TheCircuitLivesOn_AndTheProjectIsCreated()
    {
        await using var session = await chromium.NewSessionAsync(server.BaseAddress);
        var page = session.Page;
        await StudioPages.RegisterAsync(page, "Hedy Lamarr", "frequency-hopping");
        await StudioPages.WaitUntilInteractiveAsync(page);

        // Make the race certain instead of rare: the focus trap first saves the focus (MudBlazor's own JS), then asks
        // Blazor to focus its fallback element. At the save, take the dialog out of the page, and put it back in the
        // same place once the focus request has come and gone, so Blazor's view of the page is unchanged after.
        await page.EvaluateAsync("""
            () => {
                window.__focusCalls = 0;
                const blazorFocus = Blazor._internal.domWrapper.focus;
                Blazor._internal.domWrapper.focus = function (element, preventScroll) {
                    window.__focusCalls++;
                    return blazorFocus.call(this, element, preventScroll);
                };
                const save = window.mudElementRef.saveFocus.bind(window.mudElementRef);
                window.mudElementRef.saveFocus = element => {
                    save(element);
                    const dialog = element && element.closest('.mud-dialog-container');
                    if (!dialog || window.__detached) return;
                    window.__detached = true;
                    const parent = dialog.parentNode, next = dialog.nextSibling;
                    dialog.remove();
                    setTimeout(() => { parent.insertBefore(dialog, next); window.__reattached = true; }, 1500);
                };
            }
            """);

        await page.GetByRole(AriaRole.Button, new() { Name = "New project" }).ClickAsync();
        await page.WaitForFunctionAsync("() => window.__reattached === true");
        Assert.True(await page.EvaluateAsync<int>("() => window.__focusCalls") > 0,
            "the dialog never asked Blazor for focus while it was out of the page: the test did not make the race");

        // The circuit is alive if the dialog still answers: the project is created and its page opens.
        await page.GetByLabel("Project name").FillAsync("Spread spectrum");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Spread spectrum" })).ToBeVisibleAsync();

        session.MarkPassed();
    }
}
