using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Studio.Emulator.Shared;

namespace Studio.Emulator.Faults;

/// <summary>
/// The emulator's fault injection and create counting, shared by the four providers. A request's plan is the
/// directive in its prompt, else the per-run default (<c>POST /_emulator/faults</c>). Create-time faults
/// (<c>create-429</c>, <c>create-5xx</c>) are counted per provider and prompt, so each distinct prompt gets its own
/// <c>count</c> refusals; everything else is counted per task. The stats, the default and each task's plan are kept in
/// <c>{DataDirectory}/faults/state.json</c>, so a restarted emulator still counts every create and still misbehaves
/// for its tasks; how much of a counted fault was used is not kept (a restart starts those counts again).
/// </summary>
internal sealed class FaultRegistry
{
    public const string Runway = "runway";
    public const string Pixazo = "pixazo";
    public const string Runware = "runware";
    public const string Kie = "kie";

    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, TaskFaults> _tasks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _promptAttempts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _defaultAttempts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _byBody = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _byPrompt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _byProvider = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _taskPlans = new(StringComparer.Ordinal);
    private readonly ILogger<FaultRegistry> _logger;
    private readonly string _statePath;
    private FaultPlan? _default;
    private int _creates;

    private static readonly JsonSerializerOptions FileJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public FaultRegistry(IOptionsMonitor<EmulatorOptions> options, ILogger<FaultRegistry> logger)
    {
        _logger = logger;
        _statePath = Path.Combine(options.CurrentValue.DataDirectory, "faults", "state.json");
        Load();
    }

    /// <summary>The per-run default directive, or null.</summary>
    public string? DefaultDirective
    {
        get
        {
            lock (_gate)
            {
                return _default?.ToString();
            }
        }
    }

    /// <summary>Sets (or with null clears) the per-run default; the default's create-time counts start again.</summary>
    public void SetDefault(FaultPlan? plan)
    {
        lock (_gate)
        {
            _default = plan is { IsEmpty: false } ? plan : null;
            _defaultAttempts.Clear();
            Save();
        }

        _logger.LogInformation("Emulator default faults: {Directive}", plan?.ToString() ?? "none");
    }

    /// <summary>The plan for a request whose prompt is <paramref name="prompt"/>: its own directive, else the default.</summary>
    public FaultPlan PlanFor(string? prompt)
    {
        var ignored = new List<string>();
        var own = FaultDirective.Parse(prompt, ignored);
        if (ignored.Count > 0)
        {
            _logger.LogWarning("Ignored unknown or malformed fault modes: {Modes}", string.Join("; ", ignored));
        }

        if (own is not null)
        {
            return own;
        }

        lock (_gate)
        {
            return _default ?? FaultPlan.None;
        }
    }

    /// <summary>
    /// The refusal for this create attempt, if its plan has one: <c>create-402</c> always, <c>create-429</c> and
    /// <c>create-5xx</c> for the first <c>count</c> attempts with the same provider and prompt. No task is made then.
    /// </summary>
    public FaultAnswer? BeforeCreate(string provider, string? prompt, FaultPlan plan)
    {
        if (plan.IsEmpty)
        {
            return null;
        }

        var attempts = FaultDirective.Contains(prompt) ? _promptAttempts : _defaultAttempts;
        foreach (var mode in plan.Modes)
        {
            switch (mode.Name)
            {
                case FaultModes.Create402:
                    return new FaultAnswer(FaultAnswerKind.InsufficientBalance, StatusCodes.Status402PaymentRequired);
                case FaultModes.Create429 when Attempt(attempts, provider, prompt, mode) <= mode.Integer("count", 1):
                    return new FaultAnswer(FaultAnswerKind.RateLimited, StatusCodes.Status429TooManyRequests, mode.Integer("retryAfter", 1));
                case FaultModes.Create5xx when Attempt(attempts, provider, prompt, mode) <= mode.Integer("count", 1):
                    return new FaultAnswer(FaultAnswerKind.ServerError, ServerErrorStatus(mode));
            }
        }

        return null;
    }

    /// <summary>
    /// Records a create that made a task (it counts in the stats whatever its answer will be) and remembers the
    /// task's faults; returns them, or null when its plan is empty.
    /// </summary>
    public TaskFaults? Created(string provider, string taskId, FaultPlan plan, string? prompt, string bodyHash)
    {
        lock (_gate)
        {
            _creates++;
            _byBody[bodyHash] = _byBody.GetValueOrDefault(bodyHash) + 1;
            _byPrompt[prompt ?? string.Empty] = _byPrompt.GetValueOrDefault(prompt ?? string.Empty) + 1;
            _byProvider[provider] = _byProvider.GetValueOrDefault(provider) + 1;
            if (!plan.IsEmpty)
            {
                _taskPlans[Key(provider, taskId)] = plan.ToString();
                _tasks[Key(provider, taskId)] = new TaskFaults(provider, taskId, plan);
            }

            Save();
        }

        if (plan.IsEmpty)
        {
            return null;
        }

        var faults = _tasks[Key(provider, taskId)];
        _logger.LogInformation("Emulator {Provider} task {TaskId} has faults {Directive}", provider, taskId, plan);
        return faults;
    }

    public TaskFaults? Find(string provider, string taskId) => _tasks.GetValueOrDefault(Key(provider, taskId));

    public FaultStats Stats()
    {
        lock (_gate)
        {
            return new FaultStats(
                _creates,
                new SortedDictionary<string, int>(_byBody, StringComparer.Ordinal),
                new SortedDictionary<string, int>(_byPrompt, StringComparer.Ordinal),
                new SortedDictionary<string, int>(_byProvider, StringComparer.Ordinal));
        }
    }

    /// <summary>Forgets the counted creates (not the faults of existing tasks).</summary>
    public void ResetStats()
    {
        lock (_gate)
        {
            _creates = 0;
            _byBody.Clear();
            _byPrompt.Clear();
            _byProvider.Clear();
            Save();
        }
    }

    /// <summary>
    /// The lowercase hex SHA-256 of a create body normalised: objects' members sorted by name (ordinal), no whitespace,
    /// strings and numbers as they were written.
    /// </summary>
    public static string BodyHash(JsonElement body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteCanonical(writer, body);
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    internal static int ServerErrorStatus(FaultMode mode)
    {
        var status = mode.Integer("status", StatusCodes.Status503ServiceUnavailable);
        return status is >= 500 and <= 599 ? status : StatusCodes.Status503ServiceUnavailable;
    }

    private static int Attempt(ConcurrentDictionary<string, int> attempts, string provider, string? prompt, FaultMode mode) =>
        attempts.AddOrUpdate($"{provider}\n{mode.Name}\n{prompt}", 1, (_, n) => n + 1);

    private static string Key(string provider, string taskId) => $"{provider}/{taskId}";

    /// <summary>Writes the state; callers hold the gate.</summary>
    private void Save()
    {
        try
        {
            AtomicFile.WriteJson(_statePath, new FaultStateDocument(_creates, _byBody, _byPrompt, _byProvider, _default?.ToString(), _taskPlans), FileJson);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogError(ex, "Emulator could not persist its fault state to {Path}; a restart may forget it", _statePath);
        }
    }

    private void Load()
    {
        FaultStateDocument? document;
        try
        {
            document = AtomicFile.ReadJson<FaultStateDocument>(_statePath, FileJson);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            _logger.LogError(ex, "Emulator could not read its fault state from {Path}; starting without it", _statePath);
            return;
        }

        if (document is null)
        {
            return;
        }

        _creates = document.Creates;
        foreach (var (source, target) in new[] { (document.CreatesByBody, _byBody), (document.CreatesByPrompt, _byPrompt), (document.ByProvider, _byProvider) })
        {
            foreach (var (key, count) in source ?? new Dictionary<string, int>())
            {
                target[key] = count;
            }
        }

        _default = FaultDirective.Parse(document.DefaultDirective) is { IsEmpty: false } plan ? plan : null;
        foreach (var (key, directive) in document.TaskPlans ?? new Dictionary<string, string>())
        {
            if (key.Split('/', 2) is [var provider, var taskId] && FaultDirective.Parse(directive) is { IsEmpty: false } taskPlan)
            {
                _taskPlans[key] = directive;
                _tasks[key] = new TaskFaults(provider, taskId, taskPlan);
            }
        }
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteCanonical(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}

/// <summary>The answer of <c>GET /_emulator/stats</c>.</summary>
internal sealed record FaultStats(
    int Creates,
    IReadOnlyDictionary<string, int> CreatesByBody,
    IReadOnlyDictionary<string, int> CreatesByPrompt,
    IReadOnlyDictionary<string, int> ByProvider);

internal sealed record FaultStateDocument(
    int Creates,
    Dictionary<string, int>? CreatesByBody,
    Dictionary<string, int>? CreatesByPrompt,
    Dictionary<string, int>? ByProvider,
    string? DefaultDirective,
    Dictionary<string, string>? TaskPlans);
