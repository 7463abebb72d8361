namespace Studio.Web.Features.Comments;

/// <summary>Someone a comment can mention: a member of the take's team.</summary>
public sealed record Mentionable(string UserId, string DisplayName);

/// <summary>One piece of a comment as shown: plain text, or a mention of a teammate.</summary>
public sealed record CommentPart(string Text, string? MentionedUserId);

/// <summary>
/// Finds "@Display Name" mentions of teammates in a comment. A mention starts with '@' at the start of the text or
/// after a character that is not a letter or digit (so "ada@example.com" mentions nobody), and is the longest
/// teammate name that follows, compared without regard to case, ending where a letter or digit does not follow.
/// Names may contain spaces ("@Ada Lovelace").
/// </summary>
public static class Mentions
{
    public static IReadOnlySet<string> Find(string text, IReadOnlyCollection<Mentionable> teammates) =>
        Split(text, teammates).Where(p => p.MentionedUserId is not null).Select(p => p.MentionedUserId!).ToHashSet(StringComparer.Ordinal);

    public static IReadOnlyList<CommentPart> Split(string text, IReadOnlyCollection<Mentionable> teammates)
    {
        var parts = new List<CommentPart>();
        // Longest names first, so "@Ada Lovelace" wins over "@Ada" when both are in the team.
        var names = teammates.Where(t => t.DisplayName.Length > 0).OrderByDescending(t => t.DisplayName.Length).ToList();
        var plainStart = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '@' || (i > 0 && char.IsLetterOrDigit(text[i - 1])))
            {
                continue;
            }
            var match = names.FirstOrDefault(n => MatchesAt(text, i + 1, n.DisplayName));
            if (match is null)
            {
                continue;
            }
            if (i > plainStart)
            {
                parts.Add(new CommentPart(text[plainStart..i], null));
            }
            var end = i + 1 + match.DisplayName.Length;
            parts.Add(new CommentPart(text[i..end], match.UserId));
            plainStart = end;
            i = end - 1;
        }
        if (plainStart < text.Length)
        {
            parts.Add(new CommentPart(text[plainStart..], null));
        }
        return parts;
    }

    /// <summary>The partial name being typed at the end of <paramref name="text"/> after '@' (null when none).</summary>
    public static string? Typing(string text)
    {
        var at = text.LastIndexOf('@');
        if (at < 0 || (at > 0 && char.IsLetterOrDigit(text[at - 1])))
        {
            return null;
        }
        var partial = text[(at + 1)..];
        // A mention being typed is short and on one line; anything else is ordinary text after an '@'.
        return partial.Length <= 40 && !partial.Contains('\n') ? partial : null;
    }

    /// <summary>The text with the partial mention at its end completed to <paramref name="name"/> and a space.</summary>
    public static string Complete(string text, string name)
    {
        var at = text.LastIndexOf('@');
        return (at < 0 ? text + "@" : text[..(at + 1)]) + name + " ";
    }

    private static bool MatchesAt(string text, int start, string name)
    {
        if (start + name.Length > text.Length
            || string.Compare(text, start, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) != 0)
        {
            return false;
        }
        var after = start + name.Length;
        return after == text.Length || !char.IsLetterOrDigit(text[after]);
    }
}
