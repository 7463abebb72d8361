using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Studio.Web.Features.Providers.Runway;

/// <summary>
/// Runway's own API (PROVIDERS.md section 1). The same code talks to the emulator in Sandbox mode;
/// only the base URL and key differ. Runway has no webhooks, so the engine polls.
/// </summary>
public sealed class RunwayProvider(HttpClient http, IOptions<RunwayOptions> options, SandboxEndpoint sandbox, ILogger<RunwayProvider> logger)
    : IVideoProvider
{
    public const string ProviderName = "runway";
    private const string DisplayName = "Runway";
    /// <summary>A sandbox key the emulator accepts; it is not a secret.</summary>
    internal const string SandboxKey = "key_sandbox0000000000000000";

    private readonly RunwayOptions _options = options.Value;

    public string Name => ProviderName;

    public bool IsSandbox => _options.IsSandbox;

    public IReadOnlyCollection<string> OutputHosts => [.. _options.OutputHosts, BaseUri.Host];

    public PollCadence Cadence => IsSandbox
        ? new PollCadence(TimeSpan.FromSeconds(_options.SandboxPollSeconds), TimeSpan.FromSeconds(_options.SandboxPollSeconds))
        : new PollCadence(TimeSpan.FromSeconds(_options.PollInitialSeconds), TimeSpan.FromSeconds(_options.PollMaxSeconds));

    private Uri BaseUri => IsSandbox ? sandbox.RunwayBaseUri : new Uri(_options.BaseUrl.TrimEnd('/') + "/");

    public async Task<ProviderResult<ProviderAccepted>> SubmitAsync(ProviderSubmission submission, CancellationToken ct)
    {
        var imageToVideo = submission.FirstFrameDataUri is not null;
        var body = new RunwayCreateRequest
        {
            Model = submission.Model,
            PromptText = submission.PromptText,
            Ratio = submission.Ratio,
            Duration = submission.DurationSeconds,
            Seed = submission.Seed,
            PromptImage = imageToVideo ? [new RunwayPromptImage(submission.FirstFrameDataUri!, "first")] : null,
        };
        using var request = CreateRequest(HttpMethod.Post, imageToVideo ? "v1/image_to_video" : "v1/text_to_video");
        request.Content = JsonContent.Create(body, options: Json);

        var (created, failure) = await ExchangeAsync<RunwayCreateResponse>(request, ct);
        if (failure is not null)
        {
            return failure;
        }
        if (string.IsNullOrEmpty(created?.Id))
        {
            // It answered 2xx but without an id: a task may exist that we cannot follow.
            return new ProviderFailure(ProviderFailureKind.NoAnswer, "Runway accepted the request but returned no task id.");
        }
        return new ProviderAccepted(created.Id, created.EstimatedCost?.Credits is { } c ? (int)Math.Ceiling(c) : null);
    }

    public async Task<ProviderResult<ProviderTaskStatus>> GetTaskAsync(string taskId, CancellationToken ct)
    {
        using var request = CreateRequest(HttpMethod.Get, $"v1/tasks/{Uri.EscapeDataString(taskId)}");
        var (task, failure) = await ExchangeAsync<RunwayTask>(request, ct);
        if (failure is not null)
        {
            return failure;
        }
        return task is null
            ? new ProviderFailure(ProviderFailureKind.Transient, "Runway returned an empty task.")
            : Map(task, logger);
    }

    internal static ProviderTaskStatus Map(RunwayTask task, ILogger logger)
    {
        var status = task.Status?.ToUpperInvariant() ?? "";
        int? cost = task.Cost?.Credits is { } c ? (int)Math.Ceiling(c) : null;
        switch (status)
        {
            case "PENDING":
            case "THROTTLED":
                return new ProviderTaskStatus(ProviderTaskPhase.Queued, status);
            case "RUNNING":
                return new ProviderTaskStatus(ProviderTaskPhase.Running, status, Progress: NormaliseProgress(task.Progress));
            case "SUCCEEDED":
                return new ProviderTaskStatus(ProviderTaskPhase.Succeeded, status, Progress: 1, OutputUrls: task.Output ?? [], CostCredits: cost);
            case "FAILED":
                return new ProviderTaskStatus(ProviderTaskPhase.Failed, status, CostCredits: cost, Failure: task.Failure, FailureCode: task.FailureCode);
            case "CANCELLED":
            case "CANCELED":
                return new ProviderTaskStatus(ProviderTaskPhase.Cancelled, status, CostCredits: cost);
            default:
                // Vocabulary drift: stay in a safe non-terminal state and say what arrived.
                logger.LogWarning("Runway task {TaskId} reported unknown status {Status}; treating it as queued", task.Id, task.Status);
                return new ProviderTaskStatus(ProviderTaskPhase.Queued, status);
        }
    }

    /// <summary>The SDK only says "number": accept a 0–1 fraction or a 0–100 percentage.</summary>
    private static double? NormaliseProgress(double? progress) => progress switch
    {
        null => null,
        > 1 => Math.Clamp(progress.Value / 100, 0, 1),
        _ => Math.Clamp(progress.Value, 0, 1),
    };

    private HttpRequestMessage CreateRequest(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(BaseUri, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", IsSandbox ? SandboxKey : _options.ApiKey);
        request.Headers.Add("X-Runway-Version", _options.ApiVersion);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    /// <summary>Sends, then returns the JSON body of a 2xx answer or a classified failure.</summary>
    private async Task<(T? Body, ProviderFailure? Failure)> ExchangeAsync<T>(HttpRequestMessage request, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Runway {Method} {Path} failed: {Error}", request.Method, request.RequestUri?.AbsolutePath, ex.Message);
            return (default, ProviderHttp.Classify(ex, DisplayName));
        }
        using (response)
        {
            if (!ProviderHttp.IsSuccess(response.StatusCode))
            {
                return (default, ProviderHttp.Classify(response, await ErrorMessageAsync(response, ct)));
            }
            try
            {
                return (await response.Content.ReadFromJsonAsync<T>(Json, ct), null);
            }
            catch (JsonException ex)
            {
                logger.LogWarning("Runway {Method} {Path} answered unreadable JSON: {Error}", request.Method, request.RequestUri?.AbsolutePath, ex.Message);
                return (default, new ProviderFailure(ProviderFailureKind.NoAnswer, "Runway answered with something that is not the expected JSON."));
            }
        }
    }

    private static async Task<string> ErrorMessageAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
            {
                return $"Runway: {error.GetString()}";
            }
        }
        catch (JsonException)
        {
        }
        return $"Runway answered {(int)response.StatusCode} {response.ReasonPhrase}.";
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

internal sealed class RunwayCreateRequest
{
    public string Model { get; set; } = "";
    public string PromptText { get; set; } = "";
    public string Ratio { get; set; } = "";
    public int Duration { get; set; }
    public long? Seed { get; set; }
    public RunwayPromptImage[]? PromptImage { get; set; }
}

internal sealed record RunwayPromptImage(string Uri, string Position);

internal sealed record RunwayCredits(double Credits);

internal sealed record RunwayCreateResponse(string? Id, RunwayCredits? EstimatedCost);

internal sealed record RunwayTask(
    string? Id,
    string? Status,
    double? Progress,
    List<string>? Output,
    RunwayCredits? Cost,
    string? Failure,
    string? FailureCode);
