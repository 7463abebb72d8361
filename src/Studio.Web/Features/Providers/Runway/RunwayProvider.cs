using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Studio.Web.Features.Providers.Runway;

/// <summary>
/// Runway's own API (PROVIDERS.md section 1). The same code talks to the emulator in Sandbox mode;
/// only the base URL and key differ. Runway has no webhooks, so the engine polls.
/// </summary>
public sealed class RunwayProvider(HttpClient http, ILogger<RunwayProvider> logger) : IVideoProvider
{
    public const string ProviderName = "runway";
    public const string ApiVersion = "2024-11-06";
    private const string DisplayName = "Runway";

    public string Name => ProviderName;

    public ProviderCapabilities Capabilities { get; } = new(
        ProviderName, DisplayName,
        Webhooks: false, WebhooksNeedHttps: false, SignedWebhooks: false,
        Cancel: true, Progress: true, Extend: false, ClientTaskIds: false,
        ServerKeyVariable: "RUNWAYML_API_SECRET",
        DefaultBaseUrl: "https://api.dev.runwayml.com",
        DefaultOutputHosts: ["*.cloudfront.net", "*.runwayml.com", "*.amazonaws.com"]);

    public async Task<ProviderResult<ProviderAccepted>> SubmitAsync(ProviderConnection connection, ProviderSubmission submission, CancellationToken ct)
    {
        var imageToVideo = submission.FirstFrame is not null;
        var body = new RunwayCreateRequest
        {
            Model = submission.Model,
            PromptText = submission.PromptText,
            Ratio = submission.Ratio,
            Duration = submission.DurationSeconds,
            Seed = submission.Seed,
            PromptImage = imageToVideo ? [new RunwayPromptImage(submission.FirstFrame!.DataUri, "first")] : null,
        };
        using var request = CreateRequest(connection, HttpMethod.Post, imageToVideo ? "v1/image_to_video" : "v1/text_to_video");
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

    public async Task<ProviderResult<ProviderTaskStatus>> GetTaskAsync(ProviderConnection connection, string taskId, CancellationToken ct)
    {
        using var request = CreateRequest(connection, HttpMethod.Get, $"v1/tasks/{Uri.EscapeDataString(taskId)}");
        var (task, failure) = await ExchangeAsync<RunwayTask>(request, ct);
        if (failure is not null)
        {
            return failure;
        }
        return task is null
            ? new ProviderFailure(ProviderFailureKind.Transient, "Runway returned an empty task.")
            : Map(task, logger);
    }

    /// <summary>DELETE on a PENDING, THROTTLED or RUNNING task cancels it (PROVIDERS.md 1.8).</summary>
    public async Task<ProviderResult<bool>> CancelAsync(ProviderConnection connection, string taskId, CancellationToken ct)
    {
        using var request = CreateRequest(connection, HttpMethod.Delete, $"v1/tasks/{Uri.EscapeDataString(taskId)}");
        request.Headers.Accept.Clear();
        request.Headers.Accept.ParseAdd("*/*");
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return ProviderHttp.Classify(ex, DisplayName);
        }
        using (response)
        {
            return ProviderHttp.IsSuccess(response.StatusCode)
                ? true
                : ProviderHttp.Classify(response, await ErrorMessageAsync(response, ct));
        }
    }

    public Task<ProviderResult<ProviderAccepted>> ExtendAsync(ProviderConnection connection, ProviderExtension extension, CancellationToken ct) =>
        Task.FromResult<ProviderResult<ProviderAccepted>>(new ProviderFailure(ProviderFailureKind.NotSupported, "Runway's API has no extend for Gen-4.5."));

    public ProviderCallback ReadCallback(ProviderConnection connection, ProviderCallbackRequest request) =>
        new(null, Rejected: "Runway's API sends no webhooks.");

    /// <summary>GET /v1/organization: the credit balance and the tier's Gen-4.5 limits.</summary>
    public async Task<ProviderResult<ProviderAccountInfo>> TestConnectionAsync(ProviderConnection connection, CancellationToken ct)
    {
        using var request = CreateRequest(connection, HttpMethod.Get, "v1/organization");
        var (org, failure) = await ExchangeAsync<RunwayOrganization>(request, ct);
        if (failure is not null)
        {
            return failure;
        }
        var limits = org?.Tier?.Models?.GetValueOrDefault("gen4.5");
        var used = org?.Usage?.Models?.GetValueOrDefault("gen4.5")?.DailyGenerations;
        return new ProviderAccountInfo(
            $"Connected. Credit balance {org?.CreditBalance:0}.",
            CreditBalance: org?.CreditBalance,
            MaxConcurrentGenerations: limits?.MaxConcurrentGenerations,
            MaxDailyGenerations: limits?.MaxDailyGenerations,
            DailyGenerationsUsed: used,
            MaxMonthlyCreditSpend: org?.Tier?.MaxMonthlyCreditSpend);
    }

    internal static ProviderTaskStatus Map(RunwayTask task, ILogger logger)
    {
        var status = task.Status?.ToUpperInvariant() ?? "";
        var cost = task.Cost?.Credits;
        switch (status)
        {
            case "PENDING":
                return new ProviderTaskStatus(ProviderTaskPhase.Queued, status);
            case "THROTTLED":
                // The organization is at its concurrency limit: the task waits its turn. Not an error.
                return new ProviderTaskStatus(ProviderTaskPhase.Queued, status, Detail: "queued at provider");
            case "RUNNING":
                return new ProviderTaskStatus(ProviderTaskPhase.Running, status, Progress: NormaliseProgress(task.Progress));
            case "SUCCEEDED":
                return new ProviderTaskStatus(ProviderTaskPhase.Succeeded, status, Progress: 1, OutputUrls: task.Output ?? [], CostCredits: cost);
            case "FAILED":
                return new ProviderTaskStatus(ProviderTaskPhase.Failed, status, CostCredits: cost, Failure: task.Failure, FailureCode: task.FailureCode,
                    Retryable: task.FailureCode?.StartsWith("INTERNAL", StringComparison.OrdinalIgnoreCase) == true);
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

    private static HttpRequestMessage CreateRequest(ProviderConnection connection, HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(connection.BaseUri, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", connection.ApiKey);
        request.Headers.Add("X-Runway-Version", ApiVersion);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    private Task<(T? Body, ProviderFailure? Failure)> ExchangeAsync<T>(HttpRequestMessage request, CancellationToken ct) =>
        ProviderHttp.ExchangeJsonAsync<T>(http, request, DisplayName, Json, ErrorMessageAsync, logger, ct);

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

internal sealed record RunwayModelLimits(int? MaxConcurrentGenerations, int? MaxDailyGenerations);

internal sealed record RunwayTier(double? MaxMonthlyCreditSpend, Dictionary<string, RunwayModelLimits>? Models);

internal sealed record RunwayModelUsage(int? DailyGenerations);

internal sealed record RunwayUsage(Dictionary<string, RunwayModelUsage>? Models);

internal sealed record RunwayOrganization(double? CreditBalance, RunwayTier? Tier, RunwayUsage? Usage);

internal sealed record RunwayTask(
    string? Id,
    string? Status,
    double? Progress,
    List<string>? Output,
    RunwayCredits? Cost,
    string? Failure,
    string? FailureCode);
