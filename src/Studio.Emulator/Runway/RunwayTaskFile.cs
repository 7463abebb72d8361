using System.Text.Json;
using System.Text.Json.Serialization;
using Studio.Emulator.Shared;

namespace Studio.Emulator.Runway;

/// <summary>
/// The emulated organization as persisted in <c>{DataDirectory}/runway/tasks.json</c>: spent credits, the
/// generation history the daily usage is counted from, and every task (tombstones included) with what it
/// takes to render it again. Data-URI first frames are kept as files in <c>runway/images/</c>, not inline.
/// </summary>
internal sealed record RunwayStoreDocument(
    int Version,
    long SpentCredits,
    IReadOnlyList<RunwayGenerationRecord> Generations,
    IReadOnlyList<RunwayTaskRecord> Tasks)
{
    public const int CurrentVersion = 1;
}

internal sealed record RunwayGenerationRecord(DateTimeOffset At, string Model);

/// <param name="Seed">The seed the picture is drawn with; <paramref name="RequestedSeed"/> is what the client sent (null: picked at random).</param>
/// <param name="PromptImageUrl">The first frame when it came as an HTTPS URL (never fetched).</param>
/// <param name="PromptImageFile">The first frame when it came as a data URI: a file name in <c>runway/images/</c>.</param>
/// <param name="Output">The rendered MP4, relative to the data directory, once the render succeeded.</param>
/// <param name="Failure">Why the render failed, if it did.</param>
internal sealed record RunwayTaskRecord(
    Guid Id,
    RunwayEndpointKind Kind,
    string Model,
    string PromptText,
    string Ratio,
    int Duration,
    long? RequestedSeed,
    long Seed,
    string? PromptImageUrl,
    string? PromptImageMediaType,
    string? PromptImageFile,
    DateTimeOffset CreatedAt,
    double PendingSeconds,
    double RunningSeconds,
    bool Charged,
    bool Cancelled,
    bool Deleted,
    string? Output,
    string? Failure);

/// <summary>
/// Reads and writes the files under <c>{DataDirectory}/runway/</c>. Every write goes through <see cref="AtomicFile"/>,
/// so a crash never leaves a torn file.
/// </summary>
internal sealed class RunwayTaskFile
{
    public const string FileName = "tasks.json";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public RunwayTaskFile(string directory)
    {
        Directory = directory;
        FilePath = Path.Combine(directory, FileName);
        ImagesDirectory = Path.Combine(directory, "images");
    }

    /// <summary><c>{DataDirectory}/runway</c>.</summary>
    public string Directory { get; }

    public string FilePath { get; }

    public string ImagesDirectory { get; }

    /// <summary>The persisted document, or null when there is none yet. Throws when it cannot be read or parsed.</summary>
    public RunwayStoreDocument? Read() => AtomicFile.ReadJson<RunwayStoreDocument>(FilePath, JsonOptions);

    public void Write(RunwayStoreDocument document) => AtomicFile.WriteJson(FilePath, document, JsonOptions);

    /// <summary>Moves an unreadable file aside (kept for inspection) so the next write starts afresh.</summary>
    public string MoveAside()
    {
        var aside = $"{FilePath}.unreadable-{DateTime.UtcNow:yyyyMMddHHmmss}";
        File.Move(FilePath, aside, overwrite: true);
        return aside;
    }

    public static string ImageName(Guid taskId, string? mediaType) => taskId.ToString("N") + mediaType switch
    {
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/webp" => ".webp",
        _ => ".img",
    };

    public void WriteImage(string name, byte[] bytes)
    {
        System.IO.Directory.CreateDirectory(ImagesDirectory);
        AtomicFile.Write(ImagePath(name), bytes);
    }

    /// <summary>The image's bytes, or null when the file is gone.</summary>
    public byte[]? ReadImage(string name)
    {
        try
        {
            return File.ReadAllBytes(ImagePath(name));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public void DeleteImage(string name) => File.Delete(ImagePath(name));

    /// <summary>Removes images no task refers to any more, and temporary files a crash left behind.</summary>
    public void DeleteUnreferenced(IReadOnlySet<string> referencedImages)
    {
        if (System.IO.Directory.Exists(ImagesDirectory))
        {
            foreach (var path in System.IO.Directory.EnumerateFiles(ImagesDirectory))
            {
                if (!referencedImages.Contains(Path.GetFileName(path)))
                {
                    File.Delete(path);
                }
            }
        }

        if (System.IO.Directory.Exists(Directory))
        {
            foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + AtomicFile.TempSuffix))
            {
                File.Delete(path);
            }
        }
    }

    // Names come from the persisted file: only the file name part is honoured, so a record cannot point elsewhere.
    private string ImagePath(string name) => Path.Combine(ImagesDirectory, Path.GetFileName(name));
}
