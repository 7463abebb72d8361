using System.Text.RegularExpressions;

namespace Studio.Web.Features.Storyboards.PromptAids;

/// <summary>A phrase offered as a chip: a short label on the button, the words it puts in the prompt.</summary>
/// <param name="Label">What the chip shows; part of <paramref name="Text"/>, so the button's accessible name contains it.</param>
public sealed record PromptChip(string Label, string Text);

/// <summary>A named row of chips.</summary>
/// <param name="Name">The group's heading ("Camera").</param>
/// <param name="Action">What pressing a chip does, for its accessible name ("Insert camera move").</param>
public sealed record PromptChipGroup(string Name, string Action, IReadOnlyList<PromptChip> Chips)
{
    /// <summary>"Insert camera move: slow dolly in".</summary>
    public string AriaLabelFor(PromptChip chip) => $"{Action}: {chip.Text}";
}

/// <summary>
/// Phrases that direct a shot in the words the provider documents use ([seed:003]: "close-up", "wide shot",
/// "tracking shot", "golden hour lighting"; [seed:002]: "Camera slowly pushes in"), and the one way they are put
/// into a prompt. Each is a physical description and passes <see cref="PromptLint"/> without a note.
/// </summary>
public static partial class PromptVocabulary
{
    public static PromptChipGroup Camera { get; } = new("Camera", "Insert camera move",
    [
        new("Dolly in", "slow dolly in"),
        new("Dolly out", "slow dolly out"),
        new("Tracking", "tracking shot following the subject"),
        new("Handheld", "handheld camera"),
        new("Locked-off", "static locked-off shot"),
        new("Crane up", "crane up revealing the scene"),
        new("Drone", "aerial drone shot"),
        new("Orbit", "camera orbits around the subject"),
        new("Whip pan", "whip pan"),
        new("Rack focus", "rack focus from foreground to background"),
        new("Low angle", "low angle shot"),
        new("Close-up", "close-up"),
        new("Establishing", "wide establishing shot"),
    ]);

    public static PromptChipGroup Style { get; } = new("Style", "Insert style",
    [
        new("35mm film", "35mm film grain"),
        new("Golden hour", "golden hour light"),
        new("Blue hour", "blue hour twilight"),
        new("Low-key", "moody low-key lighting"),
        new("Overcast", "soft overcast light"),
        new("Volumetric", "volumetric light through haze"),
        new("Anamorphic", "anamorphic lens flare"),
        new("Depth of field", "shallow depth of field"),
        new("Documentary", "documentary style, natural light"),
        new("Pastel", "pastel palette"),
        new("Neon noir", "neon noir lighting"),
        new("Black and white", "high contrast black and white"),
    ]);

    public static IReadOnlyList<PromptChipGroup> Groups { get; } = [Camera, Style];

    /// <summary>True when the phrase is already in the prompt as whole words, whatever the case.</summary>
    public static bool Contains(string? prompt, string phrase)
    {
        var words = phrase.Trim();
        return words.Length > 0 && !string.IsNullOrEmpty(prompt)
            && Regex.IsMatch(prompt, $@"(?<![\p{{L}}\p{{N}}]){Regex.Escape(words)}(?![\p{{L}}\p{{N}}])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }

    /// <summary>
    /// Puts <paramref name="phrase"/> into <paramref name="prompt"/> at <paramref name="caret"/> (or at the end when there
    /// is none) with one separator on each side: ", " inside a sentence, a capital and ". " at the start of one, never a
    /// doubled space or mark. A caret inside a word moves to the word's end; appending to a prompt that ends with a full
    /// stop goes before the stop. A phrase already in the prompt is not added again: the prompt comes back unchanged.
    /// </summary>
    public static string Insert(string prompt, int? caret, string phrase) => InsertAt(prompt, caret, phrase).Text;

    /// <summary><see cref="Insert"/>, with where the caret belongs afterwards: just after the phrase.</summary>
    public static (string Text, int Caret) InsertAt(string? prompt, int? caret, string phrase)
    {
        prompt ??= "";
        var words = (phrase ?? "").Trim().TrimEnd('.', ',', ';', ':').TrimEnd();
        var at = caret is { } c && c >= 0 && c <= prompt.Length ? c : prompt.Length;
        if (words.Length == 0 || Contains(prompt, words))
        {
            return (prompt, at);
        }

        while (at > 0 && at < prompt.Length && IsWordChar(prompt[at - 1]) && IsWordChar(prompt[at]))
        {
            at++;
        }
        var left = prompt[..at].TrimEnd();
        var right = prompt[at..].TrimStart();
        var leftSpace = prompt[left.Length..at];
        var rightSpace = prompt[at..(prompt.Length - right.Length)];
        if (right.Length == 0 && left.EndsWith('.') && !left.EndsWith("..", StringComparison.Ordinal))
        {
            left = left[..^1].TrimEnd();
            right = ".";
            leftSpace = rightSpace = "";
        }

        string before;
        var sentenceStart = true;
        if (left.Length == 0)
        {
            before = "";
        }
        else if (leftSpace.Contains('\n'))
        {
            before = leftSpace; // keep the writer's line breaks
        }
        else if (left[^1] is '.' or '!' or '?' or '…')
        {
            before = " ";
        }
        else if (left[^1] is '(' or '[')
        {
            before = "";
            sentenceStart = false;
        }
        else
        {
            before = left[^1] is ',' or ';' or ':' or '-' or '–' or '—' ? " " : ", ";
            sentenceStart = false;
        }

        string after;
        if (right.Length == 0)
        {
            after = "";
        }
        else if (rightSpace.Contains('\n'))
        {
            after = rightSpace;
        }
        else if (right[0] is '.' or ',' or ';' or ':' or '!' or '?' or ')' or ']' or '…')
        {
            after = "";
        }
        else
        {
            // At a sentence's start, before a capital, the phrase makes its own sentence; otherwise it is one more clause.
            after = sentenceStart && char.IsUpper(right[0]) ? ". " : ", ";
        }

        if (sentenceStart && char.IsLower(words[0]))
        {
            words = char.ToUpperInvariant(words[0]) + words[1..];
        }
        var text = left + before + words + after + right;
        return (text, left.Length + before.Length + words.Length);
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c is '\'' or '’' or '-';
}
