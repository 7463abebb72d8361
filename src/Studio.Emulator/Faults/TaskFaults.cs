namespace Studio.Emulator.Faults;

/// <summary>A refusal of a request by a fault: 429 (with Retry-After), a 5xx, or the provider's insufficient-balance answer.</summary>
internal sealed record FaultAnswer(FaultAnswerKind Kind, int Status, int? RetryAfterSeconds = null)
{
    /// <summary>Sets <c>Retry-After</c> when the fault has one; call before returning the provider's error shape.</summary>
    public void ApplyHeaders(HttpResponse response)
    {
        if (RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}

internal enum FaultAnswerKind
{
    RateLimited,
    ServerError,
    InsufficientBalance,
}

internal enum DownloadFault
{
    None,
    /// <summary>403, like an expired CDN link.</summary>
    Expired,
    /// <summary>Full Content-Length, half the bytes, then silence for a while, then the connection is aborted.</summary>
    Stall,
    /// <summary>Full Content-Length, half the bytes, then the connection is closed.</summary>
    Truncate,
}

/// <summary>The fault state of one task: its plan and how much of each counted fault it has used.</summary>
internal sealed class TaskFaults(string provider, string taskId, FaultPlan plan)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _used = new(StringComparer.Ordinal);
    private readonly HashSet<string> _expiredLinks = new(StringComparer.Ordinal);
    private int _linkGeneration;

    public string Provider { get; } = provider;

    public string TaskId { get; } = taskId;

    public FaultPlan Plan { get; } = plan;

    /// <summary>How many output links were expired by <c>output-403</c>; added (in seconds) to the expiry of new links so each re-read gives a new one.</summary>
    public int LinkGeneration
    {
        get
        {
            lock (_gate)
            {
                return _linkGeneration;
            }
        }
    }

    public bool Moderation => Plan.Has(FaultModes.Moderation);

    /// <summary>How long the task reports THROTTLED before its normal timeline starts (Runway), zero without the mode.</summary>
    public TimeSpan Throttled => Plan.Find(FaultModes.Throttled)?.Seconds("seconds", 60) ?? TimeSpan.Zero;

    public TimeSpan CallbackDelay => Plan.Find(FaultModes.CallbackDelay)?.Seconds("seconds", 5) ?? TimeSpan.Zero;

    public int CallbackTimes => Plan.Find(FaultModes.CallbackDuplicate) is { } mode ? Math.Max(1, mode.Integer("times", 3)) : 1;

    public bool CallbackOutOfOrder => Plan.Has(FaultModes.CallbackOutOfOrder);

    /// <summary>The fault for this status read, if any: <c>status-429</c> and <c>status-5xx</c>, in directive order, each for its first <c>count</c> reads.</summary>
    public FaultAnswer? NextStatusRead()
    {
        foreach (var mode in Plan.Modes)
        {
            switch (mode.Name)
            {
                case FaultModes.Status429 when TryUse(mode, mode.Integer("count", 1)):
                    return new FaultAnswer(FaultAnswerKind.RateLimited, StatusCodes.Status429TooManyRequests, mode.Integer("retryAfter", 1));
                case FaultModes.Status5xx when TryUse(mode, mode.Integer("count", 1)):
                    return new FaultAnswer(FaultAnswerKind.ServerError, FaultRegistry.ServerErrorStatus(mode));
            }
        }

        return null;
    }

    /// <summary>
    /// The fault for this download of the output. A link that <c>output-403</c> expired stays expired; HEAD requests
    /// (<paramref name="consume"/> false) use up nothing.
    /// </summary>
    public DownloadFault NextDownload(string? exp, bool consume)
    {
        lock (_gate)
        {
            if (exp is not null && _expiredLinks.Contains(exp))
            {
                return DownloadFault.Expired;
            }
        }

        if (!consume)
        {
            return DownloadFault.None;
        }

        foreach (var mode in Plan.Modes)
        {
            switch (mode.Name)
            {
                case FaultModes.Output403 when TryUse(mode, mode.Integer("count", 1)):
                    lock (_gate)
                    {
                        if (exp is not null)
                        {
                            _expiredLinks.Add(exp);
                        }

                        _linkGeneration++;
                    }

                    return DownloadFault.Expired;
                case FaultModes.OutputStall when TryUse(mode, mode.Integer("count", 1)):
                    return DownloadFault.Stall;
                case FaultModes.OutputTruncate when TryUse(mode, mode.Integer("count", 1)):
                    return DownloadFault.Truncate;
            }
        }

        return DownloadFault.None;
    }

    /// <summary>Largest <c>output-size</c>: 4 GiB is more than any test needs, and a slip of the finger cannot ask for a terabyte.</summary>
    public const double MaxOutputSizeMb = 4096;

    /// <summary>
    /// What every download of the output should weigh with <c>output-size(mb)</c> (fractions allowed, default 100, at most
    /// 4096): <c>mb</c> × 1 MiB; null without the mode. Not counted: it applies to every download, HEAD included.
    /// </summary>
    public long? OutputSizeBytes => Plan.Find(FaultModes.OutputSize) is { } mode
        ? (long)Math.Round(Math.Min(mode.Number("mb", 100), MaxOutputSizeMb) * 1024 * 1024)
        : null;

    public TimeSpan StallFor => Plan.Find(FaultModes.OutputStall)?.Seconds("seconds", 30) ?? TimeSpan.Zero;

    private bool TryUse(FaultMode mode, int limit)
    {
        lock (_gate)
        {
            var used = _used.GetValueOrDefault(mode.Name);
            if (used >= limit)
            {
                return false;
            }

            _used[mode.Name] = used + 1;
            return true;
        }
    }
}
