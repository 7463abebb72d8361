using System.Text.RegularExpressions;

namespace Studio.Web.Features.Storyboards;

/// <summary>
/// Turns a shot list pasted from a script or a document into shots. Paragraphs (blocks separated by a blank line) are
/// shots; a paragraph's first line is its title when more lines follow and it is short enough, the rest its prompt. A
/// list without blank lines is one shot per line. Numbering such as "1.", "2)", "Shot 3:", "Scene 4 -" or a bullet is
/// dropped.
/// </summary>
public static partial class ShotListImport
{
    /// <summary>At most this many shots come in at once.</summary>
    public const int MaxShots = 100;

    public sealed record Entry(string Title, string Prompt);

    /// <param name="Errors">Each one names the shot it is about; nothing is imported while there are any.</param>
    public sealed record Result(IReadOnlyList<Entry> Shots, IReadOnlyList<string> Errors)
    {
        public bool CanImport => Shots.Count > 0 && Errors.Count == 0;
    }

    public static Result Parse(string? text)
    {
        var lines = (text ?? "").Replace("\r\n", "\n").Replace('\r', '\n').Split('\n').Select(l => l.Trim()).ToList();
        var hasParagraphs = lines.SkipWhile(l => l.Length == 0).Reverse().SkipWhile(l => l.Length == 0).Any(l => l.Length == 0);
        var blocks = new List<List<string>>();
        if (hasParagraphs)
        {
            var current = new List<string>();
            foreach (var line in lines.Append(""))
            {
                if (line.Length > 0)
                {
                    current.Add(line);
                }
                else if (current.Count > 0)
                {
                    blocks.Add(current);
                    current = [];
                }
            }
        }
        else
        {
            blocks.AddRange(lines.Where(l => l.Length > 0).Select(l => new List<string> { l }));
        }

        var shots = new List<Entry>();
        foreach (var block in blocks)
        {
            var first = Marker().Replace(block[0], "").Trim();
            string title = "", prompt;
            if (block.Count > 1 && first.TrimEnd(':').Trim() is { Length: > 0 and <= Shot.TitleMaxLength } heading)
            {
                title = heading;
                prompt = string.Join(" ", block.Skip(1));
            }
            else
            {
                prompt = string.Join(" ", block.Skip(1).Prepend(first));
            }
            if (title.Length > 0 || prompt.Length > 0)
            {
                shots.Add(new Entry(title, prompt));
            }
        }

        var errors = new List<string>();
        if (shots.Count > MaxShots)
        {
            errors.Add($"That is {shots.Count} shots; at most {MaxShots} come in at once. Paste the list in parts.");
        }
        for (var i = 0; i < shots.Count && errors.Count < 5; i++)
        {
            if (shots[i].Prompt.Length > Shot.PromptMaxLength)
            {
                errors.Add($"Shot {i + 1}'s prompt is {shots[i].Prompt.Length:N0} characters; a shot holds at most {Shot.PromptMaxLength:N0}.");
            }
        }
        return new Result(shots, errors);
    }

    /// <summary>"1.", "12)", "3:", "Shot 4:", "scene 5 -", "#6", "-", "*", "•" at the start of a line.</summary>
    [GeneratedRegex(@"^(?:(?:shot|scene)\s*#?\d+\s*[:.)\-–—]?|#?\d+\s*[.):\-–—]|[-*•])\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Marker();
}
