namespace Studio.Emulator.Runware;

/// <summary>What a task looks like at one instant: Runware only says processing, success or error.</summary>
internal sealed record RunwareTaskView(RunwareTaskState State, string? OutputPath = null, string? ErrorCode = null, string? ErrorMessage = null);

internal enum RunwareTaskState
{
    Processing,
    Success,
    Error,
}

/// <summary>A task failure as Runware reports it in <c>errors[]</c>.</summary>
internal sealed class RunwareTaskFailure(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>
/// One videoInference task, keyed by the client's taskUUID. Its state is derived, like the Runway emulator's:
/// processing for <c>PendingSeconds + RunningSeconds</c> and until the render has finished, then success;
/// a failed render or image fetch shows as an error once <c>PendingSeconds</c> have passed.
/// </summary>
internal sealed class RunwareTask(
    RunwareVideoRequest request, Guid videoUuid, long seed, string publicBase, DateTimeOffset createdAt, TimeSpan pending, TimeSpan running)
{
    private readonly TaskCompletionSource<string> _render = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _charged;
    private int _webhookDone;

    public Guid TaskUuid => Request.TaskUuid;

    /// <summary>The request; a data-URI image's bytes are dropped once rendered (they are kept on disk until then).</summary>
    public RunwareVideoRequest Request { get; } = request;

    public Guid VideoUuid { get; } = videoUuid;

    /// <summary>The seed used: the requested one or a random one, echoed in the result like Runware does.</summary>
    public long Seed { get; } = seed;

    /// <summary>Scheme, host and path base the task was created on, for the video URL in its webhook.</summary>
    public string PublicBase { get; } = publicBase;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public TimeSpan Pending { get; } = pending;

    public TimeSpan Running { get; } = running;

    /// <summary>When the task may first report success.</summary>
    public DateTimeOffset DoneAt => CreatedAt + Pending + Running;

    /// <summary>US$0.12 per second ($0.60 per 5 s clip, PROVIDERS.md §3.5).</summary>
    public decimal CostUsd => Math.Round(RunwareTaskStore.UsdPerSecond * Request.Duration, 3);

    public bool IsCharged => Volatile.Read(ref _charged) == 1;

    public bool WebhookDone => Volatile.Read(ref _webhookDone) == 1;

    public bool IsFinished => _render.Task.IsCompleted;

    public string? OutputPath => _render.Task.IsCompletedSuccessfully ? _render.Task.Result : null;

    public RunwareTaskFailure? Failure => _render.Task.IsFaulted ? _render.Task.Exception!.InnerException as RunwareTaskFailure : null;

    public bool Succeed(string outputPath) => _render.TrySetResult(outputPath);

    public bool Fail(string code, string message) => _render.TrySetException(new RunwareTaskFailure(code, message));

    public bool TryMarkCharged() => Interlocked.Exchange(ref _charged, 1) == 0;

    public bool TryMarkWebhookDone() => Interlocked.Exchange(ref _webhookDone, 1) == 0;

    public void Restore(bool charged, bool webhookDone)
    {
        _charged = charged ? 1 : 0;
        _webhookDone = webhookDone ? 1 : 0;
    }

    public RunwareTaskView ViewAt(DateTimeOffset now)
    {
        if (Failure is { } failure && now - CreatedAt >= Pending)
        {
            return new(RunwareTaskState.Error, ErrorCode: failure.Code, ErrorMessage: failure.Message);
        }

        return now >= DoneAt && OutputPath is { } path ? new(RunwareTaskState.Success, path) : new(RunwareTaskState.Processing);
    }
}
