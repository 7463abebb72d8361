namespace Studio.Web.Features.Generations;

/// <summary>What a model accepts, so the composer offers only valid choices and the server refuses the rest.</summary>
public sealed record VideoModel(
    string Id,
    string DisplayName,
    IReadOnlyList<string> TextToVideoRatios,
    IReadOnlyList<string> ImageToVideoRatios,
    int MinDurationSeconds,
    int MaxDurationSeconds,
    int DefaultDurationSeconds,
    int CreditsPerSecond,
    int MaxPromptLength)
{
    public IReadOnlyList<string> RatiosFor(bool hasFirstFrame) => hasFirstFrame ? ImageToVideoRatios : TextToVideoRatios;

    public int EstimateCredits(int durationSeconds) => CreditsPerSecond * durationSeconds;
}

public static class VideoModels
{
    /// <summary>Runway Gen-4.5 (PROVIDERS.md 1.3): text-to-video takes two ratios, image-to-video six; 2–10 s; 12 credits/s.</summary>
    public static readonly VideoModel Gen45 = new(
        Id: "gen4.5",
        DisplayName: "Gen-4.5",
        TextToVideoRatios: ["1280:720", "720:1280"],
        ImageToVideoRatios: ["1280:720", "720:1280", "1104:832", "960:960", "832:1104", "1584:672"],
        MinDurationSeconds: 2,
        MaxDurationSeconds: 10,
        DefaultDurationSeconds: 5,
        CreditsPerSecond: 12,
        MaxPromptLength: 1000);

    public static IReadOnlyList<VideoModel> All { get; } = [Gen45];

    public static VideoModel? Find(string id) => All.FirstOrDefault(m => m.Id == id);

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
}
