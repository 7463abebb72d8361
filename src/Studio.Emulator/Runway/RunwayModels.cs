namespace Studio.Emulator.Runway;

/// <summary>Which generation endpoint a request came in on; the schemas differ (PROVIDERS.md §1.3).</summary>
internal enum RunwayEndpointKind
{
    TextToVideo,
    ImageToVideo,
}

/// <summary>The rules of one model on one endpoint, per @runwayml/sdk 4.20.1 (PROVIDERS.md §1.3, §1.4, §1.11).</summary>
internal sealed record RunwayModel(
    string Id,
    int CreditsPerSecond,
    IReadOnlyList<string> Ratios,
    bool PromptTextRequired,
    bool DurationRequired,
    int DefaultDurationSeconds,
    int MaxConcurrentGenerations,
    int MaxDailyGenerations);

internal static class RunwayModels
{
    public const int MinDurationSeconds = 2;
    public const int MaxDurationSeconds = 10;
    public const int MaxPromptTextLength = 1000;

    private static readonly string[] LandscapeAndPortrait = ["1280:720", "720:1280"];
    private static readonly string[] AllGen4Ratios = ["1280:720", "720:1280", "1104:832", "960:960", "832:1104", "1584:672"];

    public static readonly RunwayModel Gen45TextToVideo = new("gen4.5", 12, LandscapeAndPortrait, true, true, 5, 3, 500);
    public static readonly RunwayModel Gen45ImageToVideo = Gen45TextToVideo with { Ratios = AllGen4Ratios };

    // gen4_turbo: image only, promptText and duration optional (Runway defaults it to 10 s).
    public static readonly RunwayModel Gen4TurboImageToVideo = new("gen4_turbo", 5, AllGen4Ratios, false, false, 10, 3, 500);

    /// <summary>Models by endpoint; anything else is a 400.</summary>
    public static IReadOnlyDictionary<string, RunwayModel> For(RunwayEndpointKind kind) => kind switch
    {
        RunwayEndpointKind.TextToVideo => TextToVideoModels,
        _ => ImageToVideoModels,
    };

    /// <summary>Every model the organization endpoint reports limits for.</summary>
    public static IEnumerable<RunwayModel> All => [Gen45TextToVideo, Gen4TurboImageToVideo];

    private static readonly Dictionary<string, RunwayModel> TextToVideoModels = new(StringComparer.Ordinal)
    {
        [Gen45TextToVideo.Id] = Gen45TextToVideo,
    };

    private static readonly Dictionary<string, RunwayModel> ImageToVideoModels = new(StringComparer.Ordinal)
    {
        [Gen45ImageToVideo.Id] = Gen45ImageToVideo,
        [Gen4TurboImageToVideo.Id] = Gen4TurboImageToVideo,
    };
}
