using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Studio.Tests.Infrastructure;
using Studio.Web.Features.Storyboards;

namespace Studio.Tests.Features.Storyboards;

public class ImportShotsDialogTests : StudioComponentTest
{
    private readonly List<string> _imported = [];
    private IDialogReference? _dialog;

    private async Task<IRenderedComponent<MudDialogProvider>> ShowAsync(string? refusal = null, bool replacesBlank = false)
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        _dialog = await provider.InvokeAsync(() => dialogs.ShowAsync<ImportShotsDialog>("Paste a shot list", new DialogParameters<ImportShotsDialog>
        {
            { d => d.ReplacesBlankShot, replacesBlank },
            { d => d.Import, text =>
                {
                    _imported.Add(text);
                    return Task.FromResult(refusal);
                } },
        }));
        provider.WaitForAssertion(() => Assert.NotEmpty(provider.FindAll("[data-testid=import-confirm]")));
        return provider;
    }

    private static void Paste(IRenderedComponent<MudDialogProvider> dialog, string text) => dialog.Find("textarea[data-testid=import-text]").Input(text);

    [Fact]
    public async Task PastingAList_ShowsTheShotsItWillAdd_AndAddingSendsTheText()
    {
        var dialog = await ShowAsync(replacesBlank: true);
        Assert.True(dialog.Find("[data-testid=import-confirm]").HasAttribute("disabled"));

        const string list = "1. Dawn\nA boat leaves the harbour\n\n2. Sea\nGrey waves";
        Paste(dialog, list);

        dialog.WaitForAssertion(() => Assert.Equal("2 shots will be added (in place of the empty first shot)", dialog.Find("[data-testid=import-count]").TextContent));
        var shots = dialog.FindAll("[data-testid=import-shot]");
        Assert.Equal(["Dawn", "Sea"], shots.Select(li => li.QuerySelector("strong")!.TextContent));
        Assert.Equal(["A boat leaves the harbour", "Grey waves"], shots.Select(li => li.QuerySelector("span")!.TextContent));
        var confirm = dialog.Find("[data-testid=import-confirm]");
        Assert.Equal("Add 2 shots", confirm.TextContent.Trim());

        confirm.Click();

        // Waited for: the field's debounce timer may still hold the renderer, and then the click is queued behind it.
        dialog.WaitForAssertion(() => Assert.Equal(list, Assert.Single(_imported)));
        var result = await _dialog!.Result.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(2, result!.Data);
    }

    [Fact]
    public async Task AListThatCannotComeIn_SaysWhy_AndCannotBeAdded()
    {
        var dialog = await ShowAsync();

        Paste(dialog, string.Join("\n", Enumerable.Range(1, ShotListImport.MaxShots + 1).Select(n => $"{n}. A wave")));

        dialog.WaitForAssertion(() => Assert.Contains("at most 100 come in at once", dialog.Find("[data-testid=import-errors]").TextContent));
        Assert.True(dialog.Find("[data-testid=import-confirm]").HasAttribute("disabled"));
        Assert.Empty(_imported);
    }

    [Fact]
    public async Task WhenTheServerRefuses_TheDialogStaysOpenWithTheReason_AndTheTextStays()
    {
        var dialog = await ShowAsync(refusal: "Viewers cannot change the storyboard.");
        Paste(dialog, "A wave breaks");
        dialog.WaitForAssertion(() => Assert.False(dialog.Find("[data-testid=import-confirm]").HasAttribute("disabled")));

        dialog.Find("[data-testid=import-confirm]").Click();

        dialog.WaitForAssertion(() => Assert.Equal("Viewers cannot change the storyboard.", dialog.Find("[data-testid=import-error]").TextContent));
        Assert.Equal("A wave breaks", dialog.Find("textarea[data-testid=import-text]").GetAttribute("value") ?? dialog.Find("textarea[data-testid=import-text]").TextContent);
        Assert.False(_dialog!.Result.IsCompleted);
    }
}
