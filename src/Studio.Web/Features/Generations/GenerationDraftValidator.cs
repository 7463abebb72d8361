namespace Studio.Web.Features.Generations;

/// <summary>
/// The one place that decides whether a draft may be submitted. The composer uses it at the field,
/// the service again before anything is stored.
/// </summary>
public static class GenerationDraftValidator
{
    public const long MaxSeed = 4_294_967_295;

    /// <summary>Runway takes an inline image of at most 5 MB as a base64 data URI: about 3.3 MB before encoding.</summary>
    public const int MaxFirstFrameBytes = 3_300_000;

    /// <summary>The largest first frame any model takes: the composer reads no more than this from the browser.</summary>
    public static int MaxFirstFrameBytesAnyModel => VideoModels.All.Max(m => m.FirstFrame.MaxBytes);

    public static class Fields
    {
        public const string Model = nameof(GenerationDraft.ModelId);
        public const string Prompt = nameof(GenerationDraft.PromptText);
        public const string Ratio = nameof(GenerationDraft.Ratio);
        public const string Duration = nameof(GenerationDraft.DurationSeconds);
        public const string Seed = nameof(GenerationDraft.Seed);
        public const string FirstFrame = nameof(GenerationDraft.FirstFrame);
        public const string Quality = nameof(GenerationDraft.Quality);
    }

    public static DraftErrors Validate(GenerationDraft draft)
    {
        var errors = new DraftErrors();
        var model = VideoModels.Find(draft.Provider, draft.ModelId);
        if (model is null)
        {
            errors[Fields.Model] = $"Unknown model \"{draft.ModelId}\" for provider \"{draft.Provider}\".";
            return errors;
        }

        if (PromptError(draft.PromptText, model) is { } promptError)
        {
            errors[Fields.Prompt] = promptError;
        }

        if (draft.FirstFrame is { } image && FirstFrameError(image.Content, image.FileName, model.FirstFrame.MaxBytes) is { } imageError)
        {
            errors[Fields.FirstFrame] = imageError;
        }

        var ratios = model.RatiosFor(draft.FirstFrame is not null);
        if (draft.FirstFrame is not null && model.ImageDecidesRatio)
        {
            if (draft.Ratio.Length > 0)
            {
                errors[Fields.Ratio] = $"{model.DisplayName} takes the ratio from the first-frame image; no ratio can be chosen.";
            }
        }
        else if (!ratios.Contains(draft.Ratio))
        {
            var labels = string.Join(", ", ratios.Select(VideoModels.AspectLabel));
            errors[Fields.Ratio] = draft.FirstFrame is null && model.ImageToVideoRatios.Except(ratios).Any()
                ? $"{model.DisplayName} text-to-video takes {labels}; add a first-frame image for other ratios."
                : $"{model.DisplayName} takes {labels}.";
        }

        if (!model.Durations.Contains(draft.DurationSeconds))
        {
            errors[Fields.Duration] = model.DurationIsRange
                ? $"Duration must be {model.MinDurationSeconds}–{model.MaxDurationSeconds} seconds."
                : $"{model.DisplayName} makes {string.Join(" or ", model.Durations)}-second videos.";
        }

        if (model.QualityOptions.Count > 0)
        {
            if (draft.Quality is null || !model.QualityOptions.Contains(draft.Quality))
            {
                errors[Fields.Quality] = $"Choose a quality: {string.Join(" or ", model.QualityOptions)}.";
            }
            else if (!model.QualitiesFor(draft.DurationSeconds).Contains(draft.Quality))
            {
                errors[Fields.Quality] = $"{draft.Quality} is only made for videos up to {model.QualityMaxDuration![draft.Quality]} seconds.";
            }
        }
        else if (draft.Quality is not null)
        {
            errors[Fields.Quality] = $"{model.DisplayName} has no quality setting.";
        }

        if (draft.Seed is < 0 or > MaxSeed)
        {
            errors[Fields.Seed] = $"Seed must be a whole number from 0 to {MaxSeed}.";
        }
        else if (draft.Seed is not null && !model.SupportsSeed)
        {
            errors[Fields.Seed] = $"{model.DisplayName} takes no seed.";
        }

        return errors;
    }

    /// <summary>Runway counts UTF-16 code units, which is exactly <see cref="string.Length"/>.</summary>
    public static string? PromptError(string? prompt, VideoModel model)
    {
        if (string.IsNullOrWhiteSpace(prompt))
        {
            return "Write a prompt: describe the shot you want.";
        }
        if (prompt.Length > model.MaxPromptLength)
        {
            return $"The prompt is {prompt.Length} characters; {model.DisplayName} takes at most {model.MaxPromptLength}. Remove {prompt.Length - model.MaxPromptLength}.";
        }
        return null;
    }

    public static string? FirstFrameError(ReadOnlySpan<byte> content, string fileName, int maxBytes = MaxFirstFrameBytes)
    {
        if (content.Length == 0)
        {
            return $"\"{fileName}\" is empty.";
        }
        var format = ImageFormat.Sniff(content);
        if (format == ImageFormat.Gif)
        {
            return "GIF images are not accepted: use JPEG, PNG or WebP.";
        }
        if (format is null)
        {
            return $"\"{fileName}\" is not a JPEG, PNG or WebP image.";
        }
        if (content.Length > maxBytes)
        {
            return $"\"{fileName}\" is {content.Length / 1_000_000.0:0.0} MB; the first frame may be at most {maxBytes / 1_000_000.0:0.0} MB.";
        }
        return null;
    }
}

/// <summary>Image types recognised by their first bytes, never by the file name.</summary>
public static class ImageFormat
{
    public const string Jpeg = "image/jpeg";
    public const string Png = "image/png";
    public const string Webp = "image/webp";
    public const string Gif = "image/gif";

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static string? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
        {
            return Jpeg;
        }
        if (b.Length >= 8 && b[..8].SequenceEqual(PngSignature))
        {
            return Png;
        }
        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8))
        {
            return Webp;
        }
        if (b.Length >= 6 && (b[..6].SequenceEqual("GIF87a"u8) || b[..6].SequenceEqual("GIF89a"u8)))
        {
            return Gif;
        }
        return null;
    }
}
