using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;

namespace Studio.Web.Features.Comments;

public sealed record NotificationView(Guid Id, Guid TeamId, string TeamName, string Text, string Link, DateTime CreatedAt, bool Read);

public sealed record NotificationInbox(IReadOnlyList<NotificationView> Recent, int Unread);

/// <summary>
/// A user's in-app notifications. Only notices of teams the user still belongs to are shown or counted: someone who
/// left or was removed no longer reads what happens there.
/// </summary>
public sealed class NotificationService(IDbContextFactory<StudioDbContext> dbFactory, ActivityNotifier activity, TimeProvider clock)
{
    public const int RecentCount = 20;

    public async Task<NotificationInbox> InboxAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var mine = Mine(db, userId);
        var unread = await mine.CountAsync(n => n.ReadAt == null, ct);
        var recent = await mine.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(RecentCount)
            .Select(n => new NotificationView(n.Id, n.TeamId, db.Teams.Where(t => t.Id == n.TeamId).Select(t => t.Name).FirstOrDefault() ?? "",
                n.Text, n.Link, n.CreatedAt, n.ReadAt != null))
            .ToListAsync(ct);
        return new NotificationInbox(recent, unread);
    }

    /// <summary>Marks one notice read; false when it is not the user's (or not shown to them).</summary>
    public async Task<bool> MarkReadAsync(string userId, Guid notificationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var found = await Mine(db, userId).AnyAsync(n => n.Id == notificationId, ct);
        if (found && await Mine(db, userId).Where(n => n.Id == notificationId && n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct) > 0)
        {
            await activity.NotificationsChangedAsync(userId);
        }
        return found;
    }

    public async Task<int> MarkAllReadAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = await Mine(db, userId).Where(n => n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
        if (changed > 0)
        {
            await activity.NotificationsChangedAsync(userId);
        }
        return changed;
    }

    private static IQueryable<Notification> Mine(StudioDbContext db, string userId) =>
        db.Notifications.Where(n => n.UserId == userId && db.TeamMembers.Any(m => m.TeamId == n.TeamId && m.UserId == userId));
}

public static class CommentsServiceCollectionExtensions
{
    public static WebApplicationBuilder AddComments(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ActivityNotifier>();
        builder.Services.AddSingleton<CommentService>();
        builder.Services.AddSingleton<NotificationService>();
        return builder;
    }
}
