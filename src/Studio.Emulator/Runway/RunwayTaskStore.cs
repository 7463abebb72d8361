using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Studio.Emulator.Shared;

namespace Studio.Emulator.Runway;

/// <summary>
/// The emulated organization: its tasks, credit balance and daily usage. Credits are charged the first time a
/// task is seen SUCCEEDED. Everything is persisted to <c>{DataDirectory}/runway/tasks.json</c> on every change
/// and loaded at start-up, so a restarted emulator still knows its tasks (and renders again any whose video is
/// missing). Tasks older than <see cref="Retention"/> are dropped at load.
/// </summary>
internal sealed class RunwayTaskStore
{
    public const long InitialCreditBalance = 100_000;
    public const long MaxMonthlyCreditSpend = 100_000;

    /// <summary>How long tasks are kept across restarts.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    private const string LostFirstFrameFailure = "An internal error occurred while generating the video.";

    // Cancelled and deleted tasks stay here as tombstones (invisible to the API) until they are pruned.
    private readonly ConcurrentDictionary<Guid, RunwayTask> _tasks = new();
    private readonly ConcurrentQueue<(DateTimeOffset At, string Model)> _generations = new();
    private readonly Lock _saveGate = new();
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<EmulatorOptions> _options;
    private readonly ILogger<RunwayTaskStore> _logger;
    private readonly string _dataDirectory;
    private readonly RunwayTaskFile _file;
    private long _spentCredits;

    public RunwayTaskStore(
        TimeProvider time, IOptionsMonitor<EmulatorOptions> options, WorkQueue<RunwayTask> renderQueue, ILogger<RunwayTaskStore> logger)
    {
        _time = time;
        _options = options;
        _logger = logger;
        _dataDirectory = options.CurrentValue.DataDirectory;
        _file = new RunwayTaskFile(Path.Combine(_dataDirectory, "runway"));
        Load(renderQueue);
    }

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <param name="throttled">How long before the normal PENDING time starts (a fault: the API reports THROTTLED meanwhile).</param>
    public RunwayTask Create(RunwayGenerationRequest request, TimeSpan throttled = default)
    {
        var options = _options.CurrentValue;
        var seed = request.Seed ?? Random.Shared.NextInt64(0, RunwayRequestValidator.MaxSeed + 1);
        var task = new RunwayTask(
            Guid.NewGuid(), request, seed, Now,
            TimeSpan.FromSeconds(options.PendingSeconds) + throttled, TimeSpan.FromSeconds(options.RunningSeconds));
        if (request.PromptImage is { Bytes: { } bytes, MediaType: var mediaType })
        {
            // Before the task is saved, so tasks.json never names an image that is not there.
            TryPersist(() => _file.WriteImage(RunwayTaskFile.ImageName(task.Id, mediaType), bytes), "first frame of task " + task.Id);
        }

        _tasks[task.Id] = task;
        _generations.Enqueue((task.CreatedAt, request.Model.Id));
        Save();
        return task;
    }

    /// <summary>The task and its current view, or null when it does not exist (or was cancelled or deleted).</summary>
    public (RunwayTask Task, RunwayTaskView View)? Find(Guid id)
    {
        if (!_tasks.TryGetValue(id, out var task) || task.Removal != RunwayTaskRemoval.None)
        {
            return null;
        }

        return (task, Observe(task));
    }

    /// <summary>
    /// Cancels a PENDING/RUNNING task (charging nothing) or deletes a finished one; either way it is gone
    /// afterwards. Returns false when there was no such task.
    /// </summary>
    public bool Delete(Guid id)
    {
        if (!_tasks.TryGetValue(id, out var task) || task.Removal != RunwayTaskRemoval.None)
        {
            return false;
        }

        var view = Observe(task);
        var removal = view.Status is RunwayTaskStatus.Pending or RunwayTaskStatus.Running
            ? RunwayTaskRemoval.Cancelled
            : RunwayTaskRemoval.Deleted;
        if (!task.TryRemove(removal))
        {
            return false;
        }

        if (removal == RunwayTaskRemoval.Cancelled)
        {
            task.Cancel();
        }

        if (task.Request.PromptImage is { Bytes: not null, MediaType: var mediaType })
        {
            TryPersist(() => _file.DeleteImage(RunwayTaskFile.ImageName(task.Id, mediaType)), "first frame of deleted task " + task.Id);
        }

        Save();
        return true;
    }

    /// <summary>Called by the render worker when a task's video is ready.</summary>
    public void RenderSucceeded(RunwayTask task, string outputPath)
    {
        if (task.RenderSucceeded(outputPath))
        {
            Save();
        }
    }

    /// <summary>Called by the render worker when a task's video could not be made.</summary>
    public void RenderFailed(RunwayTask task, string failure)
    {
        if (task.RenderFailed(failure))
        {
            Save();
        }
    }

    public RunwayOrganizationSnapshot Organization()
    {
        foreach (var task in _tasks.Values)
        {
            if (task.Removal == RunwayTaskRemoval.None)
            {
                Observe(task);
            }
        }

        var dayAgo = Now.AddDays(-1);
        while (_generations.TryPeek(out var oldest) && oldest.At < dayAgo)
        {
            _generations.TryDequeue(out _);
        }

        var daily = _generations.Where(g => g.At >= dayAgo).GroupBy(g => g.Model).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new RunwayOrganizationSnapshot(InitialCreditBalance - Interlocked.Read(ref _spentCredits), daily);
    }

    private RunwayTaskView Observe(RunwayTask task)
    {
        var view = task.ViewAt(Now);
        if (view.Status == RunwayTaskStatus.Succeeded && task.TryMarkCharged())
        {
            Interlocked.Add(ref _spentCredits, task.Credits);
            Save();
        }

        return view;
    }

    /// <summary>
    /// Writes the whole organization. Each caller changes state first and saves after, and saves are
    /// serialized, so the last write always holds every change made before it.
    /// </summary>
    private void Save()
    {
        lock (_saveGate)
        {
            var document = new RunwayStoreDocument(
                RunwayStoreDocument.CurrentVersion,
                Interlocked.Read(ref _spentCredits),
                _generations.Select(g => new RunwayGenerationRecord(g.At, g.Model)).ToList(),
                _tasks.Values.OrderBy(t => t.CreatedAt).Select(ToRecord).ToList());
            TryPersist(() => _file.Write(document), _file.FilePath);
        }
    }

    private RunwayTaskRecord ToRecord(RunwayTask task)
    {
        var request = task.Request;
        var image = request.PromptImage;
        var removal = task.Removal;
        var imageFile = image is { Bytes: not null } && removal == RunwayTaskRemoval.None
            ? RunwayTaskFile.ImageName(task.Id, image.MediaType)
            : null;
        return new RunwayTaskRecord(
            task.Id,
            request.Kind,
            request.Model.Id,
            request.PromptText,
            request.Ratio,
            request.DurationSeconds,
            request.Seed,
            task.Seed,
            image is { Bytes: null } ? image.Uri : null,
            image?.MediaType,
            imageFile,
            task.CreatedAt,
            task.Pending.TotalSeconds,
            task.Running.TotalSeconds,
            task.IsCharged,
            removal == RunwayTaskRemoval.Cancelled,
            removal == RunwayTaskRemoval.Deleted,
            task.OutputPath is { } output ? Path.GetRelativePath(_dataDirectory, output) : null,
            task.RenderFailure);
    }

    private void Load(WorkQueue<RunwayTask> renderQueue)
    {
        RunwayStoreDocument? document;
        try
        {
            document = _file.Read();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            _logger.LogError(ex, "Could not read the Runway emulator's tasks from {Path}; starting with none", _file.FilePath);
            TryPersist(() => _logger.LogWarning("Kept the unreadable file as {Path}", _file.MoveAside()), _file.FilePath);
            return;
        }

        if (document is null)
        {
            return;
        }

        var cutoff = Now - Retention;
        int pruned = 0, dropped = 0, toRender = 0;
        var images = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in document.Tasks ?? [])
        {
            if (record.CreatedAt < cutoff)
            {
                pruned++;
                continue;
            }

            if (Restore(record) is not { } task)
            {
                dropped++;
                continue;
            }

            _tasks[task.Id] = task;
            if (task.Removal == RunwayTaskRemoval.None && record.PromptImageFile is { } imageFile)
            {
                images.Add(Path.GetFileName(imageFile));
            }

            if (task.Removal == RunwayTaskRemoval.None && task.OutputPath is null && task.RenderFailure is null)
            {
                renderQueue.Enqueue(task);
                toRender++;
            }
        }

        _spentCredits = document.SpentCredits;
        var dayAgo = Now.AddDays(-1);
        foreach (var generation in (document.Generations ?? []).Where(g => g.At >= dayAgo).OrderBy(g => g.At))
        {
            _generations.Enqueue((generation.At, generation.Model));
        }

        TryPersist(() => _file.DeleteUnreferenced(images), _file.ImagesDirectory);
        if (pruned > 0 || dropped > 0)
        {
            Save();
        }

        _logger.LogInformation(
            "Runway emulator restored {Count} tasks from {Path} ({ToRender} to render again, {Pruned} older than {Days} days pruned, {Dropped} unreadable dropped)",
            _tasks.Count, _file.FilePath, toRender, pruned, Retention.TotalDays, dropped);
    }

    /// <summary>Rebuilds a persisted task, or null (logged) when the record no longer makes sense.</summary>
    private RunwayTask? Restore(RunwayTaskRecord record)
    {
        if (record.Model is null || !RunwayModels.For(record.Kind).TryGetValue(record.Model, out var model)
            || record.Ratio?.Split(':') is not [var w, var h]
            || !int.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out var width)
            || !int.TryParse(h, NumberStyles.None, CultureInfo.InvariantCulture, out var height))
        {
            _logger.LogWarning("Dropping persisted Runway task {TaskId}: unknown model {Model} or ratio {Ratio}", record.Id, record.Model, record.Ratio);
            return null;
        }

        var removal = record.Cancelled ? RunwayTaskRemoval.Cancelled : record.Deleted ? RunwayTaskRemoval.Deleted : RunwayTaskRemoval.None;
        var outputPath = record.Output is { } output ? Path.Combine(_dataDirectory, output) : null;
        var hasOutput = outputPath is not null && File.Exists(outputPath);

        RunwayPromptImage? image = null;
        var imageLost = false;
        if (record.PromptImageUrl is { } url)
        {
            image = new RunwayPromptImage(url, null, null);
        }
        else if (record.PromptImageFile is { } imageFile)
        {
            // The data URI itself is not kept (it may be megabytes); only its bytes are needed, to render.
            var bytes = removal == RunwayTaskRemoval.None ? _file.ReadImage(imageFile) : null;
            imageLost = bytes is null && removal == RunwayTaskRemoval.None;
            image = new RunwayPromptImage($"data:{record.PromptImageMediaType};base64,", record.PromptImageMediaType, bytes ?? []);
        }

        var request = new RunwayGenerationRequest(
            record.Kind, model, record.PromptText ?? string.Empty, record.Ratio, width, height, record.Duration, record.RequestedSeed, image);
        var task = new RunwayTask(
            record.Id, request, record.Seed, record.CreatedAt,
            TimeSpan.FromSeconds(record.PendingSeconds), TimeSpan.FromSeconds(record.RunningSeconds));
        task.Restore(record.Charged, removal);

        if (removal != RunwayTaskRemoval.None)
        {
            task.Cancel();
        }
        else if (record.Failure is { } failure)
        {
            task.RenderFailed(failure);
        }
        else if (hasOutput)
        {
            task.RenderSucceeded(outputPath!);
        }
        else if (imageLost)
        {
            _logger.LogWarning("Persisted Runway task {TaskId} lost its first frame ({File}); it fails", record.Id, record.PromptImageFile);
            task.RenderFailed(LostFirstFrameFailure);
        }

        return task;
    }

    private void TryPersist(Action action, string what)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogError(ex, "Runway emulator could not persist {What}; a restart may forget it", what);
        }
    }
}

internal sealed record RunwayOrganizationSnapshot(long CreditBalance, IReadOnlyDictionary<string, int> DailyGenerationsByModel);
