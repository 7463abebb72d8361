namespace Studio.Web.Features.Generations;

/// <summary>How a model takes a first-frame image.</summary>
/// <param name="InlineMaxBytes">Largest image sent inline as a base64 data URI; null when the provider takes only URLs.</param>
/// <param name="UrlMaxBytes">Largest image the provider fetches from a URL; null when it takes no URLs.</param>
public sealed record FirstFrameRules(int? InlineMaxBytes, int? UrlMaxBytes)
{
    /// <summary>The largest file a user may pick for this model.</summary>
    public int MaxBytes => Math.Max(InlineMaxBytes ?? 0, UrlMaxBytes ?? 0);
}

/// <summary>
/// What one provider's model accepts (PROVIDERS.md), so the composer offers only valid choices and the server
/// refuses the rest before anything is sent. Ratios are always written the Runway way ("1280:720"); each adapter
/// translates them to its provider's form (aspect label, width×height).
/// </summary>
public sealed record VideoModel(
    string Provider,
    string Id,
    string DisplayName,
    IReadOnlyList<string> TextToVideoRatios,
    IReadOnlyList<string> ImageToVideoRatios,
    IReadOnlyList<int> Durations,
    int DefaultDurationSeconds,
    int MaxPromptLength,
    FirstFrameRules FirstFrame,
    int? CreditsPerSecond,
    IReadOnlyList<string>? Qualities = null,
    IReadOnlyDictionary<string, int>? QualityMaxDuration = null,
    bool SupportsSeed = true)
{
    public IReadOnlyList<string> RatiosFor(bool hasFirstFrame) => hasFirstFrame ? ImageToVideoRatios : TextToVideoRatios;

    /// <summary>True when, with a first frame, the provider takes the ratio from the image and offers no choice.</summary>
    public bool ImageDecidesRatio => ImageToVideoRatios.Count == 0;

    public IReadOnlyList<string> QualityOptions => Qualities ?? [];

    public int MinDurationSeconds => Durations.Min();

    public int MaxDurationSeconds => Durations.Max();

    /// <summary>True when every whole second between the shortest and longest duration is allowed.</summary>
    public bool DurationIsRange => Durations.Count == MaxDurationSeconds - MinDurationSeconds + 1;

    /// <summary>Estimated credits (1 credit = US$0.01), or null when the provider's price is unknown.</summary>
    public int? EstimateCredits(int durationSeconds) => CreditsPerSecond * durationSeconds;

    /// <summary>The qualities that may be combined with a duration (kie: 1080p only for 5 s).</summary>
    public IReadOnlyList<string> QualitiesFor(int durationSeconds) =>
        QualityOptions.Where(q => QualityMaxDuration is null || !QualityMaxDuration.TryGetValue(q, out var max) || durationSeconds <= max).ToList();
}

public static class VideoModels
{
    private static readonly string[] RunwayImageRatios = ["1280:720", "720:1280", "1104:832", "960:960", "832:1104", "1584:672"];
    private static readonly int[] TwoToTen = [2, 3, 4, 5, 6, 7, 8, 9, 10];

    /// <summary>Runway Gen-4.5 on Runway's own API (PROVIDERS.md 1.3): 12 credits/s; inline images up to 5 MB encoded.</summary>
    public static readonly VideoModel Gen45 = new(
        Provider: "runway", Id: "gen4.5", DisplayName: "Gen-4.5",
        TextToVideoRatios: ["1280:720", "720:1280"],
        ImageToVideoRatios: RunwayImageRatios,
        Durations: TwoToTen, DefaultDurationSeconds: 5, MaxPromptLength: 1000,
        FirstFrame: new FirstFrameRules(InlineMaxBytes: 3_300_000, UrlMaxBytes: null),
        CreditsPerSecond: 12);

    /// <summary>Runway Gen-4.5 through the Pixazo gateway (PROVIDERS.md 2): 5 or 10 s, aspect labels, image by URL, $0.12/s.</summary>
    public static readonly VideoModel PixazoGen45 = new(
        Provider: "pixazo", Id: "gen-4.5", DisplayName: "Gen-4.5 (Pixazo)",
        TextToVideoRatios: ["1280:720", "720:1280"],
        ImageToVideoRatios: RunwayImageRatios,
        Durations: [5, 10], DefaultDurationSeconds: 5, MaxPromptLength: 1000,
        FirstFrame: new FirstFrameRules(InlineMaxBytes: null, UrlMaxBytes: 16_000_000),
        CreditsPerSecond: 12);

    /// <summary>Runway Gen-4.5 on Runware as runway:1@2 (PROVIDERS.md 3): width×height, five sizes, $0.60 per 5 s.</summary>
    public static readonly VideoModel RunwareGen45 = new(
        Provider: "runware", Id: "runway:1@2", DisplayName: "Gen-4.5 (Runware)",
        TextToVideoRatios: ["1280:720", "720:1280", "1104:832", "832:1104", "960:960"],
        ImageToVideoRatios: ["1280:720", "720:1280", "1104:832", "832:1104", "960:960"],
        Durations: TwoToTen, DefaultDurationSeconds: 5, MaxPromptLength: 1000,
        FirstFrame: new FirstFrameRules(InlineMaxBytes: 3_300_000, UrlMaxBytes: 16_000_000),
        CreditsPerSecond: 12);

    /// <summary>
    /// The kie-style "Runway API" (PROVIDERS.md 4): 5 or 10 s, 720p or 1080p (1080p only for 5 s), aspect labels
    /// (the image decides when one is given), image by URL, prompt up to 1800. The underlying model is not named
    /// by the API and its price is unknown.
    /// </summary>
    public static readonly VideoModel KieRunway = new(
        Provider: "kie", Id: "runway", DisplayName: "Runway (kie API)",
        TextToVideoRatios: ["1280:720", "720:1280", "1104:832", "832:1104", "960:960"],
        ImageToVideoRatios: [], // "ignored when imageUrl is set": the image decides
        Durations: [5, 10], DefaultDurationSeconds: 5, MaxPromptLength: 1800,
        FirstFrame: new FirstFrameRules(InlineMaxBytes: null, UrlMaxBytes: 10_000_000),
        CreditsPerSecond: null,
        Qualities: ["720p", "1080p"],
        QualityMaxDuration: new Dictionary<string, int> { ["1080p"] = 5 },
        SupportsSeed: false);

    public static IReadOnlyList<VideoModel> All { get; } = [Gen45, PixazoGen45, RunwareGen45, KieRunway];

    public static VideoModel? Find(string id) => All.FirstOrDefault(m => m.Id == id);

    public static VideoModel? Find(string provider, string id) => All.FirstOrDefault(m => m.Provider == provider && m.Id == id);

    public static IReadOnlyList<VideoModel> ForProvider(string provider) => All.Where(m => m.Provider == provider).ToList();

    /// <summary>How pages name a take's provider ("Runway", "Pixazo"…); a storyboard's final cut is "Final cut".</summary>
    public static string ProviderLabel(string provider) => provider switch
    {
        "runway" => "Runway",
        "pixazo" => "Pixazo",
        "runware" => "Runware",
        "kie" => "kie",
        Storyboards.FinalCuts.Provider => "Final cut",
        _ => provider,
    };

    /// <summary>A human label for a ratio, e.g. "16:9 landscape".</summary>
    public static string DescribeRatio(string ratio) => ratio switch
    {
        "1280:720" => "16:9 landscape",
        "720:1280" => "9:16 portrait",
        "1104:832" => "4:3 landscape",
        "832:1104" => "3:4 portrait",
        "960:960" => "1:1 square",
        "1584:672" => "21:9 cinema",
        _ => ratio,
    };

    /// <summary>The aspect label providers like Pixazo and kie use for a Runway ratio (PROVIDERS.md 2.2, inferred mapping).</summary>
    public static string AspectLabel(string ratio) => DescribeRatio(ratio).Split(' ')[0];

    public static string RatioFromAspectLabel(string label) => label switch
    {
        "16:9" => "1280:720",
        "9:16" => "720:1280",
        "4:3" => "1104:832",
        "3:4" => "832:1104",
        "1:1" => "960:960",
        "21:9" => "1584:672",
        _ => throw new ArgumentException($"Unknown aspect label \"{label}\".", nameof(label)),
    };

    public static (int Width, int Height) Size(string ratio)
    {
        var parts = ratio.Split(':');
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
