namespace Studio.Emulator.Runway;

internal enum RunwayTaskStatus
{
    Pending,
    Running,
    Succeeded,
    Failed,
}

/// <summary>Why a task is no longer visible: cancelled while PENDING/RUNNING, or deleted once finished.</summary>
internal enum RunwayTaskRemoval
{
    None,
    Cancelled,
    Deleted,
}

/// <summary>What a task looks like at one instant; its status is derived from the clock and the render.</summary>
internal sealed record RunwayTaskView(RunwayTaskStatus Status, double Progress, string? OutputPath, string? Failure);

/// <summary>
/// One generation task. Its status is not stored but computed: PENDING for <c>PendingSeconds</c>, then RUNNING
/// with progress growing over <c>RunningSeconds</c>, then SUCCEEDED once that time has passed and the render
/// has finished (or FAILED if the render failed).
/// </summary>
internal sealed class RunwayTask
{
    private readonly TaskCompletionSource<string> _render = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _cancellation = new();
    private int _charged;
    private int _removal;

    public RunwayTask(Guid id, RunwayGenerationRequest request, long seed, DateTimeOffset createdAt, TimeSpan pending, TimeSpan running)
    {
        Id = id;
        Request = request;
        Seed = seed;
        CreatedAt = createdAt;
        Pending = pending;
        Running = running;
    }

    public Guid Id { get; }

    public RunwayGenerationRequest Request { get; }

    /// <summary>The seed the picture is drawn with: the requested one, or a random one (never reported, like Runway).</summary>
    public long Seed { get; }

    public DateTimeOffset CreatedAt { get; }

    public TimeSpan Pending { get; }

    public TimeSpan Running { get; }

    public int Credits => Request.Model.CreditsPerSecond * Request.DurationSeconds;

    /// <summary>Cancelled when the task is cancelled or deleted, so its render stops.</summary>
    public CancellationToken CancellationToken => _cancellation.Token;

    /// <summary>Cancelled or deleted (the store keeps it as a tombstone so a restart does not bring it back).</summary>
    public RunwayTaskRemoval Removal => (RunwayTaskRemoval)Volatile.Read(ref _removal);

    public bool IsCharged => Volatile.Read(ref _charged) == 1;

    /// <summary>The finished MP4, once the render succeeded.</summary>
    public string? OutputPath => _render.Task.IsCompletedSuccessfully ? _render.Task.Result : null;

    /// <summary>Why the render failed, once it has.</summary>
    public string? RenderFailure => _render.Task.IsFaulted ? _render.Task.Exception!.InnerException!.Message : null;

    /// <summary>True when this call completed the render (false when it had already finished or was cancelled).</summary>
    public bool RenderSucceeded(string outputPath) => _render.TrySetResult(outputPath);

    public bool RenderFailed(string failure) => _render.TrySetException(new InvalidOperationException(failure));

    /// <summary>Marks the task removed; true exactly once, for the caller that removed it.</summary>
    public bool TryRemove(RunwayTaskRemoval removal) =>
        Interlocked.CompareExchange(ref _removal, (int)removal, (int)RunwayTaskRemoval.None) == (int)RunwayTaskRemoval.None;

    public void Cancel()
    {
        _cancellation.Cancel();
        _render.TrySetCanceled();
    }

    public RunwayTaskView ViewAt(DateTimeOffset now)
    {
        var elapsed = now - CreatedAt;
        if (elapsed < Pending)
        {
            return new(RunwayTaskStatus.Pending, 0, null, null);
        }

        if (_render.Task.IsFaulted)
        {
            return new(RunwayTaskStatus.Failed, 0, null, _render.Task.Exception!.InnerException!.Message);
        }

        var runningFor = elapsed - Pending;
        if (runningFor < Running || !_render.Task.IsCompletedSuccessfully)
        {
            // Held just below 1 while the render lags behind the clock.
            var fraction = Running <= TimeSpan.Zero ? 0.99 : Math.Min(0.99, runningFor / Running);
            return new(RunwayTaskStatus.Running, Math.Round(fraction, 2), null, null);
        }

        return new(RunwayTaskStatus.Succeeded, 1, _render.Task.Result, null);
    }

    /// <summary>True exactly once, for the caller that should charge this task's credits.</summary>
    public bool TryMarkCharged() => Interlocked.Exchange(ref _charged, 1) == 0;

    /// <summary>Restores a task's state as it was persisted, before anyone else can see it.</summary>
    public void Restore(bool charged, RunwayTaskRemoval removal)
    {
        _charged = charged ? 1 : 0;
        _removal = (int)removal;
    }
}
