using Studio.Web.Features.Live;

namespace Studio.Web.Features.Storyboards;

public sealed record StoryboardChanged(Guid StoryboardId, Guid TeamId, Guid ProjectId, double? CutProgress = null);

/// <summary>Tells the open pages of this instance that a storyboard changed (a shot edited, a take selected, a cut's progress).</summary>
public sealed class StoryboardNotifier(ILogger<StoryboardNotifier> logger)
{
    private readonly LocalSubscribers<StoryboardChanged> _subscribers = new(logger);

    public IDisposable Subscribe(Func<StoryboardChanged, Task> handler) => _subscribers.Subscribe(handler);

    public Task PublishAsync(StoryboardChanged change) => _subscribers.PublishAsync(change);
}
