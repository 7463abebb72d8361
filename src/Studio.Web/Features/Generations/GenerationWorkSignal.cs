namespace Studio.Web.Features.Generations;

/// <summary>Lets a submit wake the worker at once instead of waiting for its next tick.</summary>
public sealed class GenerationWorkSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
