using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Studio.Emulator.Shared;

namespace Studio.Emulator.Kie;

/// <summary>
/// The emulated kie account's tasks, persisted to <c>{DataDirectory}/kie/tasks.json</c> on every change (written
/// atomically with <see cref="AtomicFile"/>) and loaded at start-up. Tasks are kept 14 days,
/// as long as kie keeps its videos; first-frame bytes are not persisted (the URL is fetched again after a restart).
/// </summary>
internal sealed class KieTaskStore
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(14);

    private static readonly JsonSerializerOptions FileJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly ConcurrentDictionary<string, KieTask> _tasks = new(StringComparer.Ordinal);
    private readonly Lock _saveGate = new();
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<EmulatorOptions> _options;
    private readonly ILogger<KieTaskStore> _logger;
    private readonly string _dataDirectory;
    private readonly string _filePath;

    public KieTaskStore(TimeProvider time, IOptionsMonitor<EmulatorOptions> options, ILogger<KieTaskStore> logger)
    {
        _time = time;
        _options = options;
        _logger = logger;
        _dataDirectory = options.CurrentValue.DataDirectory;
        _filePath = Path.Combine(_dataDirectory, "kie", "tasks.json");
        Load();
    }

    public DateTimeOffset Now => _time.GetUtcNow();

    public IEnumerable<KieTask> All => _tasks.Values;

    public KieTask Create(KieTaskRequest request)
    {
        var options = _options.CurrentValue;
        var task = new KieTask(Guid.NewGuid().ToString("D"), request, Now, TimeSpan.FromSeconds(options.PendingSeconds), TimeSpan.FromSeconds(options.RunningSeconds));
        _tasks[task.Id] = task;
        Save();
        return task;
    }

    public KieTask? Find(string? id) => id is not null && _tasks.TryGetValue(id, out var task) ? task : null;

    /// <summary>True once kie would have deleted the task's video (expireFlag 1).</summary>
    public bool IsExpired(KieTask task) => Now - task.CreatedAt > Retention;

    /// <summary>Writes every task; saves are serialized so the last write holds every change made before it.</summary>
    public void Save()
    {
        lock (_saveGate)
        {
            var records = _tasks.Values.OrderBy(t => t.CreatedAt).Select(t => new KieTaskRecord(
                t.Id, t.Request, t.CreatedAt, t.Pending.TotalSeconds, t.Running.TotalSeconds, t.ResolvedAspect,
                t.OutputPath is { } output ? Path.GetRelativePath(_dataDirectory, output) : null, t.FailCode, t.FailMsg, t.CallbackSent)).ToList();
            try
            {
                AtomicFile.WriteJson(_filePath, records, FileJson);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _logger.LogError(ex, "kie emulator could not save {Path}; a restart may forget tasks", _filePath);
            }
        }
    }

    private void Load()
    {
        List<KieTaskRecord>? records;
        try
        {
            records = AtomicFile.ReadJson<List<KieTaskRecord>>(_filePath, FileJson);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            _logger.LogError(ex, "Could not read the kie emulator's tasks from {Path}; starting with none", _filePath);
            return;
        }
        if (records is null)
        {
            return;
        }

        foreach (var r in records)
        {
            if (Now - r.CreatedAt > Retention || r.Request is null)
            {
                continue;
            }
            var task = new KieTask(r.Id, r.Request, r.CreatedAt, TimeSpan.FromSeconds(r.PendingSeconds), TimeSpan.FromSeconds(r.RunningSeconds));
            var output = r.Output is { } o && File.Exists(Path.Combine(_dataDirectory, o)) ? Path.Combine(_dataDirectory, o) : null;
            // A video that was made but has since gone from the cache is simply made again.
            task.Restore(r.Aspect, output, r.FailCode, r.FailMsg, r.CallbackSent);
            _tasks[task.Id] = task;
        }
        _logger.LogInformation("kie emulator restored {Count} tasks from {Path}", _tasks.Count, _filePath);
    }
}

internal sealed record KieTaskRecord(
    string Id,
    KieTaskRequest Request,
    DateTimeOffset CreatedAt,
    double PendingSeconds,
    double RunningSeconds,
    string? Aspect,
    string? Output,
    int? FailCode,
    string? FailMsg,
    bool CallbackSent);
