using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Studio.Web.Features.Generations;

namespace Studio.Web.Features.Providers.Runware;

/// <summary>
/// Runway Gen-4.5 on Runware as <c>runway:1@2</c> (PROVIDERS.md section 3). Every call is a POST of a JSON array
/// of tasks to <c>/v1</c>; the task id is the <c>taskUUID</c> the studio made and stored before sending, so a
/// create that got no answer can be checked safely with <c>getResponse</c>. Runware answers per task, and puts
/// task errors in <c>errors[]</c> inside 200 responses, so every body is read. Webhooks are unsigned hints.
/// </summary>
public sealed class RunwareProvider(HttpClient http, ILogger<RunwareProvider> logger) : IVideoProvider
{
    public const string ProviderName = "runware";
    private const string DisplayName = "Runware";

    /// <summary>Above this a first frame goes only by URL (the model's inline limit; Runware's own for data URIs is not documented).</summary>
    internal static readonly int MaxInlineImageBytes = VideoModels.RunwareGen45.FirstFrame.InlineMaxBytes ?? 0;

    public string Name => ProviderName;

    public ProviderCapabilities Capabilities { get; } = new(
        ProviderName, DisplayName,
        Webhooks: true, WebhooksNeedHttps: false, SignedWebhooks: false,
        Cancel: false, Progress: false, Extend: false, ClientTaskIds: true,
        ServerKeyVariable: "RUNWARE_API_KEY",
        DefaultBaseUrl: "https://api.runware.ai",
        DefaultOutputHosts: ["vm.runware.ai", "*.runware.ai"]);

    public async Task<ProviderResult<ProviderAccepted>> SubmitAsync(ProviderConnection connection, ProviderSubmission submission, CancellationToken ct)
    {
        var taskUuid = submission.ClientTaskId ?? Guid.NewGuid().ToString();
        var (task, problem) = BuildVideoTask(submission, taskUuid);
        if (problem is not null)
        {
            return problem;
        }

        var (body, failure) = await ExchangeAsync(connection, task!, ct);
        if (failure is not null)
        {
            return failure;
        }

        return ReadAcknowledgement(body!, taskUuid, logger);
    }

    public async Task<ProviderResult<ProviderTaskStatus>> GetTaskAsync(ProviderConnection connection, string taskId, CancellationToken ct)
    {
        var (body, failure) = await ExchangeAsync(connection, BuildGetResponse(taskId), ct);
        return failure ?? MapResponse(body!, taskId, logger);
    }

    public Task<ProviderResult<bool>> CancelAsync(ProviderConnection connection, string taskId, CancellationToken ct) =>
        Task.FromResult<ProviderResult<bool>>(new ProviderFailure(ProviderFailureKind.NotSupported, "Runware has no way to cancel a video task."));

    public Task<ProviderResult<ProviderAccepted>> ExtendAsync(ProviderConnection connection, ProviderExtension extension, CancellationToken ct) =>
        Task.FromResult<ProviderResult<ProviderAccepted>>(new ProviderFailure(ProviderFailureKind.NotSupported, "Runware offers no extend for Runway Gen-4.5."));

    /// <summary>
    /// The body is the flat task object (no <c>data</c> wrapper); a wrapped one is read too. Runware does not sign,
    /// so the per-generation token in the URL is the check, and the studio re-reads the task before acting.
    /// </summary>
    public ProviderCallback ReadCallback(ProviderConnection connection, ProviderCallbackRequest request)
    {
        try
        {
            var root = JsonNode.Parse(request.Body);
            var item = root is JsonObject { } o && o["data"] is JsonArray { Count: > 0 } data ? data[0] : root;
            return Text(item, "taskUUID") is { Length: > 0 } taskUuid
                ? new ProviderCallback(taskUuid)
                : new ProviderCallback(null, Rejected: "The Runware callback names no taskUUID.");
        }
        catch (JsonException)
        {
            return new ProviderCallback(null, Rejected: "The Runware callback is not JSON.");
        }
    }

    /// <summary>accountManagement/getDetails: proves the key and tells the prepaid balance (USD, shown as credits).</summary>
    public async Task<ProviderResult<ProviderAccountInfo>> TestConnectionAsync(ProviderConnection connection, CancellationToken ct)
    {
        var taskUuid = Guid.NewGuid().ToString();
        var request = new JsonArray(new JsonObject { ["taskType"] = "accountManagement", ["taskUUID"] = taskUuid, ["operation"] = "getDetails" });
        var (body, failure) = await ExchangeAsync(connection, request, ct);
        if (failure is not null)
        {
            return failure;
        }

        if (ErrorFor(body!, taskUuid) is { } error)
        {
            return Classify(error);
        }

        var details = Items(body!, "data").FirstOrDefault(d => Text(d, "taskType") == "accountManagement");
        var balance = Number(details, "balance");
        return new ProviderAccountInfo(
            balance is { } usd ? string.Create(CultureInfo.InvariantCulture, $"Connected. Balance US${usd:0.00}.") : "Connected.",
            CreditBalance: balance * 100);
    }

    /// <summary>The videoInference task exactly as sent, or why it cannot be sent.</summary>
    internal static (JsonArray? Request, ProviderFailure? Problem) BuildVideoTask(ProviderSubmission submission, string taskUuid)
    {
        if (string.IsNullOrEmpty(submission.Ratio))
        {
            return (null, new ProviderFailure(ProviderFailureKind.Rejected, "Runware needs a size: choose a ratio."));
        }

        var (width, height) = VideoModels.Size(submission.Ratio);
        var task = new JsonObject
        {
            ["taskType"] = "videoInference",
            ["taskUUID"] = taskUuid,
            ["model"] = submission.Model,
            ["positivePrompt"] = submission.PromptText,
            ["width"] = width,
            ["height"] = height,
            ["duration"] = submission.DurationSeconds,
        };
        if (submission.Seed is { } seed)
        {
            task["seed"] = seed;
        }

        // Runware's default, sent as its own examples do.
        task["providerSettings"] = new JsonObject { ["runway"] = new JsonObject { ["contentModeration"] = new JsonObject { ["publicFigureThreshold"] = "auto" } } };
        if (submission.FirstFrame is { } image)
        {
            string source;
            if (image.Url is { } url)
            {
                source = url.AbsoluteUri;
            }
            else if (image.Bytes <= MaxInlineImageBytes)
            {
                // No address Runware could fetch from: Runware's image inputs also take data URIs.
                source = image.DataUri;
            }
            else
            {
                return (null, new ProviderFailure(ProviderFailureKind.NotConfigured,
                    $"Runware must fetch an image this large from a link, but this studio has no public address. Ask an admin to set Studio:PublicBaseUrl, or use an image of at most {MaxInlineImageBytes / 1_000_000.0:0.0} MB."));
            }

            task["inputs"] = new JsonObject { ["frameImages"] = new JsonArray(new JsonObject { ["image"] = source, ["frame"] = "first" }) };
        }

        task["outputType"] = "URL";
        task["outputFormat"] = "MP4";
        task["includeCost"] = true;
        task["deliveryMethod"] = "async";
        if (submission.CallbackUrl is { } callback)
        {
            task["webhookURL"] = callback.AbsoluteUri;
        }

        return (new JsonArray(task), null);
    }

    internal static JsonArray BuildGetResponse(string taskUuid) => new(new JsonObject { ["taskType"] = "getResponse", ["taskUUID"] = taskUuid });

    /// <summary>A create answer: our taskUUID acknowledged, or refused in <c>errors[]</c>.</summary>
    internal static ProviderResult<ProviderAccepted> ReadAcknowledgement(JsonNode body, string taskUuid, ILogger logger)
    {
        if (ErrorFor(body, taskUuid) is { } error)
        {
            return Classify(error);
        }

        if (Items(body, "data").Any(d => Text(d, "taskUUID") == taskUuid))
        {
            // Runware quotes no price up front; the estimate stays the studio's own.
            return new ProviderAccepted(taskUuid, null);
        }

        logger.LogWarning("Runware answered a create for task {TaskUuid} without acknowledging it", taskUuid);
        return new ProviderFailure(ProviderFailureKind.NoAnswer, "Runware answered without acknowledging the task.");
    }

    /// <summary>A getResponse answer for one task: its item in <c>data</c>, or its entry in <c>errors</c>.</summary>
    internal static ProviderResult<ProviderTaskStatus> MapResponse(JsonNode body, string taskUuid, ILogger logger)
    {
        if (ErrorFor(body, taskUuid) is { } error)
        {
            // A general error (key, payload) or an unknown task is about the call; anything else is the task's own failure.
            return Text(error, "taskUUID") is null || Kind(Text(error, "code")) is ProviderFailureKind.NotFound or ProviderFailureKind.Unauthorized
                ? Classify(error)
                : MapTask(error, logger);
        }

        var items = Items(body, "data").Where(d => Text(d, "taskUUID") == taskUuid).ToList();
        if (items.Count == 0)
        {
            // Acknowledged but nothing to report yet.
            return new ProviderTaskStatus(ProviderTaskPhase.Queued, "");
        }

        return MapTask(items.FirstOrDefault(i => Text(i, "videoURL") is not null) ?? items[0], logger);
    }

    /// <summary>One flat task object, as in <c>data[]</c>, in a webhook or in <c>errors[]</c>.</summary>
    internal static ProviderTaskStatus MapTask(JsonNode item, ILogger logger)
    {
        var status = Text(item, "status")?.ToLowerInvariant() ?? "";
        var videoUrl = Text(item, "videoURL");
        var seed = Number(item, "seed") is { } s ? (long)s : (long?)null;
        var cost = Number(item, "cost") is { } usd ? Math.Round(usd * 100, 4) : (double?)null;
        var code = Text(item, "code");
        if (code is not null && status is "" or "error" or "failed")
        {
            status = "error";
        }
        else if (status == "" && videoUrl is not null)
        {
            status = "success"; // the documented examples carry no status
        }

        switch (status)
        {
            case "pending":
                return new ProviderTaskStatus(ProviderTaskPhase.Queued, status);
            case "processing":
                return new ProviderTaskStatus(ProviderTaskPhase.Running, status, Detail: "processing at Runware");
            case "success" when videoUrl is not null:
                return new ProviderTaskStatus(ProviderTaskPhase.Succeeded, status, Progress: 1, OutputUrls: [videoUrl], CostCredits: cost, Seed: seed);
            case "success":
                return new ProviderTaskStatus(ProviderTaskPhase.Failed, status, CostCredits: cost, Failure: "Runware reported success without a videoURL.", FailureCode: "noOutput");
            case "error":
            case "failed":
                return new ProviderTaskStatus(ProviderTaskPhase.Failed, status, CostCredits: cost,
                    Failure: Text(item, "message") ?? "Runware reported an error.", FailureCode: code,
                    Retryable: Kind(code) == ProviderFailureKind.Transient);
            default:
                logger.LogWarning("Runware task {TaskUuid} reported unknown status {Status}; treating it as queued", Text(item, "taskUUID"), status);
                return new ProviderTaskStatus(ProviderTaskPhase.Queued, status);
        }
    }

    /// <summary>What an error code means for the studio. timeoutProvider and capacity codes are worth sending again.</summary>
    internal static ProviderFailureKind Kind(string? code) => code?.ToLowerInvariant() switch
    {
        null => ProviderFailureKind.Rejected,
        var c when c.Contains("apikey", StringComparison.Ordinal) || c is "unauthorized" or "forbidden" => ProviderFailureKind.Unauthorized,
        var c when c.Contains("credit", StringComparison.Ordinal) || c.Contains("balance", StringComparison.Ordinal) => ProviderFailureKind.InsufficientCredits,
        var c when c.Contains("notfound", StringComparison.Ordinal) || c is "unknowntaskuuid" => ProviderFailureKind.NotFound,
        var c when c.StartsWith("timeout", StringComparison.Ordinal) || c.Contains("unavailable", StringComparison.Ordinal) || c.Contains("capacity", StringComparison.Ordinal)
            || c is "servererror" or "internalerror" => ProviderFailureKind.Transient,
        _ => ProviderFailureKind.Rejected,
    };

    private static ProviderFailure Classify(JsonNode error) =>
        new(Kind(Text(error, "code")), Describe(error));

    private static string Describe(JsonNode? error)
    {
        var message = Text(error, "message") ?? "an error without a message";
        return Text(error, "code") is { } code ? $"Runware: {message} ({code})" : $"Runware: {message}";
    }

    /// <summary>The error entry about this task, or a general one (authentication, payload) that names no task.</summary>
    private static JsonNode? ErrorFor(JsonNode body, string taskUuid) =>
        Items(body, "errors").FirstOrDefault(e => Text(e, "taskUUID") == taskUuid)
        ?? Items(body, "errors").FirstOrDefault(e => Text(e, "taskUUID") is null);

    private static IEnumerable<JsonNode> Items(JsonNode body, string name) =>
        body is JsonObject o && o[name] is JsonArray array ? array.OfType<JsonNode>() : [];

    private static string? Text(JsonNode? node, string name) =>
        node is JsonObject o && o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static double? Number(JsonNode? node, string name)
    {
        if (node is not JsonObject o || o[name] is not JsonValue v)
        {
            return null;
        }

        if (v.TryGetValue<double>(out var d))
        {
            return d;
        }

        return v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
    }

    /// <summary>POSTs the task array; returns the parsed body of a 2xx answer, or a classified failure carrying Runware's own message.</summary>
    private async Task<(JsonNode? Body, ProviderFailure? Failure)> ExchangeAsync(ProviderConnection connection, JsonArray tasks, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(connection.BaseUri, "v1"))
        {
            Content = new StringContent(tasks.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", connection.ApiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var taskType = Text(tasks[0], "taskType");

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Runware {TaskType} failed: {Error}", taskType, ex.Message);
            return (null, ProviderHttp.Classify(ex, DisplayName));
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            JsonNode? body = null;
            try
            {
                body = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
            }

            if (!ProviderHttp.IsSuccess(response.StatusCode))
            {
                var first = body is null ? null : Items(body, "errors").FirstOrDefault();
                var message = first is null ? $"Runware answered {(int)response.StatusCode} {response.ReasonPhrase}." : Describe(first);
                logger.LogInformation("Runware {TaskType} answered {Status}: {Message}", taskType, (int)response.StatusCode, message);
                return (null, ProviderHttp.Classify(response, message));
            }

            if (body is not JsonObject)
            {
                logger.LogWarning("Runware {TaskType} answered {Status} with something that is not the expected JSON", taskType, (int)response.StatusCode);
                return (null, new ProviderFailure(ProviderFailureKind.NoAnswer, "Runware answered with something that is not the expected JSON."));
            }

            return (body, null);
        }
    }
}
