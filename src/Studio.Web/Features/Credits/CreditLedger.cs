using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Generations;

namespace Studio.Web.Features.Credits;

/// <summary>One scope's money in one period.</summary>
public sealed record BalanceView(CreditScope Scope, DateOnly PeriodStart, long? Limit, long Held, long Spent)
{
    public DateOnly ResetsOn => CreditPeriods.NextStart(PeriodStart);

    /// <summary>What is left to reserve; null when there is no limit.</summary>
    public long? Available => Limit is { } limit ? limit - Held - Spent : null;

    /// <summary>Held and spent as a share of the limit (0–1+), null without a limit.</summary>
    public double? Used => Limit is > 0 and { } limit ? (Held + Spent) / (double)limit : Limit == 0 ? 1 : null;
}

/// <summary>A member's quota and the team's budget, as the app bar and the composer show them.</summary>
public sealed record MemberCredits(BalanceView Member, BalanceView Team)
{
    /// <summary>The most a new take may hold now: the smaller of what the quota and the budget leave (null: no limit).</summary>
    public long? Available => (Member.Available, Team.Available) switch
    {
        (null, null) => null,
        ({ } m, null) => m,
        (null, { } t) => t,
        ({ } m, { } t) => Math.Min(m, t),
    };
}

/// <summary>
/// The credit ledger: reserve on submit, settle or release when a take ends. Entries are immutable and unique per
/// (generation, kind); the balance rows beside them are what a reservation's single conditional update checks
/// (every scope the take counts against must have room, or none is touched), so spending never passes a quota or a
/// budget however many submits arrive at once.
/// </summary>
public sealed class CreditLedger(IDbContextFactory<StudioDbContext> dbFactory, TimeProvider clock, CreditAlerts alerts, ILogger<CreditLedger> logger)
{
    /// <summary>
    /// Holds <paramref name="amount"/> for a new take, inside the caller's transaction (the take's row is added in the
    /// same one, so a refusal leaves nothing behind). Returns null when held, else the refusal to show.
    /// </summary>
    internal async Task<string?> ReserveAsync(StudioDbContext db, Generation take, long amount, CancellationToken ct)
    {
        if (amount <= 0)
        {
            return null;
        }
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A reservation must run inside the transaction that adds the take.");
        }
        var period = await EnsureBalancesAsync(db, take.TeamId, take.CreatedByUserId, take.ProjectId, ct);
        var member = take.CreatedByUserId;
        var project = take.ProjectId.ToString();
        // The one conditional update: each of the three rows takes the hold only if it has room; all three or none.
        var held = await ScopeRows(db, take.TeamId, period, member, project)
            .Where(b => b.LimitMillicredits == null || b.LimitMillicredits - b.SpentMillicredits - b.HeldMillicredits >= amount)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.HeldMillicredits, b => b.HeldMillicredits + amount), ct);
        if (held != 3)
        {
            return await RefusalAsync(db, take, period, amount, ct);
        }
        db.CreditEntries.Add(new CreditEntry
        {
            TeamId = take.TeamId, UserId = member, ProjectId = take.ProjectId, GenerationId = take.Id, Kind = CreditEntryKind.Reserve,
            PeriodStart = period, HeldDelta = amount, Provider = take.Provider, Model = take.Model, At = Now, ActorUserId = member,
        });
        return null;
    }

    /// <summary>
    /// Settles or releases a take that has ended (no-op otherwise, and when already done: safe to call any number of
    /// times, from any instance). Ready: the provider's reported cost (Runway <c>cost.credits</c>, Runware's USD
    /// cost), else the estimate. Failed or cancelled: what the provider reports it charged, else nothing.
    /// </summary>
    public async Task CloseAsync(Guid generationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var take = await db.Generations.AsNoTracking().Where(g => g.Id == generationId)
            .Select(g => new { g.State, g.CostCredits }).FirstOrDefaultAsync(ct);
        if (take is null || !GenerationStateMachine.IsTerminal(take.State))
        {
            return;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var entries = await db.CreditEntries.Where(e => e.GenerationId == generationId).ToListAsync(ct);
        var reserve = entries.FirstOrDefault(e => e.Kind == CreditEntryKind.Reserve);
        if (reserve is null || entries.Any(e => e.Kind is CreditEntryKind.Settle or CreditEntryKind.Release))
        {
            return;
        }
        var charged = Charged(take.State, take.CostCredits, reserve.HeldDelta);
        var kind = charged > 0 ? CreditEntryKind.Settle : CreditEntryKind.Release;
        var hold = reserve.HeldDelta;
        db.CreditEntries.Add(new CreditEntry
        {
            TeamId = reserve.TeamId, UserId = reserve.UserId, ProjectId = reserve.ProjectId, GenerationId = generationId, Kind = kind,
            PeriodStart = reserve.PeriodStart, HeldDelta = -hold, SpentDelta = charged, Provider = reserve.Provider, Model = reserve.Model, At = Now,
            Note = take.State.ToString(),
        });
        await db.SaveChangesAsync(ct);
        await ScopeRows(db, reserve.TeamId, reserve.PeriodStart, reserve.UserId!, reserve.ProjectId?.ToString() ?? "")
            .ExecuteUpdateAsync(s => s
                .SetProperty(b => b.HeldMillicredits, b => b.HeldMillicredits - hold)
                .SetProperty(b => b.SpentMillicredits, b => b.SpentMillicredits + charged), ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Generation {GenerationId} {Kind}: held {Held} m¢, charged {Charged} m¢", generationId, kind, hold, charged);
        if (charged > 0)
        {
            await alerts.CheckAsync(reserve.TeamId, reserve.UserId!, reserve.PeriodStart, CancellationToken.None);
        }
    }

    /// <summary>Sends the 80% / 100% alerts a new hold may have crossed (after the take's transaction committed).</summary>
    internal async Task AlertAsync(Generation take, CancellationToken ct)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var period = await db.CreditEntries.Where(e => e.GenerationId == take.Id && e.Kind == CreditEntryKind.Reserve)
                .Select(e => (DateOnly?)e.PeriodStart).FirstOrDefaultAsync(ct);
            if (period is { } p)
            {
                await alerts.CheckAsync(take.TeamId, take.CreatedByUserId, p, CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Credit alerts for generation {GenerationId} could not be checked", take.Id);
        }
    }

    /// <summary>Closes every ended take whose hold is still open (after a crash between the end and the settlement).</summary>
    public async Task<int> CloseOpenAsync(int max, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var open = await OpenHolds(db)
            .Where(e => db.Generations.Any(g => g.Id == e.GenerationId
                    && (g.State == GenerationState.Ready || g.State == GenerationState.Failed || g.State == GenerationState.Cancelled)))
            .OrderBy(e => e.Id).Select(e => e.GenerationId!.Value).Take(max).ToListAsync(ct);
        foreach (var id in open)
        {
            await CloseAsync(id, ct);
        }
        return open.Count;
    }

    /// <summary>Reservations not yet settled or released: what takes in progress hold.</summary>
    internal static IQueryable<CreditEntry> OpenHolds(StudioDbContext db) =>
        db.CreditEntries.AsNoTracking().Where(e => e.Kind == CreditEntryKind.Reserve
            && !db.CreditEntries.Any(c => c.GenerationId == e.GenerationId && (c.Kind == CreditEntryKind.Settle || c.Kind == CreditEntryKind.Release)));

    /// <summary>What the member's quota and the team's budget leave this period.</summary>
    public async Task<MemberCredits> ForMemberAsync(Guid teamId, string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var settings = await SettingsAsync(db, teamId, userId, null, ct);
        var period = CreditPeriods.StartOf(Now, settings.ResetDay);
        var rows = await db.CreditBalances.AsNoTracking()
            .Where(b => b.TeamId == teamId && b.PeriodStart == period
                && (b.Scope == CreditScope.Team || (b.Scope == CreditScope.Member && b.ScopeKey == userId)))
            .ToListAsync(ct);
        BalanceView View(CreditScope scope, long? limit)
        {
            var row = rows.FirstOrDefault(r => r.Scope == scope);
            return row is null ? new BalanceView(scope, period, limit, 0, 0) : new BalanceView(scope, period, row.LimitMillicredits, row.HeldMillicredits, row.SpentMillicredits);
        }
        return new MemberCredits(View(CreditScope.Member, settings.MemberQuota), View(CreditScope.Team, settings.TeamBudget));
    }

    internal static long Charged(GenerationState state, double? reportedCredits, long estimate) => state switch
    {
        GenerationState.Ready => reportedCredits is { } cost ? Millicredits.FromCredits(cost) : estimate,
        _ => reportedCredits is > 0 and { } cost ? Millicredits.FromCredits(cost) : 0,
    };

    internal sealed record Settings(int ResetDay, long? TeamBudget, long? MemberQuota, long? ProjectBudget, string? ProjectName);

    internal static async Task<Settings> SettingsAsync(StudioDbContext db, Guid teamId, string userId, Guid? projectId, CancellationToken ct)
    {
        var team = await db.Teams.AsNoTracking().Where(t => t.Id == teamId)
            .Select(t => new
            {
                t.CreditResetDay, t.MonthlyBudgetMillicredits, t.MemberQuotaMillicredits,
                Own = db.TeamMembers.Where(m => m.TeamId == t.Id && m.UserId == userId).Select(m => m.QuotaMillicredits).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(ct);
        if (team is null)
        {
            // The team is gone (deleted meanwhile): nothing limits, nothing is counted.
            return new Settings(1, null, null, null, null);
        }
        var project = projectId is null ? null : await db.Projects.AsNoTracking().Where(p => p.Id == projectId)
            .Select(p => new { p.Name, p.MonthlyBudgetMillicredits }).FirstOrDefaultAsync(ct);
        return new Settings(team.CreditResetDay, team.MonthlyBudgetMillicredits, team.Own ?? team.MemberQuotaMillicredits,
            project?.MonthlyBudgetMillicredits, project?.Name);
    }

    /// <summary>Makes sure the period's team, member and project rows exist (created with the limits set now).</summary>
    private async Task<DateOnly> EnsureBalancesAsync(StudioDbContext db, Guid teamId, string userId, Guid projectId, CancellationToken ct)
    {
        var settings = await SettingsAsync(db, teamId, userId, projectId, ct);
        var period = CreditPeriods.StartOf(Now, settings.ResetDay);
        await EnsureRowAsync(db, teamId, CreditScope.Team, "", period, settings.TeamBudget, ct);
        await EnsureRowAsync(db, teamId, CreditScope.Member, userId, period, settings.MemberQuota, ct);
        await EnsureRowAsync(db, teamId, CreditScope.Project, projectId.ToString(), period, settings.ProjectBudget, ct);
        return period;
    }

    internal static Task EnsureRowAsync(StudioDbContext db, Guid teamId, CreditScope scope, string key, DateOnly period, long? limit, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO "CreditBalances" ("TeamId", "Scope", "ScopeKey", "PeriodStart", "LimitMillicredits", "HeldMillicredits", "SpentMillicredits", "AlertedPercent")
            VALUES ({teamId}, {(int)scope}, {key}, {period}, {limit}, 0, 0, 0)
            ON CONFLICT ("TeamId", "Scope", "ScopeKey", "PeriodStart") DO NOTHING
            """, ct);

    internal static IQueryable<CreditBalance> ScopeRows(StudioDbContext db, Guid teamId, DateOnly period, string userId, string projectKey) =>
        db.CreditBalances.Where(b => b.TeamId == teamId && b.PeriodStart == period
            && (b.Scope == CreditScope.Team
                || (b.Scope == CreditScope.Member && b.ScopeKey == userId)
                || (b.Scope == CreditScope.Project && b.ScopeKey == projectKey)));

    private static async Task<string> RefusalAsync(StudioDbContext db, Generation take, DateOnly period, long amount, CancellationToken ct)
    {
        var rows = await ScopeRows(db, take.TeamId, period, take.CreatedByUserId, take.ProjectId.ToString()).AsNoTracking().ToListAsync(ct);
        var resets = CreditPeriods.NextStart(period).ToString("d MMM yyyy");
        var needs = $"This take needs {Millicredits.Format(amount)} credits";
        // The member's own quota first: it is the one they can do something about (ask an admin for a top-up).
        foreach (var scope in new[] { CreditScope.Member, CreditScope.Team, CreditScope.Project })
        {
            var row = rows.FirstOrDefault(r => r.Scope == scope);
            if (row?.LimitMillicredits is not { } limit || limit - row.SpentMillicredits - row.HeldMillicredits >= amount)
            {
                continue;
            }
            var left = Millicredits.Format(Math.Max(0, limit - row.SpentMillicredits - row.HeldMillicredits));
            return scope switch
            {
                CreditScope.Member => $"{needs}; you have {left} left this month. Your quota resets on {resets}; a team admin can top it up.",
                CreditScope.Team => $"{needs}; the team has {left} left of its budget this month. It resets on {resets}.",
                _ => $"{needs}; this project has {left} left of its budget this month. It resets on {resets}.",
            };
        }
        return $"{needs}, and a quota or budget changed meanwhile. Try again.";
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
