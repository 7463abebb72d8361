using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Studio.Emulator.Faults;
using Studio.Emulator.Shared;

namespace Studio.Emulator.Runware;

/// <summary>
/// <c>POST /runware/v1</c>: a JSON array of tasks, answered <c>{"data":[…],"errors":[…]}</c> with either key
/// left out when empty. Errors are per task; the HTTP status is 200 when anything succeeded or the errors are
/// task results (a failed generation, an unknown taskUUID), else the status of the first error (400, 401, 402).
/// </summary>
internal static class RunwareEndpoints
{
    /// <summary>The error code and message of a task made with the <c>moderation</c> fault.</summary>
    internal const string ModerationCode = "contentModerated";
    internal const string ModerationMessage = "The prompt was flagged by content moderation and cannot be processed. Revise it and try again.";

    public static async Task<IResult> HandleAsync(HttpRequest http, RunwareTaskStore store, WorkQueue<RunwareTask> queue, RunwareOutputUrls urls,
        IOptionsMonitor<EmulatorOptions> options, FaultRegistry faults)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Body, cancellationToken: http.HttpContext.RequestAborted);
        }
        catch (JsonException ex)
        {
            return Answer([], [new RunwareError("invalidJson", $"The request body is not valid JSON: {ex.Message}", null, "unknown", null)]);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                return Answer([], [new RunwareError("invalidPayload", "The request body must be a JSON array of task objects, even for one task.", null, "unknown", null)]);
            }

            var tasks = root.EnumerateArray().ToList();
            var authTask = tasks.FirstOrDefault(t => RunwareRequestValidator.String(t, "taskType") == "authentication");
            if (Authenticate(http, authTask, options.CurrentValue) is { } authError)
            {
                return Answer([], [authError]);
            }

            var data = new List<JsonObject>();
            var errors = new List<RunwareError>();
            var publicBase = http.PublicBase();
            foreach (var task in tasks)
            {
                var taskType = RunwareRequestValidator.String(task, "taskType");
                var taskUuid = RunwareRequestValidator.String(task, "taskUUID");
                switch (taskType)
                {
                    case "authentication":
                        break;
                    case "videoInference":
                        var (request, invalid) = RunwareRequestValidator.Validate(task);
                        var plan = faults.PlanFor(request?.Prompt);
                        if (request is not null && faults.BeforeCreate(FaultRegistry.Runware, request.Prompt, plan) is { } refusal)
                        {
                            if (refusal.Kind != FaultAnswerKind.InsufficientBalance)
                            {
                                return FaultAnswer(http.HttpContext.Response, refusal, "videoInference", taskUuid);
                            }

                            errors.Add(new RunwareError("insufficientCredits", "Insufficient credits. Add funds to your account to continue.", null, "videoInference",
                                taskUuid, StatusCodes.Status402PaymentRequired));
                            break;
                        }

                        var (created, refused) = request is null ? (null, invalid) : store.Create(request, publicBase);
                        if (created is null)
                        {
                            errors.Add(refused!);
                            break;
                        }

                        var taskFaults = faults.Created(FaultRegistry.Runware, created.TaskUuid.ToString(), plan, request!.Prompt, FaultRegistry.BodyHash(task));
                        if (taskFaults is { Moderation: true } && created.Fail(ModerationCode, ModerationMessage))
                        {
                            store.Finished(created);
                        }

                        queue.Enqueue(created);
                        data.Add(new JsonObject { ["taskType"] = "videoInference", ["taskUUID"] = created.TaskUuid.ToString() });
                        if (await FaultHooks.AfterCreateAsync(http.HttpContext, taskFaults) is { } aborted)
                        {
                            return aborted;
                        }

                        break;
                    case "getResponse":
                        if (!Guid.TryParse(taskUuid, out var id) || store.Find(id) is not { } found)
                        {
                            // A task result, not a bad request: the studio asks this after a create that got no answer.
                            errors.Add(new RunwareError("taskNotFound", $"No task found with taskUUID '{taskUuid}'.", "taskUUID", "getResponse", taskUuid,
                                StatusCodes.Status200OK));
                            break;
                        }

                        var foundFaults = faults.Find(FaultRegistry.Runware, found.TaskUuid.ToString());
                        if (foundFaults?.NextStatusRead() is { } statusRefusal)
                        {
                            return FaultAnswer(http.HttpContext.Response, statusRefusal, "getResponse", taskUuid);
                        }

                        var view = store.Observe(found);
                        if (view.State == RunwareTaskState.Error)
                        {
                            errors.Add(new RunwareError(view.ErrorCode!, view.ErrorMessage!, null, "videoInference", taskUuid, StatusCodes.Status200OK));
                        }
                        else
                        {
                            data.Add(RunwareResponses.Item(found, view, urls.Create(publicBase, found.VideoUuid, foundFaults?.LinkGeneration ?? 0)));
                        }

                        break;
                    case "accountManagement" when RunwareRequestValidator.String(task, "operation") == "getDetails":
                        data.Add(new JsonObject
                        {
                            ["taskType"] = "accountManagement",
                            ["taskUUID"] = taskUuid,
                            ["operation"] = "getDetails",
                            ["organizationUUID"] = "00000000-0000-4000-8000-000000000001",
                            ["organizationName"] = "Runware emulator",
                            ["balance"] = store.BalanceUsd,
                        });
                        break;
                    case "ping":
                        data.Add(new JsonObject { ["taskType"] = "ping", ["pong"] = true });
                        break;
                    default:
                        errors.Add(new RunwareError("invalidTaskType", $"Unknown or unsupported 'taskType' '{taskType}' (or 'operation').", "taskType",
                            taskType ?? "unknown", taskUuid));
                        break;
                }
            }

            return Answer(data, errors);
        }
    }

    public static IResult GetOutput(Guid videoUuid, string? exp, string? sig, HttpRequest http, RunwareOutputUrls urls, RunwareTaskStore store, FaultRegistry faults)
    {
        if (urls.Check(videoUuid, exp, sig) is { } denied)
        {
            return Results.Text(denied, statusCode: StatusCodes.Status403Forbidden);
        }

        if (store.FindByVideo(videoUuid) is not { OutputPath: { } path } task || !File.Exists(path))
        {
            return Results.NotFound();
        }

        var taskFaults = faults.Find(FaultRegistry.Runware, task.TaskUuid.ToString());
        return (taskFaults?.NextDownload(exp, HttpMethods.IsGet(http.Method)) ?? DownloadFault.None) switch
        {
            DownloadFault.Expired => Results.Text("Access denied: this link has expired.", statusCode: StatusCodes.Status403Forbidden),
            var fault => FaultHooks.Output(path, fault, taskFaults),
        };
    }

    /// <summary>A fault's refusal of the whole request, as Runware's <c>errors[]</c> with the fault's HTTP status.</summary>
    private static IResult FaultAnswer(HttpResponse response, FaultAnswer answer, string taskType, string? taskUuid)
    {
        answer.ApplyHeaders(response);
        var (code, message) = answer.Kind switch
        {
            FaultAnswerKind.RateLimited => ("rateLimitExceeded", "Too many requests. Slow down and try again later."),
            _ when answer.Status == StatusCodes.Status503ServiceUnavailable => ("serviceUnavailable", "The service is temporarily unavailable. Try again later."),
            _ => ("serverError", "An unexpected server error occurred. Try again later."),
        };
        return Answer([], [new RunwareError(code, message, null, taskType, taskUuid, answer.Status)]);
    }

    /// <summary>Bearer header, or an authentication task in the array. Any non-empty key when no keys are configured.</summary>
    private static RunwareError? Authenticate(HttpRequest http, JsonElement authTask, EmulatorOptions options)
    {
        var header = http.Headers.Authorization.ToString();
        var key = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        if (string.IsNullOrEmpty(key) && authTask.ValueKind == JsonValueKind.Object)
        {
            key = RunwareRequestValidator.String(authTask, "apiKey");
        }

        if (string.IsNullOrEmpty(key))
        {
            return new RunwareError("missingApiKey", "Missing API key. Send 'Authorization: Bearer <key>' or an authentication task first.", "apiKey",
                "authentication", null, StatusCodes.Status401Unauthorized);
        }

        var accepted = options.AcceptedApiKeys.Count == 0 || options.AcceptedApiKeys.Contains(key, StringComparer.Ordinal);
        return accepted ? null : new RunwareError("invalidApiKey", "Invalid API key. Get one at https://my.runware.ai/signup", "apiKey",
            "authentication", null, StatusCodes.Status401Unauthorized);
    }

    private static IResult Answer(List<JsonObject> data, List<RunwareError> errors)
    {
        var body = new JsonObject();
        if (data.Count > 0)
        {
            body["data"] = new JsonArray([.. data]);
        }

        if (errors.Count > 0)
        {
            body["errors"] = new JsonArray([.. errors.Select(RunwareResponses.Error)]);
        }

        var status = data.Count == 0 && errors.FirstOrDefault(e => e.HttpStatus != StatusCodes.Status200OK) is { } first
            ? first.HttpStatus
            : StatusCodes.Status200OK;
        return Results.Json(body, RunwareResponses.Json, statusCode: status);
    }
}

/// <summary>Runware's wire shapes. The same flat task object is a polling <c>data</c> item and a webhook body.</summary>
internal static class RunwareResponses
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonObject Item(RunwareTask task, RunwareTaskView view, string videoUrl)
    {
        var item = new JsonObject { ["taskType"] = "videoInference", ["taskUUID"] = task.TaskUuid.ToString() };
        switch (view.State)
        {
            case RunwareTaskState.Processing:
                item["status"] = "processing";
                break;
            case RunwareTaskState.Success:
                item["status"] = "success";
                item["videoUUID"] = task.VideoUuid.ToString();
                item["videoURL"] = videoUrl;
                item["seed"] = task.Seed;
                if (task.Request.IncludeCost)
                {
                    item["cost"] = task.CostUsd;
                }

                break;
            default:
                // What an error webhook carries is not documented; the emulator sends the errors[] entry, flat.
                item["status"] = "error";
                item["code"] = view.ErrorCode;
                item["message"] = view.ErrorMessage;
                break;
        }

        return item;
    }

    public static JsonObject Error(RunwareError error)
    {
        var entry = new JsonObject { ["code"] = error.Code, ["message"] = error.Message };
        if (error.Parameter is not null)
        {
            entry["parameter"] = error.Parameter;
        }

        entry["taskType"] = error.TaskType;
        if (error.TaskUuid is not null)
        {
            entry["taskUUID"] = error.TaskUuid;
        }

        if (error.HttpStatus == StatusCodes.Status200OK && error.TaskType == "videoInference")
        {
            entry["status"] = "error";
        }

        entry["documentation"] = "https://runware.ai/docs/platform/errors";
        return entry;
    }
}
