using Bunit;
using Studio.Tests.Infrastructure;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Storyboards;
using static Studio.Tests.Features.Storyboards.StoryboardTestData;

namespace Studio.Tests.Features.Storyboards;

public class StoryboardTimelineTests : StudioComponentTest
{
    private static ShotView WithSeconds(ShotView shot, int seconds) => shot with { DurationSeconds = seconds };

    private static (ShotView Shot, GenerationView Take) ChosenShot(int number, string title, bool continues = false, bool stale = false)
    {
        var take = Take();
        return (Shot(number, title, continues: continues, takes: [new ShotTakeView(take, 1, null, stale)], selected: take.Id), take);
    }

    [Fact]
    public void EachShotIsASegmentAsWideAsItIsLong_WithItsState_AndTheJoinsWhereAShotContinues()
    {
        var (one, take) = ChosenShot(1, "Dawn");
        var (two, _) = ChosenShot(2, "Open sea", continues: true, stale: true);
        var three = Shot(3, "Gulls", continues: true, pendingTakes: 1);
        var four = Shot(4, "Nets", runError: "Quota spent.");
        var five = Shot(5, "Home", takes: [new ShotTakeView(Take(), 1, null, false)]);
        var six = Shot(6, "");

        var cut = Render<StoryboardTimeline>(p => p.Add(c => c.Shots,
            [WithSeconds(one, 2), WithSeconds(two, 10), three, four, five, six]));

        var segments = cut.FindAll("[data-testid=timeline-shot]");
        Assert.Equal(["chosen", "stale", "making", "failed", "unchosen", "empty"], segments.Select(s => s.GetAttribute("data-state")));
        Assert.Equal(["flex-grow:2", "flex-grow:10", "flex-grow:5", "flex-grow:5", "flex-grow:5", "flex-grow:5"], segments.Select(s => s.GetAttribute("style")));
        Assert.Equal("Shot 1: Dawn, 2 s, chosen take 1", segments[0].QuerySelector("button")!.GetAttribute("aria-label"));
        Assert.Equal("Shot 2: Open sea, 10 s, chosen take 1 is stale: it starts from an earlier take of shot 1", segments[1].QuerySelector("button")!.GetAttribute("aria-label"));
        Assert.Equal("Shot 3: Gulls, 5 s, a take is being made", segments[2].QuerySelector("button")!.GetAttribute("aria-label"));
        Assert.Equal("Shot 4: Nets, 5 s, it could not start", segments[3].QuerySelector("button")!.GetAttribute("aria-label"));
        Assert.Equal("Shot 5: Home, 5 s, no take chosen yet", segments[4].QuerySelector("button")!.GetAttribute("aria-label"));
        Assert.Equal("Shot 6: Shot 6, 5 s, no take yet", segments[5].QuerySelector("button")!.GetAttribute("aria-label"));
        // Only chosen takes show a poster; the continuing shots show the join to the shot before.
        Assert.Contains(take.Id.ToString(), segments[0].QuerySelector("img")!.GetAttribute("src"));
        Assert.Null(segments[2].QuerySelector("img"));
        Assert.Equal([false, true, true, false, false, false], segments.Select(s => s.QuerySelector(".sb-seg-join") is not null));
        Assert.Equal("32 s", cut.Find("[data-testid=timeline-total]").TextContent);
    }

    [Fact]
    public void ASegmentTakesYouToItsShot()
    {
        var cut = Render<StoryboardTimeline>(p => p.Add(c => c.Shots, Shots(3)));

        Assert.Equal("studioShowShot(2)", cut.FindAll("[data-testid=timeline-shot] button")[1].GetAttribute("onclick"));
    }

    [Fact]
    public void AStoryboardWithoutShots_HasNoTimeline()
    {
        var cut = Render<StoryboardTimeline>(p => p.Add(c => c.Shots, []));

        Assert.Empty(cut.FindAll("[data-testid=timeline]"));
    }
}
