using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Studio.Tests.Infrastructure;
using Studio.Web.Features.Storyboards;

namespace Studio.Tests.Features.Storyboards;

public class GenerateAllDialogTests : StudioComponentTest
{
    private readonly List<(int Takes, bool Every)> _previews = [];
    private readonly List<(int Takes, bool Every)> _runs = [];
    private IDialogReference? _dialog;

    private static StoryboardCostPreview Preview(long total, long? quotaLeft, bool sandbox = false, IReadOnlyList<string>? problems = null) =>
        new([
                new CostLine(Guid.NewGuid(), 1, "Boats leave", "runway", "Gen-4.5", 5, 1, 12_000, sandbox ? 0 : total / 2, null),
                new CostLine(Guid.NewGuid(), 2, "", "runway", "Gen-4.5", 5, 1, 12_000, sandbox ? 0 : total / 2, WaitsFor: 1),
            ],
            1, sandbox ? 0 : total, quotaLeft, null, sandbox, new DateOnly(2026, 12, 1), problems ?? []);

    private async Task<IRenderedComponent<MudDialogProvider>> ShowAsync(Func<int, bool, StoryboardCostPreview> preview, StoryboardResult? run = null)
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        _dialog = await provider.InvokeAsync(() => dialogs.ShowAsync<GenerateAllDialog>("Generate all shots", new DialogParameters<GenerateAllDialog>
        {
            { d => d.Preview, (takes, every) =>
                {
                    _previews.Add((takes, every));
                    return Task.FromResult<StoryboardCostPreview?>(preview(takes, every));
                } },
            { d => d.Run, (takes, every) =>
                {
                    _runs.Add((takes, every));
                    return Task.FromResult(run ?? StoryboardResult.Ok());
                } },
        }));
        provider.WaitForAssertion(() => Assert.NotEmpty(provider.FindAll("[data-testid=genall-confirm]")));
        return provider;
    }

    [Fact]
    public async Task APreviewThatFits_ShowsEachShotWhatItWaitsForAndWhatItLeaves_AndConfirmRunsIt()
    {
        var dialog = await ShowAsync((_, _) => Preview(120_000, quotaLeft: 500_000));

        var table = dialog.Find("[data-testid=genall-table]").TextContent;
        Assert.Contains("5 s × 1 × 12/s", table);
        Assert.Contains("waits for shot 1", table);
        Assert.Equal("120", dialog.Find("[data-testid=genall-total]").TextContent);
        Assert.Contains("Leaves 380 of your quota", dialog.Find("[data-testid=genall-leaves]").TextContent);

        dialog.Find("[data-testid=genall-confirm]").Click();

        dialog.WaitForAssertion(() => Assert.Equal((1, false), Assert.Single(_runs)));
    }

    [Fact]
    public async Task MoreTakesOrEveryShot_AsksForANewPreview()
    {
        var dialog = await ShowAsync((takes, _) => Preview(120_000 * takes, quotaLeft: 1_000_000));

        dialog.FindAll("[role=radio]").Single(b => b.TextContent.Trim() == "3").Click();
        dialog.FindAll("[role=radio]").Single(b => b.TextContent.Trim() == "Every shot").Click();

        dialog.WaitForAssertion(() => Assert.Equal([(1, false), (3, false), (3, true)], _previews));
    }

    [Fact]
    public async Task WhenItDoesNotFitTheQuota_ItSaysHowMuchIsNeededAndLeftAndCannotBeConfirmed()
    {
        var dialog = await ShowAsync((_, _) => Preview(120_000, quotaLeft: 50_000));

        var warning = dialog.Find("[data-testid=genall-leaves]").TextContent;
        Assert.Contains("needs 120 credits", warning);
        Assert.Contains("your quota has 50 left", warning);
        Assert.True(dialog.Find("[data-testid=genall-confirm]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Problems_AreListedAndBlockTheRun()
    {
        var dialog = await ShowAsync((_, _) => Preview(120_000, quotaLeft: null, problems: ["Shot 2 has no prompt yet."]));

        Assert.Contains("Shot 2 has no prompt yet.", dialog.Find("[data-testid=genall-problems]").TextContent);
        Assert.True(dialog.Find("[data-testid=genall-confirm]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task InSandbox_ItSaysItCostsNothing()
    {
        var dialog = await ShowAsync((_, _) => Preview(0, quotaLeft: 100_000, sandbox: true));

        Assert.Contains("Sandbox: costs nothing", dialog.Find("[data-testid=genall-sandbox]").TextContent);
        Assert.False(dialog.Find("[data-testid=genall-confirm]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task ARefusedRun_ShowsTheServersReasonInTheDialog()
    {
        var dialog = await ShowAsync((_, _) => Preview(120_000, quotaLeft: 500_000), StoryboardResult.Refused("Shot 1: the provider is not configured."));

        dialog.Find("[data-testid=genall-confirm]").Click();

        dialog.WaitForAssertion(() => Assert.Contains("the provider is not configured", dialog.Find("[data-testid=genall-error]").TextContent));
    }

    [Fact]
    public async Task ARunThatStartedSomeShots_ClosesTheDialog_AndHandsBackWhichShotsDidNotStart()
    {
        var warning = "1 of 2 shots started. Not started: shot 3 “Gulls”: Runway refused the prompt.";
        var dialog = await ShowAsync((_, _) => Preview(120_000, quotaLeft: 500_000), StoryboardResult.Ok() with { Warning = warning });

        dialog.Find("[data-testid=genall-confirm]").Click();

        var result = await _dialog!.Result.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.False(result!.Canceled);
        var started = Assert.IsType<GenerateAllStarted>(result.Data);
        Assert.Equal(warning, started.Warning);
        Assert.Equal(2, started.Takes); // as planned: the page says the run is under way, with the warning
        dialog.WaitForAssertion(() => Assert.Empty(dialog.FindAll("[data-testid=genall-confirm]")));
    }

    [Fact]
    public async Task AWholeRun_HandsBackTheTakesWithoutAWarning()
    {
        var dialog = await ShowAsync((_, _) => Preview(120_000, quotaLeft: 500_000));

        dialog.Find("[data-testid=genall-confirm]").Click();

        var started = Assert.IsType<GenerateAllStarted>((await _dialog!.Result.WaitAsync(TimeSpan.FromSeconds(15)))!.Data);
        Assert.Null(started.Warning);
    }
}
