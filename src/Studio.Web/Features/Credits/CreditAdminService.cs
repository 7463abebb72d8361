using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Audit;
using Studio.Web.Features.Teams;

namespace Studio.Web.Features.Credits;

public sealed record MemberQuotaRow(string UserId, string DisplayName, TeamRole Role, long? OwnQuota, long? EffectiveQuota, long Held, long Spent, long Granted);

public sealed record ProjectBudgetRow(Guid ProjectId, string Name, long? Budget, long Held, long Spent);

public sealed record TeamCreditSettings(
    Guid TeamId, string TeamName, int ResetDay, DateOnly PeriodStart, long? Budget, long? MemberQuota,
    long TeamHeld, long TeamSpent, long TeamGranted, IReadOnlyList<MemberQuotaRow> Members, IReadOnlyList<ProjectBudgetRow> Projects);

/// <summary>
/// Team admins and the owner set the team's monthly budget, the members' default and own quotas, project budgets and
/// the reset day, and grant top-ups for the current period. A change applies to the current period at once (its
/// balance rows' limits are set again: the setting plus this period's top-ups) and is written to the audit log.
/// </summary>
public sealed class CreditAdminService(IDbContextFactory<StudioDbContext> dbFactory, AuditLog audit, CreditAlerts alerts, TimeProvider clock)
{
    public const long MaxAmount = 100_000_000_000; // 100 million credits: a typo guard, not a business rule.
    private const string NotAllowed = "Only the team's owner and admins can manage credits.";

    public async Task<TeamCreditSettings?> ReadAsync(string actorId, Guid teamId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await TeamService.RoleAsync(db, actorId, teamId, ct) is not { } role || !TeamPermissions.CanManageMembers(role))
        {
            return null;
        }
        var team = await db.Teams.AsNoTracking().FirstAsync(t => t.Id == teamId, ct);
        var period = CreditPeriods.StartOf(Now, team.CreditResetDay);
        var rows = await db.CreditBalances.AsNoTracking().Where(b => b.TeamId == teamId && b.PeriodStart == period).ToListAsync(ct);
        var grants = await db.CreditEntries.AsNoTracking()
            .Where(e => e.TeamId == teamId && e.PeriodStart == period && e.Kind == CreditEntryKind.Grant)
            .GroupBy(e => e.UserId).Select(g => new { UserId = g.Key, Amount = g.Sum(e => e.LimitDelta) }).ToListAsync(ct);
        var members = await db.TeamMembers.AsNoTracking().Where(m => m.TeamId == teamId)
            .Select(m => new { m.UserId, m.User!.DisplayName, m.Role, m.QuotaMillicredits }).OrderBy(m => m.DisplayName).ToListAsync(ct);
        var projects = await db.Projects.AsNoTracking().Where(p => p.TeamId == teamId).OrderBy(p => p.Name)
            .Select(p => new { p.Id, p.Name, p.MonthlyBudgetMillicredits }).ToListAsync(ct);
        CreditBalance? Row(CreditScope scope, string key) => rows.FirstOrDefault(r => r.Scope == scope && r.ScopeKey == key);
        long Granted(string? userId) => grants.FirstOrDefault(g => g.UserId == userId)?.Amount ?? 0;
        var teamRow = Row(CreditScope.Team, "");
        return new TeamCreditSettings(teamId, team.Name, team.CreditResetDay, period, team.MonthlyBudgetMillicredits, team.MemberQuotaMillicredits,
            teamRow?.HeldMillicredits ?? 0, teamRow?.SpentMillicredits ?? 0, Granted(null),
            members.Select(m =>
            {
                var row = Row(CreditScope.Member, m.UserId);
                var effective = m.QuotaMillicredits ?? team.MemberQuotaMillicredits;
                return new MemberQuotaRow(m.UserId, m.DisplayName, m.Role, m.QuotaMillicredits, effective,
                    row?.HeldMillicredits ?? 0, row?.SpentMillicredits ?? 0, Granted(m.UserId));
            }).ToList(),
            projects.Select(p =>
            {
                var row = Row(CreditScope.Project, p.Id.ToString());
                return new ProjectBudgetRow(p.Id, p.Name, p.MonthlyBudgetMillicredits, row?.HeldMillicredits ?? 0, row?.SpentMillicredits ?? 0);
            }).ToList());
    }

    /// <summary>The team's monthly budget, the members' default quota (null: none) and the reset day (1–28).</summary>
    public async Task<string?> SetTeamAsync(string actorId, Guid teamId, long? budget, long? memberQuota, int resetDay, CancellationToken ct = default)
    {
        if ((AmountError(budget) ?? AmountError(memberQuota)) is { } error)
        {
            return error;
        }
        if (resetDay is < 1 or > CreditPeriods.MaxResetDay)
        {
            return $"The reset day is a day of the month from 1 to {CreditPeriods.MaxResetDay}.";
        }
        return await ChangeAsync(actorId, teamId, async (db, actor) =>
        {
            var team = await db.Teams.FirstAsync(t => t.Id == teamId, ct);
            team.MonthlyBudgetMillicredits = budget;
            team.MemberQuotaMillicredits = memberQuota;
            team.CreditResetDay = resetDay;
            audit.Add(db, teamId, actorId, actor, AuditActions.CreditsChanged, teamId.ToString(),
                $"set the team budget to {Describe(budget)}, each member's quota to {Describe(memberQuota)}, resetting on day {resetDay}");
            return null;
        }, ct);
    }

    public async Task<string?> SetMemberQuotaAsync(string actorId, Guid teamId, string memberId, long? quota, CancellationToken ct = default)
    {
        if (AmountError(quota) is { } error)
        {
            return error;
        }
        return await ChangeAsync(actorId, teamId, async (db, actor) =>
        {
            var member = await db.TeamMembers.Include(m => m.User).FirstOrDefaultAsync(m => m.TeamId == teamId && m.UserId == memberId, ct);
            if (member is null)
            {
                return "That person is not a member of this team.";
            }
            member.QuotaMillicredits = quota;
            audit.Add(db, teamId, actorId, actor, AuditActions.CreditsChanged, memberId,
                $"set {member.User!.DisplayName}'s quota to {(quota is null ? "the team's default" : Describe(quota))}");
            return null;
        }, ct);
    }

    public async Task<string?> SetProjectBudgetAsync(string actorId, Guid teamId, Guid projectId, long? budget, CancellationToken ct = default)
    {
        if (AmountError(budget) is { } error)
        {
            return error;
        }
        return await ChangeAsync(actorId, teamId, async (db, actor) =>
        {
            var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == projectId && p.TeamId == teamId, ct);
            if (project is null)
            {
                return "There is no such project in this team.";
            }
            project.MonthlyBudgetMillicredits = budget;
            audit.Add(db, teamId, actorId, actor, AuditActions.CreditsChanged, projectId.ToString(), $"set the budget of {project.Name} to {Describe(budget)}");
            return null;
        }, ct);
    }

    /// <summary>A top-up for this period: raises a member's quota (or, with no member, the team's budget).</summary>
    public async Task<string?> GrantAsync(string actorId, Guid teamId, string? memberId, long amount, string? note, CancellationToken ct = default)
    {
        if (amount <= 0 || amount > MaxAmount)
        {
            return "A top-up is a positive number of credits.";
        }
        note = string.IsNullOrWhiteSpace(note) ? null : note.Trim()[..Math.Min(note.Trim().Length, 300)];
        return await ChangeAsync(actorId, teamId, async (db, actor) =>
        {
            var team = await db.Teams.AsNoTracking().FirstAsync(t => t.Id == teamId, ct);
            string who;
            if (memberId is null)
            {
                if (team.MonthlyBudgetMillicredits is null)
                {
                    return "The team has no budget to top up.";
                }
                who = "the team budget";
            }
            else
            {
                var member = await db.TeamMembers.AsNoTracking().Where(m => m.TeamId == teamId && m.UserId == memberId)
                    .Select(m => new { m.QuotaMillicredits, m.User!.DisplayName }).FirstOrDefaultAsync(ct);
                if (member is null)
                {
                    return "That person is not a member of this team.";
                }
                if ((member.QuotaMillicredits ?? team.MemberQuotaMillicredits) is null)
                {
                    return $"{member.DisplayName} has no quota to top up.";
                }
                who = $"{member.DisplayName}'s quota";
            }
            db.CreditEntries.Add(new CreditEntry
            {
                TeamId = teamId, UserId = memberId, Kind = CreditEntryKind.Grant, PeriodStart = CreditPeriods.StartOf(Now, team.CreditResetDay),
                LimitDelta = amount, At = Now, ActorUserId = actorId, Note = note,
            });
            audit.Add(db, teamId, actorId, actor, AuditActions.CreditsGranted, memberId ?? teamId.ToString(),
                $"topped up {who} by {Millicredits.Format(amount)} credits for this month{(note is null ? "" : $" ({note})")}");
            return null;
        }, ct);
    }

    /// <summary>
    /// Applies one change in a transaction, then sets the limits of the current period's balance rows again from the
    /// settings and this period's top-ups, so that what the next reservation checks is what was just set.
    /// </summary>
    private async Task<string?> ChangeAsync(string actorId, Guid teamId, Func<StudioDbContext, string, Task<string?>> change, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var actor = await db.TeamMembers.Where(m => m.TeamId == teamId && m.UserId == actorId).Select(m => new { m.Role, m.User!.DisplayName }).FirstOrDefaultAsync(ct);
        if (actor is null)
        {
            return TeamMembersService.NotFound;
        }
        if (!TeamPermissions.CanManageMembers(actor.Role))
        {
            return NotAllowed;
        }
        if (await change(db, actor.DisplayName) is { } refusal)
        {
            return refusal;
        }
        await db.SaveChangesAsync(ct);
        var period = await ResetLimitsAsync(db, teamId, ct);
        await tx.CommitAsync(ct);
        foreach (var member in await db.TeamMembers.Where(m => m.TeamId == teamId).Select(m => m.UserId).ToListAsync(ct))
        {
            await alerts.CheckAsync(teamId, member, period, CancellationToken.None);
        }
        return null;
    }

    /// <summary>Limit of each current-period row = its setting (null: none) + the period's top-ups of that scope.</summary>
    private async Task<DateOnly> ResetLimitsAsync(StudioDbContext db, Guid teamId, CancellationToken ct)
    {
        var team = await db.Teams.AsNoTracking().FirstAsync(t => t.Id == teamId, ct);
        var period = CreditPeriods.StartOf(Now, team.CreditResetDay);
        var grants = await db.CreditEntries.Where(e => e.TeamId == teamId && e.PeriodStart == period && e.Kind == CreditEntryKind.Grant)
            .GroupBy(e => e.UserId).Select(g => new { UserId = g.Key, Amount = g.Sum(e => e.LimitDelta) }).ToListAsync(ct);
        long Granted(string? userId) => grants.FirstOrDefault(g => g.UserId == userId)?.Amount ?? 0;

        await CreditLedger.EnsureRowAsync(db, teamId, CreditScope.Team, "", period, null, ct);
        var teamLimit = team.MonthlyBudgetMillicredits + Granted(null);
        await db.CreditBalances.Where(b => b.TeamId == teamId && b.PeriodStart == period && b.Scope == CreditScope.Team)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.LimitMillicredits, teamLimit), ct);
        foreach (var member in await db.TeamMembers.Where(m => m.TeamId == teamId).Select(m => new { m.UserId, m.QuotaMillicredits }).ToListAsync(ct))
        {
            await CreditLedger.EnsureRowAsync(db, teamId, CreditScope.Member, member.UserId, period, null, ct);
            var limit = (member.QuotaMillicredits ?? team.MemberQuotaMillicredits) + Granted(member.UserId);
            await db.CreditBalances.Where(b => b.TeamId == teamId && b.PeriodStart == period && b.Scope == CreditScope.Member && b.ScopeKey == member.UserId)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.LimitMillicredits, limit), ct);
        }
        foreach (var project in await db.Projects.Where(p => p.TeamId == teamId).Select(p => new { p.Id, p.MonthlyBudgetMillicredits }).ToListAsync(ct))
        {
            var key = project.Id.ToString();
            await CreditLedger.EnsureRowAsync(db, teamId, CreditScope.Project, key, period, null, ct);
            await db.CreditBalances.Where(b => b.TeamId == teamId && b.PeriodStart == period && b.Scope == CreditScope.Project && b.ScopeKey == key)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.LimitMillicredits, project.MonthlyBudgetMillicredits), ct);
        }
        return period;
    }

    private static string? AmountError(long? amount) =>
        amount is < 0 or > MaxAmount ? "Amounts are whole credits from 0 up; leave it empty for no limit." : null;

    private static string Describe(long? amount) => amount is { } a ? $"{Millicredits.Format(a)} credits" : "no limit";


    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
