using Studio.Web.Features.Storyboards;

namespace Studio.Tests.Features.Storyboards;

/// <summary>What Generate all answers once it has tried to start the shots that start at once.</summary>
public class GenerateAllOutcomeTests
{
    private static readonly Guid Board = Guid.NewGuid();

    [Fact]
    public void EveryShotStarted_IsOk_WithoutAWarning()
    {
        var result = ShotGeneration.RunOutcome(Board, submitted: 3, failures: []);

        Assert.True(result.Succeeded);
        Assert.Null(result.Warning);
        Assert.Equal(Board, result.Id);
    }

    [Fact]
    public void SomeShotsStarted_IsOk_AndTheWarningNamesEveryShotThatDidNotStartWithItsReason()
    {
        var result = ShotGeneration.RunOutcome(Board, submitted: 3,
            failures: ["shot 2 “Open sea”: Runway refused the prompt.", "shot 3: The provider is not configured"]);

        Assert.True(result.Succeeded);
        Assert.Equal("1 of 3 shots started. Not started: Shot 2 “Open sea”: Runway refused the prompt. Shot 3: The provider is not configured.",
            result.Warning);
    }

    [Fact]
    public void NoShotStarted_IsRefused_WithEachShotsReason()
    {
        var result = ShotGeneration.RunOutcome(Board, submitted: 2, failures: ["shot 1: Quota spent.", "shot 4 “End”: Quota spent."]);

        Assert.False(result.Succeeded);
        Assert.Equal("No shot could start. Shot 1: Quota spent. Shot 4 “End”: Quota spent.", result.Error);
    }

    [Fact]
    public void TheOnlyShotDidNotStart_IsRefused_WithItsReasonAlone()
    {
        var result = ShotGeneration.RunOutcome(Board, submitted: 1, failures: ["shot 1 “Dawn”: Quota spent."]);

        Assert.False(result.Succeeded);
        Assert.Equal("Shot 1 “Dawn”: Quota spent.", result.Error);
    }
}
