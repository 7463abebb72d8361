using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;

namespace Studio.Web.Features.Audit;

public sealed record AuditRow(long Id, string ActorName, string Action, string? TargetId, string Summary, DateTime At);

/// <summary>
/// Writes and reads a team's audit log. <see cref="Add"/> puts the entry into the caller's unit of work, so the
/// entry is saved together with the change it describes, or not at all.
/// </summary>
public sealed class AuditLog(IDbContextFactory<StudioDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxSummaryLength = 500;

    public void Add(StudioDbContext db, Guid teamId, string? actorUserId, string actorName, string action, string? targetId, string summary) =>
        db.AuditEntries.Add(new AuditEntry
        {
            TeamId = teamId,
            ActorUserId = actorUserId,
            ActorName = actorName.Length > 100 ? actorName[..100] : actorName,
            Action = action,
            TargetId = targetId,
            Summary = summary.Length > MaxSummaryLength ? summary[..(MaxSummaryLength - 1)] + "…" : summary,
            At = clock.GetUtcNow().UtcDateTime,
        });

    /// <summary>Like <see cref="Add"/>, looking up the actor's display name first.</summary>
    public async Task AddAsync(StudioDbContext db, Guid teamId, string? actorUserId, string action, string? targetId, string summary, CancellationToken ct)
    {
        var name = actorUserId is null ? "Studio" : await db.Users.Where(u => u.Id == actorUserId).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) ?? "someone";
        Add(db, teamId, actorUserId, name, action, targetId, summary);
    }

    /// <summary>Records one entry on its own (for changes saved elsewhere, e.g. by ExecuteUpdate).</summary>
    public async Task RecordAsync(Guid teamId, string? actorUserId, string action, string? targetId, string summary, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await AddAsync(db, teamId, actorUserId, action, targetId, summary, ct);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Newest first, a page at a time; optionally only one kind of action (prefix, e.g. "member.").</summary>
    public async Task<IReadOnlyList<AuditRow>> ReadAsync(Guid teamId, long? before, int take, string? actionPrefix, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.AuditEntries.AsNoTracking().Where(a => a.TeamId == teamId);
        if (before is { } id)
        {
            query = query.Where(a => a.Id < id);
        }
        if (!string.IsNullOrEmpty(actionPrefix))
        {
            query = query.Where(a => a.Action.StartsWith(actionPrefix));
        }
        return await query.OrderByDescending(a => a.Id).Take(take)
            .Select(a => new AuditRow(a.Id, a.ActorName, a.Action, a.TargetId, a.Summary, a.At))
            .ToListAsync(ct);
    }
}
