using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Studio.IntegrationTests.Studio;
using Studio.Web.Features.Credits;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Teams;
using Xunit.Abstractions;

namespace Studio.IntegrationTests.Credits;

/// <summary>
/// 200 submits at once against a quota (or a team budget) that fits exactly 50 takes, on SQLite, through the real
/// services with the emulator over HTTP: exactly 50 are accepted, no balance is ever seen below zero, and once every
/// accepted take has ended the holds are gone and what was spent is what the provider reported.
/// </summary>
public sealed class CreditConcurrencyTests(ITestOutputHelper output) : EmulatorStudioTest("credit-race")
{
    private const int Submits = 200;
    private const int Fits = 50;
    private CreditAdminService Admin => Studio.Services.GetRequiredService<CreditAdminService>();

    private async Task<long> EstimateAsync() =>
        await Studio.Services.GetRequiredService<PriceList>().EstimateAsync("runway", VideoModels.Gen45.Id, StudioTestHost.TextDraft().DurationSeconds);

    [Fact]
    public async Task Two_hundred_simultaneous_submits_against_a_member_quota_for_fifty_accept_exactly_fifty()
    {
        var owner = await Studio.RegisterAsync("Quinn");
        var project = await Studio.CreateProjectAsync(owner, "Race");
        var estimate = await EstimateAsync();
        Assert.Null(await Admin.SetMemberQuotaAsync(owner.Id, owner.TeamId, owner.Id, Fits * estimate));

        var (accepted, refused, lowest, elapsed) = await RaceAsync(Enumerable.Repeat(owner, Submits).ToList(), project, owner.TeamId, CreditScope.Member, owner.Id);

        output.WriteLine($"member quota: {Submits} submits in {elapsed.TotalSeconds:0.00} s; accepted {accepted.Count}, refused {refused.Count}; lowest balance seen {lowest} m¢");
        Assert.Equal(Fits, accepted.Count);
        Assert.Equal(Submits - Fits, refused.Count);
        Assert.All(refused, r => Assert.StartsWith($"This take needs {Millicredits.Format(estimate)} credits; you have 0 left this month.", r));
        Assert.True(lowest >= 0, $"a balance went to {lowest}");
        await AssertLedgerMatchesBalancesAsync(owner.TeamId);

        // Every accepted take ends (made, or refused by the emulator's own balance); then nothing is held and what was
        // spent is exactly what the provider reported for each take.
        await using (var db = await Studio.DbAsync())
        {
            var ids = accepted.Select(a => a!.Value).ToList();
            var deadline = DateTime.UtcNow.AddSeconds(240);
            while (await db.Generations.CountAsync(g => ids.Contains(g.Id) && g.State != GenerationState.Ready && g.State != GenerationState.Failed && g.State != GenerationState.Cancelled) > 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the accepted takes did not all end");
                await Task.Delay(250);
            }
            await Studio.Services.GetRequiredService<CreditLedger>().CloseOpenAsync(Submits);
            var takes = await db.Generations.AsNoTracking().Where(g => ids.Contains(g.Id)).Select(g => new { g.State, g.CostCredits }).ToListAsync();
            var expectedSpent = takes.Sum(t => CreditLedger.Charged(t.State, t.CostCredits, estimate));
            var member = await db.CreditBalances.AsNoTracking().SingleAsync(b => b.TeamId == owner.TeamId && b.Scope == CreditScope.Member && b.ScopeKey == owner.Id);
            output.WriteLine($"after the takes ended: {takes.Count(t => t.State == GenerationState.Ready)} ready, {takes.Count(t => t.State != GenerationState.Ready)} not; spent {member.SpentMillicredits} m¢, held {member.HeldMillicredits} m¢");
            Assert.Equal(0, member.HeldMillicredits);
            Assert.Equal(expectedSpent, member.SpentMillicredits);
            Assert.True(member.SpentMillicredits <= member.LimitMillicredits);
        }
        await AssertLedgerMatchesBalancesAsync(owner.TeamId);
    }

    [Fact]
    public async Task Two_hundred_simultaneous_submits_by_four_members_against_a_team_budget_for_fifty_accept_exactly_fifty()
    {
        var owner = await Studio.RegisterAsync("Tova");
        var members = new List<TestUser> { owner };
        var invites = Studio.Services.GetRequiredService<TeamMembersService>();
        foreach (var name in new[] { "Uma", "Vito", "Wren" })
        {
            var user = await Studio.RegisterAsync(name);
            var token = (await invites.CreateInviteAsync(owner.Id, owner.TeamId, TeamRole.Editor, 1, TimeSpan.FromDays(1))).Value!;
            Assert.True((await invites.AcceptInviteAsync(user.Id, token)).Succeeded);
            members.Add(user);
        }
        var project = await Studio.CreateProjectAsync(owner, "Team race");
        var estimate = await EstimateAsync();
        Assert.Null(await Admin.SetTeamAsync(owner.Id, owner.TeamId, budget: Fits * estimate, memberQuota: null, resetDay: 1));

        var callers = Enumerable.Range(0, Submits).Select(i => members[i % members.Count]).ToList();
        var (accepted, refused, lowest, elapsed) = await RaceAsync(callers, project, owner.TeamId, CreditScope.Team, "");

        output.WriteLine($"team budget: {Submits} submits by 4 members in {elapsed.TotalSeconds:0.00} s; accepted {accepted.Count}, refused {refused.Count}; lowest balance seen {lowest} m¢");
        Assert.Equal(Fits, accepted.Count);
        Assert.All(refused, r => Assert.Contains("the team has 0 left of its budget this month", r));
        Assert.True(lowest >= 0, $"a balance went to {lowest}");
        await AssertLedgerMatchesBalancesAsync(owner.TeamId);
    }

    /// <summary>Sends every submit at once while a watcher reads the scope's balance row as often as it can.</summary>
    private async Task<(List<Guid?> Accepted, List<string> Refused, long Lowest, TimeSpan Elapsed)> RaceAsync(
        IReadOnlyList<TestUser> callers, Guid project, Guid teamId, CreditScope scope, string scopeKey)
    {
        using var stop = new CancellationTokenSource();
        var lowest = long.MaxValue;
        async Task ReadAsync()
        {
            await using var db = await Studio.DbAsync();
            var row = await db.CreditBalances.AsNoTracking().FirstOrDefaultAsync(b => b.TeamId == teamId && b.Scope == scope && b.ScopeKey == scopeKey);
            if (row?.LimitMillicredits is { } limit)
            {
                lowest = Math.Min(lowest, limit - row.HeldMillicredits - row.SpentMillicredits);
            }
        }
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await ReadAsync();
                await Task.Delay(1);
            }
        });
        using var start = new ManualResetEventSlim();
        var clock = Stopwatch.StartNew();
        var submits = callers.Select((caller, i) => Task.Run(async () =>
        {
            start.Wait();
            return await Studio.Generations.SubmitAsync(caller.Id, project, StudioTestHost.TextDraft($"Racing take {i}"));
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(submits);
        var elapsed = clock.Elapsed;
        await stop.CancelAsync();
        await watcher;
        await ReadAsync(); // and the state the race ended in
        return ([.. results.Where(r => r.Succeeded).Select(r => r.GenerationId)],
            [.. results.Where(r => !r.Succeeded).Select(r => r.Errors[GenerationService.FormError])], lowest, elapsed);
    }

    /// <summary>Every balance row equals the sums of the team's ledger entries for its scope and period.</summary>
    private async Task AssertLedgerMatchesBalancesAsync(Guid teamId)
    {
        await using var db = await Studio.DbAsync();
        var entries = await db.CreditEntries.AsNoTracking().Where(e => e.TeamId == teamId).ToListAsync();
        Assert.Empty(LedgerChecks.Mismatches(entries, await db.CreditBalances.AsNoTracking().Where(b => b.TeamId == teamId).ToListAsync()));
        // Each take is reserved at most once and closed at most once.
        Assert.All(entries.Where(e => e.GenerationId is not null).GroupBy(e => (e.GenerationId, e.Kind)), g => Assert.Single(g));
    }
}
