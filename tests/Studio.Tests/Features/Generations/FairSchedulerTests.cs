using Studio.Web.Features.Generations;

namespace Studio.Tests.Features.Generations;

public class FairSchedulerTests
{
    private static readonly DateTime T0 = new(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);

    private static WaitingTake Take(string user, int minute) => new(Guid.NewGuid(), "runway", Guid.Empty, user, T0.AddMinutes(minute));

    [Fact]
    public void TakeTurns_ABatchOfFifty_DoesNotStarveATeammatesLaterTake()
    {
        var batch = Enumerable.Range(0, 50).Select(i => Take("ann", i)).ToList();
        var teammate = Take("bob", 60);

        var order = FairScheduler.TakeTurns([.. batch, teammate]);

        Assert.Equal(1, order.ToList().IndexOf(teammate)); // right after Ann's first, not after her fiftieth
    }

    [Fact]
    public void TakeTurns_InterleavesUsersAndKeepsEachUsersOwnOrder()
    {
        var a1 = Take("ann", 0); var a2 = Take("ann", 1); var a3 = Take("ann", 2);
        var b1 = Take("bob", 3); var b2 = Take("bob", 4);
        var c1 = Take("cy", 5);

        var order = FairScheduler.TakeTurns([a3, b2, c1, a1, b1, a2]);

        Assert.Equal([a1, b1, c1, a2, b2, a3], order);
    }

    [Fact]
    public void TakeTurns_AmongEqualTurns_TheUserServedLeastRecentlyGoesFirst()
    {
        var annsNext = Take("ann", 0);  // older, but Ann just had a take sent
        var bobsFirst = Take("bob", 5);

        var order = FairScheduler.TakeTurns([annsNext, bobsFirst], new Dictionary<string, DateTime> { ["ann"] = T0.AddMinutes(6) });

        Assert.Equal([bobsFirst, annsNext], order);
    }
}
