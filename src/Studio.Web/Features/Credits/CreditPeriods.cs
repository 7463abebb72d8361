namespace Studio.Web.Features.Credits;

/// <summary>
/// Monthly periods that start on a team's reset day (1–28, so every month has it). On 15 March with reset day 20,
/// the period is 20 February – 19 March and resets on 20 March.
/// </summary>
public static class CreditPeriods
{
    public const int MaxResetDay = 28;

    public static DateOnly StartOf(DateOnly day, int resetDay)
    {
        resetDay = Math.Clamp(resetDay, 1, MaxResetDay);
        var thisMonth = new DateOnly(day.Year, day.Month, resetDay);
        return day >= thisMonth ? thisMonth : thisMonth.AddMonths(-1);
    }

    public static DateOnly StartOf(DateTime utc, int resetDay) => StartOf(DateOnly.FromDateTime(utc), resetDay);

    /// <summary>The first day of the next period: when the quota resets.</summary>
    public static DateOnly NextStart(DateOnly periodStart) => periodStart.AddMonths(1);
}
