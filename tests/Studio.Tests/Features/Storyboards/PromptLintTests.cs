using Studio.Web.Features.Storyboards.PromptAids;

namespace Studio.Tests.Features.Storyboards;

public class PromptLintTests
{
    private static readonly PromptContext TextToVideo = new(MaxLength: 1000, HasFirstFrame: false);
    private static readonly PromptContext ImageToVideo = new(MaxLength: 1000, HasFirstFrame: true);

    private static IReadOnlyList<string> Codes(string prompt, PromptContext? context = null) =>
        PromptLint.Check(prompt, context ?? TextToVideo).Select(w => w.Code).ToList();

    // The provider documents' own example prompts (shared/seeds) are what good looks like: none of them gets a note.
    [Theory]
    [InlineData("A golden retriever puppy chasing butterflies through a sunlit lavender field, slow motion, cinematic depth of field, warm afternoon light casting long shadows", false)]
    [InlineData("A majestic eagle soaring through mountain clouds at sunset", false)]
    [InlineData("A peaceful garden with cherry blossoms swaying in a gentle breeze", false)]
    [InlineData("Camera slowly pushes in, leaves rustling in the breeze", true)]
    [InlineData("A timelapse on a sunny day with clouds flying by", true)]
    [InlineData("A cinematic night expedition drifting through a bioluminescent mangrove forest on a narrow wooden research skiff. Two field scientists in subtle waterproof gear glide between arching roots while electric-blue plankton ripple in the dark water with every movement of the boat. Firefly-like insects hover among glossy leaves, soft mist hangs low above the surface, and distant storm clouds flicker on the horizon. The camera begins close to the glowing wake beside the boat, then slowly tracks forward and slightly upward to reveal the dense maze of roots, reflective water, and luminous wildlife. Realistic water physics, gentle paddling motion, intricate foliage detail, believable cloth movement, moody natural lighting, high visual fidelity, atmospheric depth, serene wonder, cinematic documentary style.", false)]
    [InlineData("A woman in a red raincoat crosses a wet street at night, neon signs reflecting in the puddles, handheld tracking shot, shallow depth of field", false)]
    public void Check_RealisticPrompts_GiveNoAdvice(string prompt, bool hasFirstFrame)
    {
        Assert.Empty(PromptLint.Check(prompt, hasFirstFrame ? ImageToVideo : TextToVideo));
    }

    [Theory]
    [InlineData("A city street at dawn with no blur, slow dolly in", PromptLint.Codes.Negative, "no blur")]
    [InlineData("A quiet plaza at dawn without any people, wide shot", PromptLint.Codes.Negative, "without any people")]
    [InlineData("A dancer spins on stage, don't show the audience", PromptLint.Codes.Negative, "don't show the audience")]
    [InlineData("A dancer spins on stage, the camera never stops moving", PromptLint.Codes.Negative, "never stops moving")]
    [InlineData("A chef plates a dish, avoid camera shake", PromptLint.Codes.Negative, "avoid camera shake")]
    [InlineData("An old man sits on a bench, he is not smiling, close-up", PromptLint.Codes.Negative, "not smiling")]
    [InlineData("The bird cannot reach the branch and flaps harder", PromptLint.Codes.Negative, "cannot reach the branch")]
    [InlineData("A lighthouse stands on a cliff, symbolizing hope for sailors", PromptLint.Codes.Conceptual, "symbolizing hope")]
    [InlineData("A child runs through a field with a sense of freedom", PromptLint.Codes.Conceptual, "a sense of freedom")]
    [InlineData("The empty chair represents loss as the camera pushes in", PromptLint.Codes.Conceptual, "represents loss")]
    [InlineData("A stunning waterfall in a jungle, camera rises slowly", PromptLint.Codes.Filler, "stunning")]
    [InlineData("A fox runs through snow, masterpiece, 8k, best quality", PromptLint.Codes.Filler, "masterpiece, 8k, best quality")]
    [InlineData("A man opens a door and walks in, cut to a beach at sunset", PromptLint.Codes.SeveralScenes, "cut to")]
    [InlineData("Two friends laugh at a café. After that they walk home in the rain", PromptLint.Codes.SeveralScenes, "After that")]
    [InlineData("A knight rides into battle, next scene the castle burns", PromptLint.Codes.SeveralScenes, "next scene")]
    [InlineData("Please show a red car driving along a coastal road", PromptLint.Codes.Command, "Please")]
    [InlineData("Make a video of a cat chasing a laser dot across a kitchen floor", PromptLint.Codes.Command, "Make a video of")]
    [InlineData("Can you animate a paper boat sailing down a gutter", PromptLint.Codes.Command, "Can you")]
    [InlineData("Please make a video of a kitten batting at a ball of yarn", PromptLint.Codes.Command, "Please, make a video of")]
    public void Check_EachRule_FiresOnItsExampleAndQuotesTheWords(string prompt, string code, string excerpt)
    {
        var warning = Assert.Single(PromptLint.Check(prompt, TextToVideo), w => w.Code == code);
        Assert.Equal(excerpt, warning.Excerpt);
        Assert.Contains(excerpt.Split(", ")[0], warning.Message);
    }

    [Theory]
    [InlineData("A pianist plays a grand piano in an empty hall, slow dolly in", PromptLint.Codes.Negative)]
    [InlineData("She writes in a notebook by the window as rain streaks the glass", PromptLint.Codes.Negative)]
    [InlineData("A sailor ties a knot on the deck of a rocking boat", PromptLint.Codes.Negative)]
    [InlineData("Snow falls on the roof of a cabin as smoke drifts up", PromptLint.Codes.Negative)]
    [InlineData("Nothing moves in the desert but the heat haze shimmering over the dunes", PromptLint.Codes.Negative)]
    [InlineData("No one is on the platform as the last train pulls away", PromptLint.Codes.Negative)]
    [InlineData("A neon sign reading \"NO VACANCY\" flickers above a motel door", PromptLint.Codes.Negative)]
    [InlineData("A non-stop stream of commuters pours out of the station", PromptLint.Codes.Negative)]
    [InlineData("A dancer presents a bouquet to the crowd, the camera cranes up", PromptLint.Codes.Conceptual)]
    [InlineData("An epicentre of dust rises as the wall collapses", PromptLint.Codes.Filler)]
    [InlineData("A jeweller weighs 24k gold on a brass scale", PromptLint.Codes.Filler)]
    [InlineData("The camera begins low at water level, then gently rises and orbits the boat", PromptLint.Codes.SeveralScenes)]
    [InlineData("Surgeons cut through the ribbon as a crowd cheers", PromptLint.Codes.SeveralScenes)]
    [InlineData("The turbines generate power as their blades turn against a grey sky", PromptLint.Codes.Command)]
    [InlineData("A pleased grandmother claps as the candles are blown out", PromptLint.Codes.Command)]
    public void Check_NearMisses_StayQuiet(string prompt, string code)
    {
        Assert.DoesNotContain(code, Codes(prompt));
    }

    [Theory]
    [InlineData("Street at night, no blur", "\"sharp focus\"")]
    [InlineData("A quiet square at dawn with no people", "\"an empty street\"")]
    [InlineData("A shop window without any text on the glass", "\"clean, unmarked surfaces\"")]
    [InlineData("A long corridor with no camera movement", "\"static locked-off shot\"")]
    public void Check_NegativePhrasing_SuggestsTheKnownPositiveForm(string prompt, string suggestion)
    {
        var warning = PromptLint.Check(prompt, TextToVideo).Single(w => w.Code == PromptLint.Codes.Negative);
        Assert.Contains(suggestion, warning.Message);
    }

    [Theory]
    [InlineData("A fox")]
    [InlineData("sunset beach")]
    [InlineData("Neon city night")]
    public void Check_ThreeWordsOrFewer_AskForSubjectActionAndCamera(string prompt)
    {
        var warning = PromptLint.Check(prompt, TextToVideo).Single(w => w.Code == PromptLint.Codes.TooShort);
        Assert.Equal(PromptWarningLevel.Warning, warning.Level);
        Assert.Contains("how the camera moves", warning.Message);
    }

    [Fact]
    public void Check_EmptyPrompt_SaysNothing()
    {
        Assert.Empty(PromptLint.Check("", TextToVideo));
        Assert.Empty(PromptLint.Check("   ", ImageToVideo));
    }

    [Theory]
    [InlineData("A woman in a red coat on an old stone bridge at dusk, lamps along the river", true)]
    [InlineData("The camera slowly pushes in as her scarf flutters in the wind", false)]
    [InlineData("She turns and walks away along the bridge", false)]
    [InlineData("Time-lapse of the city lights coming on", false)]
    public void Check_WithAFirstFrame_AsksForMotionWhenThePromptOnlyDescribesThePicture(string prompt, bool expected)
    {
        Assert.Equal(expected, Codes(prompt, ImageToVideo).Contains(PromptLint.Codes.DescribesImage));
        Assert.DoesNotContain(PromptLint.Codes.DescribesImage, Codes(prompt, TextToVideo));
    }

    [Fact]
    public void Check_OverTheLimitWithTheStyle_IsAnErrorThatCountsTheStyle()
    {
        var style = new string('s', 100);
        var prompt = "A fox runs through snow " + new string('x', 932 - 24);

        var warning = PromptLint.Check(prompt, TextToVideo with { StyleText = style })[0];

        Assert.Equal(1034, PromptLint.CombinedLength(prompt, style));
        Assert.Equal(PromptLint.Codes.TooLong, warning.Code);
        Assert.Equal(PromptWarningLevel.Error, warning.Level);
        Assert.Equal("1,034 of 1,000 characters with the style preset: remove 34. The style preset takes 102 of them.", warning.Message);
        Assert.True(PromptLint.IsOverLimit(prompt, TextToVideo with { StyleText = style }));
    }

    [Theory]
    [InlineData(899, null)]
    [InlineData(900, PromptLint.Codes.NearLimit)]
    [InlineData(1000, PromptLint.Codes.NearLimit)]
    [InlineData(1001, PromptLint.Codes.TooLong)]
    public void Check_Length_IsQuietThenATipThenAnError(int length, string? code)
    {
        var prompt = ("A fox runs through snow as the camera tracks it " + new string('x', length))[..length];
        var lengthCodes = Codes(prompt).Where(c => c is PromptLint.Codes.NearLimit or PromptLint.Codes.TooLong);
        Assert.Equal(code is null ? [] : [code], lengthCodes);
    }

    [Fact]
    public void Check_NearTheLimit_SaysHowManyAreLeft()
    {
        var prompt = ("A fox runs through snow as the camera tracks it " + new string('x', 950))[..950];
        var warning = PromptLint.Check(prompt, new PromptContext(1000, false)).Single(w => w.Code == PromptLint.Codes.NearLimit);
        Assert.Equal(PromptWarningLevel.Info, warning.Level);
        Assert.Equal("950 of 1,000 characters: 50 left.", warning.Message);
    }

    [Fact]
    public void Check_OrdersErrorsThenWarningsThenTips()
    {
        var prompt = "Please film a stunning street, no people " + new string('x', 1000);
        var levels = PromptLint.Check(prompt, TextToVideo).Select(w => w.Level).ToList();
        Assert.Equal(levels.OrderByDescending(l => l), levels);
        Assert.Equal(PromptWarningLevel.Error, levels[0]);
    }

    [Theory]
    [InlineData("A fox runs", null, "A fox runs")]
    [InlineData("A fox runs  ", "", "A fox runs  ")]
    [InlineData("A fox runs", "35mm film grain", "A fox runs. 35mm film grain")]
    [InlineData("A fox runs.  ", " 35mm film grain ", "A fox runs. 35mm film grain")]
    [InlineData("A fox runs,", "golden hour", "A fox runs. golden hour")]
    [InlineData("", "golden hour", "golden hour")]
    public void Combine_AppendsTheStyleAsItsOwnSentence(string prompt, string? style, string expected)
    {
        Assert.Equal(expected, PromptLint.Combine(prompt, style));
    }

    [Theory]
    [InlineData("", null, "slow dolly in", "Slow dolly in")]
    [InlineData("A fox runs through snow", null, "slow dolly in", "A fox runs through snow, slow dolly in")]
    [InlineData("A fox runs through snow.", null, "golden hour light", "A fox runs through snow, golden hour light.")]
    [InlineData("A fox runs through snow,  ", null, "golden hour light", "A fox runs through snow, golden hour light")]
    [InlineData("A fox runs through snow!", null, "golden hour light", "A fox runs through snow! Golden hour light")]
    [InlineData("A fox runs through snow", 999, "close-up", "A fox runs through snow, close-up")]
    [InlineData("A fox runs through snow", 0, "slow dolly in", "Slow dolly in. A fox runs through snow")]
    [InlineData("a fox runs through snow", 0, "slow dolly in", "Slow dolly in, a fox runs through snow")]
    [InlineData("A fox runs. The camera follows.", 11, "golden hour light", "A fox runs. Golden hour light. The camera follows.")]
    [InlineData("A fox runs. The camera follows.", 12, "golden hour light", "A fox runs. Golden hour light. The camera follows.")]
    [InlineData("A fox runs, the camera follows", 10, "handheld camera", "A fox runs, handheld camera, the camera follows")]
    [InlineData("A fox runs through snow", 7, "close-up", "A fox runs, close-up, through snow")]
    [InlineData("A fox runs\nThe camera follows", 10, "golden hour light", "A fox runs, golden hour light\nThe camera follows")]
    [InlineData("A fox runs (", null, "whip pan", "A fox runs (whip pan")]
    [InlineData("A fox runs through snow", null, " golden hour light. ", "A fox runs through snow, golden hour light")]
    public void Insert_PutsThePhraseAtTheCaretWithOneSeparatorEachSide(string prompt, int? caret, string phrase, string expected)
    {
        Assert.Equal(expected, PromptVocabulary.Insert(prompt, caret, phrase));
    }

    [Theory]
    [InlineData("Slow Dolly In on a fox in the snow", "slow dolly in")]
    [InlineData("An extreme close-up of an eye", "close-up")]
    [InlineData("A fox runs through snow", "")]
    public void Insert_APhraseAlreadyThere_LeavesThePromptUnchanged(string prompt, string phrase)
    {
        Assert.Equal(prompt, PromptVocabulary.Insert(prompt, null, phrase));
    }

    [Fact]
    public void InsertAt_PutsTheCaretJustAfterThePhrase()
    {
        var (text, caret) = PromptVocabulary.InsertAt("A fox runs. The camera follows.", 11, "golden hour light");
        Assert.Equal("A fox runs. Golden hour light", text[..caret]);
    }

    public static TheoryData<string, string> Chips()
    {
        var data = new TheoryData<string, string>();
        foreach (var group in PromptVocabulary.Groups)
        {
            foreach (var chip in group.Chips)
            {
                data.Add(group.Name, chip.Text);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public void Vocabulary_EveryChip_IsAdviceFreeAndNamedByItsLabel(string group, string text)
    {
        var chip = PromptVocabulary.Groups.Single(g => g.Name == group).Chips.Single(c => c.Text == text);
        var prompt = PromptVocabulary.Insert("A woman in a red raincoat crosses a wet street at night", null, chip.Text);
        Assert.Empty(PromptLint.Check(prompt, TextToVideo));
        Assert.Contains(chip.Label, chip.Text, StringComparison.OrdinalIgnoreCase); // the accessible name contains the visible label
    }

    [Fact]
    public void Vocabulary_HasAboutADozenCameraMovesAndLooks()
    {
        Assert.Equal(["Camera", "Style"], PromptVocabulary.Groups.Select(g => g.Name));
        Assert.All(PromptVocabulary.Groups, g => Assert.InRange(g.Chips.Count, 10, 14));
        Assert.Equal("Insert camera move: slow dolly in", PromptVocabulary.Camera.AriaLabelFor(PromptVocabulary.Camera.Chips[0]));
    }
}
