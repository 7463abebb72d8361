using Bunit;
using Studio.Tests.Infrastructure;
using Studio.Web.Features.Storyboards.PromptAids;

namespace Studio.Tests.Features.Storyboards;

public class PromptBoxTests : StudioComponentTest
{
    private readonly List<string> _values = [];

    private IRenderedComponent<PromptBox> RenderBox(string? value = null, string? style = null, int maxLength = 1000) =>
        Render<PromptBox>(p => p
            .Add(b => b.Value, value)
            .Add(b => b.ValueChanged, v => _values.Add(v))
            .Add(b => b.MaxLength, maxLength)
            .Add(b => b.StyleText, style));

    private static string Counter(IRenderedComponent<PromptBox> cut) => cut.Find("[data-testid=prompt-counter]").TextContent.Trim();

    private static void OpenGroup(IRenderedComponent<PromptBox> cut, string name) =>
        cut.FindAll("button.prompt-group-toggle").Single(b => b.TextContent.Contains(name)).Click();

    [Fact]
    public void Typing_ANegativePhrase_ShowsItsWarningAndUpdatesTheCounter()
    {
        var cut = RenderBox();
        Assert.Equal("0 / 1,000 characters", Counter(cut));

        cut.Find("textarea").Input("A quiet street at dawn with no people, slow dolly in");

        cut.WaitForAssertion(() =>
        {
            var note = cut.Find("[role=status] li[data-code=negative]");
            Assert.Contains("warning", note.ClassList);
            Assert.Equal("no people", note.QuerySelector("q.prompt-quote")?.TextContent);
            Assert.Contains("an empty street", note.TextContent);
        });
        Assert.Equal("52 / 1,000 characters", Counter(cut));
        Assert.Equal("A quiet street at dawn with no people, slow dolly in", _values.Last());
    }

    [Fact]
    public void Chip_WhenClicked_InsertsItsTextAndRaisesValueChanged()
    {
        var cut = RenderBox("A fox runs through fresh snow at dawn");
        OpenGroup(cut, "Camera");

        cut.Find("button[aria-label='Insert camera move: slow dolly in']").Click();

        Assert.Equal(["A fox runs through fresh snow at dawn, slow dolly in"], _values);
        Assert.Equal("A fox runs through fresh snow at dawn, slow dolly in", cut.Find("textarea").GetAttribute("value") ?? cut.Find("textarea").TextContent);
        Assert.Contains("used", cut.Find("button[aria-label^='Insert camera move: slow dolly in']").ClassList);
    }

    [Fact]
    public void Chip_AlreadyInThePrompt_DoesNotDouble()
    {
        var cut = RenderBox("A fox runs through fresh snow, golden hour light");
        OpenGroup(cut, "Style");

        var chip = cut.Find("button[aria-label='Insert style: golden hour light (already in the prompt)']");
        chip.Click();

        Assert.Empty(_values);
        Assert.Equal("A fox runs through fresh snow, golden hour light", cut.Instance.Value);
    }

    [Fact]
    public void Groups_AreCollapsedUntilOpened_AndSayWhetherTheyAreOpen()
    {
        var cut = RenderBox();
        var toggle = cut.FindAll("button.prompt-group-toggle").Single(b => b.TextContent.Contains("Style"));
        Assert.Equal("false", toggle.GetAttribute("aria-expanded"));
        Assert.True(cut.Find($"#{toggle.GetAttribute("aria-controls")}").HasAttribute("hidden"));

        OpenGroup(cut, "Style");

        toggle = cut.FindAll("button.prompt-group-toggle").Single(b => b.TextContent.Contains("Style"));
        Assert.Equal("true", toggle.GetAttribute("aria-expanded"));
        Assert.False(cut.Find($"#{toggle.GetAttribute("aria-controls")}").HasAttribute("hidden"));
    }

    [Fact]
    public void OverTheLimitWithTheStyle_ShowsTheErrorLevel()
    {
        var style = "35mm film grain, golden hour light, shallow depth of field, anamorphic lens flare";
        var cut = RenderBox("A fox runs through fresh snow as the camera tracks it " + new string('x', 900), style);

        var counter = cut.Find("[data-testid=prompt-counter]");
        Assert.Contains("over", counter.ClassList);
        Assert.EndsWith("incl. style", counter.TextContent.Trim());
        Assert.Contains(style, cut.Find("[data-testid=prompt-style]").TextContent);
        var note = cut.Find("[role=status] li[data-code=too-long]");
        Assert.Contains("error", note.ClassList);
        Assert.Contains("with the style preset", note.TextContent);
        Assert.Equal("too-long", cut.FindAll("[role=status] li")[0].GetAttribute("data-code"));
    }

    [Fact]
    public void NearTheLimit_TheCounterTurnsToWarning()
    {
        var cut = RenderBox(("A fox runs through fresh snow as the camera tracks it " + new string('x', 950))[..950]);
        var counter = cut.Find("[data-testid=prompt-counter]");
        Assert.Contains("near", counter.ClassList);
        Assert.Equal("950 / 1,000 characters", counter.TextContent.Trim());
    }

    [Fact]
    public void ServerError_IsShownUnderTheField()
    {
        var cut = Render<PromptBox>(p => p.Add(b => b.Value, "A fox").Add(b => b.Error, "The prompt was refused by moderation."));
        Assert.Equal("The prompt was refused by moderation.", cut.Find("[data-testid=prompt-error][role=alert]").TextContent);
    }

    [Fact]
    public void Disabled_DisablesTheFieldAndTheChips()
    {
        var cut = Render<PromptBox>(p => p.Add(b => b.Value, "A fox").Add(b => b.Disabled, true));
        Assert.True(cut.Find("textarea").HasAttribute("disabled"));
        Assert.All(cut.FindAll("button"), b => Assert.True(b.HasAttribute("disabled")));
    }

    [Fact]
    public void WithAFirstFrame_AStillDescriptionGetsTheMotionTip()
    {
        var cut = Render<PromptBox>(p => p.Add(b => b.Value, "A woman in a red coat on an old stone bridge at dusk").Add(b => b.HasFirstFrame, true));
        Assert.Contains("info", cut.Find("[role=status] li[data-code=describes-image]").ClassList);
    }


    [Fact]
    public void Field_IsDescribedByTheCounterAndTheNotes()
    {
        var cut = RenderBox("A fox");
        var describedBy = cut.Find("textarea").GetAttribute("aria-describedby")!.Split(' ');
        Assert.Equal("prompt-counter", cut.Find($"#{describedBy[0]}").GetAttribute("data-testid"));
        Assert.Equal("status", cut.Find($"#{describedBy[1]}").GetAttribute("role"));
        Assert.Equal("polite", cut.Find($"#{describedBy[0]}").GetAttribute("aria-live"));
    }

    [Fact]
    public void Value_SetByTheParent_ReplacesTheTextAndItsAdvice()
    {
        var cut = RenderBox("A street with no blur");
        Assert.NotEmpty(cut.FindAll("li[data-code=negative]"));

        cut.Render(p => p.Add(b => b.Value, "A woman in a red raincoat crosses a wet street at night, tracking shot"));

        Assert.Empty(cut.FindAll("[role=status] li"));
        Assert.Equal("70 / 1,000 characters", Counter(cut));
    }
}
