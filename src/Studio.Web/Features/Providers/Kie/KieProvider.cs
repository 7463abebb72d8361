using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Studio.Web.Features.Generations;

namespace Studio.Web.Features.Providers.Kie;

/// <summary>
/// The kie-style "Runway API" (PROVIDERS.md section 4). Every answer is <c>{code,msg,data}</c> and the body's
/// <c>code</c> is the real status, even under HTTP 200. Images go by URL only; aspect labels ("16:9") stand for the
/// studio's Runway-style ratios; callbacks are snake_case and, when the team set kie's webhookHmacKey, signed over
/// <c>taskId.timestamp</c>. No cancel, no progress; extend makes a new task from a finished one.
/// </summary>
public sealed class KieProvider(HttpClient http, ILogger<KieProvider> logger, TimeProvider clock) : IVideoProvider
{
    public const string ProviderName = "kie";
    private const string DisplayName = "kie";

    /// <summary>A signed callback older (or further ahead) than this is refused: kie signs only taskId.timestamp, so replay is the risk.</summary>
    public static readonly TimeSpan CallbackFreshness = TimeSpan.FromMinutes(5);

    public const string TimestampHeader = "X-Webhook-Timestamp";
    public const string SignatureHeader = "X-Webhook-Signature";

    public string Name => ProviderName;

    public ProviderCapabilities Capabilities { get; } = new(
        ProviderName, DisplayName,
        Webhooks: true,
        WebhooksNeedHttps: false, // UNKNOWN for kie (PROVIDERS.md 4.5); the studio still prefers an https public address
        SignedWebhooks: true,
        Cancel: false, Progress: false, Extend: true, ClientTaskIds: false,
        ServerKeyVariable: "KIE_API_KEY",
        DefaultBaseUrl: "https://api.kie.ai",
        // kie's file hosts are not documented (PROVIDERS.md 4); these are the ones seen in third-party examples.
        // Set Providers:kie:OutputHosts when an account's videos come from elsewhere.
        DefaultOutputHosts: ["*.kie.ai", "*.aiquickdraw.com", "*.redpandaai.co"]);

    public async Task<ProviderResult<ProviderAccepted>> SubmitAsync(ProviderConnection connection, ProviderSubmission submission, CancellationToken ct)
    {
        var (body, problem) = BuildGenerateRequest(submission);
        if (problem is not null)
        {
            return problem;
        }
        using var request = CreateRequest(connection, HttpMethod.Post, "api/v1/runway/generate");
        request.Content = JsonContent.Create(body, options: Json);
        return Accepted(await ExchangeAsync<KieTaskIdData>(request, ct));
    }

    /// <summary>The generate body for a submission, or why it cannot be sent to kie.</summary>
    internal static (KieGenerateRequest? Body, ProviderFailure? Problem) BuildGenerateRequest(ProviderSubmission submission)
    {
        string? aspectRatio = null;
        string? imageUrl = null;
        if (submission.FirstFrame is { } frame)
        {
            if (frame.Url is null)
            {
                return (null, new ProviderFailure(ProviderFailureKind.NotConfigured,
                    "kie fetches the first-frame image from a URL, and this studio has no address kie can reach. Set Studio:PublicBaseUrl, or generate without a first frame."));
            }
            imageUrl = frame.Url.AbsoluteUri; // kie ignores aspectRatio with an image: the image decides
        }
        else
        {
            aspectRatio = submission.Ratio.Length == 0 ? null : VideoModels.AspectLabel(submission.Ratio);
            if (aspectRatio is null || !AspectRatios.Contains(aspectRatio))
            {
                return (null, new ProviderFailure(ProviderFailureKind.Rejected, $"kie makes {string.Join(", ", AspectRatios)} videos; \"{submission.Ratio}\" is not one of them."));
            }
        }
        // kie takes no seed (VideoModels.KieRunway.SupportsSeed is false), so none is sent.
        return (new KieGenerateRequest(submission.PromptText, submission.DurationSeconds, submission.Quality ?? "720p", aspectRatio, imageUrl, WaterMark: null,
            submission.CallbackUrl?.AbsoluteUri), null);
    }

    public async Task<ProviderResult<ProviderTaskStatus>> GetTaskAsync(ProviderConnection connection, string taskId, CancellationToken ct)
    {
        using var request = CreateRequest(connection, HttpMethod.Get, $"api/v1/runway/record-detail?taskId={Uri.EscapeDataString(taskId)}");
        var (record, failure) = await ExchangeAsync<KieRecord>(request, ct);
        if (failure is not null)
        {
            return failure;
        }
        return record is null
            ? new ProviderFailure(ProviderFailureKind.Transient, "kie returned no task details.")
            : Map(record, logger);
    }

    public Task<ProviderResult<bool>> CancelAsync(ProviderConnection connection, string taskId, CancellationToken ct) =>
        Task.FromResult<ProviderResult<bool>>(new ProviderFailure(ProviderFailureKind.NotSupported, "kie's Runway API has no way to cancel a task."));

    /// <summary>POST /api/v1/runway/extend: a new task continuing a finished one, in its aspect ratio.</summary>
    public async Task<ProviderResult<ProviderAccepted>> ExtendAsync(ProviderConnection connection, ProviderExtension extension, CancellationToken ct)
    {
        using var request = CreateRequest(connection, HttpMethod.Post, "api/v1/runway/extend");
        request.Content = JsonContent.Create(BuildExtendRequest(extension), options: Json);
        return Accepted(await ExchangeAsync<KieTaskIdData>(request, ct));
    }

    internal static KieExtendRequest BuildExtendRequest(ProviderExtension extension) =>
        new(extension.ParentTaskId, extension.PromptText, extension.Quality ?? "720p", WaterMark: null, extension.CallbackUrl?.AbsoluteUri);

    /// <summary>
    /// Reads kie's snake_case callback for its <c>data.task_id</c>. With a webhookHmacKey configured, the delivery must
    /// carry a fresh X-Webhook-Timestamp and an X-Webhook-Signature that verifies, or it is refused.
    /// </summary>
    public ProviderCallback ReadCallback(ProviderConnection connection, ProviderCallbackRequest request)
    {
        var taskId = CallbackTaskId(request.Body);
        // ProviderConnections gives Sandbox connections no signing key; the server's configured one still applies there.
        var key = connection.WebhookSigningKey;
        if (string.IsNullOrEmpty(key))
        {
            return taskId is null ? new ProviderCallback(null, Rejected: "The callback is not kie's JSON with data.task_id.") : new ProviderCallback(taskId);
        }
        return VerifySignature(key, taskId, request.Headers, clock.GetUtcNow()) is { } why ? new ProviderCallback(taskId, Rejected: why) : new ProviderCallback(taskId);
    }

    /// <summary>Null when the signature verifies; otherwise why not.</summary>
    internal static string? VerifySignature(string key, string? taskId, IReadOnlyDictionary<string, string> headers, DateTimeOffset now)
    {
        var timestamp = Header(headers, TimestampHeader);
        var signature = Header(headers, SignatureHeader);
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return $"A webhook signing key is set but the callback has no {TimestampHeader}/{SignatureHeader}.";
        }
        if (taskId is null)
        {
            return "The callback has no data.task_id to verify.";
        }
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            || (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > CallbackFreshness)
        {
            return "The callback's timestamp is missing, malformed or more than 5 minutes off.";
        }
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"{taskId}.{timestamp}")));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature))
            ? null
            : "The callback's signature does not verify.";
    }

    internal static string? CallbackTaskId(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("task_id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } s
                ? s
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>GET /api/v1/chat/credit: the cheapest authenticated call; it proves the key and tells the balance in kie's own credits.</summary>
    public async Task<ProviderResult<ProviderAccountInfo>> TestConnectionAsync(ProviderConnection connection, CancellationToken ct)
    {
        using var request = CreateRequest(connection, HttpMethod.Get, "api/v1/chat/credit");
        var (balance, failure) = await ExchangeAsync<double?>(request, ct);
        if (failure is not null)
        {
            return failure;
        }
        // kie's credits are its own prepaid unit, not US cents, so they are reported in words only.
        return new ProviderAccountInfo(balance is { } b
            ? $"Connected. The kie account has {b.ToString("0.##", CultureInfo.InvariantCulture)} kie credits left (kie's own unit; its prices are not published)."
            : "Connected.");
    }

    internal static readonly string[] AspectRatios = ["16:9", "4:3", "1:1", "3:4", "9:16"];

    internal static ProviderTaskStatus Map(KieRecord record, ILogger logger)
    {
        var state = record.State?.Trim().ToLowerInvariant() ?? "";
        switch (state)
        {
            case "wait":
                return new ProviderTaskStatus(ProviderTaskPhase.Queued, state, Detail: "waiting at kie");
            case "queueing":
                return new ProviderTaskStatus(ProviderTaskPhase.Queued, state, Detail: "queued at kie");
            case "generating":
                return new ProviderTaskStatus(ProviderTaskPhase.Running, state);
            case "success" when record.ExpireFlag == 1:
                // kie deletes videos after 14 days: nothing is left to archive.
                return new ProviderTaskStatus(ProviderTaskPhase.Failed, state, Failure: "kie deleted this video (kept 14 days).", FailureCode: "KIE.EXPIRED");
            case "success" when record.VideoInfo?.VideoUrl is { Length: > 0 } url:
                return new ProviderTaskStatus(ProviderTaskPhase.Succeeded, state, Progress: 1, OutputUrls: [url]); // kie reports no cost
            case "success":
                return new ProviderTaskStatus(ProviderTaskPhase.Failed, state, Failure: "kie reported success without a video URL.", FailureCode: "KIE.NO_OUTPUT");
            case "fail":
                var (code, retryable) = FailureCode(record.FailCode, record.FailMsg);
                return new ProviderTaskStatus(ProviderTaskPhase.Failed, state, Failure: record.FailMsg, FailureCode: code, Retryable: retryable);
            default:
                // Vocabulary drift: stay in a safe non-terminal state and say what arrived.
                logger.LogWarning("kie task {TaskId} reported unknown state {State}; treating it as queued", record.TaskId, record.State);
                return new ProviderTaskStatus(ProviderTaskPhase.Queued, state);
        }
    }

    /// <summary>
    /// kie's failCode/failMsg in the studio's failure vocabulary: moderation → SAFETY.*, the image → ASSET.*, server
    /// failures retryable (kie's 500/501 and 408/455 are not the user's fault).
    /// </summary>
    internal static (string Code, bool Retryable) FailureCode(string? failCode, string? failMsg)
    {
        var raw = string.IsNullOrWhiteSpace(failCode) ? "UNKNOWN" : failCode.Trim();
        var message = failMsg ?? "";
        if (raw == "451" || ContainsAny(message, "image format", "fetch the image", "width", "height", "image url"))
        {
            return ($"ASSET.KIE_{raw}", false);
        }
        if (ContainsAny(message, "inappropriate", "nsfw", "moderat", "sensitive", "violat"))
        {
            return ($"SAFETY.KIE_{raw}", false);
        }
        return ($"KIE_{raw}", raw is "500" or "501" or "408" or "455");
    }

    private static bool ContainsAny(string text, params string[] needles) => needles.Any(n => text.Contains(n, StringComparison.OrdinalIgnoreCase));

    private static ProviderResult<ProviderAccepted> Accepted((KieTaskIdData? Data, ProviderFailure? Failure) answer)
    {
        if (answer.Failure is not null)
        {
            return answer.Failure;
        }
        // It said 200 but without an id: a task may exist that we cannot follow.
        return string.IsNullOrEmpty(answer.Data?.TaskId)
            ? new ProviderFailure(ProviderFailureKind.NoAnswer, "kie accepted the request but returned no taskId.")
            : new ProviderAccepted(answer.Data.TaskId, null);
    }

    /// <summary>
    /// kie's body <c>code</c> (PROVIDERS.md 4.6) as a classified failure. 402 is never retried; 408 (upstream silent) and a
    /// bare 500 may have made a task; 455 (maintenance) and 429 made nothing.
    /// </summary>
    internal static ProviderFailure ClassifyCode(int code, string? msg, TimeSpan? retryAfter = null)
    {
        var message = $"kie: {(string.IsNullOrWhiteSpace(msg) ? $"code {code}" : msg)}";
        return code switch
        {
            400 or 422 or 451 or 501 or 505 => new ProviderFailure(ProviderFailureKind.Rejected, message),
            401 or 403 => new ProviderFailure(ProviderFailureKind.Unauthorized, message),
            402 => new ProviderFailure(ProviderFailureKind.InsufficientCredits, message),
            404 => new ProviderFailure(ProviderFailureKind.NotFound, message),
            429 => new ProviderFailure(ProviderFailureKind.RateLimited, message, retryAfter),
            455 or 502 or 503 or 504 => new ProviderFailure(ProviderFailureKind.Transient, message, retryAfter),
            408 or >= 500 => new ProviderFailure(ProviderFailureKind.NoAnswer, message, retryAfter),
            _ => new ProviderFailure(ProviderFailureKind.Rejected, message),
        };
    }

    /// <summary>Reads kie's envelope from any answer: data when the body's code is 200, else the classified failure.</summary>
    internal static (T? Data, ProviderFailure? Failure) ReadEnvelope<T>(string text, HttpResponseMessage? response, ILogger logger)
    {
        KieEnvelope<T>? envelope = null;
        try
        {
            envelope = JsonSerializer.Deserialize<KieEnvelope<T>>(text, Json);
        }
        catch (JsonException ex)
        {
            logger.LogWarning("kie answered JSON that is not its envelope: {Error}", ex.Message);
        }
        var retryAfter = response is null ? null : ProviderHttp.RetryAfter(response);
        if (envelope?.Code is { } code)
        {
            return code == 200 ? (envelope.Data, null) : (default, ClassifyCode(code, envelope.Msg, retryAfter));
        }
        if (response is not null && !ProviderHttp.IsSuccess(response.StatusCode))
        {
            return (default, ProviderHttp.Classify(response, $"kie answered {(int)response.StatusCode} {response.ReasonPhrase}."));
        }
        return (default, new ProviderFailure(ProviderFailureKind.NoAnswer, "kie answered with something that is not its {code,msg,data} JSON."));
    }

    private static HttpRequestMessage CreateRequest(ProviderConnection connection, HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(connection.BaseUri, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", connection.ApiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    private async Task<(T? Data, ProviderFailure? Failure)> ExchangeAsync<T>(HttpRequestMessage request, CancellationToken ct)
    {
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            var (data, failure) = ReadEnvelope<T>(text, response, logger);
            if (failure is not null)
            {
                logger.LogWarning("kie {Method} {Path} answered HTTP {Status}: {Kind} {Message}",
                    request.Method, request.RequestUri?.AbsolutePath, (int)response.StatusCode, failure.Kind, failure.Message);
            }
            return (data, failure);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("kie {Method} {Path} failed: {Error}", request.Method, request.RequestUri?.AbsolutePath, ex.Message);
            return (default, ProviderHttp.Classify(ex, DisplayName));
        }
    }

    private static string? Header(IReadOnlyDictionary<string, string> headers, string name) =>
        headers.TryGetValue(name, out var value) ? value : headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Converters = { new NumberOrStringConverter() },
    };
}

internal sealed record KieEnvelope<T>(int? Code, string? Msg, T? Data);

internal sealed record KieTaskIdData(string? TaskId);

/// <summary>POST /api/v1/runway/generate. Absent members are omitted; no waterMark means none (the studio never asks for one).</summary>
internal sealed record KieGenerateRequest(string Prompt, int Duration, string Quality, string? AspectRatio, string? ImageUrl, string? WaterMark, string? CallBackUrl);

/// <summary>POST /api/v1/runway/extend.</summary>
internal sealed record KieExtendRequest(string TaskId, string Prompt, string Quality, string? WaterMark, string? CallBackUrl);

internal sealed record KieVideoInfo(string? VideoId, string? TaskId, string? VideoUrl, string? ImageUrl);

internal sealed record KieGenerateParam(string? Prompt, string? ImageUrl, bool? ExpandPrompt);

/// <param name="FailCode">A number in the spec's example (400); read as text so either form works.</param>
internal sealed record KieRecord(
    string? TaskId,
    string? ParentTaskId,
    KieGenerateParam? GenerateParam,
    string? State,
    string? GenerateTime,
    KieVideoInfo? VideoInfo,
    string? FailCode,
    string? FailMsg,
    int? ExpireFlag);

/// <summary>Reads a JSON number or string into a string (kie's failCode appears as both).</summary>
internal sealed class NumberOrStringConverter : JsonConverter<string?>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"Expected a string or number, found {reader.TokenType}."),
    };

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}
