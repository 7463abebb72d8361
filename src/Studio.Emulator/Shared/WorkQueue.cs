using System.Threading.Channels;

namespace Studio.Emulator.Shared;

/// <summary>Work waiting for a provider's background worker: unbounded, many writers, one reader.</summary>
internal sealed class WorkQueue<T>
{
    private readonly Channel<T> _channel = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(T item)
    {
        if (!_channel.Writer.TryWrite(item))
        {
            throw new InvalidOperationException($"The {typeof(T).Name} queue is closed.");
        }
    }

    public IAsyncEnumerable<T> ReadAllAsync(CancellationToken ct) => _channel.Reader.ReadAllAsync(ct);
}
