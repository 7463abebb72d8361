using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Studio.Emulator.Faults;
using Studio.Emulator.Shared;

namespace Studio.Emulator.Pixazo;

/// <summary>Handlers for the emulated gateway; the rules come from PROVIDERS.md §2 and the Pixazo page (seed 000).</summary>
internal static class PixazoEndpoints
{
    /// <summary>snake_case like the gateway; nulls are written (<c>"error": null</c>, <c>"output": null</c>).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The error text of a request made with the <c>moderation</c> fault (status FAILED).</summary>
    internal const string ModerationFailure = "Content moderation: the prompt was flagged as inappropriate and the request was rejected.";

    public static async Task<IResult> GenerateAsync(string model, string version, HttpRequest http, PixazoTaskStore store, FaultRegistry faults)
    {
        if (model != PixazoRules.ModelId || version != PixazoRules.ModelVersion)
        {
            return Error(400, "Model not found", $"Model '{model}' not found or is disabled");
        }
        if (http.Headers[PixazoEmulator.KeyHeader].ToString().Trim().StartsWith(PixazoEmulator.EmptyWalletKeyPrefix, StringComparison.Ordinal))
        {
            return Error(402, "Insufficient Balance", "Your wallet does not have enough balance.");
        }

        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(http.Body, cancellationToken: http.HttpContext.RequestAborted);
            body = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return Error(400, "Bad Request", $"The request body is not valid JSON: {ex.Message}");
        }

        var (request, problem) = Validate(body, http.Headers[PixazoEmulator.WebhookUrlHeader].ToString(), http.Headers[PixazoEmulator.WebhookModeHeader].ToString());
        if (request is null)
        {
            return Error(400, "Bad Request", problem!);
        }

        var plan = faults.PlanFor(request.Prompt);
        if (faults.BeforeCreate(FaultRegistry.Pixazo, request.Prompt, plan) is { } refusal)
        {
            return FaultAnswer(http.HttpContext.Response, refusal);
        }

        var task = store.Create(request, http.PublicBase());
        var taskFaults = faults.Created(FaultRegistry.Pixazo, task.Id, plan, request.Prompt, FaultRegistry.BodyHash(body));
        if (taskFaults is { Moderation: true })
        {
            store.Fail(task, PixazoStatus.Failed, ModerationFailure);
        }

        if (await FaultHooks.AfterCreateAsync(http.HttpContext, taskFaults) is { } aborted)
        {
            return aborted;
        }

        return Results.Json(new PixazoAccepted(task.Id, PixazoStatus.Queued, $"{http.PublicBase()}{PixazoEmulator.BasePath}/v2/requests/status/{task.Id}"), Json, statusCode: 202);
    }

    public static IResult GetStatus(string requestId, HttpRequest http, PixazoTaskStore store, PixazoOutputUrls outputUrls, FaultRegistry faults)
    {
        if (store.Find(requestId) is not { } task)
        {
            return Error(404, "Not Found", $"Request '{requestId}' not found");
        }

        var taskFaults = faults.Find(FaultRegistry.Pixazo, task.Id);
        if (taskFaults?.NextStatusRead() is { } refusal)
        {
            return FaultAnswer(http.HttpContext.Response, refusal);
        }

        return Results.Json(StatusBody(task, task.ViewAt(store.Now), outputUrls, http.PublicBase(), taskFaults?.LinkGeneration ?? 0), Json);
    }

    public static IResult GetOutput(string requestId, string? exp, string? sig, HttpRequest http, PixazoOutputUrls outputUrls, PixazoTaskStore store, FaultRegistry faults)
    {
        if (outputUrls.Check(requestId, exp, sig) is { } why)
        {
            return Results.Text($"Access denied: {why}.", statusCode: 403);
        }
        if (store.Find(requestId) is not { } task || task.ViewAt(store.Now).OutputPath is not { } path || !File.Exists(path))
        {
            return Results.Text("Not found", statusCode: 404);
        }
        var taskFaults = faults.Find(FaultRegistry.Pixazo, task.Id);
        return (taskFaults?.NextDownload(exp, HttpMethods.IsGet(http.Method)) ?? DownloadFault.None) switch
        {
            DownloadFault.Expired => Results.Text("Access denied: this link has expired.", statusCode: 403),
            var fault => FaultHooks.Output(path, fault, taskFaults),
        };
    }

    /// <summary>The status response, which is also the webhook payload.</summary>
    public static PixazoStatusBody StatusBody(PixazoTask task, PixazoTaskView view, PixazoOutputUrls outputUrls, string baseUrl, int linkGeneration = 0) => new(
        task.Id,
        view.Status,
        PixazoRules.ModelId,
        view.Error,
        view.OutputPath is null ? null : new PixazoOutput([outputUrls.Create(baseUrl, task.Id, linkGeneration)], "video/mp4"),
        PixazoRules.IsoTimestamp(task.CreatedAt),
        PixazoRules.PlainTimestamp(view.UpdatedAt),
        view.CompletedAt is { } done ? PixazoRules.PlainTimestamp(done) : null);

    /// <summary>Checks a generate body; null and the first problem (naming its field) when it is refused.</summary>
    internal static (PixazoRequest? Request, string? Problem) Validate(JsonElement body, string webhookUrl, string webhookMode)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, "The request body must be a JSON object.");
        }

        if (!body.TryGetProperty("prompt", out var promptElement) || promptElement.ValueKind != JsonValueKind.String
            || promptElement.GetString()!.Trim().Length == 0)
        {
            return (null, "prompt is required and must be a non-empty string.");
        }
        var prompt = promptElement.GetString()!;
        if (prompt.Length > PixazoRules.MaxPromptLength)
        {
            return (null, $"prompt must be at most {PixazoRules.MaxPromptLength} characters; received {prompt.Length}.");
        }

        string? image = null;
        if (body.TryGetProperty("image", out var imageElement) && imageElement.ValueKind != JsonValueKind.Null)
        {
            if (imageElement.ValueKind != JsonValueKind.String || !Uri.TryCreate(imageElement.GetString(), UriKind.Absolute, out var imageUri)
                || (imageUri.Scheme != Uri.UriSchemeHttps && imageUri.Scheme != Uri.UriSchemeHttp))
            {
                return (null, "image must be an http(s) URL of the first-frame image.");
            }
            image = imageUri.AbsoluteUri;
        }

        var duration = PixazoRules.DefaultDuration;
        if (body.TryGetProperty("duration", out var durationElement) && durationElement.ValueKind != JsonValueKind.Null
            && (durationElement.ValueKind != JsonValueKind.Number || !durationElement.TryGetInt32(out duration) || !PixazoRules.Durations.Contains(duration)))
        {
            return (null, $"duration must be one of 5, 10; received {durationElement.GetRawText()}.");
        }

        var ratio = PixazoRules.DefaultAspectRatio;
        var allowed = string.Join(", ", PixazoRules.Sizes.Keys.Select(k => $"\"{k}\""));
        if (body.TryGetProperty("aspect_ratio", out var ratioElement) && ratioElement.ValueKind != JsonValueKind.Null)
        {
            if (ratioElement.ValueKind != JsonValueKind.String || !PixazoRules.Sizes.ContainsKey(ratioElement.GetString()!))
            {
                return (null, $"aspect_ratio must be one of {allowed}; received {ratioElement.GetRawText()}.");
            }
            ratio = ratioElement.GetString()!;
        }
        if (image is null && !PixazoRules.TextOnlyRatios.Contains(ratio))
        {
            return (null, $"aspect_ratio \"{ratio}\" needs an image: text-only generation supports \"16:9\" and \"9:16\".");
        }

        long? seed = null;
        if (body.TryGetProperty("seed", out var seedElement) && seedElement.ValueKind != JsonValueKind.Null)
        {
            if (seedElement.ValueKind != JsonValueKind.Number || !seedElement.TryGetInt64(out var value) || value < 0 || value > PixazoRules.MaxSeed)
            {
                return (null, $"seed must be an integer from 0 to {PixazoRules.MaxSeed}; received {seedElement.GetRawText()}.");
            }
            seed = value;
        }

        string? callback = null;
        if (!string.IsNullOrWhiteSpace(webhookUrl))
        {
            // The real gateway takes https only; the emulator also takes http so a local studio can be called back.
            if (!Uri.TryCreate(webhookUrl.Trim(), UriKind.Absolute, out var callbackUri) || (callbackUri.Scheme != Uri.UriSchemeHttps && callbackUri.Scheme != Uri.UriSchemeHttp))
            {
                return (null, "X-Webhook-URL must be an absolute HTTPS URL.");
            }
            callback = callbackUri.AbsoluteUri;
        }
        var mode = string.IsNullOrWhiteSpace(webhookMode) ? PixazoEmulator.TerminalMode : webhookMode.Trim().ToLowerInvariant();
        if (mode is not (PixazoEmulator.TerminalMode or PixazoEmulator.SyncMode))
        {
            return (null, $"X-Webhook-Mode must be \"terminal\" or \"sync\"; received \"{webhookMode}\".");
        }

        return (new PixazoRequest(prompt, image, duration, ratio, seed, callback, mode), null);
    }

    /// <summary>
    /// A fault's refusal as the gateway would send it: 429 is Azure API Management's rate-limit body, 5xx and 402 the
    /// gateway's <c>{"error","message"}</c>.
    /// </summary>
    private static IResult FaultAnswer(HttpResponse response, FaultAnswer answer)
    {
        answer.ApplyHeaders(response);
        return answer.Kind switch
        {
            FaultAnswerKind.RateLimited => Results.Json(
                new { statusCode = answer.Status, message = $"Rate limit is exceeded. Try again in {answer.RetryAfterSeconds ?? 1} seconds." }, statusCode: answer.Status),
            FaultAnswerKind.InsufficientBalance => Error(402, "Insufficient Balance", "Your wallet does not have enough balance."),
            _ => Error(answer.Status, answer.Status == 503 ? "Service Unavailable" : "Internal Server Error", "The service is temporarily unavailable. Please try again later."),
        };
    }

    private static IResult Error(int status, string error, string message) => Results.Json(new PixazoError(error, message), Json, statusCode: status);
}

internal sealed record PixazoAccepted(string RequestId, string Status, string PollingUrl);

internal sealed record PixazoOutput(IReadOnlyList<string> MediaUrl, string MediaType);

internal sealed record PixazoStatusBody(
    string RequestId,
    string Status,
    string ModelId,
    string? Error,
    PixazoOutput? Output,
    string CreatedAt,
    string UpdatedAt,
    string? CompletedAt);

internal sealed record PixazoError(string Error, string Message);
