using Studio.Web.Features.Generations;

namespace Studio.Tests.Features.Generations;

public class BackoffAndFailureTextTests
{
    [Fact]
    public void Next_StaysWithinJitterOfTheExponentialStepAndNeverAboveMax()
    {
        var initial = TimeSpan.FromSeconds(5);
        var max = TimeSpan.FromSeconds(60);
        for (var attempt = 1; attempt <= 20; attempt++)
        {
            var step = Math.Min(60, 5 * Math.Pow(1.5, attempt - 1));
            var wait = Backoff.Next(attempt, initial, max, retryAfter: null).TotalSeconds;
            Assert.InRange(wait, step * 0.85 - 1e-9, Math.Min(60, step * 1.15) + 1e-9);
        }
    }

    [Fact]
    public void Next_HonoursALongerRetryAfter() =>
        Assert.Equal(TimeSpan.FromSeconds(90), Backoff.Next(1, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(90)));

    [Theory]
    [InlineData("SAFETY.INPUT.TEXT", "moderation")]
    [InlineData("SAFETY.OUTPUT.VIDEO", "moderation")]
    [InlineData("INTERNAL.BAD_OUTPUT.CODE01", "quality")]
    [InlineData("ASSET.INVALID", "input image")]
    [InlineData(null, "could not make this video")]
    public void ForTask_NeverShowsRawModerationText(string? code, string expectedPhrase)
    {
        var text = FailureText.ForTask(code);
        Assert.Contains(expectedPhrase, text);
        Assert.DoesNotContain("raw failure", text);
    }
}
