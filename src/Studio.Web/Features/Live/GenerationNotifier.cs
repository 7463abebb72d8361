using Microsoft.AspNetCore.SignalR;

namespace Studio.Web.Features.Live;

/// <summary>
/// Fans every persisted change out to the Blazor circuits of this instance (in-process subscribers)
/// and to hub clients (<c>/hubs/studio</c>, grouped by team).
/// </summary>
public sealed class GenerationNotifier(IHubContext<StudioHub> hub, ILogger<GenerationNotifier> logger)
{
    private readonly Lock _gate = new();
    private ImmutableSubscribers _subscribers = new([]);

    public IDisposable Subscribe(Func<GenerationChanged, Task> handler)
    {
        lock (_gate)
        {
            _subscribers = new([.. _subscribers.Handlers, handler]);
        }
        return new Subscription(this, handler);
    }

    public async Task PublishAsync(GenerationChanged change)
    {
        foreach (var handler in _subscribers.Handlers)
        {
            try
            {
                await handler(change);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "A page failed to take generation change {GenerationId} v{Version}", change.GenerationId, change.Version);
            }
        }
        try
        {
            await hub.Clients.Group(StudioHub.TeamGroup(change.TeamId)).SendAsync(StudioHub.GenerationChangedMethod, change);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not broadcast generation change {GenerationId} to hub clients", change.GenerationId);
        }
    }

    private void Unsubscribe(Func<GenerationChanged, Task> handler)
    {
        lock (_gate)
        {
            _subscribers = new([.. _subscribers.Handlers.Where(h => h != handler)]);
        }
    }

    private sealed record ImmutableSubscribers(Func<GenerationChanged, Task>[] Handlers);

    private sealed class Subscription(GenerationNotifier owner, Func<GenerationChanged, Task> handler) : IDisposable
    {
        public void Dispose() => owner.Unsubscribe(handler);
    }
}
