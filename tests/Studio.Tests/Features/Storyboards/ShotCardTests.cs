using Bunit;
using Microsoft.AspNetCore.Components.Web;
using Studio.Tests.Infrastructure;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Storyboards;
using Studio.Web.Features.Storyboards.PromptAids;
using static Studio.Tests.Features.Storyboards.StoryboardTestData;

namespace Studio.Tests.Features.Storyboards;

public class ShotCardTests : StudioComponentTest
{
    private readonly List<ShotEdit> _saved = [];
    private readonly List<int> _generated = [];
    private readonly List<Guid> _selected = [];
    private StoryboardResult _saveResult = StoryboardResult.Ok();
    private StoryboardResult _generateResult = StoryboardResult.Ok();

    private IRenderedComponent<ShotCard> RenderCard(ShotView shot, bool canEdit = true, ShotView? previous = null) =>
        Render<ShotCard>(p => p
            .Add(c => c.Shot, shot)
            .Add(c => c.Previous, previous)
            .Add(c => c.CanEdit, canEdit)
            .Add(c => c.Save, edit =>
            {
                _saved.Add(edit);
                return Task.FromResult(_saveResult);
            })
            .Add(c => c.Generate, takes =>
            {
                _generated.Add(takes);
                return Task.FromResult(_generateResult);
            })
            .Add(c => c.SelectTake, id =>
            {
                _selected.Add(id);
                return Task.FromResult(StoryboardResult.Ok());
            }));

    private static void TypePrompt(IRenderedComponent<ShotCard> cut, string text) => cut.Find("[data-testid=shot-prompt] textarea").Input(text);

    [Fact]
    public void TypingNegativePhrasing_ShowsTheWarningUnderTheShotsPrompt()
    {
        var cut = RenderCard(Shot(1));

        TypePrompt(cut, "A city street at dawn with no blur, slow dolly in");

        cut.WaitForAssertion(() =>
        {
            var note = cut.Find($"[data-testid=prompt-notes] [data-code={PromptLint.Codes.Negative}]");
            Assert.Contains("no blur", note.TextContent);
        });
    }

    [Fact]
    public void TypingAPrompt_SavesItOnceTypingPauses_AndSaysSaved()
    {
        var cut = RenderCard(Shot(2, title: "Harbour"));

        TypePrompt(cut, "Fishing boats leave the harbour, slow pan");

        cut.WaitForAssertion(() => Assert.Equal("Fishing boats leave the harbour, slow pan", Assert.Single(_saved).PromptText), TimeSpan.FromSeconds(5));
        Assert.Equal("Harbour", _saved[0].Title);
        cut.WaitForAssertion(() => Assert.Contains("Saved", cut.Find("[data-testid=save-state]").TextContent));
    }

    [Fact]
    public void WhenTheServerRefusesAnEdit_TheErrorShowsAtTheFieldAndTheTypedWordsStay()
    {
        _saveResult = StoryboardResult.Invalid(new DraftErrors { [StoryboardService.FieldTitle] = "At most 80 characters." });
        var cut = RenderCard(Shot(1));

        cut.Find("input[data-testid=shot-title], [data-testid=shot-title] input").Input("A title the server does not like");

        cut.WaitForAssertion(() => Assert.Contains("At most 80 characters.", cut.Markup), TimeSpan.FromSeconds(5));
        Assert.Contains("Not saved", cut.Find("[data-testid=save-state]").TextContent);

        // A push of the stored shot (still without the new title) must not overwrite the user's words:
        // the next save, once the server accepts, still carries them.
        cut.Render(p => p.Add(c => c.Shot, Shot(1, id: cut.Instance.Shot.Id, title: "", prompt: "")));
        _saveResult = StoryboardResult.Ok();
        TypePrompt(cut, "A lighthouse at dawn, slow push in");

        cut.WaitForAssertion(() => Assert.Equal(2, _saved.Count), TimeSpan.FromSeconds(5));
        Assert.Equal("A title the server does not like", _saved[1].Title);
        Assert.Equal("A lighthouse at dawn, slow push in", _saved[1].PromptText);
        cut.WaitForAssertion(() => Assert.DoesNotContain("At most 80 characters.", cut.Markup));
        Assert.Contains("Saved", cut.Find("[data-testid=save-state]").TextContent);
    }

    [Fact]
    public void OurOwnSaveComingBackTrimmed_DoesNotRewriteWhatIsBeingTyped()
    {
        var cut = RenderCard(Shot(1));

        cut.Find("input[data-testid=shot-title], [data-testid=shot-title] input").Input("Boats ");
        cut.WaitForAssertion(() => Assert.Single(_saved), TimeSpan.FromSeconds(5));
        // The server stores the title trimmed and tells the page, which passes the stored shot back.
        cut.Render(p => p.Add(c => c.Shot, Shot(1, id: cut.Instance.Shot.Id, title: "Boats")));
        TypePrompt(cut, "Boats leave at dawn");

        cut.WaitForAssertion(() => Assert.Equal(2, _saved.Count), TimeSpan.FromSeconds(5));
        Assert.Equal("Boats ", _saved[1].Title);
    }

    [Fact]
    public void SwitchingContinue_SavesAtOnce_AndExplainsWhereTheFirstFrameComesFrom()
    {
        var cut = RenderCard(Shot(2), previous: Shot(1));

        cut.Find("input[data-testid=shot-continue], [data-testid=shot-continue] input").Change(true);

        cut.WaitForAssertion(() => Assert.True(Assert.Single(_saved).ContinueFromPrevious));
        Assert.Contains("last frame of shot 1", cut.Find("[data-testid=continue-note]").TextContent);
    }

    [Fact]
    public void TheFirstShot_HasNoContinueSwitch()
    {
        var cut = RenderCard(Shot(1));

        Assert.Empty(cut.FindAll("[data-testid=shot-continue]"));
    }

    [Fact]
    public void Generate_WhenRefused_ShowsTheReasonOnTheCard()
    {
        _generateResult = StoryboardResult.Refused("Shot 1 has no prompt yet.");
        var cut = RenderCard(Shot(1));

        cut.FindAll("[role=radio]").Single(b => b.TextContent == "×3").Click();
        cut.Find("[data-testid=shot-generate]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Shot 1 has no prompt yet.", cut.Find("[data-testid=shot-run-error]").TextContent));
        Assert.Equal([3], _generated);
    }

    [Fact]
    public void CtrlEnterInThePrompt_SavesTheWordsTheBrowserHasSoFar_ThenGenerates()
    {
        // The browser's copy of the field is ahead of the debounced value: it is what gets saved before generating.
        var field = JSInterop.SetupModule("./Features/Storyboards/PromptAids/PromptBox.razor.js");
        field.Setup<PromptBox.FieldState?>("read", _ => true).SetResult(new PromptBox.FieldState("Waves break on the rocks, slow pan", 34));
        var cut = RenderCard(Shot(1, title: "Rocks"));
        var prompt = cut.Find("[data-testid=shot-prompt] textarea");

        prompt.KeyDown(new KeyboardEventArgs { Key = "Enter" });
        prompt.KeyDown(new KeyboardEventArgs { Key = "a", CtrlKey = true });
        Assert.Empty(_generated);

        cut.Find("[data-testid=shot-prompt] textarea").KeyDown(new KeyboardEventArgs { Key = "Enter", CtrlKey = true });

        cut.WaitForAssertion(() => Assert.Equal([1], _generated));
        var saved = Assert.Single(_saved);
        Assert.Equal(("Rocks", "Waves break on the rocks, slow pan"), (saved.Title, saved.PromptText));
    }

    [Fact]
    public void ARunErrorFromGenerateAll_IsShownOnTheCard()
    {
        var cut = RenderCard(Shot(3, runError: "Shot 2 made no finished take, so this shot had nothing to continue from."));

        Assert.Contains("nothing to continue from", cut.Find("[data-testid=shot-run-error]").TextContent);
    }

    [Fact]
    public void Takes_ShowChosenStaleAndLineage_AndSelectChoosesAnother()
    {
        var chosen = Take();
        var other = Take(seed: 8);
        var running = Take(GenerationState.Running, progress: 0.4);
        var shot = Shot(2, continues: true, selected: chosen.Id, takes:
        [
            new ShotTakeView(running, 3, (1, 2), IsStale: false),
            new ShotTakeView(other, 2, (1, 1), IsStale: true),
            new ShotTakeView(chosen, 1, (1, 2), IsStale: false),
        ]);
        var cut = RenderCard(shot, previous: Shot(1));

        var cards = cut.FindAll("[data-testid=mini-take]");
        Assert.Equal(3, cards.Count);
        Assert.Contains("Rendering 40", cards[0].TextContent);
        Assert.Single(cut.FindAll("[data-testid=selected-badge]"));
        Assert.Contains("Chosen", cards[2].TextContent);
        var stale = Assert.Single(cut.FindAll("[data-testid=stale-badge]"));
        Assert.Contains("earlier take of shot 1", stale.GetAttribute("aria-label"));
        Assert.Contains("from shot 1 · take 1", cards[1].TextContent);

        cards[1].QuerySelector("[data-testid=select-take]")!.Click();

        Assert.Equal(other.Id, Assert.Single(_selected));
    }

    [Fact]
    public void Viewers_SeeTheShotButNoEditControls()
    {
        var take = Take();
        var cut = RenderCard(Shot(2, title: "Gulls", prompt: "Gulls circle the mast", continues: true, selected: take.Id,
            takes: [new ShotTakeView(take, 1, null, false), new ShotTakeView(Take(), 2, null, false)]), canEdit: false, previous: Shot(1));

        Assert.Contains("Gulls circle the mast", cut.Find("[data-testid=shot-readonly]").TextContent);
        Assert.Empty(cut.FindAll("textarea"));
        Assert.Empty(cut.FindAll("input:not([type=checkbox])"));
        Assert.Empty(cut.FindAll("[data-testid=shot-generate]"));
        Assert.Empty(cut.FindAll("[data-testid=select-take]"));
        Assert.Empty(cut.FindAll("[data-testid=save-state]"));
        // Watching and comparing stay open to viewers.
        Assert.Equal(2, cut.FindAll("[data-testid=mini-take] input[type=checkbox]").Count);
    }
}
