using Studio.Web.Features.Comments;

namespace Studio.Tests.Features.Comments;

public sealed class MentionsTests
{
    private static readonly Mentionable Ada = new("u-ada", "Ada");
    private static readonly Mentionable AdaL = new("u-adal", "Ada Lovelace");
    private static readonly Mentionable Bo = new("u-bo", "Bo");
    private static readonly Mentionable[] Team = [Ada, AdaL, Bo];

    [Fact]
    public void The_longest_teammate_name_wins_and_case_does_not_matter()
    {
        Assert.Equal(["u-adal"], Mentions.Find("@ada lovelace, see this", Team));
        Assert.Equal(["u-ada"], Mentions.Find("@Ada: see this", Team));
    }

    [Theory]
    [InlineData("mail ada@bo.com", "")]          // An '@' inside a word is an address, not a mention.
    [InlineData("@Adam take a look", "")]        // A name must end where a letter or digit does not follow.
    [InlineData("@Bo2", "")]
    [InlineData("(@Bo) and @Ada.", "u-ada,u-bo")]
    [InlineData("@Bo @Bo @bo", "u-bo")]          // Each person once.
    [InlineData("@", "")]
    [InlineData("@Nobody here", "")]
    public void Only_real_mentions_of_teammates_count(string text, string expected)
    {
        Assert.Equal(expected.Split(',', StringSplitOptions.RemoveEmptyEntries).Order(), Mentions.Find(text, Team).Order());
    }

    [Fact]
    public void Split_keeps_every_character_and_marks_the_mentions()
    {
        const string text = "Hi @Ada Lovelace and @bo! Mail x@y.z";
        var parts = Mentions.Split(text, Team);

        Assert.Equal(text, string.Concat(parts.Select(p => p.Text)));
        Assert.Equal(
            [("Hi ", null), ("@Ada Lovelace", "u-adal"), (" and ", null), ("@bo", "u-bo"), ("! Mail x@y.z", null)],
            parts.Select(p => (p.Text, p.MentionedUserId)));
    }

    [Theory]
    [InlineData("Nice @Ad", "Ad")]
    [InlineData("@", "")]
    [InlineData("Nice", null)]
    [InlineData("ada@exa", null)]
    [InlineData("@Ada\nsecond line", null)]
    public void Typing_finds_the_partial_name_at_the_end(string text, string? expected)
    {
        Assert.Equal(expected, Mentions.Typing(text));
    }

    [Fact]
    public void Complete_replaces_the_partial_name_with_the_whole_one()
    {
        Assert.Equal("Nice @Ada Lovelace ", Mentions.Complete("Nice @ad", "Ada Lovelace"));
        Assert.Equal("Nice @Bo ", Mentions.Complete("Nice ", "Bo"));
    }

    [Theory]
    [InlineData(30, "just now")]
    [InlineData(5 * 60, "5 min ago")]
    [InlineData(3 * 3600 + 59, "3 h ago")]
    [InlineData(30 * 3600, "yesterday")]
    [InlineData(4 * 86400, "4 days ago")]
    public void Comment_times_read_like_people_say_them(int secondsAgo, string expected)
    {
        var now = new DateTime(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);
        Assert.Equal(expected, CommentTimes.Ago(now.AddSeconds(-secondsAgo), now));
    }

    [Fact]
    public void An_excerpt_is_one_line_of_at_most_80_characters()
    {
        Assert.Equal("a b c", CommentService.Excerpt("a\n  b\tc"));
        var excerpt = CommentService.Excerpt(new string('x', 200));
        Assert.Equal(80, excerpt.Length);
        Assert.EndsWith("…", excerpt);
    }
}
