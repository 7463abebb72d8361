using Studio.Web.Features.Credits;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Teams;

namespace Studio.Tests.Features.Credits;

public sealed class UsageServiceTests : IAsyncLifetime
{
    private static readonly DateTime Nov3 = new(2026, 11, 3, 9, 30, 0, DateTimeKind.Utc);
    private static readonly DateTime Nov4 = new(2026, 11, 4, 23, 50, 0, DateTimeKind.Utc);

    private UsageTestData _data = null!;

    public async Task InitializeAsync() => _data = await UsageTestData.CreateAsync();

    public async Task DisposeAsync() => await _data.DisposeAsync();

    [Fact]
    public async Task Read_SumsWhatWasChargedPerDay_ByMemberProjectAndModel_InTheChosenPeriodOnly()
    {
        var team = await _data.TeamAsync("Night crew", budget: 1_000_000, memberQuota: 300_000);
        var ada = await _data.MemberAsync(team, "Ada");
        var bo = await _data.MemberAsync(team, "Bo");
        var film = await _data.ProjectAsync(team, "Film", ada);
        var teaser = await _data.ProjectAsync(team, "Teaser", bo);
        await _data.TakeAsync(team, ada, film, Nov3, held: 60_000, charged: 55_000);
        await _data.TakeAsync(team, ada, teaser, Nov3.AddHours(1), held: 60_000, charged: 60_000, provider: "kie", model: "runway");
        await _data.TakeAsync(team, bo, teaser, Nov4, held: 120_000, charged: 100_000);
        await _data.TakeAsync(team, bo, film, Nov4, held: 60_000, charged: 0, state: GenerationState.Failed); // released: nothing spent
        await _data.TakeAsync(team, bo, film, Nov4, held: 24_000, charged: null, state: GenerationState.Running); // still held
        await _data.EntryAsync(new CreditEntry { TeamId = team, UserId = ada, Kind = CreditEntryKind.Adjust, PeriodStart = UsageTestData.November, SpentDelta = -5_000, At = Nov4, Note = "refund" });
        await _data.EntryAsync(new CreditEntry { TeamId = team, UserId = bo, Kind = CreditEntryKind.Grant, PeriodStart = UsageTestData.November, LimitDelta = 100_000, At = Nov4 });
        await _data.TakeAsync(team, ada, film, new DateTime(2026, 10, 20, 12, 0, 0, DateTimeKind.Utc), held: 60_000, charged: 60_000); // October

        var report = await _data.Usage.ReadAsync(ada, team, period: null);

        Assert.NotNull(report);
        Assert.Equal(UsageTestData.November, report.Period.Start);
        Assert.True(report.Period.IsCurrent);
        Assert.Equal(210_000, report.TotalSpent);
        Assert.Equal(new DateOnly(2026, 11, 1), report.Days[0]);
        Assert.Equal(new DateOnly(2026, 11, 20), report.Days[^1]); // up to today while the period runs
        var day3 = IndexOf(report, 3);
        var day4 = IndexOf(report, 4);

        var byMember = report.Spent[UsageGrouping.Member];
        Assert.Equal([("Ada", 110_000L), ("Bo", 100_000L)], byMember.Select(s => (s.Name, s.Total)));
        Assert.Equal(115_000, byMember[0].PerDay[day3]);
        Assert.Equal(-5_000, byMember[0].PerDay[day4]); // the adjustment counts on its day
        Assert.Equal(100_000, byMember[1].PerDay[day4]);
        Assert.Equal(0, byMember[1].PerDay[IndexOf(report, 5)]);

        var byProject = report.Spent[UsageGrouping.Project];
        Assert.Equal([("Teaser", 160_000L), ("Film", 55_000L), ("No project", -5_000L)], byProject.Select(s => (s.Name, s.Total)));

        var byModel = report.Spent[UsageGrouping.Model];
        Assert.Equal([("runway · Gen-4.5", 155_000L), ("kie · Runway (kie API)", 60_000L), ("No model", -5_000L)], byModel.Select(s => (s.Name, s.Total)));
    }

    [Fact]
    public async Task Read_ListsThePeriodsTakes_WithWhatWasHeldAndCharged_NewestFirst()
    {
        var team = await _data.TeamAsync("Night crew");
        var ada = await _data.MemberAsync(team, "Ada");
        var film = await _data.ProjectAsync(team, "Film", ada);
        var charged = await _data.TakeAsync(team, ada, film, Nov3, held: 60_000, charged: 72_500);
        var released = await _data.TakeAsync(team, ada, film, Nov3.AddHours(1), held: 60_000, charged: 0, state: GenerationState.Cancelled);
        var held = await _data.TakeAsync(team, ada, film, Nov4, held: 120_000, charged: null, state: GenerationState.Running);

        var report = await _data.Usage.ReadAsync(ada, team, null);

        Assert.Equal(3, report!.TakeCount);
        Assert.Equal([held, released, charged], report.Takes.Select(t => t.GenerationId));
        Assert.Equal((120_000L, (long?)null, GenerationState.Running), (report.Takes[0].Held, report.Takes[0].Charged, report.Takes[0].State!.Value));
        Assert.Equal((60_000L, (long?)0, GenerationState.Cancelled), (report.Takes[1].Held, report.Takes[1].Charged, report.Takes[1].State!.Value));
        Assert.Equal((60_000L, (long?)72_500, "Ada", "Film"), (report.Takes[2].Held, report.Takes[2].Charged, report.Takes[2].Member, report.Takes[2].Project));
    }

    [Fact]
    public async Task Read_NeverShowsAnotherTeamsEntries_AndANonMemberGetsNothing()
    {
        var ours = await _data.TeamAsync("Ours");
        var theirs = await _data.TeamAsync("Theirs");
        var ada = await _data.MemberAsync(ours, "Ada");
        var eve = await _data.MemberAsync(theirs, "Eve");
        await _data.TakeAsync(ours, ada, await _data.ProjectAsync(ours, "Film", ada), Nov3, 60_000, 60_000);
        await _data.TakeAsync(theirs, eve, await _data.ProjectAsync(theirs, "Secret", eve), Nov3, 999_000, 999_000);

        var report = await _data.Usage.ReadAsync(ada, ours, null);

        Assert.Equal(60_000, report!.TotalSpent);
        Assert.DoesNotContain(report.Spent.Values.SelectMany(s => s), s => s.Name is "Eve" or "Secret");
        Assert.Single(report.Takes);
        Assert.Null(await _data.Usage.ReadAsync(ada, theirs, null));
        Assert.Null(await _data.Usage.TeamForAsync(ada, theirs));
        Assert.Equal(ours, await _data.Usage.TeamForAsync(ada, null));
    }

    [Fact]
    public async Task Read_OffersPastPeriods_AndShowsAPastPeriodFromItsBalanceRows()
    {
        var team = await _data.TeamAsync("Night crew", budget: 2_000_000, memberQuota: 500_000);
        var ada = await _data.MemberAsync(team, "Ada", TeamRole.Viewer);
        var film = await _data.ProjectAsync(team, "Film", ada);
        await _data.TakeAsync(team, ada, film, new DateTime(2026, 10, 31, 23, 0, 0, DateTimeKind.Utc), held: 60_000, charged: 60_000);
        await _data.BalanceAsync(team, CreditScope.Member, ada, UsageTestData.October, 400_000, 0, 60_000);
        await _data.BalanceAsync(team, CreditScope.Team, "", UsageTestData.October, 2_000_000, 0, 60_000);

        var now = await _data.Usage.ReadAsync(ada, team, null);
        var october = await _data.Usage.ReadAsync(ada, team, UsageTestData.October);

        Assert.Equal([new DateOnly(2026, 11, 1), new DateOnly(2026, 10, 1), new DateOnly(2026, 9, 1), new DateOnly(2026, 8, 1)], now!.Periods.Select(p => p.Start));
        Assert.Equal((500_000L, 0L), (now.Member.Limit!.Value, now.Member.Spent)); // this period: the limits set now
        Assert.Equal(0, now.TotalSpent);
        Assert.False(october!.Period.IsCurrent);
        Assert.Equal((400_000L, 60_000L, 340_000L), (october.Member.Limit!.Value, october.Member.Spent, october.Member.Available!.Value));
        Assert.Equal(60_000, october.TotalSpent);
        Assert.Equal(31, october.Days.Count);
        Assert.Equal(new DateOnly(2026, 12, 1), october.Period.ResetsOn.AddMonths(1));
    }

    [Fact]
    public async Task Read_WhenATakeSettlesAfterTheReset_CountsItInItsPeriodOnTheDayItSettled()
    {
        var team = await _data.TeamAsync("Night crew");
        var ada = await _data.MemberAsync(team, "Ada");
        var film = await _data.ProjectAsync(team, "Film", ada);
        // Reserved on 31 October, 23:59; it settles two minutes later, on 1 November, but counts in October.
        await _data.TakeAsync(team, ada, film, new DateTime(2026, 10, 31, 23, 59, 0, DateTimeKind.Utc), held: 60_000, charged: 60_000);

        var october = await _data.Usage.ReadAsync(ada, team, UsageTestData.October);

        Assert.Equal(new DateOnly(2026, 11, 1), october!.Days[^1]);
        Assert.Equal(60_000, october.Spent[UsageGrouping.Member][0].PerDay[^1]);
    }

    [Fact]
    public void Series_PastTheLimit_SumsTheSmallestIntoOne()
    {
        var day = new DateOnly(2026, 11, 1);
        var rows = Enumerable.Range(1, 12).Select(i => (day, $"m{i}", (long)i * 1000)).ToList();

        var series = UsageService.Series(rows, [day], key => key, "Everyone else");

        Assert.Equal(UsageService.MaxSeries, series.Count);
        Assert.Equal("m12", series[0].Name);
        Assert.Equal(("Everyone else", (1L + 2 + 3 + 4 + 5) * 1000), (series[^1].Name, series[^1].Total));
        Assert.Equal(rows.Sum(r => r.Item3), series.Sum(s => s.Total));
    }

    private static int IndexOf(UsageReport report, int dayOfNovember) =>
        report.Days.ToList().IndexOf(new DateOnly(2026, 11, dayOfNovember));
}
