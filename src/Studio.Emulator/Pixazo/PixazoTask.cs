using System.Globalization;

namespace Studio.Emulator.Pixazo;

/// <summary>A generate request that passed validation (PROVIDERS.md §2.2).</summary>
/// <param name="WebhookUrl">From <c>X-Webhook-URL</c>; null when the client polls.</param>
/// <param name="WebhookMode"><c>terminal</c> (one POST at the end) or <c>sync</c> (a POST on every status change too).</param>
internal sealed record PixazoRequest(
    string Prompt,
    string? ImageUrl,
    int Duration,
    string AspectRatio,
    long? Seed,
    string? WebhookUrl,
    string WebhookMode)
{
    public (int Width, int Height) Size() => PixazoRules.Sizes[AspectRatio];
}

internal static class PixazoStatus
{
    public const string Queued = "QUEUED";
    public const string Processing = "PROCESSING";
    public const string Completed = "COMPLETED";
    public const string Failed = "FAILED";
    public const string Error = "ERROR";

    public static bool IsTerminal(string status) => status is Completed or Failed or Error;
}

/// <summary>What a task looks like at one instant.</summary>
internal sealed record PixazoTaskView(string Status, string? OutputPath, string? Error, DateTimeOffset UpdatedAt, DateTimeOffset? CompletedAt);

/// <summary>
/// One request. Like the Runway emulator's tasks its status is computed, not stored: QUEUED for
/// <c>PendingSeconds</c>, PROCESSING until <c>RunningSeconds</c> have passed and the render is done, then
/// COMPLETED; FAILED when the input image could not be fetched, ERROR when the render broke (not charged).
/// </summary>
internal sealed class PixazoTask(string id, PixazoRequest request, long seed, DateTimeOffset createdAt, TimeSpan pending, TimeSpan running, string baseUrl)
{
    private readonly Lock _gate = new();
    private string? _outputPath;
    private string? _failureStatus;
    private string? _failure;
    private DateTimeOffset? _finishedAt;
    private string? _lastDelivered;

    public string Id { get; } = id;

    public PixazoRequest Request { get; } = request;

    /// <summary>The seed the picture is drawn with: the requested one or a random one.</summary>
    public long Seed { get; } = seed;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public TimeSpan Pending { get; } = pending;

    public TimeSpan Running { get; } = running;

    /// <summary><c>scheme://host[/pathBase]</c> of the submit request: webhook payloads carry output URLs on it.</summary>
    public string BaseUrl { get; } = baseUrl;

    public bool IsRendered
    {
        get
        {
            lock (_gate)
            {
                return _outputPath is not null || _failure is not null;
            }
        }
    }

    /// <summary>The last status sent to the webhook (sync mode sends each change; terminal mode only the last).</summary>
    public string? LastDelivered
    {
        get
        {
            lock (_gate)
            {
                return _lastDelivered;
            }
        }
    }

    public bool Succeed(string outputPath, DateTimeOffset at) => Finish(() => _outputPath = outputPath, at);

    public bool Fail(string status, string error, DateTimeOffset at) => Finish(() => (_failureStatus, _failure) = (status, error), at);

    /// <summary>Claims the delivery of <paramref name="status"/>; false when it was already sent.</summary>
    public bool TryClaimDelivery(string status)
    {
        lock (_gate)
        {
            if (_lastDelivered == status)
            {
                return false;
            }
            _lastDelivered = status;
            return true;
        }
    }

    public PixazoTaskView ViewAt(DateTimeOffset now)
    {
        lock (_gate)
        {
            var startedAt = CreatedAt + Pending;
            if (now < startedAt)
            {
                return new(PixazoStatus.Queued, null, null, CreatedAt, null);
            }
            if (_failure is not null)
            {
                var failedAt = Max(_finishedAt!.Value, startedAt);
                return new(_failureStatus!, null, _failure, failedAt, failedAt);
            }
            var dueAt = startedAt + Running;
            if (now < dueAt || _outputPath is null)
            {
                return new(PixazoStatus.Processing, null, null, startedAt, null);
            }
            var doneAt = Max(_finishedAt!.Value, dueAt);
            return new(PixazoStatus.Completed, _outputPath, null, doneAt, doneAt);
        }
    }

    public PixazoTaskRecord ToRecord(string dataDirectory)
    {
        lock (_gate)
        {
            return new(Id, Request, Seed, CreatedAt, Pending.TotalSeconds, Running.TotalSeconds, BaseUrl,
                _outputPath is null ? null : Path.GetRelativePath(dataDirectory, _outputPath), _failureStatus, _failure, _finishedAt, _lastDelivered);
        }
    }

    public static PixazoTask FromRecord(PixazoTaskRecord record, string dataDirectory)
    {
        var task = new PixazoTask(record.Id, record.Request, record.Seed, record.CreatedAt,
            TimeSpan.FromSeconds(record.PendingSeconds), TimeSpan.FromSeconds(record.RunningSeconds), record.BaseUrl);
        task._lastDelivered = record.LastDelivered;
        task._finishedAt = record.FinishedAt;
        if (record.Failure is not null)
        {
            (task._failureStatus, task._failure) = (record.FailureStatus ?? PixazoStatus.Error, record.Failure);
        }
        else if (record.Output is { } output && File.Exists(Path.Combine(dataDirectory, output)))
        {
            task._outputPath = Path.Combine(dataDirectory, output);
        }
        return task;
    }

    private bool Finish(Action set, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (_outputPath is not null || _failure is not null)
            {
                return false;
            }
            set();
            _finishedAt = at;
            return true;
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}

/// <summary>One task as persisted in <c>{DataDirectory}/pixazo/tasks.json</c>.</summary>
/// <param name="Output">The rendered MP4 relative to the data directory; null until rendered (or when the file is gone: rendered again).</param>
internal sealed record PixazoTaskRecord(
    string Id,
    PixazoRequest Request,
    long Seed,
    DateTimeOffset CreatedAt,
    double PendingSeconds,
    double RunningSeconds,
    string BaseUrl,
    string? Output,
    string? FailureStatus,
    string? Failure,
    DateTimeOffset? FinishedAt,
    string? LastDelivered);

/// <summary>What the gateway accepts for Runway Gen-4.5, and its wire formats.</summary>
internal static class PixazoRules
{
    public const string ModelId = "runway-gen-4-5";
    public const string ModelVersion = "gen-4.5";
    public const int MaxPromptLength = 1000; // Pixazo's own limit is unknown; upstream Runway's is 1000
    public const long MaxSeed = 4_294_967_295;
    public const int DefaultDuration = 5; // unknown at Pixazo; Runway's usual default
    public const string DefaultAspectRatio = "16:9";

    /// <summary>The aspect labels and the Runway output size each stands for (PROVIDERS.md §2.2, inferred mapping).</summary>
    public static readonly IReadOnlyDictionary<string, (int Width, int Height)> Sizes = new Dictionary<string, (int, int)>
    {
        ["16:9"] = (1280, 720),
        ["9:16"] = (720, 1280),
        ["4:3"] = (1104, 832),
        ["3:4"] = (832, 1104),
        ["1:1"] = (960, 960),
        ["21:9"] = (1584, 672),
    };

    /// <summary>Upstream Runway renders text-only Gen-4.5 only in landscape and portrait.</summary>
    public static readonly IReadOnlyList<string> TextOnlyRatios = ["16:9", "9:16"];

    public static readonly int[] Durations = [5, 10];

    /// <summary>ISO-8601 with milliseconds and Z, as in <c>created_at</c>.</summary>
    public static string IsoTimestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Zone-less <c>YYYY-MM-DD HH:MM:SS</c> (UTC), as in <c>updated_at</c> and <c>completed_at</c>.</summary>
    public static string PlainTimestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
