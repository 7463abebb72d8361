using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Studio.Emulator.Shared;

namespace Studio.Emulator.Runware;

/// <summary>
/// The emulated Runware account: its tasks and its prepaid USD balance (charged the first time a task is seen
/// succeeded). Persisted to <c>{DataDirectory}/runware/tasks.json</c> on every change with <see cref="AtomicFile"/>'s
/// atomic write, data-URI first frames beside it in <c>runware/images/</c>; a restart renders again whatever
/// was unfinished and still delivers webhooks that were due. Tasks older than <see cref="Retention"/> are dropped.
/// </summary>
internal sealed class RunwareTaskStore
{
    public const decimal InitialBalanceUsd = 1000m;
    public const decimal UsdPerSecond = 0.12m;
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    private static readonly JsonSerializerOptions FileJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly ConcurrentDictionary<Guid, RunwareTask> _tasks = new();
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<EmulatorOptions> _options;
    private readonly ILogger<RunwareTaskStore> _logger;
    private readonly string _directory;
    private decimal _spentUsd;

    public RunwareTaskStore(TimeProvider time, IOptionsMonitor<EmulatorOptions> options, WorkQueue<RunwareTask> queue, ILogger<RunwareTaskStore> logger)
    {
        _time = time;
        _options = options;
        _logger = logger;
        _directory = Path.Combine(options.CurrentValue.DataDirectory, "runware");
        Load(queue);
    }

    public DateTimeOffset Now => _time.GetUtcNow();

    public decimal BalanceUsd
    {
        get
        {
            foreach (var task in _tasks.Values)
            {
                Observe(task);
            }

            lock (_gate)
            {
                return InitialBalanceUsd - _spentUsd;
            }
        }
    }

    private string FilePath => Path.Combine(_directory, "tasks.json");

    private string ImagePath(Guid taskUuid) => Path.Combine(_directory, "images", taskUuid.ToString("N") + ".img");

    /// <summary>Creates the task, or says why not: a taskUUID already used, or a balance that cannot pay for it.</summary>
    public (RunwareTask? Task, RunwareError? Error) Create(RunwareVideoRequest request, string publicBase)
    {
        var options = _options.CurrentValue;
        var task = new RunwareTask(request, Guid.NewGuid(), request.Seed ?? Random.Shared.NextInt64(1, int.MaxValue), publicBase, Now,
            TimeSpan.FromSeconds(options.PendingSeconds), TimeSpan.FromSeconds(options.RunningSeconds));
        if (BalanceUsd < task.CostUsd)
        {
            return (null, new RunwareError("insufficientCredits", "Insufficient credits. Add funds to your account to continue.", null, "videoInference",
                request.TaskUuid.ToString(), StatusCodes.Status402PaymentRequired));
        }

        if (!_tasks.TryAdd(task.TaskUuid, task))
        {
            return (null, new RunwareError("duplicateTaskUUID", "A task with this 'taskUUID' already exists. Each task needs a new UUID v4.", "taskUUID",
                "videoInference", request.TaskUuid.ToString()));
        }

        if (request.ImageBytes is { } bytes)
        {
            TryPersist(() => AtomicFile.Write(ImagePath(task.TaskUuid), bytes), "first frame of " + task.TaskUuid);
        }

        Save();
        return (task, null);
    }

    public RunwareTask? Find(Guid taskUuid) => _tasks.GetValueOrDefault(taskUuid);

    public RunwareTask? FindByVideo(Guid videoUuid) => _tasks.Values.FirstOrDefault(t => t.VideoUuid == videoUuid);

    /// <summary>The task's state now; the first look at a success charges the balance.</summary>
    public RunwareTaskView Observe(RunwareTask task)
    {
        var view = task.ViewAt(Now);
        if (view.State == RunwareTaskState.Success && task.TryMarkCharged())
        {
            lock (_gate)
            {
                _spentUsd += task.CostUsd;
            }

            Save();
        }

        return view;
    }

    public void Finished(RunwareTask task)
    {
        if (task.Request.ImageBytes is not null)
        {
            TryPersist(() => File.Delete(ImagePath(task.TaskUuid)), "first frame of " + task.TaskUuid);
        }

        Save();
    }

    public void WebhookDone(RunwareTask task)
    {
        if (task.TryMarkWebhookDone())
        {
            Save();
        }
    }

    public byte[]? ReadImage(Guid taskUuid)
    {
        try
        {
            return File.ReadAllBytes(ImagePath(taskUuid));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private void Save()
    {
        lock (_gate)
        {
            var document = new RunwareStoreDocument(1, _spentUsd, _tasks.Values.OrderBy(t => t.CreatedAt).Select(ToRecord).ToList());
            TryPersist(() => AtomicFile.WriteJson(FilePath, document, FileJson), FilePath);
        }
    }

    private RunwareTaskRecord ToRecord(RunwareTask t)
    {
        var r = t.Request;
        return new RunwareTaskRecord(t.TaskUuid, t.VideoUuid, r.Prompt, r.Width, r.Height, r.Duration, r.Seed, t.Seed, r.ImageUrl, r.ImageBytes is not null,
            r.WebhookUrl, r.IncludeCost, t.PublicBase, t.CreatedAt, t.Pending.TotalSeconds, t.Running.TotalSeconds, t.IsCharged, t.WebhookDone,
            t.OutputPath is { } output ? Path.GetRelativePath(_options.CurrentValue.DataDirectory, output) : null, t.Failure?.Code, t.Failure?.Message);
    }

    private void Load(WorkQueue<RunwareTask> queue)
    {
        RunwareStoreDocument? document;
        try
        {
            document = AtomicFile.ReadJson<RunwareStoreDocument>(FilePath, FileJson);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            _logger.LogError(ex, "Could not read the Runware emulator's tasks from {Path}; starting with none", FilePath);
            return;
        }

        if (document is null)
        {
            return;
        }

        _spentUsd = document.SpentUsd;
        foreach (var record in document.Tasks.Where(t => t.CreatedAt >= Now - Retention))
        {
            var image = record.HasImageBytes && record.Output is null && record.FailureCode is null ? ReadImage(record.TaskUuid) ?? [] : null;
            var request = new RunwareVideoRequest(record.TaskUuid, record.Prompt, record.Width, record.Height, record.Duration, record.RequestedSeed,
                record.ImageUrl, image, record.WebhookUrl, record.IncludeCost);
            var task = new RunwareTask(request, record.VideoUuid, record.Seed, record.PublicBase, record.CreatedAt,
                TimeSpan.FromSeconds(record.PendingSeconds), TimeSpan.FromSeconds(record.RunningSeconds));
            task.Restore(record.Charged, record.WebhookDone);
            var output = record.Output is { } relative ? Path.Combine(_options.CurrentValue.DataDirectory, relative) : null;
            if (record.FailureCode is { } code)
            {
                task.Fail(code, record.FailureMessage ?? code);
            }
            else if (output is not null && File.Exists(output))
            {
                task.Succeed(output);
            }

            _tasks[task.TaskUuid] = task;
            if (!task.IsFinished || (task.Request.WebhookUrl is not null && !task.WebhookDone))
            {
                queue.Enqueue(task);
            }
        }

        _logger.LogInformation("Runware emulator restored {Count} tasks from {Path}", _tasks.Count, FilePath);
    }

    private void TryPersist(Action action, string what)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogError(ex, "Runware emulator could not persist {What}; a restart may forget it", what);
        }
    }
}

internal sealed record RunwareStoreDocument(int Version, decimal SpentUsd, IReadOnlyList<RunwareTaskRecord> Tasks);

internal sealed record RunwareTaskRecord(
    Guid TaskUuid,
    Guid VideoUuid,
    string Prompt,
    int Width,
    int Height,
    int Duration,
    long? RequestedSeed,
    long Seed,
    string? ImageUrl,
    bool HasImageBytes,
    string? WebhookUrl,
    bool IncludeCost,
    string PublicBase,
    DateTimeOffset CreatedAt,
    double PendingSeconds,
    double RunningSeconds,
    bool Charged,
    bool WebhookDone,
    string? Output,
    string? FailureCode,
    string? FailureMessage);
