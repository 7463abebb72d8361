using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Studio.Emulator.Shared;

namespace Studio.Emulator.Pixazo;

/// <summary>
/// The emulated gateway's requests, persisted to <c>{DataDirectory}/pixazo/tasks.json</c> on every change (written
/// atomically with <see cref="AtomicFile"/>) and loaded at start-up: a restarted emulator still
/// answers for its requests, renders again any whose video is missing, and still sends webhooks not yet sent.
/// </summary>
internal sealed class PixazoTaskStore
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    private static readonly JsonSerializerOptions FileJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly ConcurrentDictionary<string, PixazoTask> _tasks = new(StringComparer.Ordinal);
    private readonly WorkQueue<PixazoTask> _renders = new();
    private readonly Lock _saveGate = new();
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<EmulatorOptions> _options;
    private readonly ILogger<PixazoTaskStore> _logger;
    private readonly string _dataDirectory;
    private readonly string _filePath;

    public PixazoTaskStore(TimeProvider time, IOptionsMonitor<EmulatorOptions> options, ILogger<PixazoTaskStore> logger)
    {
        _time = time;
        _options = options;
        _logger = logger;
        _dataDirectory = options.CurrentValue.DataDirectory;
        _filePath = Path.Combine(_dataDirectory, "pixazo", "tasks.json");
        Load();
    }

    public DateTimeOffset Now => _time.GetUtcNow();

    public IEnumerable<PixazoTask> All => _tasks.Values;

    public PixazoTask Create(PixazoRequest request, string baseUrl)
    {
        var options = _options.CurrentValue;
        // Pixazo ids are "<model>_<UUIDv7>" ("runway-gen-4-5_019d…").
        var task = new PixazoTask($"{PixazoRules.ModelId}_{Guid.CreateVersion7(Now)}", request,
            request.Seed ?? Random.Shared.NextInt64(0, PixazoRules.MaxSeed + 1), Now,
            TimeSpan.FromSeconds(options.PendingSeconds), TimeSpan.FromSeconds(options.RunningSeconds), baseUrl);
        _tasks[task.Id] = task;
        Save();
        _renders.Enqueue(task);
        return task;
    }

    public PixazoTask? Find(string id) => _tasks.GetValueOrDefault(id);

    public IAsyncEnumerable<PixazoTask> RendersAsync(CancellationToken ct) => _renders.ReadAllAsync(ct);

    public void Succeed(PixazoTask task, string outputPath)
    {
        if (task.Succeed(outputPath, Now))
        {
            Save();
        }
    }

    public void Fail(PixazoTask task, string status, string error)
    {
        if (task.Fail(status, error, Now))
        {
            Save();
        }
    }

    /// <summary>Writes every task; saves are serialized so the last write holds every change made before it.</summary>
    public void Save()
    {
        lock (_saveGate)
        {
            try
            {
                var records = _tasks.Values.OrderBy(t => t.CreatedAt).Select(t => t.ToRecord(_dataDirectory)).ToList();
                AtomicFile.WriteJson(_filePath, records, FileJson);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _logger.LogError(ex, "Pixazo emulator could not persist {Path}; a restart may forget its requests", _filePath);
            }
        }
    }

    private void Load()
    {
        List<PixazoTaskRecord>? records;
        try
        {
            records = AtomicFile.ReadJson<List<PixazoTaskRecord>>(_filePath, FileJson);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            _logger.LogError(ex, "Pixazo emulator could not read {Path}; starting without its requests", _filePath);
            return;
        }
        if (records is null)
        {
            return;
        }

        var cutoff = Now - Retention;
        foreach (var record in records)
        {
            if (record.CreatedAt < cutoff || !PixazoRules.Sizes.ContainsKey(record.Request.AspectRatio))
            {
                continue;
            }
            var task = PixazoTask.FromRecord(record, _dataDirectory);
            _tasks[task.Id] = task;
            if (!task.IsRendered)
            {
                _renders.Enqueue(task);
            }
        }
        _logger.LogInformation("Pixazo emulator restored {Count} requests from {Path}", _tasks.Count, _filePath);
    }
}
