using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Studio.IntegrationTests.Studio;
using Studio.Web.Features.Credits;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Teams;
using Xunit.Abstractions;

namespace Studio.IntegrationTests.Credits;

/// <summary>
/// Property-style: random sequences of reservations, endings (made with a reported cost or none, failed, cancelled),
/// repeated settlements, top-ups and quota changes, on SQLite through the ledger's own code; after every step the
/// database is compared with a simple model and the invariants are checked. A failure prints the seed and the step.
/// </summary>
public sealed class LedgerPropertyTests(ITestOutputHelper output) : SandboxStudioTest("ledger-props", emulatorRunningSeconds: 0.5)
{
    private const int Steps = 80;

    private sealed class Model
    {
        public long? Quota;
        public long Granted;
        public long Held;
        public long Spent;
        public long? Limit => Quota + Granted;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task Random_histories_keep_the_ledger_and_its_balances_in_step(int seed)
    {
        var random = new Random(seed);
        var ledger = Studio.Services.GetRequiredService<CreditLedger>();
        var admin = Studio.Services.GetRequiredService<CreditAdminService>();
        var owner = await Studio.RegisterAsync("Prop");
        var editor = await Studio.RegisterAsync("Ed");
        var members = Studio.Services.GetRequiredService<TeamMembersService>();
        var token = (await members.CreateInviteAsync(owner.Id, owner.TeamId, TeamRole.Editor, 1, TimeSpan.FromDays(1))).Value!;
        Assert.True((await members.AcceptInviteAsync(editor.Id, token)).Succeeded);
        var project = await Studio.CreateProjectAsync(owner, "Props");
        var users = new[] { owner, editor };
        var model = users.ToDictionary(u => u.Id, _ => new Model());
        var open = new List<(Guid Id, string UserId, long Hold)>();
        var closed = new List<Guid>();
        var log = new List<string>();

        for (var step = 1; step <= Steps; step++)
        {
            var user = users[random.Next(users.Length)];
            var m = model[user.Id];
            var roll = random.Next(100);
            string what;
            if (roll < 45)
            {
                var hold = random.Next(1, 6) * 12_000L;
                var take = NewTake(owner.TeamId, project, user.Id, hold);
                await using var db = await Studio.DbAsync();
                await using var tx = await db.Database.BeginTransactionAsync();
                db.Generations.Add(take);
                var refusal = await ledger.ReserveAsync(db, take, hold, CancellationToken.None);
                if (refusal is null)
                {
                    await db.SaveChangesAsync();
                    await tx.CommitAsync();
                }
                var fits = m.Limit is not { } limit || limit - m.Held - m.Spent >= hold;
                Assert.True(fits == (refusal is null), $"seed {seed} step {step}: reserve {hold} with limit {m.Limit}, held {m.Held}, spent {m.Spent}: {refusal ?? "accepted"}");
                if (fits)
                {
                    m.Held += hold;
                    open.Add((take.Id, user.Id, hold));
                }
                what = $"reserve {hold} for {user.Id[..4]} → {(fits ? "held" : "refused")}";
            }
            else if (roll < 80 && open.Count > 0)
            {
                var (id, userId, hold) = open[random.Next(open.Count)];
                var state = random.Next(4) switch { 0 => GenerationState.Failed, 1 => GenerationState.Cancelled, _ => GenerationState.Ready };
                // Costs never above the hold (Runway's estimate is an upper bound); sometimes none is reported.
                double? cost = random.Next(3) == 0 ? null : random.Next(0, (int)(hold / 1000) + 1);
                await using (var db = await Studio.DbAsync())
                {
                    await db.Generations.Where(g => g.Id == id).ExecuteUpdateAsync(s => s.SetProperty(g => g.State, state).SetProperty(g => g.CostCredits, cost));
                }
                await ledger.CloseAsync(id);
                await ledger.CloseAsync(id); // twice: the second must change nothing
                var charged = CreditLedger.Charged(state, cost, hold);
                model[userId].Held -= hold;
                model[userId].Spent += charged;
                open.RemoveAll(o => o.Id == id);
                closed.Add(id);
                what = $"end {id.ToString()[..8]} {state} cost {cost?.ToString() ?? "none"} → charged {charged}";
            }
            else if (roll < 90)
            {
                var quota = random.Next(3) == 0 ? (long?)null : random.Next(0, 20) * 12_000L;
                Assert.Null(await admin.SetMemberQuotaAsync(owner.Id, owner.TeamId, user.Id, quota));
                m.Quota = quota;
                what = $"quota of {user.Id[..4]} = {quota?.ToString() ?? "none"}";
            }
            else
            {
                var amount = random.Next(1, 5) * 12_000L;
                var error = await admin.GrantAsync(owner.Id, owner.TeamId, user.Id, amount, null);
                if (m.Quota is null)
                {
                    Assert.Equal($"{(user == owner ? "Prop" : "Ed")} has no quota to top up.", error);
                }
                else
                {
                    Assert.Null(error);
                    m.Granted += amount;
                }
                what = $"top up {user.Id[..4]} by {amount} → {error ?? "ok"}";
            }
            log.Add(what);
            await CheckAsync(owner.TeamId, model, closed, $"seed {seed} step {step} ({what}); history: {string.Join(" | ", log.TakeLast(6))}");
        }
        output.WriteLine($"seed {seed}: {Steps} steps, {closed.Count} takes ended, {open.Count} still held; " +
            string.Join(", ", model.Select(kv => $"held {kv.Value.Held} spent {kv.Value.Spent} limit {kv.Value.Limit?.ToString() ?? "none"}")));
    }

    private async Task CheckAsync(Guid teamId, Dictionary<string, Model> model, List<Guid> closed, string where)
    {
        await using var db = await Studio.DbAsync();
        var entries = await db.CreditEntries.AsNoTracking().Where(e => e.TeamId == teamId).ToListAsync();
        var rows = await db.CreditBalances.AsNoTracking().Where(b => b.TeamId == teamId).ToListAsync();
        foreach (var (userId, m) in model)
        {
            var row = rows.SingleOrDefault(r => r.Scope == CreditScope.Member && r.ScopeKey == userId);
            var (held, spent, limit) = row is null ? (0L, 0L, m.Limit) : (row.HeldMillicredits, row.SpentMillicredits, row.LimitMillicredits);
            Assert.True((m.Held, m.Spent) == (held, spent), $"{where}: member row held/spent {held}/{spent}, model {m.Held}/{m.Spent}");
            if (row is not null)
            {
                Assert.True(m.Limit == limit, $"{where}: member limit {limit}, model {m.Limit}");
            }
            var mine = entries.Where(e => e.UserId == userId && e.Kind != CreditEntryKind.Grant).ToList();
            Assert.True((mine.Sum(e => e.HeldDelta), mine.Sum(e => e.SpentDelta)) == (held, spent), $"{where}: entries do not add up to the member row");
            Assert.True(held >= 0, $"{where}: held {held}");
        }
        var team = rows.SingleOrDefault(r => r.Scope == CreditScope.Team);
        if (team is not null)
        {
            var all = entries.Where(e => e.Kind != CreditEntryKind.Grant).ToList();
            Assert.True((all.Sum(e => e.HeldDelta), all.Sum(e => e.SpentDelta)) == (team.HeldMillicredits, team.SpentMillicredits), $"{where}: team row off");
        }
        Assert.All(entries.Where(e => e.GenerationId is not null).GroupBy(e => (e.GenerationId, e.Kind)), g => Assert.True(g.Count() == 1, $"{where}: {g.Count()} × {g.Key}"));
        Assert.All(closed, id => Assert.True(entries.Count(e => e.GenerationId == id && e.Kind is CreditEntryKind.Settle or CreditEntryKind.Release) == 1, $"{where}: {id} not closed once"));
    }

    private static Generation NewTake(Guid teamId, Guid projectId, string userId, long hold)
    {
        var now = DateTime.UtcNow;
        return new Generation
        {
            Id = Guid.CreateVersion7(), TeamId = teamId, ProjectId = projectId, CreatedByUserId = userId, Provider = "runway", Model = VideoModels.Gen45.Id,
            PromptText = "property take", Ratio = "1280:720", DurationSeconds = (int)(hold / 12_000), EstimatedCredits = (int)(hold / 1000),
            // Cancelled at once from the worker's point of view: the properties are about money, not the job engine.
            State = GenerationState.Uncertain, Version = 1, CreatedAt = now, UpdatedAt = now, NextAttemptAt = now.AddYears(1),
        };
    }
}
