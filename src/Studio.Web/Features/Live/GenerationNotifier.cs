using Microsoft.AspNetCore.SignalR;

namespace Studio.Web.Features.Live;

/// <summary>
/// Fans every persisted change out to the Blazor circuits of this instance (in-process subscribers)
/// and to hub clients (<c>/hubs/studio</c>, grouped by team).
/// </summary>
public sealed class GenerationNotifier(IHubContext<StudioHub> hub, ILogger<GenerationNotifier> logger)
{
    private readonly LocalSubscribers<GenerationChanged> _pages = new(logger);

    public IDisposable Subscribe(Func<GenerationChanged, Task> handler) => _pages.Subscribe(handler);

    public async Task PublishAsync(GenerationChanged change)
    {
        await _pages.PublishAsync(change);
        try
        {
            await hub.Clients.Group(StudioHub.TeamGroup(change.TeamId)).SendAsync(StudioHub.GenerationChangedMethod, change);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not broadcast generation change {GenerationId} to hub clients", change.GenerationId);
        }
    }
}
