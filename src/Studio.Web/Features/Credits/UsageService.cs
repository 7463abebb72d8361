using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Generations;

namespace Studio.Web.Features.Credits;

/// <summary>How the usage page splits a day's spending.</summary>
public enum UsageGrouping
{
    Member = 0,
    Project = 1,
    Model = 2,
}

/// <summary>One quota period of a team: from <see cref="Start"/> up to the day before <see cref="ResetsOn"/>.</summary>
public sealed record UsagePeriod(DateOnly Start, bool IsCurrent)
{
    public DateOnly ResetsOn => CreditPeriods.NextStart(Start);

    public DateOnly LastDay => ResetsOn.AddDays(-1);

    public string Label => Start.Year == LastDay.Year
        ? $"{Start:d MMM} – {LastDay:d MMM yyyy}"
        : $"{Start:d MMM yyyy} – {LastDay:d MMM yyyy}";
}

/// <summary>What one member, project or model spent on each day of <see cref="UsageReport.Days"/>, in millicredits.</summary>
public sealed record UsageSeries(string Key, string Name, long[] PerDay)
{
    public long Total => PerDay.Sum();
}

/// <summary>One take's charge: what was held when it was submitted and what it cost (null while it is still held).</summary>
public sealed record UsageTake(Guid GenerationId, DateTime At, string Member, string Project, string Provider, string Model, long Held, long? Charged, GenerationState? State);

/// <summary>A team's credits in one period, as a member of it sees them.</summary>
public sealed record UsageReport(
    Guid TeamId,
    string TeamName,
    UsagePeriod Period,
    IReadOnlyList<UsagePeriod> Periods,
    BalanceView Member,
    BalanceView Team,
    IReadOnlyList<DateOnly> Days,
    IReadOnlyDictionary<UsageGrouping, IReadOnlyList<UsageSeries>> Spent,
    IReadOnlyList<UsageTake> Takes,
    int TakeCount)
{
    public long TotalSpent => Spent[UsageGrouping.Member].Sum(s => s.Total);
}

/// <summary>One ledger line as the CSV export writes it (amounts in millicredits).</summary>
public sealed record UsageLedgerRow(DateTime At, string? Member, string? Project, Guid? GenerationId, CreditEntryKind Kind, string? Provider, string? Model,
    long Held, long Spent, long Limit);

/// <summary>
/// What a team spent, read from the immutable ledger: per day and member, project or model (grouped in SQL), the
/// period's takes with their holds and charges, and every entry for the CSV export. Every query is filtered by the
/// team, and every entry point first checks that the caller is a member of it (another team's id reads as nothing).
/// </summary>
public sealed class UsageService(IDbContextFactory<StudioDbContext> dbFactory, CreditLedger ledger, TimeProvider clock)
{
    /// <summary>How many takes the page lists; the CSV export has them all.</summary>
    public const int MaxTakes = 200;

    /// <summary>Series drawn one by one; the rest are summed as "Everyone else" / "Other projects" / "Other models".</summary>
    public const int MaxSeries = 8;

    /// <summary>How many periods back the picker offers (older ones that have entries are always offered).</summary>
    private const int MaxComputedPeriods = 24;

    /// <summary>
    /// The team the caller works in: <paramref name="teamId"/> if they are a member of it, else (no id given) their
    /// current team as the pages pick it. Null when they are in no such team.
    /// </summary>
    public async Task<Guid?> TeamForAsync(string userId, Guid? teamId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (teamId is { } requested)
        {
            return await db.TeamMembers.AnyAsync(m => m.TeamId == requested && m.UserId == userId, ct) ? requested : null;
        }
        var chosen = await db.Users.Where(u => u.Id == userId).Select(u => u.CurrentTeamId).FirstOrDefaultAsync(ct);
        var teams = await db.TeamMembers.Where(m => m.UserId == userId).OrderBy(m => m.JoinedAt).Select(m => m.TeamId).ToListAsync(ct);
        return chosen is { } c && teams.Contains(c) ? c : teams.Count > 0 ? teams[0] : null;
    }

    /// <summary>The period that runs now in a team (the caller must have checked membership).</summary>
    public async Task<DateOnly> CurrentPeriodAsync(Guid teamId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var resetDay = await db.Teams.Where(t => t.Id == teamId).Select(t => t.CreditResetDay).FirstAsync(ct);
        return CreditPeriods.StartOf(Now, resetDay);
    }

    /// <summary>The usage page's data; null when the caller is not a member of the team.</summary>
    /// <param name="period">The first day of the period to show; null or unknown: the current one.</param>
    public async Task<UsageReport?> ReadAsync(string userId, Guid teamId, DateOnly? period, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var team = await db.Teams.AsNoTracking()
            .Where(t => t.Id == teamId && db.TeamMembers.Any(m => m.TeamId == t.Id && m.UserId == userId))
            .Select(t => new { t.Name, t.CreditResetDay, t.CreatedAt })
            .FirstOrDefaultAsync(ct);
        if (team is null)
        {
            return null;
        }
        var periods = await PeriodsAsync(db, teamId, team.CreditResetDay, team.CreatedAt, ct);
        var chosen = periods.FirstOrDefault(p => p.Start == period) ?? periods[0];
        var (member, budget) = await BalancesAsync(db, teamId, userId, chosen, ct);

        var byMember = await SpentByDayAsync(db, teamId, chosen.Start, UsageGrouping.Member, ct);
        var byProject = await SpentByDayAsync(db, teamId, chosen.Start, UsageGrouping.Project, ct);
        var byModel = await SpentByDayAsync(db, teamId, chosen.Start, UsageGrouping.Model, ct);
        var days = DaysOf(chosen, DateOnly.FromDateTime(Now), byMember.Select(r => r.Day));
        var members = await MemberNamesAsync(db, byMember.Select(r => r.Key), ct);
        var projects = await ProjectNamesAsync(db, teamId, byProject.Select(r => r.Key), ct);
        var spent = new Dictionary<UsageGrouping, IReadOnlyList<UsageSeries>>
        {
            [UsageGrouping.Member] = Series(byMember, days, key => key.Length == 0 ? "Team (no member)" : members.GetValueOrDefault(key, "Former member"), "Everyone else"),
            [UsageGrouping.Project] = Series(byProject, days, key => key.Length == 0 ? "No project" : projects.GetValueOrDefault(key, "Deleted project"), "Other projects"),
            [UsageGrouping.Model] = Series(byModel, days, ModelName, "Other models"),
        };

        var reserves = db.CreditEntries.AsNoTracking()
            .Where(e => e.TeamId == teamId && e.PeriodStart == chosen.Start && e.Kind == CreditEntryKind.Reserve && e.GenerationId != null);
        var takeCount = await reserves.CountAsync(ct);
        var takes = await reserves
            .OrderByDescending(r => r.At).ThenByDescending(r => r.Id)
            .Take(MaxTakes)
            .Select(r => new
            {
                Id = r.GenerationId!.Value, r.At, r.Provider, r.Model, Held = r.HeldDelta,
                // (generation, kind) is unique: at most one settle or release per take.
                Charged = db.CreditEntries.Where(c => c.GenerationId == r.GenerationId && (c.Kind == CreditEntryKind.Settle || c.Kind == CreditEntryKind.Release))
                    .Select(c => (long?)c.SpentDelta).FirstOrDefault(),
                State = db.Generations.Where(g => g.Id == r.GenerationId && g.TeamId == teamId).Select(g => (GenerationState?)g.State).FirstOrDefault(),
                Member = db.Users.Where(u => u.Id == r.UserId).Select(u => u.DisplayName).FirstOrDefault(),
                Project = db.Projects.Where(p => p.Id == r.ProjectId && p.TeamId == teamId).Select(p => p.Name).FirstOrDefault(),
            })
            .ToListAsync(ct);

        return new UsageReport(teamId, team.Name, chosen, periods, member, budget, days, spent,
            takes.Select(t => new UsageTake(t.Id, t.At, t.Member ?? "Former member", t.Project ?? "Deleted project", t.Provider ?? "", t.Model ?? "", t.Held, t.Charged, t.State)).ToList(),
            takeCount);
    }

    /// <summary>
    /// Every ledger entry of a team in a period, oldest first, streamed from the database (the CSV export). The caller
    /// must have checked that the user is a member of the team (<see cref="TeamForAsync"/>).
    /// </summary>
    public async IAsyncEnumerable<UsageLedgerRow> EntriesAsync(Guid teamId, DateOnly period, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = db.CreditEntries.AsNoTracking()
            .Where(e => e.TeamId == teamId && e.PeriodStart == period)
            .OrderBy(e => e.At).ThenBy(e => e.Id)
            .Select(e => new UsageLedgerRow(
                e.At,
                db.Users.Where(u => u.Id == e.UserId).Select(u => u.DisplayName).FirstOrDefault(),
                db.Projects.Where(p => p.Id == e.ProjectId && p.TeamId == teamId).Select(p => p.Name).FirstOrDefault(),
                e.GenerationId, e.Kind, e.Provider, e.Model, e.HeldDelta, e.SpentDelta, e.LimitDelta))
            .AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(ct))
        {
            yield return row;
        }
    }

    /// <summary>
    /// Credits spent per day (UTC) and member, project or provider+model in one period: the spent part of settlements
    /// and adjustments, summed in SQL. Keys: the user id, the project id, or "provider/model" ("" when the entry has none).
    /// </summary>
    internal static async Task<IReadOnlyList<(DateOnly Day, string Key, long Spent)>> SpentByDayAsync(
        StudioDbContext db, Guid teamId, DateOnly period, UsageGrouping grouping, CancellationToken ct)
    {
        var spent = db.CreditEntries.AsNoTracking()
            .Where(e => e.TeamId == teamId && e.PeriodStart == period
                && (e.Kind == CreditEntryKind.Settle || e.Kind == CreditEntryKind.Adjust) && e.SpentDelta != 0);
        switch (grouping)
        {
            case UsageGrouping.Member:
                var byMember = await spent.GroupBy(e => new { e.At.Date, e.UserId })
                    .Select(g => new { g.Key.Date, g.Key.UserId, Spent = g.Sum(e => e.SpentDelta) }).ToListAsync(ct);
                return byMember.Select(r => (DateOnly.FromDateTime(r.Date), r.UserId ?? "", r.Spent)).ToList();
            case UsageGrouping.Project:
                var byProject = await spent.GroupBy(e => new { e.At.Date, e.ProjectId })
                    .Select(g => new { g.Key.Date, g.Key.ProjectId, Spent = g.Sum(e => e.SpentDelta) }).ToListAsync(ct);
                return byProject.Select(r => (DateOnly.FromDateTime(r.Date), r.ProjectId?.ToString() ?? "", r.Spent)).ToList();
            default:
                var byModel = await spent.GroupBy(e => new { e.At.Date, e.Provider, e.Model })
                    .Select(g => new { g.Key.Date, g.Key.Provider, g.Key.Model, Spent = g.Sum(e => e.SpentDelta) }).ToListAsync(ct);
                return byModel.Select(r => (DateOnly.FromDateTime(r.Date), r.Provider is null ? "" : $"{r.Provider}/{r.Model}", r.Spent)).ToList();
        }
    }

    /// <summary>
    /// The chart's days: the period's, up to today while it runs, and any later day a take of it settled on
    /// (a take settles in the period it was reserved in, even after the reset).
    /// </summary>
    internal static IReadOnlyList<DateOnly> DaysOf(UsagePeriod period, DateOnly today, IEnumerable<DateOnly> withSpending)
    {
        var last = period.IsCurrent ? (today < period.LastDay ? today : period.LastDay) : period.LastDay;
        var first = period.Start;
        foreach (var day in withSpending)
        {
            last = day > last ? day : last;
            first = day < first ? day : first;
        }
        var days = new List<DateOnly>();
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            days.Add(day);
        }
        return days;
    }

    /// <summary>One series per key, biggest spender first; past <see cref="MaxSeries"/> the rest are summed into one.</summary>
    internal static IReadOnlyList<UsageSeries> Series(IEnumerable<(DateOnly Day, string Key, long Spent)> rows, IReadOnlyList<DateOnly> days,
        Func<string, string> nameOf, string restName)
    {
        var index = days.Select((day, i) => (day, i)).ToDictionary(d => d.day, d => d.i);
        var series = rows.GroupBy(r => r.Key)
            .Select(g =>
            {
                var perDay = new long[days.Count];
                foreach (var row in g)
                {
                    perDay[index[row.Day]] += row.Spent;
                }
                return new UsageSeries(g.Key, nameOf(g.Key), perDay);
            })
            .OrderByDescending(s => s.Total).ThenBy(s => s.Name, StringComparer.CurrentCultureIgnoreCase)
            .ToList();
        if (series.Count <= MaxSeries)
        {
            return series;
        }
        var rest = new long[days.Count];
        foreach (var small in series.Skip(MaxSeries - 1))
        {
            for (var i = 0; i < rest.Length; i++)
            {
                rest[i] += small.PerDay[i];
            }
        }
        return [.. series.Take(MaxSeries - 1), new UsageSeries("", restName, rest)];
    }

    internal static string ModelName(string key)
    {
        if (key.Length == 0)
        {
            return "No model";
        }
        var (provider, model) = (key[..key.IndexOf('/')], key[(key.IndexOf('/') + 1)..]);
        return $"{provider} · {VideoModels.Find(provider, model)?.DisplayName ?? model}";
    }

    /// <summary>Every period a member can pick: back to the team's first (at most two years), and any older one that has entries.</summary>
    private async Task<IReadOnlyList<UsagePeriod>> PeriodsAsync(StudioDbContext db, Guid teamId, int resetDay, DateTime createdAt, CancellationToken ct)
    {
        var current = CreditPeriods.StartOf(Now, resetDay);
        var first = CreditPeriods.StartOf(createdAt, resetDay);
        var starts = new SortedSet<DateOnly>();
        for (var start = current; start >= first && starts.Count < MaxComputedPeriods; start = start.AddMonths(-1))
        {
            starts.Add(start);
        }
        // Periods that started on an earlier reset day stay pickable after the day changes.
        starts.UnionWith(await db.CreditEntries.Where(e => e.TeamId == teamId).Select(e => e.PeriodStart).Distinct().ToListAsync(ct));
        return starts.Where(s => s <= current).Reverse().Select(s => new UsagePeriod(s, s == current)).ToList();
    }

    private async Task<(BalanceView Member, BalanceView Team)> BalancesAsync(StudioDbContext db, Guid teamId, string userId, UsagePeriod period, CancellationToken ct)
    {
        if (period.IsCurrent)
        {
            // The same reading as the app bar's chip, limits set now included.
            var now = await ledger.ForMemberAsync(teamId, userId, ct);
            return (now.Member, now.Team);
        }
        var rows = await db.CreditBalances.AsNoTracking()
            .Where(b => b.TeamId == teamId && b.PeriodStart == period.Start
                && (b.Scope == CreditScope.Team || (b.Scope == CreditScope.Member && b.ScopeKey == userId)))
            .ToListAsync(ct);
        BalanceView View(CreditScope scope) => rows.FirstOrDefault(r => r.Scope == scope) is { } row
            ? new BalanceView(scope, period.Start, row.LimitMillicredits, row.HeldMillicredits, row.SpentMillicredits)
            : new BalanceView(scope, period.Start, null, 0, 0); // Nothing was reserved then: no row, no limit recorded.
        return (View(CreditScope.Member), View(CreditScope.Team));
    }

    private static async Task<Dictionary<string, string>> MemberNamesAsync(StudioDbContext db, IEnumerable<string> keys, CancellationToken ct)
    {
        var ids = keys.Where(k => k.Length > 0).Distinct().ToList();
        return await db.Users.Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
    }

    private static async Task<Dictionary<string, string>> ProjectNamesAsync(StudioDbContext db, Guid teamId, IEnumerable<string> keys, CancellationToken ct)
    {
        var ids = keys.Where(k => k.Length > 0).Select(Guid.Parse).Distinct().ToList();
        var names = await db.Projects.Where(p => p.TeamId == teamId && ids.Contains(p.Id)).Select(p => new { p.Id, p.Name }).ToListAsync(ct);
        return names.ToDictionary(p => p.Id.ToString(), p => p.Name);
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}

/// <summary>
/// What the signed-in member can spend now in their current team, and what a second of each model costs: read together
/// by the app bar's <c>CreditChip</c> and cascaded by the layout to the page, so the composer's "leaves …" agrees with
/// the chip and follows it live.
/// </summary>
/// <param name="SandboxHolds">Sandbox takes hold and settle as if real (<see cref="CreditsOptions.ChargeSandbox"/>).</param>
public sealed record CreditsAtHand(Guid TeamId, MemberCredits Credits, IReadOnlyDictionary<(string Provider, string Model), long> PerSecond, bool SandboxHolds = false)
{
    /// <summary>What a take of <paramref name="seconds"/> would hold, in millicredits (null for a model not in the price list).</summary>
    public long? Estimate(string provider, string model, int seconds) =>
        PerSecond.TryGetValue((provider, model), out var perSecond) ? perSecond * seconds : null;
}
