using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Studio.Emulator.Faults;
using Studio.Emulator.Shared;

namespace Studio.Emulator.Kie;

/// <summary>
/// Handlers for the emulated kie API (PROVIDERS.md 4). Every answer is kie's envelope <c>{code,msg,data}</c> and the
/// business status is the body's <c>code</c>: validation (422) and insufficient credits (402) come with HTTP 200,
/// as kie's docs warn; a missing or wrong key is HTTP 401 and malformed JSON HTTP 400, with the same code in the body.
/// </summary>
internal static class KieEndpoints
{
    public const int MaxPromptLength = 1800;

    /// <summary>The failure of a task made with the <c>moderation</c> fault (failCode 400).</summary>
    internal const string ModerationFailure = "Your prompt was flagged as containing inappropriate content. Please modify it and try again.";

    public static async Task<IResult> GenerateAsync(HttpRequest http, KieTaskStore store, KieTaskRunner runner, IOptionsMonitor<KieEmulatorOptions> options, FaultRegistry faults)
    {
        var (root, error) = await ReadBodyAsync(http);
        if (root is not { } body)
        {
            return error!;
        }
        var problems = new List<string>();
        var prompt = Prompt(body, problems);
        var duration = Int(body, "duration");
        if (duration is not (5 or 10))
        {
            problems.Add("duration must be 5 or 10.");
        }
        var quality = Quality(body, duration, problems);
        var imageUrl = Url(body, "imageUrl", problems);
        var aspect = Str(body, "aspectRatio");
        if (imageUrl is not null)
        {
            aspect = null; // the image decides
        }
        else if (aspect is null || !KieSizes.AspectRatios.Contains(aspect))
        {
            problems.Add($"aspectRatio must be one of {string.Join(", ", KieSizes.AspectRatios)} when no imageUrl is given.");
        }
        var callBackUrl = Url(body, "callBackUrl", problems);
        if (problems.Count > 0)
        {
            return KieJson.Reply(422, string.Join(" ", problems));
        }
        if (options.CurrentValue.CreditBalance <= 0)
        {
            return KieJson.Reply(402, "The current credits are insufficient. Please top up.");
        }
        var plan = faults.PlanFor(prompt);
        if (faults.BeforeCreate(FaultRegistry.Kie, prompt, plan) is { } refusal)
        {
            return FaultAnswer(http.HttpContext.Response, refusal);
        }
        var task = store.Create(new KieTaskRequest(prompt!, duration!.Value, quality!, aspect, imageUrl, Str(body, "waterMark"), callBackUrl, null, http.PublicBase()));
        return await StartAsync(http, task, body, plan, runner, faults);
    }

    public static async Task<IResult> ExtendAsync(HttpRequest http, KieTaskStore store, KieTaskRunner runner, IOptionsMonitor<KieEmulatorOptions> options, FaultRegistry faults)
    {
        var (root, error) = await ReadBodyAsync(http);
        if (root is not { } body)
        {
            return error!;
        }
        var problems = new List<string>();
        var parentId = Str(body, "taskId");
        if (parentId is null)
        {
            problems.Add("taskId is required.");
        }
        var prompt = Prompt(body, problems);
        var parent = store.Find(parentId);
        var quality = Quality(body, parent?.Request.Duration, problems);
        var callBackUrl = Url(body, "callBackUrl", problems);
        if (problems.Count > 0)
        {
            return KieJson.Reply(422, string.Join(" ", problems));
        }
        if (parent is null)
        {
            return KieJson.Reply(404, $"Task {parentId} does not exist.");
        }
        if (parent.StateAt(store.Now) != "success")
        {
            return KieJson.Reply(422, "Only a successfully generated video can be extended.");
        }
        if (options.CurrentValue.CreditBalance <= 0)
        {
            return KieJson.Reply(402, "The current credits are insufficient. Please top up.");
        }
        var plan = faults.PlanFor(prompt);
        if (faults.BeforeCreate(FaultRegistry.Kie, prompt, plan) is { } refusal)
        {
            return FaultAnswer(http.HttpContext.Response, refusal);
        }
        // The extension keeps the original's aspect ratio and length.
        var task = store.Create(new KieTaskRequest(prompt!, parent.Request.Duration, quality!, parent.ResolvedAspect, null, Str(body, "waterMark"), callBackUrl, parent.Id, http.PublicBase()));
        return await StartAsync(http, task, body, plan, runner, faults);
    }

    /// <summary>Counts the create, applies the task's faults (moderation fails it at once) and answers with its id.</summary>
    private static async Task<IResult> StartAsync(HttpRequest http, KieTask task, JsonElement body, FaultPlan plan, KieTaskRunner runner, FaultRegistry faults)
    {
        var taskFaults = faults.Created(FaultRegistry.Kie, task.Id, plan, task.Request.Prompt, FaultRegistry.BodyHash(body));
        if (taskFaults is { Moderation: true })
        {
            runner.FailNow(task, 400, ModerationFailure);
        }
        else
        {
            runner.Enqueue(task);
        }
        if (await FaultHooks.AfterCreateAsync(http.HttpContext, taskFaults) is { } aborted)
        {
            return aborted;
        }
        return KieJson.Reply(200, "success", new { taskId = task.Id });
    }

    /// <summary>
    /// A fault's refusal in kie's envelope: 402 in HTTP 200 like kie's own; 429 and 5xx with the same HTTP status as the
    /// body's code (what a gateway in front of kie would send), Retry-After on 429.
    /// </summary>
    private static IResult FaultAnswer(HttpResponse response, FaultAnswer answer)
    {
        answer.ApplyHeaders(response);
        return answer.Kind switch
        {
            FaultAnswerKind.InsufficientBalance => KieJson.Reply(402, "The current credits are insufficient. Please top up."),
            FaultAnswerKind.RateLimited => KieJson.Reply(429, "Rate limited: the request limit for this resource has been exceeded.", httpStatus: answer.Status),
            _ => KieJson.Reply(answer.Status, "Server error: please try again later.", httpStatus: answer.Status),
        };
    }

    public static IResult RecordDetail(string? taskId, HttpRequest http, KieTaskStore store, KieOutputUrls outputUrls, FaultRegistry faults)
    {
        if (string.IsNullOrWhiteSpace(taskId))
        {
            return KieJson.Reply(422, "taskId is required.");
        }
        if (store.Find(taskId) is not { } task)
        {
            return KieJson.Reply(404, $"Task {taskId} does not exist.");
        }
        var taskFaults = faults.Find(FaultRegistry.Kie, task.Id);
        if (taskFaults?.NextStatusRead() is { } refusal)
        {
            return FaultAnswer(http.HttpContext.Response, refusal);
        }
        var state = task.StateAt(store.Now);
        var request = task.Request;
        var data = new KieRecord(
            task.Id,
            request.ParentTaskId,
            new KieGenerateParam(request.Prompt, request.ImageUrl, false),
            state,
            task.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            state == "success" ? new KieVideoInfo(KieOutputUrls.VideoId(task.Id), task.Id, outputUrls.Create(http.PublicBase(), task, taskFaults?.LinkGeneration ?? 0), request.ImageUrl) : null,
            state == "fail" ? task.FailCode : null,
            state == "fail" ? task.FailMsg : null,
            store.IsExpired(task) ? 1 : 0);
        return KieJson.Reply(200, "success", data);
    }

    public static IResult Credit(IOptionsMonitor<KieEmulatorOptions> options) => KieJson.Reply(200, "success", options.CurrentValue.CreditBalance);

    public static IResult Output(string taskId, string? exp, string? sig, HttpRequest http, KieTaskStore store, KieOutputUrls outputUrls, FaultRegistry faults)
    {
        if (store.Find(taskId) is not { } task || !outputUrls.Valid(task, exp, sig))
        {
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }
        if (store.IsExpired(task))
        {
            return Results.StatusCode(StatusCodes.Status404NotFound); // kie deletes videos after 14 days
        }
        if (task.StateAt(store.Now) != "success" || task.OutputPath is not { } path || !File.Exists(path))
        {
            return Results.StatusCode(StatusCodes.Status404NotFound);
        }
        var taskFaults = faults.Find(FaultRegistry.Kie, task.Id);
        return (taskFaults?.NextDownload(exp, HttpMethods.IsGet(http.Method)) ?? DownloadFault.None) switch
        {
            DownloadFault.Expired => Results.StatusCode(StatusCodes.Status403Forbidden),
            var fault => FaultHooks.Output(path, fault, taskFaults),
        };
    }

    private static async Task<(JsonElement? Body, IResult? Error)> ReadBodyAsync(HttpRequest http)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(http.Body, cancellationToken: http.HttpContext.RequestAborted);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (document.RootElement.Clone(), null)
                : (null, KieJson.Reply(400, "The request body must be a JSON object.", httpStatus: 400));
        }
        catch (JsonException ex)
        {
            return (null, KieJson.Reply(400, $"Malformed JSON: {ex.Message}", httpStatus: 400));
        }
    }

    private static string? Prompt(JsonElement body, List<string> problems)
    {
        var prompt = Str(body, "prompt");
        if (string.IsNullOrWhiteSpace(prompt))
        {
            problems.Add("prompt is required.");
        }
        else if (prompt.Length > MaxPromptLength)
        {
            problems.Add($"prompt must be at most {MaxPromptLength} characters (it has {prompt.Length}).");
        }
        return prompt;
    }

    private static string? Quality(JsonElement body, int? duration, List<string> problems)
    {
        var quality = Str(body, "quality");
        if (quality is null || !KieSizes.Qualities.Contains(quality))
        {
            problems.Add("quality must be 720p or 1080p.");
        }
        else if (quality == "1080p" && duration == 10)
        {
            problems.Add("1080p is only available for 5-second videos; use 720p for 10 seconds.");
        }
        return quality;
    }

    private static string? Url(JsonElement body, string name, List<string> problems)
    {
        var value = Str(body, name);
        if (value is null || value.Length == 0)
        {
            return null;
        }
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            problems.Add($"{name} must be an http or https URL.");
        }
        return value;
    }

    private static string? Str(JsonElement body, string name) =>
        body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? Int(JsonElement body, string name) =>
        body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;
}

/// <summary>kie's Bearer key check: HTTP 401 with code 401 in the envelope.</summary>
internal sealed class KieApiKeyFilter(IOptionsMonitor<EmulatorOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var authorization = context.HttpContext.Request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        var key = authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) ? authorization[bearer.Length..].Trim() : "";
        var accepted = options.CurrentValue.AcceptedApiKeys;
        if (key.Length == 0 || (accepted.Count > 0 && !accepted.Contains(key, StringComparer.Ordinal)))
        {
            return KieJson.Reply(401, "You do not have access permissions. Check your API key.", httpStatus: 401);
        }
        return await next(context);
    }
}

internal static class KieJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IResult Reply(int code, string msg, object? data = null, int httpStatus = 200) =>
        Results.Json(new KieEnvelope(code, msg, data), Options, statusCode: httpStatus);
}

internal sealed record KieEnvelope(int Code, string Msg, object? Data);

internal sealed record KieGenerateParam(string Prompt, string? ImageUrl, bool ExpandPrompt);

internal sealed record KieVideoInfo(string VideoId, string TaskId, string VideoUrl, string? ImageUrl);

internal sealed record KieRecord(
    string TaskId,
    string? ParentTaskId,
    KieGenerateParam GenerateParam,
    string State,
    string GenerateTime,
    KieVideoInfo? VideoInfo,
    int? FailCode,
    string? FailMsg,
    int ExpireFlag);

/// <summary>The callback body: snake_case, unlike polling (PROVIDERS.md 4.5).</summary>
internal sealed record KieCallback(int Code, string Msg, KieCallbackData Data);

internal sealed record KieCallbackData(
    [property: JsonPropertyName("task_id")] string TaskId,
    [property: JsonPropertyName("video_id")] string? VideoId,
    [property: JsonPropertyName("video_url")] string? VideoUrl,
    [property: JsonPropertyName("image_url")] string? ImageUrl);
