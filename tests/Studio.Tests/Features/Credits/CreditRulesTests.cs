using Studio.Web.Features.Credits;
using Studio.Web.Features.Generations;

namespace Studio.Tests.Features.Credits;

/// <summary>What a take that ended is charged, for each provider's cost shape (PROVIDERS.md), and the quota periods.</summary>
public sealed class CreditRulesTests
{
    private const long Estimate = 60_000; // 5 s of Gen-4.5 at 12 credits a second

    [Theory]
    // Runway: the terminal task's cost.credits, which may be below the estimate.
    [InlineData(GenerationState.Ready, 48.0, 48_000)]
    // Runware: USD cost × 100 (the adapter reports credits), e.g. US$0.965 for 8 s.
    [InlineData(GenerationState.Ready, 96.5, 96_500)]
    // Pixazo and kie report no cost: the price per second (the estimate).
    [InlineData(GenerationState.Ready, null, Estimate)]
    // Pixazo ERROR (cost 0), a Runway task failed or cancelled with cost 0, a cancel before it started: nothing.
    [InlineData(GenerationState.Failed, 0.0, 0)]
    [InlineData(GenerationState.Failed, null, 0)]
    [InlineData(GenerationState.Cancelled, 0.0, 0)]
    [InlineData(GenerationState.Cancelled, null, 0)]
    // A provider that charges a failure or a late cancel: what it charged.
    [InlineData(GenerationState.Failed, 12.5, 12_500)]
    [InlineData(GenerationState.Cancelled, 60.0, 60_000)]
    public void A_take_that_ended_is_charged_what_the_provider_reports(GenerationState state, double? reported, long expected)
    {
        Assert.Equal(expected, CreditLedger.Charged(state, reported, Estimate));
    }

    [Theory]
    [InlineData("2026-11-26", 1, "2026-11-01")]
    [InlineData("2026-11-26", 26, "2026-11-26")]
    [InlineData("2026-11-26", 27, "2026-10-27")]
    [InlineData("2026-03-15", 20, "2026-02-20")]
    [InlineData("2026-01-05", 10, "2025-12-10")]
    [InlineData("2026-02-28", 28, "2026-02-28")]
    [InlineData("2026-11-26", 0, "2026-11-01")]   // Out of range is held to 1–28.
    [InlineData("2026-11-26", 31, "2026-10-28")]
    public void A_period_starts_on_the_last_reset_day_on_or_before_the_day(string day, int resetDay, string start)
    {
        Assert.Equal(DateOnly.Parse(start), CreditPeriods.StartOf(DateOnly.Parse(day), resetDay));
        Assert.Equal(DateOnly.Parse(start).AddMonths(1), CreditPeriods.NextStart(CreditPeriods.StartOf(DateOnly.Parse(day), resetDay)));
    }

    [Theory]
    [InlineData(60_000, "60")]
    [InlineData(96_500, "96.5")]
    [InlineData(1_234_000, "1,234")]
    [InlineData(0, "0")]
    public void Millicredits_read_as_credits(long millicredits, string text)
    {
        Assert.Equal(text, Millicredits.Format(millicredits));
    }

    [Fact]
    public void Available_is_the_smaller_of_quota_and_budget_and_null_without_either()
    {
        var period = new DateOnly(2026, 11, 1);
        var member = new BalanceView(CreditScope.Member, period, 100_000, 20_000, 30_000);
        var team = new BalanceView(CreditScope.Team, period, 1_000_000, 900_000, 70_000);
        Assert.Equal(30_000, new MemberCredits(member, team).Available);
        Assert.Equal(50_000, new MemberCredits(member, team with { Limit = null }).Available);
        Assert.Null(new MemberCredits(member with { Limit = null }, team with { Limit = null }).Available);
        Assert.Equal(0.5, member.Used);
        Assert.Equal(new DateOnly(2026, 12, 1), member.ResetsOn);
    }
}
