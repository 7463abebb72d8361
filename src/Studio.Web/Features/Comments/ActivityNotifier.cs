using Studio.Web.Features.Live;

namespace Studio.Web.Features.Comments;

public sealed record CommentsChanged(Guid TeamId, Guid GenerationId);

/// <summary>Tells the open pages of this instance that a take's comments or a user's notifications changed.</summary>
public sealed class ActivityNotifier(ILogger<ActivityNotifier> logger)
{
    private readonly LocalSubscribers<CommentsChanged> _comments = new(logger);
    private readonly LocalSubscribers<string> _notifications = new(logger);

    public IDisposable OnComments(Func<CommentsChanged, Task> handler) => _comments.Subscribe(handler);

    /// <summary>The handler gets the id of the user whose notifications changed.</summary>
    public IDisposable OnNotifications(Func<string, Task> handler) => _notifications.Subscribe(handler);

    public Task CommentsChangedAsync(CommentsChanged change) => _comments.PublishAsync(change);

    public Task NotificationsChangedAsync(string userId) => _notifications.PublishAsync(userId);
}
