using System.Text.Json;

namespace Studio.Emulator.Runware;

/// <summary>A videoInference task for <c>runway:1@2</c> that passed validation.</summary>
/// <param name="ImageUrl">The first frame when it came as an http(s) URL (fetched by the worker).</param>
/// <param name="ImageBytes">The first frame when it came as a data URI.</param>
internal sealed record RunwareVideoRequest(
    Guid TaskUuid,
    string Prompt,
    int Width,
    int Height,
    int Duration,
    long? Seed,
    string? ImageUrl,
    byte[]? ImageBytes,
    string? WebhookUrl,
    bool IncludeCost);

/// <summary>One entry of a response's <c>errors[]</c>; <paramref name="HttpStatus"/> is what it makes the whole answer when nothing succeeded.</summary>
internal sealed record RunwareError(string Code, string Message, string? Parameter, string TaskType, string? TaskUuid, int HttpStatus = StatusCodes.Status400BadRequest);

/// <summary>
/// What Runware accepts for Runway Gen-4.5 (<c>runway:1@2</c>, PROVIDERS.md §3.2). The first problem found is
/// reported, like Runware's one error entry per task, naming the parameter.
/// </summary>
internal static class RunwareRequestValidator
{
    public const string Model = "runway:1@2";
    public const int MaxPromptLength = 1000;
    public const int MinDuration = 2;
    public const int MaxDuration = 10;

    /// <summary>5 MB of data URI, as Runway itself takes inline.</summary>
    public const int MaxDataUriLength = 5_000_000;

    public static readonly (int Width, int Height)[] Sizes = [(1280, 720), (720, 1280), (1104, 832), (832, 1104), (960, 960)];

    private static readonly string[] ImageTypes = ["image/png", "image/jpeg", "image/webp"];

    public static (RunwareVideoRequest? Request, RunwareError? Error) Validate(JsonElement task)
    {
        const string type = "videoInference";
        var uuidText = String(task, "taskUUID");
        RunwareError Fail(string code, string message, string? parameter) => new(code, message, parameter, type, uuidText);

        if (!Guid.TryParse(uuidText, out var taskUuid))
        {
            return (null, Fail("invalidTaskUUID", "Invalid value for 'taskUUID' parameter. It must be a UUID v4 string.", "taskUUID"));
        }

        var model = String(task, "model");
        if (model != Model)
        {
            return (null, Fail("invalidModel", $"Invalid value for 'model' parameter. The emulator serves only '{Model}' (Runway Gen-4.5); got '{model}'.", "model"));
        }

        var prompt = String(task, "positivePrompt");
        var hasFrames = task.TryGetProperty("inputs", out var inputs) && inputs.ValueKind == JsonValueKind.Object
            && inputs.TryGetProperty("frameImages", out _);
        if (task.TryGetProperty("positivePrompt", out var promptElement) && promptElement.ValueKind != JsonValueKind.String)
        {
            return (null, Fail("invalidPositivePrompt", "Invalid value for 'positivePrompt' parameter. It must be a string.", "positivePrompt"));
        }

        if (string.IsNullOrWhiteSpace(prompt) && !hasFrames)
        {
            return (null, Fail("missingPositivePrompt", "Either 'positivePrompt' or 'inputs.frameImages' is required.", "positivePrompt"));
        }

        if (prompt is { Length: > MaxPromptLength })
        {
            return (null, Fail("invalidPositivePrompt", $"Invalid value for 'positivePrompt' parameter. It must be at most {MaxPromptLength} characters long; got {prompt.Length}.", "positivePrompt"));
        }

        if (Int(task, "width") is not { } width || Int(task, "height") is not { } height)
        {
            return (null, Fail(task.TryGetProperty("width", out _) ? "missingHeight" : "missingWidth",
                "Both 'width' and 'height' are required for this model.", task.TryGetProperty("width", out _) ? "height" : "width"));
        }

        if (!Sizes.Contains((width, height)))
        {
            return (null, Fail("invalidWidth",
                $"Invalid value for 'width' and 'height' parameters: {width}x{height}. Supported sizes for {Model}: {string.Join(", ", Sizes.Select(s => $"{s.Width}x{s.Height}"))}.", "width"));
        }

        if (Int(task, "duration") is not { } duration || duration is < MinDuration or > MaxDuration)
        {
            return (null, Fail("invalidDuration", $"Invalid value for 'duration' parameter. It must be an integer between {MinDuration} and {MaxDuration} seconds.", "duration"));
        }

        long? seed = null;
        if (task.TryGetProperty("seed", out var seedElement) && seedElement.ValueKind != JsonValueKind.Null)
        {
            if (seedElement.ValueKind != JsonValueKind.Number || !seedElement.TryGetInt64(out var s) || s < 0)
            {
                return (null, Fail("invalidSeed", "Invalid value for 'seed' parameter. It must be a non-negative integer.", "seed"));
            }

            seed = s;
        }

        var delivery = String(task, "deliveryMethod");
        if (delivery is not (null or "async"))
        {
            return (null, Fail("invalidDeliveryMethod", $"Invalid value for 'deliveryMethod' parameter. {Model} only supports 'async'.", "deliveryMethod"));
        }

        if (String(task, "outputType") is not (null or "URL"))
        {
            return (null, Fail("invalidOutputType", "Invalid value for 'outputType' parameter. Video inference only supports 'URL'.", "outputType"));
        }

        // Runware also offers WEBM and MOV; the emulator renders MP4 only and says so.
        if (String(task, "outputFormat") is { } format && !format.Equals("MP4", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Fail("invalidOutputFormat", $"The emulator renders only 'MP4' (got '{format}').", "outputFormat"));
        }

        if (task.TryGetProperty("outputQuality", out _) && (Int(task, "outputQuality") is not { } q || q is < 20 or > 99))
        {
            return (null, Fail("invalidOutputQuality", "Invalid value for 'outputQuality' parameter. It must be an integer between 20 and 99.", "outputQuality"));
        }

        if (task.TryGetProperty("providerSettings", out var settings) && settings.ValueKind == JsonValueKind.Object
            && settings.TryGetProperty("runway", out var runway) && runway.ValueKind == JsonValueKind.Object
            && runway.TryGetProperty("contentModeration", out var moderation) && moderation.ValueKind == JsonValueKind.Object
            && String(moderation, "publicFigureThreshold") is not (null or "auto" or "low"))
        {
            return (null, Fail("invalidProviderSettings", "Invalid value for 'providerSettings.runway.contentModeration.publicFigureThreshold'. Allowed: 'auto', 'low'.",
                "providerSettings.runway.contentModeration.publicFigureThreshold"));
        }

        string? webhook = null;
        if (task.TryGetProperty("webhookURL", out var webhookElement) && webhookElement.ValueKind != JsonValueKind.Null)
        {
            // Plain http is taken so a studio on a developer machine can be called back.
            if (webhookElement.ValueKind != JsonValueKind.String || !Uri.TryCreate(webhookElement.GetString(), UriKind.Absolute, out var hook)
                || hook.Scheme is not ("http" or "https"))
            {
                return (null, Fail("invalidWebhookURL", "Invalid value for 'webhookURL' parameter. It must be an absolute http(s) URL.", "webhookURL"));
            }

            webhook = hook.AbsoluteUri;
        }

        if (task.TryGetProperty("includeCost", out var includeCostElement) && includeCostElement.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return (null, Fail("invalidIncludeCost", "Invalid value for 'includeCost' parameter. It must be a boolean.", "includeCost"));
        }

        var includeCost = task.TryGetProperty("includeCost", out var ic) && ic.ValueKind == JsonValueKind.True;
        string? imageUrl = null;
        byte[]? imageBytes = null;
        if (hasFrames)
        {
            var (url, bytes, error) = FirstFrame(inputs.GetProperty("frameImages"));
            if (error is not null)
            {
                return (null, Fail("invalidFrameImages", error, "inputs.frameImages"));
            }

            (imageUrl, imageBytes) = (url, bytes);
        }

        return (new RunwareVideoRequest(taskUuid, prompt ?? string.Empty, width, height, duration, seed, imageUrl, imageBytes, webhook, includeCost), null);
    }

    /// <summary>Gen-4.5 takes one image, as the first frame: an http(s) URL or a PNG/JPEG/WebP data URI.</summary>
    private static (string? Url, byte[]? Bytes, string? Error) FirstFrame(JsonElement frames)
    {
        if (frames.ValueKind != JsonValueKind.Array || frames.GetArrayLength() != 1 || frames[0].ValueKind != JsonValueKind.Object)
        {
            return (null, null, $"Invalid value for 'inputs.frameImages' parameter. {Model} takes exactly one frame image: [{{\"image\": \"<url>\", \"frame\": \"first\"}}].");
        }

        var frame = frames[0];
        if (String(frame, "frame") is not (null or "first"))
        {
            return (null, null, $"Invalid value for 'inputs.frameImages[0].frame' parameter. {Model} only supports 'first'.");
        }

        var image = String(frame, "image");
        if (string.IsNullOrEmpty(image))
        {
            return (null, null, "Missing 'inputs.frameImages[0].image' parameter.");
        }

        if (image.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = image.IndexOf(',', StringComparison.Ordinal);
            var header = comma > 5 ? image[5..comma] : string.Empty;
            var mediaType = header.Split(';')[0].ToLowerInvariant();
            if (mediaType == "image/gif")
            {
                return (null, null, "Invalid value for 'inputs.frameImages[0].image' parameter. GIF images are not supported; use JPEG, PNG or WebP.");
            }

            if (!ImageTypes.Contains(mediaType) || !header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
            {
                return (null, null, "Invalid value for 'inputs.frameImages[0].image' parameter. A data URI must be a base64 JPEG, PNG or WebP image.");
            }

            if (image.Length > MaxDataUriLength)
            {
                return (null, null, $"Invalid value for 'inputs.frameImages[0].image' parameter. A data URI may be at most {MaxDataUriLength / 1_000_000} MB; send a URL instead.");
            }

            try
            {
                return (null, Convert.FromBase64String(image[(comma + 1)..]), null);
            }
            catch (FormatException)
            {
                return (null, null, "Invalid value for 'inputs.frameImages[0].image' parameter. The data URI is not valid base64.");
            }
        }

        if (Uri.TryCreate(image, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return (uri.AbsoluteUri, null, null);
        }

        // Runware also takes the UUID of an image uploaded with imageUpload; the emulator has no uploads.
        return (null, null, "Invalid value for 'inputs.frameImages[0].image' parameter. Use an http(s) URL or a base64 data URI.");
    }

    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;
}
