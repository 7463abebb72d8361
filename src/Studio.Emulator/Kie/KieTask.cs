namespace Studio.Emulator.Kie;

/// <summary>What was asked for: a generate (no parent) or an extend (with <see cref="ParentTaskId"/>).</summary>
/// <param name="AspectRatio">The requested label; null when <see cref="ImageUrl"/> decides it.</param>
/// <param name="PublicBase">scheme://host[/pathBase] the request came in on, so URLs in callbacks work from the caller's side.</param>
internal sealed record KieTaskRequest(
    string Prompt,
    int Duration,
    string Quality,
    string? AspectRatio,
    string? ImageUrl,
    string? WaterMark,
    string? CallBackUrl,
    string? ParentTaskId,
    string PublicBase);

/// <summary>
/// One kie task. Its state is computed from the clock and the work done: <c>wait</c> for the first half of
/// PendingSeconds, <c>queueing</c> for the second, then <c>generating</c> until RunningSeconds have passed and the
/// render is done (<c>success</c>), or <c>fail</c> once the image fetch or the render failed.
/// </summary>
internal sealed class KieTask(string id, KieTaskRequest request, DateTimeOffset createdAt, TimeSpan pending, TimeSpan running)
{
    private readonly Lock _gate = new();
    private string? _outputPath;
    private int? _failCode;
    private string? _failMsg;
    private string? _resolvedAspect = request.AspectRatio;
    private bool _callbackSent;

    public string Id { get; } = id;

    public KieTaskRequest Request { get; } = request;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public TimeSpan Pending { get; } = pending;

    public TimeSpan Running { get; } = running;

    /// <summary>The first frame's bytes while the emulator runs (not persisted: a restart fetches the URL again).</summary>
    public byte[]? ImageBytes { get; set; }

    public string? OutputPath { get { lock (_gate) { return _outputPath; } } }

    public int? FailCode { get { lock (_gate) { return _failCode; } } }

    public string? FailMsg { get { lock (_gate) { return _failMsg; } } }

    /// <summary>The aspect label the video was made in: the requested one, or the one nearest the first frame's shape.</summary>
    public string? ResolvedAspect { get { lock (_gate) { return _resolvedAspect; } } }

    public bool CallbackSent { get { lock (_gate) { return _callbackSent; } } }

    public bool IsWorkDone { get { lock (_gate) { return _outputPath is not null || _failCode is not null; } } }

    /// <summary>When the state becomes final if the work is done by then.</summary>
    public DateTimeOffset TerminalAt => FailCode is not null ? CreatedAt + Pending : CreatedAt + Pending + Running;

    public string StateAt(DateTimeOffset now)
    {
        var elapsed = now - CreatedAt;
        if (elapsed < Pending / 2)
        {
            return "wait";
        }
        if (elapsed < Pending)
        {
            return "queueing";
        }
        lock (_gate)
        {
            if (_failCode is not null)
            {
                return "fail";
            }
            return elapsed < Pending + Running || _outputPath is null ? "generating" : "success";
        }
    }

    public void Resolve(string aspect)
    {
        lock (_gate)
        {
            _resolvedAspect = aspect;
        }
    }

    public bool Succeed(string outputPath)
    {
        lock (_gate)
        {
            if (_outputPath is not null || _failCode is not null)
            {
                return false;
            }
            _outputPath = outputPath;
            return true;
        }
    }

    public bool Fail(int code, string message)
    {
        lock (_gate)
        {
            if (_outputPath is not null || _failCode is not null)
            {
                return false;
            }
            (_failCode, _failMsg) = (code, message);
            return true;
        }
    }

    public void MarkCallbackSent()
    {
        lock (_gate)
        {
            _callbackSent = true;
        }
    }

    /// <summary>Restores persisted progress before anyone else can see the task.</summary>
    public void Restore(string? aspect, string? outputPath, int? failCode, string? failMsg, bool callbackSent)
    {
        lock (_gate)
        {
            (_resolvedAspect, _outputPath, _failCode, _failMsg, _callbackSent) = (aspect ?? _resolvedAspect, outputPath, failCode, failMsg, callbackSent);
        }
    }
}
