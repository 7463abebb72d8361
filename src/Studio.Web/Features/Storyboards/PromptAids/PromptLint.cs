using System.Globalization;
using System.Text.RegularExpressions;

namespace Studio.Web.Features.Storyboards.PromptAids;

public enum PromptWarningLevel
{
    Info,
    Warning,
    Error,
}

/// <summary>What a prompt is checked against.</summary>
/// <param name="MaxLength">The model's limit in UTF-16 code units (<c>VideoModel.MaxPromptLength</c>).</param>
/// <param name="HasFirstFrame">True for image-to-video: the picture already shows what is in frame.</param>
/// <param name="StyleText">The storyboard's style preset, appended to every shot's prompt (see <see cref="PromptLint.Combine"/>); it counts toward the limit.</param>
public sealed record PromptContext(int MaxLength, bool HasFirstFrame, string? StyleText = null);

/// <summary>One piece of advice about a prompt.</summary>
/// <param name="Code">Stable identifier (one of <see cref="PromptLint.Codes"/>).</param>
/// <param name="Excerpt">The words the advice is about, as written in the prompt; the message quotes them.</param>
public sealed record PromptWarning(string Code, PromptWarningLevel Level, string Message, string? Excerpt = null);

/// <summary>
/// Advice on a video prompt while it is written, from the prompting notes of the provider documents in
/// <c>shared/seeds/</c>. Only the length is a hard rule (the provider refuses longer prompts); everything else is a
/// hint, and each hint quotes the words it is about and says what to write instead.
/// </summary>
/// <remarks>
/// Sources: Runway's API notes [seed:002] "Prompting Tips": "Describe single scenes (5-10 sec clips)", "Use clear
/// physical descriptions, not conceptual language", "Avoid negative phrasing - 'no blur' produces unpredictable
/// results", "Gen-4 thrives on simplicity", and <c>prompt_text</c> is the "Motion/scene description" (its
/// image-to-video examples describe only motion: "Camera slowly pushes in, leaves rustling in the breeze"). The kie
/// quickstart [seed:003]: "Focus on actions and movements rather than static descriptions", "Describe camera movement",
/// "Be specific about actions, movements, and visual style". Limits: PROVIDERS.md (1000 UTF-16 units for Runway).
/// Words inside double quotes are left alone by the word rules: they are usually lettering in the shot ("a sign
/// reading "NO ENTRY"").
/// </remarks>
public static partial class PromptLint
{
    public static class Codes
    {
        public const string TooLong = "too-long";
        public const string NearLimit = "near-limit";
        public const string TooShort = "too-short";
        public const string Negative = "negative";
        public const string Conceptual = "conceptual";
        public const string Filler = "filler";
        public const string SeveralScenes = "several-scenes";
        public const string DescribesImage = "describes-image";
        public const string Command = "command";
    }

    /// <summary>From this share of the limit on, the counter turns amber and a note says how much is left.</summary>
    public const double NearLimitShare = 0.9;

    /// <summary>Fewer words than this cannot name a subject, an action and a camera.</summary>
    public const int MinWords = 4;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// The text sent to the provider: the prompt, then the style preset as its own sentence, the way
    /// <c>StoryboardService.EffectivePrompt</c> joins them (keep the two alike, or let one call the other). With no style
    /// the prompt is counted as written, as the composer and the server count it.
    /// </summary>
    public static string Combine(string? prompt, string? styleText)
    {
        prompt ??= "";
        if (string.IsNullOrWhiteSpace(styleText))
        {
            return prompt;
        }
        var head = prompt.Trim();
        return head.Length == 0 ? styleText.Trim() : head.TrimEnd('.', ',', ';') + ". " + styleText.Trim();
    }

    /// <summary>The length the provider counts (UTF-16 code units) of the prompt with its style preset.</summary>
    public static int CombinedLength(string? prompt, string? styleText) => Combine(prompt, styleText).Length;

    /// <summary>True when the prompt with its style is longer than the model takes: the one warning that blocks a take.</summary>
    public static bool IsOverLimit(string? prompt, PromptContext context) => CombinedLength(prompt, context.StyleText) > context.MaxLength;

    public static IReadOnlyList<PromptWarning> Check(string prompt, PromptContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        prompt ??= "";
        var found = new List<(PromptWarning Warning, int At)>();
        void Add(string code, PromptWarningLevel level, string message, string? excerpt, int at) =>
            found.Add((new PromptWarning(code, level, message, excerpt), at));

        CheckLength(prompt, context, Add);

        var words = WordPattern().Matches(prompt).Count;
        if (words > 0)
        {
            // Words inside double quotes are lettering or dialogue in the shot, not directions: blank them out (same length, so positions hold).
            var text = MaskQuoted(prompt);
            if (words < MinWords)
            {
                Add(Codes.TooShort, PromptWarningLevel.Warning,
                    $"{words} {(words == 1 ? "word is" : "words are")} too few to direct a shot. Say who or what is in frame, what happens and how the camera moves, e.g. \"a cyclist rides through the rain at night, tracking shot\".",
                    null, 0);
            }
            CheckNegatives(prompt, text, Add);
            CheckConceptual(prompt, text, Add);
            CheckFiller(prompt, text, Add);
            CheckScenes(prompt, text, Add);
            CheckCommands(prompt, text, Add);
            if (context.HasFirstFrame && !DescribesMotion(text))
            {
                Add(Codes.DescribesImage, PromptWarningLevel.Info,
                    "The first frame already shows what is in the picture: describe the motion instead, what moves and how the camera moves, e.g. \"the camera slowly pushes in as leaves rustle in the breeze\".",
                    null, 0);
            }
        }

        return found
            .DistinctBy(f => (f.Warning.Code, Key: f.Warning.Excerpt?.ToLowerInvariant()))
            .OrderByDescending(f => f.Warning.Level)
            .ThenBy(f => f.At)
            .Select(f => f.Warning)
            .ToList();
    }

    private static void CheckLength(string prompt, PromptContext context, Action<string, PromptWarningLevel, string, string?, int> add)
    {
        var length = CombinedLength(prompt, context.StyleText);
        var max = context.MaxLength;
        var hasStyle = !string.IsNullOrWhiteSpace(context.StyleText);
        var withStyle = hasStyle ? " with the style preset" : "";
        if (length > max)
        {
            var styleShare = hasStyle ? $" The style preset takes {N(length - prompt.Trim().TrimEnd('.', ',', ';').Length)} of them." : "";
            add(Codes.TooLong, PromptWarningLevel.Error,
                $"{N(length)} of {N(max)} characters{withStyle}: remove {N(length - max)}.{styleShare}", null, -1);
        }
        else if (length >= max * NearLimitShare)
        {
            add(Codes.NearLimit, PromptWarningLevel.Info,
                $"{N(length)} of {N(max)} characters{withStyle}: {N(max - length)} left.", null, -1);
        }
    }

    private static string N(int value) => value.ToString("N0", Invariant);

    // ---- negative phrasing [seed:002]: "'no blur' produces unpredictable results" ----

    private static void CheckNegatives(string prompt, string text, Action<string, PromptWarningLevel, string, string?, int> add)
    {
        foreach (Match match in NegativePattern().Matches(text))
        {
            var excerpt = ExcerptFrom(prompt, match.Index, match.Length, extraWords: 3);
            var suggestion = PositiveFor(excerpt);
            var fix = suggestion is null
                ? "Describe what should be in the shot instead."
                : $"Say what you want instead, e.g. {suggestion}.";
            add(Codes.Negative, PromptWarningLevel.Warning,
                $"\"{excerpt}\" is negative phrasing: the model may add what it names. {fix}", excerpt, match.Index);
        }
    }

    /// <summary>Known positive forms, looked up by the words that follow a negation ("no blur" → "sharp focus").</summary>
    private static readonly (string[] Words, string Suggestion)[] Positives =
    [
        (["blur", "blurry", "blurred", "blurring", "blurriness", "out of focus"], "\"sharp focus\""),
        (["people", "person", "persons", "humans", "crowd", "crowds", "pedestrians", "anyone", "anybody", "tourists"], "\"an empty street\" or \"a deserted beach\""),
        (["text", "words", "letters", "lettering", "writing", "captions", "subtitles", "watermark", "watermarks", "logo", "logos"], "\"clean, unmarked surfaces\""),
        (["camera shake", "shake", "shaking", "shaky", "jitter", "jittery"], "\"a steady, locked-off camera\""),
        (["move", "moves", "moving", "movement", "motion"], "\"stands perfectly still\" or \"static locked-off shot\""),
        (["cut", "cuts", "transitions", "edits"], "\"one continuous shot\""),
        (["noise", "grain", "grainy", "noisy"], "\"a clean, crisp image\""),
        (["cloud", "clouds", "cloudy"], "\"a clear blue sky\""),
        (["rain", "raining"], "\"dry, sunny weather\""),
        (["color", "colour", "colors", "colours"], "\"high contrast black and white\""),
        (["zoom", "zooming"], "\"fixed framing\""),
        (["flicker", "flickering"], "\"steady, even light\""),
        (["distortion", "artifacts", "artefacts", "glitches", "morphing", "deformed", "warping"], "\"natural, stable detail\""),
        (["smile", "smiling"], "\"a neutral expression\""),
        (["background"], "\"a plain seamless backdrop\""),
        (["cars", "car", "traffic", "vehicles"], "\"a quiet pedestrian street\""),
        (["dark", "darkness", "shadows"], "\"brightly and evenly lit\""),
    ];

    private static string? PositiveFor(string excerpt)
    {
        var lower = " " + string.Join(' ', WordPattern().Matches(excerpt.ToLowerInvariant()).Select(m => m.Value)) + " ";
        foreach (var (words, suggestion) in Positives)
        {
            if (words.Any(w => lower.Contains(" " + w + " ", StringComparison.Ordinal)))
            {
                return suggestion;
            }
        }
        return null;
    }

    // ---- conceptual language [seed:002]: "Use clear physical descriptions, not conceptual language" ----

    private static void CheckConceptual(string prompt, string text, Action<string, PromptWarningLevel, string, string?, int> add)
    {
        foreach (Match match in ConceptualPattern().Matches(text))
        {
            var excerpt = ExcerptFrom(prompt, match.Index, match.Length, extraWords: 2);
            add(Codes.Conceptual, PromptWarningLevel.Warning,
                $"\"{excerpt}\" is an idea, not something a camera can film. Describe what is seen: light, colour, gesture, e.g. \"sunlight breaks through the clouds onto her face\".",
                excerpt, match.Index);
        }
    }

    // ---- praise and image-model tags: they describe nothing physical [seed:002], and spend the length ----

    private static void CheckFiller(string prompt, string text, Action<string, PromptWarningLevel, string, string?, int> add)
    {
        var matches = FillerPattern().Matches(text);
        if (matches.Count == 0)
        {
            return;
        }
        // One note for all of them: a list of "stunning", "8k", "masterpiece" is one habit, not three problems.
        var words = matches.Select(m => prompt.Substring(m.Index, m.Length)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var quoted = string.Join(", ", words.Select(w => $"\"{w}\""));
        add(Codes.Filler, PromptWarningLevel.Info,
            $"{quoted} {(words.Count == 1 ? "says" : "say")} nothing the camera can see. Name what makes it so instead: the light, the colour, the texture, e.g. \"low sun raking across wet stone\".",
            string.Join(", ", words), matches[0].Index);
    }

    // ---- one continuous scene per shot [seed:002]: "Describe single scenes (5-10 sec clips)" ----

    private static void CheckScenes(string prompt, string text, Action<string, PromptWarningLevel, string, string?, int> add)
    {
        foreach (Match match in ScenePattern().Matches(text))
        {
            var excerpt = prompt.Substring(match.Index, match.Length);
            add(Codes.SeveralScenes, PromptWarningLevel.Warning,
                $"\"{excerpt}\" starts another scene, but a take is one continuous shot of 5 to 10 seconds. Give the next scene its own shot.",
                excerpt, match.Index);
        }
    }

    // ---- instructions to an assistant: the model reads a description (every example in the seeds is one) ----

    private static void CheckCommands(string prompt, string text, Action<string, PromptWarningLevel, string, string?, int> add)
    {
        var matches = CommandPattern().Matches(text);
        if (matches.Count == 0)
        {
            return;
        }
        // One note: "Please make a video of" is one habit, the same advice twice would be noise.
        var words = matches.Select(m => prompt.Substring(m.Index, m.Length)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        add(Codes.Command, PromptWarningLevel.Info,
            $"{string.Join(", ", words.Select(w => $"\"{w}\""))} {(words.Count == 1 ? "talks" : "talk")} to an assistant; the model only reads a description of the shot. Leave {(words.Count == 1 ? "it" : "them")} out and start with what is seen, e.g. \"a fox trots through fresh snow\".",
            string.Join(", ", words), matches[0].Index);
    }

    // ---- image to video: describe the motion [seed:002] prompt_text "Motion/scene description"; [seed:003] "actions and movements rather than static descriptions" ----

    // Nouns that double as verbs ("snow", "stream", "close" as in close-up) are left out: they would hide a still description.
    private static readonly string[] MotionVerbs =
    [
        "move", "walk", "run", "turn", "rise", "fall", "drift", "flow", "blow", "sway", "pan", "tilt", "dolly", "track",
        "zoom", "push", "pull", "orbit", "crane", "glide", "fly", "spin", "rotate", "rustle", "ripple", "flicker",
        "wave", "swing", "jump", "dance", "swim", "ride", "drive", "roll", "climb", "float", "fade", "emerge", "reveal",
        "approach", "follow", "chase", "sweep", "shake", "tremble", "quiver", "swirl", "crash", "splash", "pour",
        "drip", "burn", "melt", "grow", "shrink", "blink", "breathe", "nod", "laugh", "wander", "stroll", "sprint",
        "leap", "descend", "ascend", "lift", "drop", "collapse", "explode", "scatter", "gather", "sail", "bounce",
        "stir", "step", "reach", "unfold", "bloom", "pulse", "shimmer", "sparkle", "flutter", "trickle", "hurry",
        "march", "crawl", "slide", "skid", "dive", "soar", "hover", "enter", "exit", "leave", "arrive", 
        "tumble", "shatter", "ignite", "flash", "wobble", "sink", "surge", "break", "bend", "stretch", "kneel", "sit",
        "lean", "look", "glance", "raise", "throw", "catch", "kick", "paddle", "pedal", "billow", "churn",
        "boil", "smile", "talk", "speak", "sing", "shout", "wink", "frown", "cry", "hug", "kiss", "grab", "spread",
        "settle", "accelerate", "dangle", "come", "go",
    ];

    private static readonly string[] MotionWords =
    [
        "ran", "risen", "fell", "fallen", "flew", "flown", "blew", "blown", "swam", "spun", "rode", "drove", "swung",
        "shook", "grew", "leapt", "sprang", "sank", "stood", "sat", "came", "went", "gone", "broke", "threw", "caught", "held",
        "camera", "timelapse", "hyperlapse", "handheld", "motion", "movement", "slowly", "gradually", "gently", "suddenly",
        "quickly", "rapidly", "steadily", "smoothly", "continuously", "softly", "away", "towards", "toward", "forward",
        "forwards", "backwards", "upward", "downward", "closer", "tracking", "whip", "fpv", "drone", "aerial",
    ];

    private static readonly HashSet<string> MotionForms = BuildMotionForms();

    private static HashSet<string> BuildMotionForms()
    {
        var forms = new HashSet<string>(MotionWords, StringComparer.OrdinalIgnoreCase);
        foreach (var verb in MotionVerbs)
        {
            forms.Add(verb);
            forms.Add(verb + "s");
            forms.Add(verb + "es");
            forms.Add(verb + "ed");
            forms.Add(verb + "d");
            forms.Add(verb + "ing");
            forms.Add(verb + verb[^1] + "ing"); // run → running, pan → panning
            forms.Add(verb + verb[^1] + "ed");
            if (verb.EndsWith('e'))
            {
                forms.Add(verb[..^1] + "ing"); // move → moving
            }
            if (verb.EndsWith('y'))
            {
                forms.Add(verb[..^1] + "ies"); // dolly → dollies
                forms.Add(verb[..^1] + "ied");
            }
        }
        return forms;
    }

    private static bool DescribesMotion(string text) =>
        WordPattern().Matches(text).Any(m => MotionForms.Contains(m.Value)) || TimeLapsePattern().IsMatch(text);

    // ---- helpers ----

    /// <summary>Words that end what a negation or an idea is about: "no blur in the background" is about "no blur".</summary>
    private static readonly HashSet<string> ExcerptStops = new(StringComparer.OrdinalIgnoreCase)
    {
        "in", "on", "at", "of", "and", "or", "but", "with", "from", "to", "for", "into", "onto", "over", "under", "by",
        "as", "while", "when", "so", "because", "near", "behind", "through", "across", "like",
    };

    /// <summary>The match and up to <paramref name="extraWords"/> following words, stopping at punctuation or a linking word: "no blur", "without any people".</summary>
    private static string ExcerptFrom(string prompt, int index, int length, int extraWords)
    {
        var end = index + length;
        for (var words = 0; words < extraWords; words++)
        {
            var start = end;
            while (start < prompt.Length && prompt[start] == ' ')
            {
                start++;
            }
            var stop = start;
            while (stop < prompt.Length && (char.IsLetterOrDigit(prompt[stop]) || prompt[stop] is '\'' or '’' or '-'))
            {
                stop++;
            }
            if (stop == start || ExcerptStops.Contains(prompt[start..stop]))
            {
                break;
            }
            end = stop;
        }
        return prompt[index..end];
    }

    private static string MaskQuoted(string prompt)
    {
        var chars = prompt.ToCharArray();
        var open = -1;
        char close = default;
        for (var i = 0; i < chars.Length; i++)
        {
            if (open < 0 && chars[i] is '"' or '“' or '«')
            {
                open = i;
                close = chars[i] switch { '“' => '”', '«' => '»', _ => '"' };
            }
            else if (open >= 0 && chars[i] == close)
            {
                for (var k = open; k <= i; k++)
                {
                    chars[k] = ' ';
                }
                open = -1;
            }
        }
        return new string(chars); // an unclosed quote is left as written: it is more likely a typo than lettering
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:['’][\p{L}]+)*")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"\btime[- ]lapse\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TimeLapsePattern();

    // "no one", "nobody" and "nothing" name nothing the model could add, and "no longer"/"no matter" are idioms: left alone.
    [GeneratedRegex(@"(?<![\w'’-])(?:no(?!\s+(?:one|longer|matter|more\s+than|less\s+than)\b)|not|never|cannot|without|avoid(?:s|ing|ed)?|(?:do|does|did|is|are|was|were|wo|ca|could|should|would|must|has|have|had|need)n['’]t)(?![\w'’-])",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NegativePattern();

    [GeneratedRegex(@"\b(?:represent(?:s|ing|ed)?|symboli[sz](?:e|es|ed|ing)|symbol of|embod(?:y|ies|ying|ied)|metaphor(?:ical)?(?:\s+(?:for|of))?|(?:a|the)\s+sense\s+of|(?:a|the)\s+feeling\s+of|(?:the\s+)?idea\s+of|(?:the\s+)?concept\s+of|the\s+essence\s+of|the\s+spirit\s+of|evok(?:e|es|ed|ing))\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ConceptualPattern();

    [GeneratedRegex(@"\b(?:beautiful(?:ly)?|epic|amazing|stunning|breathtaking|gorgeous|incredible|awesome|masterpiece|(?:best|high|highest|top|ultra)[- ]quality|ultra[- ]?realistic|hyper[- ]?realistic|trending on artstation|award[- ]winning|(?:4|8|16)k|uhd|ultra[- ]hd|unreal engine|octane render)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FillerPattern();

    // "then" alone is left alone: "the camera begins low, then slowly rises" is one continuous shot (the Runware examples in [seed:001] write so).
    [GeneratedRegex(@"\b(?:(?:smash|jump|hard)\s+cut|cuts?\s+to|(?:next|new|another|second)\s+(?:scene|shot)|scene\s+(?:two|three|2|3)|after\s+that|afterwards?|the\s+next\s+(?:day|morning|evening|night)|later\s+that\s+(?:day|morning|evening|night)|meanwhile|flashback|montage\s+of|then\s+we\s+see|then\s+the\s+scene)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ScenePattern();

    [GeneratedRegex(@"\b(?:please|can\s+you|could\s+you|would\s+you|i\s+want|i['’]d\s+like|i\s+would\s+like|show\s+me|give\s+me|(?:make|create|generate|render|produce)\s+(?:me\s+)?(?:a|an)\s+(?:[\w-]+\s+)?(?:video|clip|film|movie|animation)(?:\s+(?:of|about|showing|where|with))?|(?:a|an)\s+(?:video|clip|animation)\s+(?:of|showing|about))\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CommandPattern();
}
