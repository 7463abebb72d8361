using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Studio.Web.Features.Generations;

namespace Studio.Web.Features.Providers.Pixazo;

/// <summary>
/// Runway Gen-4.5 through the Pixazo gateway (PROVIDERS.md section 2). Ratios become aspect labels, the first frame
/// goes by URL, and the gateway calls back an https <c>X-Webhook-URL</c> once the request is terminal (the studio then
/// re-reads the status, since callbacks are unsigned). No cancel, no progress, no cost in the answers.
/// </summary>
public sealed class PixazoProvider(HttpClient http, ILogger<PixazoProvider> logger) : IVideoProvider
{
    public const string ProviderName = "pixazo";
    public const string KeyHeader = "Ocp-Apim-Subscription-Key";
    public const string GeneratePath = "runway-gen-4-5/v1/gen-4.5/generate";
    public const string StatusPath = "v2/requests/status/";
    private const string DisplayName = "Pixazo";

    /// <summary>An id no request has: its 404 proves the key was accepted, without spending anything.</summary>
    internal const string ConnectionProbeId = "runway-gen-4-5_studio-connection-test";

    public string Name => ProviderName;

    public ProviderCapabilities Capabilities { get; } = new(
        ProviderName, DisplayName,
        Webhooks: true, WebhooksNeedHttps: true, SignedWebhooks: false,
        Cancel: false, Progress: false, Extend: false, ClientTaskIds: false,
        ServerKeyVariable: "PIXAZO_API_KEY",
        DefaultBaseUrl: "https://gateway.pixazo.ai",
        DefaultOutputHosts: ["*.r2.dev"]);

    public async Task<ProviderResult<ProviderAccepted>> SubmitAsync(ProviderConnection connection, ProviderSubmission submission, CancellationToken ct)
    {
        if (submission.FirstFrame is { Url: null })
        {
            return new ProviderFailure(ProviderFailureKind.NotConfigured,
                "Pixazo fetches the first-frame image from a URL, and this studio has no address Pixazo can reach. An administrator must set Studio:PublicBaseUrl.");
        }
        using var request = BuildSubmitRequest(connection, submission);
        var (accepted, failure) = await ExchangeAsync<PixazoAccepted>(request, ct);
        if (failure is not null)
        {
            return failure;
        }
        if (string.IsNullOrEmpty(accepted?.RequestId))
        {
            // A 2xx without an id: either an error inside the body, or a request we cannot follow.
            return accepted?.Error is { } error
                ? new ProviderFailure(ProviderFailureKind.Rejected, Message(error, accepted.Message))
                : new ProviderFailure(ProviderFailureKind.NoAnswer, "Pixazo accepted the request but returned no request_id.");
        }
        return new ProviderAccepted(accepted.RequestId, VideoModels.PixazoGen45.EstimateCredits(submission.DurationSeconds));
    }

    /// <summary>The generate request exactly as sent (PROVIDERS.md 2.2 and 2.5); separate so tests can read it.</summary>
    internal static HttpRequestMessage BuildSubmitRequest(ProviderConnection connection, ProviderSubmission submission)
    {
        var body = new PixazoGenerateRequest
        {
            Prompt = submission.PromptText,
            Image = submission.FirstFrame?.Url?.AbsoluteUri,
            Duration = submission.DurationSeconds,
            AspectRatio = string.IsNullOrEmpty(submission.Ratio) ? null : VideoModels.AspectLabel(submission.Ratio),
            Seed = submission.Seed,
        };
        var request = CreateRequest(connection, HttpMethod.Post, GeneratePath);
        request.Content = JsonContent.Create(body, options: Json);
        if (submission.CallbackUrl is { } callback)
        {
            // "terminal": one POST when the request is COMPLETED, FAILED or ERROR, which is all the studio needs.
            request.Headers.Add("X-Webhook-URL", callback.AbsoluteUri);
            request.Headers.Add("X-Webhook-Mode", "terminal");
        }
        return request;
    }

    public async Task<ProviderResult<ProviderTaskStatus>> GetTaskAsync(ProviderConnection connection, string taskId, CancellationToken ct)
    {
        using var request = CreateRequest(connection, HttpMethod.Get, StatusPath + Uri.EscapeDataString(taskId));
        var (status, failure) = await ExchangeAsync<PixazoStatusResponse>(request, ct);
        if (failure is not null)
        {
            return failure;
        }
        if (status?.Status is null)
        {
            // Errors inside a 200: an {error, message} body instead of a status.
            return status?.Error is { } error
                ? new ProviderFailure(ProviderFailureKind.Transient, Message(error, status.Message))
                : new ProviderFailure(ProviderFailureKind.Transient, "Pixazo returned a status without a status field.");
        }
        return Map(status, logger);
    }

    public Task<ProviderResult<bool>> CancelAsync(ProviderConnection connection, string taskId, CancellationToken ct) =>
        Task.FromResult<ProviderResult<bool>>(new ProviderFailure(ProviderFailureKind.NotSupported, "Pixazo's gateway has no cancel."));

    public Task<ProviderResult<ProviderAccepted>> ExtendAsync(ProviderConnection connection, ProviderExtension extension, CancellationToken ct) =>
        Task.FromResult<ProviderResult<ProviderAccepted>>(new ProviderFailure(ProviderFailureKind.NotSupported, "Pixazo's gateway has no extend for Gen-4.5."));

    /// <summary>The payload has the status shape; Pixazo does not sign it, so only its request_id is read (the token in the URL was checked).</summary>
    public ProviderCallback ReadCallback(ProviderConnection connection, ProviderCallbackRequest request)
    {
        try
        {
            using var document = JsonDocument.Parse(request.Body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("request_id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } taskId
                ? new ProviderCallback(taskId)
                : new ProviderCallback(null, Rejected: "The Pixazo callback has no request_id.");
        }
        catch (JsonException)
        {
            return new ProviderCallback(null, Rejected: "The Pixazo callback is not JSON.");
        }
    }

    /// <summary>
    /// Pixazo has no account endpoint, so this asks for the status of a request that does not exist: 404 means the key
    /// was accepted (401/403 that it was not). It spends nothing, and learns nothing about balance or limits.
    /// </summary>
    public async Task<ProviderResult<ProviderAccountInfo>> TestConnectionAsync(ProviderConnection connection, CancellationToken ct)
    {
        using var request = CreateRequest(connection, HttpMethod.Get, StatusPath + ConnectionProbeId);
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
            return (int)response.StatusCode is 404 || ProviderHttp.IsSuccess(response.StatusCode)
                ? new ProviderAccountInfo("Connected: Pixazo accepted the key. Pixazo does not report the wallet balance or limits through its API.")
                : ProviderHttp.Classify(response, await ErrorMessageAsync(response, ct));
        }
    }

    internal static ProviderTaskStatus Map(PixazoStatusResponse response, ILogger logger)
    {
        var status = response.Status?.Trim().ToUpperInvariant() ?? "";
        switch (status)
        {
            case "QUEUED":
                return new ProviderTaskStatus(ProviderTaskPhase.Queued, status);
            case "PROCESSING":
                // No percentage at Pixazo: the page shows an indeterminate bar.
                return new ProviderTaskStatus(ProviderTaskPhase.Running, status);
            case "COMPLETED":
                if (response.Output?.MediaType is { } type && !type.StartsWith("video/", StringComparison.OrdinalIgnoreCase))
                {
                    // One documented example says application/octet-stream; the archiver sniffs the file itself.
                    logger.LogDebug("Pixazo request {RequestId} output has media_type {MediaType}", response.RequestId, type);
                }
                if (ParseTimestamp(response.CompletedAt) - ParseTimestamp(response.CreatedAt) is { } took)
                {
                    logger.LogDebug("Pixazo request {RequestId} took {Seconds:0} s", response.RequestId, took.TotalSeconds);
                }
                return new ProviderTaskStatus(ProviderTaskPhase.Succeeded, status, Progress: 1,
                    OutputUrls: response.Output?.MediaUrl?.Where(u => !string.IsNullOrWhiteSpace(u)).ToList() ?? []);
            case "FAILED":
                // Whether FAILED is charged is not documented; the studio keeps its estimate (null cost).
                return new ProviderTaskStatus(ProviderTaskPhase.Failed, status, Failure: response.Error, FailureCode: "PIXAZO.FAILED");
            case "ERROR":
                // A system error: Pixazo does not charge it, and sending again may work.
                return new ProviderTaskStatus(ProviderTaskPhase.Failed, status, CostCredits: 0, Failure: response.Error, FailureCode: "PIXAZO.ERROR", Retryable: true);
            default:
                logger.LogWarning("Pixazo request {RequestId} reported unknown status {Status}; treating it as queued", response.RequestId, response.Status);
                return new ProviderTaskStatus(ProviderTaskPhase.Queued, status);
        }
    }

    /// <summary>Pixazo mixes "2026-05-22T13:17:32.110Z" and zone-less "2026-05-22 13:19:23"; zone-less times are taken as UTC.</summary>
    internal static DateTimeOffset? ParseTimestamp(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : null;

    private static HttpRequestMessage CreateRequest(ProviderConnection connection, HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(connection.BaseUri, path));
        request.Headers.Add(KeyHeader, connection.ApiKey);
        request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    private Task<(T? Body, ProviderFailure? Failure)> ExchangeAsync<T>(HttpRequestMessage request, CancellationToken ct) =>
        ProviderHttp.ExchangeJsonAsync<T>(http, request, DisplayName, Json, ErrorMessageAsync, logger, ct);

    /// <summary>Pixazo's <c>{error, message}</c>, or API Management's <c>{statusCode, message}</c> for key problems.</summary>
    internal static async Task<string> ErrorMessageAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                var error = doc.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                var message = doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                if (error is not null || message is not null)
                {
                    return Message(error, message);
                }
            }
        }
        catch (JsonException)
        {
        }
        return $"Pixazo answered {(int)response.StatusCode} {response.ReasonPhrase}.";
    }

    private static string Message(string? error, string? message) =>
        (error, message) switch
        {
            ({ } e, { } m) when !string.Equals(e, m, StringComparison.Ordinal) => $"Pixazo: {e}. {m}",
            ({ } e, _) => $"Pixazo: {e}",
            (_, { } m) => $"Pixazo: {m}",
            _ => "Pixazo refused the request.",
        };

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

internal sealed class PixazoGenerateRequest
{
    public string Prompt { get; set; } = "";
    public string? Image { get; set; }
    public int? Duration { get; set; }
    public string? AspectRatio { get; set; }
    public long? Seed { get; set; }
}

/// <summary>202 from generate; <see cref="Error"/>/<see cref="Message"/> are read in case an error hides in a 2xx.</summary>
internal sealed record PixazoAccepted(string? RequestId, string? Status, string? PollingUrl, string? Error, string? Message);

internal sealed record PixazoOutput(List<string>? MediaUrl, string? MediaType);

/// <summary>The status response, which is also the webhook payload. Timestamps stay strings: see <see cref="PixazoProvider.ParseTimestamp"/>.</summary>
internal sealed record PixazoStatusResponse(
    string? RequestId,
    string? Status,
    string? ModelId,
    string? Error,
    PixazoOutput? Output,
    string? CreatedAt,
    string? UpdatedAt,
    string? CompletedAt,
    string? Message = null);
