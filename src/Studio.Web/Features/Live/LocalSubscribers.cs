namespace Studio.Web.Features.Live;

/// <summary>
/// The pages (Blazor circuits) of this instance that listen for one kind of event. Subscribing and leaving are cheap
/// and thread-safe; a handler that throws is logged and does not stop the others.
/// </summary>
public sealed class LocalSubscribers<T>(ILogger logger)
{
    private readonly Lock _gate = new();
    private Func<T, Task>[] _handlers = [];

    public IDisposable Subscribe(Func<T, Task> handler)
    {
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
        }
        return new Subscription(this, handler);
    }

    public async Task PublishAsync(T item)
    {
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            try
            {
                await handler(item);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "A page failed to take {Event}", item);
            }
        }
    }

    private void Unsubscribe(Func<T, Task> handler)
    {
        lock (_gate)
        {
            _handlers = [.. _handlers.Where(h => h != handler)];
        }
    }

    private sealed class Subscription(LocalSubscribers<T> owner, Func<T, Task> handler) : IDisposable
    {
        public void Dispose() => owner.Unsubscribe(handler);
    }
}
