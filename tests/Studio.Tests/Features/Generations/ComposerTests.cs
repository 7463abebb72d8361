using Bunit;
using Microsoft.AspNetCore.Components;
using Studio.Tests.Infrastructure;
using Studio.Web.Features.Generations;

namespace Studio.Tests.Features.Generations;

public class ComposerTests : StudioComponentTest
{
    private readonly List<GenerationDraft> _submitted = [];
    private SubmitResult _nextResult = new(Guid.NewGuid(), []);

    private IRenderedComponent<Composer> RenderComposer() =>
        Render<Composer>(p => p.Add(c => c.Submit, draft =>
        {
            _submitted.Add(draft);
            return Task.FromResult(_nextResult);
        }));

    private static void TypePrompt(IRenderedComponent<Composer> cut, string text) => cut.Find("textarea").Input(text);

    private static void ClickGenerate(IRenderedComponent<Composer> cut) => cut.Find("button[data-testid=generate]").Click();

    [Fact]
    public void Prompt_ShowsALiveCounterAgainstRunwaysLimit()
    {
        var cut = RenderComposer();
        TypePrompt(cut, "A lighthouse at dawn");
        Assert.Contains("20 / 1000", cut.Markup);
    }

    [Fact]
    public void Prompt_WhenOverTheLimit_ShowsTheErrorWhileTypingAndNeverSubmits()
    {
        var cut = RenderComposer();
        TypePrompt(cut, new string('x', 1001));
        Assert.Contains("The prompt is 1001 characters", cut.Markup);

        ClickGenerate(cut);
        Assert.Empty(_submitted);
    }

    [Fact]
    public void Generate_WithEmptyPrompt_AsksForOneAtTheFieldAndDoesNotSubmit()
    {
        var cut = RenderComposer();
        ClickGenerate(cut);
        Assert.Contains("Write a prompt", cut.Markup);
        Assert.Empty(_submitted);
    }

    [Fact]
    public void Generate_WithValidPrompt_SubmitsTextToVideoDraftWithDefaults()
    {
        var cut = RenderComposer();
        TypePrompt(cut, "Waves at night");
        ClickGenerate(cut);

        var draft = Assert.Single(_submitted);
        Assert.Equal("gen4.5", draft.ModelId);
        Assert.Equal("Waves at night", draft.PromptText);
        Assert.Equal("1280:720", draft.Ratio);
        Assert.Equal(5, draft.DurationSeconds);
        Assert.Null(draft.FirstFrame);
        Assert.Contains("60 credits", cut.Find("[data-testid=estimate]").TextContent);
    }

    [Fact]
    public void Generate_WhenServerReturnsAFieldError_ShowsItAtThatField()
    {
        _nextResult = new SubmitResult(null, new DraftErrors { [GenerationDraftValidator.Fields.Prompt] = "Server says no." });
        var cut = RenderComposer();
        TypePrompt(cut, "Waves at night");
        ClickGenerate(cut);
        cut.WaitForAssertion(() => Assert.Contains("Server says no.", cut.Markup));
    }

    [Fact]
    public async Task FirstFrame_WhenAdded_OffersSixRatiosAndRemovingItFallsBackToLandscape()
    {
        var cut = RenderComposer();
        await cut.InvokeAsync(() => cut.Instance.SetImage(new FirstFrameImage("frame.png", ImageFormat.Png, GenerationDraftValidatorTests.Png)));
        cut.Render();
        Assert.Contains("image to video", cut.Find("[data-testid=estimate]").TextContent);
        Assert.Contains("First-frame preview", cut.Markup);

        Assert.Equal(6, cut.FindAll("[role=radio]").Count);
        cut.Find("[role=radio][aria-label='1:1 square']").Click();
        TypePrompt(cut, "A portrait");
        ClickGenerate(cut);
        Assert.NotNull(_submitted.Single().FirstFrame);
        Assert.Equal("960:960", _submitted.Single().Ratio);

        await cut.InvokeAsync(() => cut.Instance.SetImage(null));
        cut.Render();
        Assert.Contains("text to video", cut.Find("[data-testid=estimate]").TextContent);
        Assert.Equal(2, cut.FindAll("[role=radio]").Count);
        ClickGenerate(cut);
        Assert.Null(_submitted[1].FirstFrame);
        Assert.Equal("1280:720", _submitted[1].Ratio);
    }

    [Fact]
    public void FirstFrame_WhenAGifIsChosen_RefusesItAtTheField()
    {
        var cut = RenderComposer();
        var upload = cut.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>();
        upload.UploadFiles(InputFileContent.CreateFromBinary(GenerationDraftValidatorTests.Gif, "animated.png", contentType: "image/png"));

        cut.WaitForAssertion(() => Assert.Contains("GIF images are not accepted", cut.Find("[data-testid=image-error]").TextContent));
        Assert.DoesNotContain("First-frame preview", cut.Markup);
    }

    [Fact]
    public void Generate_KeepsOneRequestIdUntilATakeIsMade_ThenStartsANewOne()
    {
        _nextResult = new SubmitResult(null, new DraftErrors { [GenerationService.FormError] = "Try again." });
        var cut = RenderComposer();
        TypePrompt(cut, "Waves at night");
        ClickGenerate(cut);
        _nextResult = new SubmitResult(Guid.NewGuid(), []);
        ClickGenerate(cut);
        ClickGenerate(cut);

        Assert.Equal(3, _submitted.Count);
        Assert.NotNull(_submitted[0].RequestId);
        Assert.Equal(_submitted[0].RequestId, _submitted[1].RequestId); // the resend after an error is the same press
        Assert.NotEqual(_submitted[1].RequestId, _submitted[2].RequestId); // a new press after a take was made
    }
}
