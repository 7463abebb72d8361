using System.Globalization;
using System.Text.Json;

namespace Studio.Emulator.Runway;

/// <summary>A create request that passed validation.</summary>
internal sealed record RunwayGenerationRequest(
    RunwayEndpointKind Kind,
    RunwayModel Model,
    string PromptText,
    string Ratio,
    int Width,
    int Height,
    int DurationSeconds,
    long? Seed,
    RunwayPromptImage? PromptImage);

/// <summary>The first-frame image: always its URI; the decoded bytes only when it came as a data URI.</summary>
internal sealed record RunwayPromptImage(string Uri, string? MediaType, byte[]? Bytes);

/// <summary>One problem with the request body, shaped like a zod issue (Runway validates with zod).</summary>
internal sealed record RunwayValidationIssue(IReadOnlyList<object> Path, string Message)
{
    public string Describe() => $"{string.Join('.', Path.Select(p => Convert.ToString(p, CultureInfo.InvariantCulture)))}: {Message}";
}

/// <summary>
/// Checks a create body against the rules in PROVIDERS.md §1.3–1.4. Every issue found is reported (not only
/// the first), each naming its field. Unknown fields are ignored, as Runway does.
/// </summary>
internal static class RunwayRequestValidator
{
    public const long MaxSeed = 4_294_967_295;
    public const int MaxImageUrlLength = 2048;
    public const int MaxDataUriLength = 5 * 1024 * 1024;

    private static readonly string[] AcceptedImageTypes = ["image/jpeg", "image/png", "image/webp"];
    private static readonly string[] OutputFormats =
    [
        "mp4", "prores", "png_sequence", "hdr10", "hlg", "sdr_rec709_10bit", "hdr_pq_12bit_master", "hdr_prores",
        "hdr_png_sequence", "hdr_exr_sequence", "hdr_exr_acescg_sequence_1_3", "hdr_exr_acescg_sequence_2_0",
    ];

    public static (RunwayGenerationRequest? Request, IReadOnlyList<RunwayValidationIssue> Issues) Validate(JsonElement body, RunwayEndpointKind kind)
    {
        var issues = new List<RunwayValidationIssue>();
        if (body.ValueKind != JsonValueKind.Object)
        {
            issues.Add(new([], "The request body must be a JSON object."));
            return (null, issues);
        }

        void Fail(string message, params object[] path) => issues.Add(new(path, message));

        // model
        RunwayModel? model = null;
        var models = RunwayModels.For(kind);
        var modelList = string.Join(", ", models.Keys.Select(k => $"'{k}'"));
        if (!body.TryGetProperty("model", out var modelElement) || modelElement.ValueKind == JsonValueKind.Null)
        {
            Fail($"Required. Expected one of {modelList}.", "model");
        }
        else if (modelElement.ValueKind != JsonValueKind.String || !models.TryGetValue(modelElement.GetString()!, out model))
        {
            Fail($"Invalid model {Show(modelElement)} for this endpoint. Expected one of {modelList}.", "model");
        }

        // Field rules depend on the model; with an unknown model, check against gen4.5's.
        var rules = model ?? (kind == RunwayEndpointKind.TextToVideo ? RunwayModels.Gen45TextToVideo : RunwayModels.Gen45ImageToVideo);

        // promptText
        var promptText = string.Empty;
        if (!body.TryGetProperty("promptText", out var promptElement) || promptElement.ValueKind == JsonValueKind.Null)
        {
            if (rules.PromptTextRequired)
            {
                Fail("Required. Expected a string of 1 to 1000 characters.", "promptText");
            }
        }
        else if (promptElement.ValueKind != JsonValueKind.String)
        {
            Fail($"Expected a string, received {Kind(promptElement)}.", "promptText");
        }
        else
        {
            promptText = promptElement.GetString()!;
            if (promptText.Length == 0 && rules.PromptTextRequired)
            {
                Fail("Must contain at least 1 character.", "promptText");
            }
            else if (promptText.Length > RunwayModels.MaxPromptTextLength)
            {
                Fail($"Must contain at most {RunwayModels.MaxPromptTextLength} characters (UTF-16 code units); received {promptText.Length}.", "promptText");
            }
        }

        // ratio
        string? ratio = null;
        int width = 0, height = 0;
        var ratioList = string.Join(", ", rules.Ratios.Select(r => $"'{r}'"));
        if (!body.TryGetProperty("ratio", out var ratioElement) || ratioElement.ValueKind == JsonValueKind.Null)
        {
            Fail($"Required. Expected one of {ratioList}.", "ratio");
        }
        else if (ratioElement.ValueKind != JsonValueKind.String || !rules.Ratios.Contains(ratioElement.GetString()!))
        {
            Fail($"Invalid ratio {Show(ratioElement)} for {rules.Id} on this endpoint. Expected one of {ratioList}.", "ratio");
        }
        else
        {
            ratio = ratioElement.GetString()!;
            var parts = ratio.Split(':');
            width = int.Parse(parts[0], CultureInfo.InvariantCulture);
            height = int.Parse(parts[1], CultureInfo.InvariantCulture);
        }

        // duration
        var duration = rules.DefaultDurationSeconds;
        var durationRange = $"an integer from {RunwayModels.MinDurationSeconds} to {RunwayModels.MaxDurationSeconds}";
        if (!body.TryGetProperty("duration", out var durationElement) || durationElement.ValueKind == JsonValueKind.Null)
        {
            if (rules.DurationRequired)
            {
                Fail($"Required. Expected {durationRange} (seconds).", "duration");
            }
        }
        else if (durationElement.ValueKind != JsonValueKind.Number || !durationElement.TryGetInt32(out duration)
            || duration < RunwayModels.MinDurationSeconds || duration > RunwayModels.MaxDurationSeconds)
        {
            Fail($"Invalid duration {Show(durationElement)}. Expected {durationRange} (seconds).", "duration");
        }

        // seed
        long? seed = null;
        if (body.TryGetProperty("seed", out var seedElement) && seedElement.ValueKind != JsonValueKind.Null)
        {
            if (seedElement.ValueKind != JsonValueKind.Number || !seedElement.TryGetInt64(out var seedValue) || seedValue < 0 || seedValue > MaxSeed)
            {
                Fail($"Invalid seed {Show(seedElement)}. Expected an integer from 0 to {MaxSeed}.", "seed");
            }
            else
            {
                seed = seedValue;
            }
        }

        // promptImage
        RunwayPromptImage? promptImage = null;
        var hasPromptImage = body.TryGetProperty("promptImage", out var imageElement) && imageElement.ValueKind != JsonValueKind.Null;
        if (kind == RunwayEndpointKind.TextToVideo)
        {
            if (hasPromptImage)
            {
                Fail("Not accepted by text_to_video. Send image-to-video requests to /v1/image_to_video.", "promptImage");
            }
        }
        else if (!hasPromptImage)
        {
            Fail("Required. Expected an image URI string or [{\"uri\": \"...\", \"position\": \"first\"}].", "promptImage");
        }
        else
        {
            promptImage = ValidatePromptImage(imageElement, issues);
        }

        // Optional settings we know but do not act on: checked so typos fail the way they would at Runway.
        if (body.TryGetProperty("contentModeration", out var moderation) && moderation.ValueKind != JsonValueKind.Null)
        {
            if (moderation.ValueKind != JsonValueKind.Object)
            {
                Fail($"Expected an object, received {Kind(moderation)}.", "contentModeration");
            }
            else if (moderation.TryGetProperty("publicFigureThreshold", out var threshold) && threshold.ValueKind != JsonValueKind.Null
                && !(threshold.ValueKind == JsonValueKind.String && threshold.GetString() is "auto" or "low"))
            {
                Fail($"Invalid value {Show(threshold)}. Expected 'auto' or 'low'.", "contentModeration", "publicFigureThreshold");
            }
        }

        if (body.TryGetProperty("outputFormat", out var format) && format.ValueKind != JsonValueKind.Null)
        {
            if (format.ValueKind != JsonValueKind.String || !OutputFormats.Contains(format.GetString()))
            {
                Fail($"Invalid outputFormat {Show(format)}. Expected one of {string.Join(", ", OutputFormats.Select(f => $"'{f}'"))}.", "outputFormat");
            }
            else if (format.GetString() != "mp4")
            {
                Fail($"The emulator only renders 'mp4'; {Show(format)} is valid at Runway but not emulated.", "outputFormat");
            }
        }

        if (body.TryGetProperty("proresProfile", out var prores) && prores.ValueKind != JsonValueKind.Null)
        {
            Fail("Only allowed with outputFormat 'prores' or 'hdr_prores'.", "proresProfile");
        }

        if (issues.Count > 0 || model is null || ratio is null)
        {
            return (null, issues);
        }

        return (new RunwayGenerationRequest(kind, model, promptText, ratio, width, height, duration, seed, promptImage), issues);
    }

    private static RunwayPromptImage? ValidatePromptImage(JsonElement element, List<RunwayValidationIssue> issues)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            return ValidateImageUri(element.GetString()!, ["promptImage"], issues);
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            issues.Add(new(["promptImage"], $"Expected a string or an array of {{uri, position}}, received {Kind(element)}."));
            return null;
        }

        var count = element.GetArrayLength();
        if (count != 1)
        {
            issues.Add(new(["promptImage"], $"Expected exactly one image with position 'first'; received {count}."));
            return null;
        }

        var item = element[0];
        if (item.ValueKind != JsonValueKind.Object)
        {
            issues.Add(new(["promptImage", 0], $"Expected an object {{uri, position}}, received {Kind(item)}."));
            return null;
        }

        if (!item.TryGetProperty("position", out var position) || position.ValueKind != JsonValueKind.String || position.GetString() != "first")
        {
            issues.Add(new(["promptImage", 0, "position"], "Expected 'first' (gen4.5 takes a first frame only)."));
        }

        if (!item.TryGetProperty("uri", out var uri) || uri.ValueKind != JsonValueKind.String)
        {
            issues.Add(new(["promptImage", 0, "uri"], "Required. Expected an HTTPS URL or a data URI."));
            return null;
        }

        return ValidateImageUri(uri.GetString()!, ["promptImage", 0, "uri"], issues);
    }

    private static RunwayPromptImage? ValidateImageUri(string value, object[] path, List<RunwayValidationIssue> issues)
    {
        if (value.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            return ValidateDataUri(value, path, issues);
        }

        if (value.Length > MaxImageUrlLength)
        {
            issues.Add(new(path, $"The URL must be at most {MaxImageUrlLength} characters; received {value.Length}."));
            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            issues.Add(new(path, "Invalid image. Expected an HTTPS URL or a base64 data URI (data:image/jpeg|png|webp;base64,...)."));
            return null;
        }

        if (uri.HostNameType != UriHostNameType.Dns)
        {
            issues.Add(new(path, "The URL host must be a domain name, not an IP address."));
            return null;
        }

        return new RunwayPromptImage(value, null, null);
    }

    private static RunwayPromptImage? ValidateDataUri(string value, object[] path, List<RunwayValidationIssue> issues)
    {
        if (value.Length > MaxDataUriLength)
        {
            issues.Add(new(path, $"Data URIs must be at most 5 MB ({MaxDataUriLength} characters); received {value.Length}. Upload larger images instead."));
            return null;
        }

        var comma = value.IndexOf(',', StringComparison.Ordinal);
        var header = comma < 0 ? value : value[..comma];
        var parameters = header["data:".Length..].Split(';');
        var mediaType = parameters[0].Trim().ToLowerInvariant();
        if (mediaType == "image/gif")
        {
            issues.Add(new(path, "GIF images are not accepted. Use JPEG, PNG or WebP."));
            return null;
        }

        if (!AcceptedImageTypes.Contains(mediaType))
        {
            issues.Add(new(path, $"Unsupported image type '{mediaType}'. Use image/jpeg, image/png or image/webp."));
            return null;
        }

        if (comma < 0 || !parameters.Skip(1).Any(p => p.Trim().Equals("base64", StringComparison.OrdinalIgnoreCase)))
        {
            issues.Add(new(path, "Expected a base64 data URI: data:<type>;base64,<data>."));
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(value[(comma + 1)..]);
        }
        catch (FormatException)
        {
            issues.Add(new(path, "The data URI is not valid base64."));
            return null;
        }

        var actual = SniffImageType(bytes);
        if (actual == "image/gif")
        {
            issues.Add(new(path, "GIF images are not accepted (the data is a GIF). Use JPEG, PNG or WebP."));
            return null;
        }

        if (actual is null)
        {
            issues.Add(new(path, "The data URI does not contain a JPEG, PNG or WebP image."));
            return null;
        }

        return new RunwayPromptImage(value, actual, bytes);
    }

    private static string? SniffImageType(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "image/jpeg";
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "image/png";
        }

        if (bytes.Length >= 12 && bytes[..4].SequenceEqual("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8))
        {
            return "image/webp";
        }

        return bytes.StartsWith("GIF8"u8) ? "image/gif" : null;
    }

    private static string Show(JsonElement element)
    {
        var raw = element.GetRawText();
        return raw.Length <= 60 ? raw : raw[..57] + "...";
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Array => "array",
        JsonValueKind.Object => "object",
        _ => "null",
    };
}
