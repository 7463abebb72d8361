using Bunit;
using MudBlazor;
using Studio.Tests.Infrastructure;
using Studio.Web.Features.Generations;

namespace Studio.Tests.Features.Generations;

/// <summary>The composer offers only what the chosen provider's model accepts.</summary>
public class ComposerProviderTests : StudioComponentTest
{
    private static readonly ProviderChoice[] AllProviders =
    [
        new("runway", "Runway", true), new("pixazo", "Pixazo", true), new("runware", "Runware", true), new("kie", "kie", true),
    ];

    private readonly List<GenerationDraft> _submitted = [];

    private IRenderedComponent<Composer> RenderComposer(string provider) =>
        Render<Composer>(p => p
            .Add(c => c.Providers, AllProviders)
            .Add(c => c.InitialProvider, provider)
            .Add(c => c.Submit, draft =>
            {
                _submitted.Add(draft);
                return Task.FromResult(new SubmitResult(Guid.NewGuid(), []));
            }));

    private static List<string> RadioLabels(IRenderedComponent<Composer> cut, string group) =>
        cut.FindAll($"[data-testid={group}] [role=radio]").Select(b => b.GetAttribute("aria-label") ?? b.TextContent.Trim()).ToList();

    private static List<string> DurationChoices(IRenderedComponent<Composer> cut) =>
        cut.FindAll("[aria-labelledby=duration-label] [role=radio]").Select(b => b.TextContent.Trim()).ToList();

    private void Generate(IRenderedComponent<Composer> cut, string prompt = "Waves at night")
    {
        cut.Find("textarea").Input(prompt);
        cut.Find("button[data-testid=generate]").Click();
    }

    [Fact]
    public void Runway_OffersTwoTextRatiosASliderFrom2To10AndASeed_AndNoQuality()
    {
        var cut = RenderComposer("runway");
        Assert.Equal(["16:9 landscape", "9:16 portrait"], RadioLabels(cut, "ratio"));
        Assert.Empty(DurationChoices(cut)); // a slider, not a fixed set
        Assert.NotEmpty(cut.FindComponents<MudSlider<int>>());
        Assert.NotEmpty(cut.FindAll("[data-testid=seed], [data-testid=seed] input"));
        Assert.Empty(cut.FindAll("[data-testid=quality]"));
    }

    [Fact]
    public void Pixazo_OffersOnlyFiveOrTenSeconds()
    {
        var cut = RenderComposer("pixazo");
        Assert.Equal(["5 s", "10 s"], DurationChoices(cut));
        Assert.Equal(["16:9 landscape", "9:16 portrait"], RadioLabels(cut, "ratio"));
        Assert.Empty(cut.FindComponents<MudSlider<int>>());
    }

    [Fact]
    public void Runware_OffersItsFiveSizesForTextToVideo_WithoutCinema()
    {
        var cut = RenderComposer("runware");
        var ratios = RadioLabels(cut, "ratio");
        Assert.Equal(5, ratios.Count);
        Assert.Contains("1:1 square", ratios);
        Assert.DoesNotContain("21:9 cinema", ratios);
    }

    [Fact]
    public void Kie_OffersQualityAndFixedDurations_NoSeed_And1080pOnlyForFiveSeconds()
    {
        var cut = RenderComposer("kie");
        Assert.Equal(["5 s", "10 s"], DurationChoices(cut));
        Assert.Empty(cut.FindAll("[data-testid=seed]"));
        var quality = cut.FindAll("[data-testid=quality] [role=radio]");
        Assert.Equal(["720p", "1080p"], quality.Select(b => b.TextContent.Trim()));
        Assert.Contains("price unknown", cut.Find("[data-testid=estimate]").TextContent);

        cut.FindAll("[aria-labelledby=duration-label] [role=radio]").Single(b => b.TextContent.Trim() == "10 s").Click();
        var hd = cut.FindAll("[data-testid=quality] [role=radio]").Single(b => b.TextContent.Trim() == "1080p");
        Assert.True(hd.HasAttribute("disabled"));

        Generate(cut);
        var draft = Assert.Single(_submitted);
        Assert.Equal(("kie", 10, "720p"), (draft.Provider, draft.DurationSeconds, draft.Quality));
        Assert.Null(draft.Seed);
    }

    [Fact]
    public async Task Kie_WithAFirstFrame_TakesTheRatioFromTheImage()
    {
        var cut = RenderComposer("kie");
        await cut.InvokeAsync(() => cut.Instance.SetImage(new FirstFrameImage("frame.png", ImageFormat.Png, GenerationDraftValidatorTests.Png)));
        cut.Render();
        Assert.NotNull(cut.Find("[data-testid=ratio-from-image]"));
        Assert.Empty(cut.FindAll("[data-testid=ratio]"));

        Generate(cut);
        Assert.Equal("", Assert.Single(_submitted).Ratio);
    }

    [Fact]
    public async Task SwitchingProvider_KeepsChoicesValidForTheNewModel()
    {
        var cut = RenderComposer("runway");
        cut.FindComponent<MudSlider<int>>(); // runway: 2–10
        var select = cut.FindComponent<MudSelect<string>>();
        await cut.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync("kie"));

        Generate(cut);
        var draft = Assert.Single(_submitted);
        Assert.Equal("kie", draft.Provider);
        Assert.Contains(draft.DurationSeconds, VideoModels.KieRunway.Durations);
        Assert.Equal("720p", draft.Quality);
        Assert.True(GenerationDraftValidator.Validate(draft).IsValid);
    }
}
