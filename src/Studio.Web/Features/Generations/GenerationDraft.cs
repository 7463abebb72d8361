namespace Studio.Web.Features.Generations;

/// <summary>What the composer hands over: the user's request, not yet validated by the server.</summary>
/// <param name="Ratio">Runway-style ratio ("1280:720"); empty when the model takes the ratio from the first frame.</param>
/// <param name="Quality">Output quality where the model offers a choice (kie: 720p or 1080p).</param>
/// <param name="RequestId">One per press of Generate: sending the same draft again returns the same take.</param>
/// <param name="ShotId">The storyboard shot the take is for (set by the storyboard, never by the composer).</param>
/// <param name="ContinuedFromGenerationId">Continuity: the take whose last frame is <paramref name="FirstFrame"/>.</param>
public sealed record GenerationDraft(
    string ModelId,
    string PromptText,
    string Ratio,
    int DurationSeconds,
    long? Seed,
    FirstFrameImage? FirstFrame,
    string Provider = "runway",
    string? Quality = null,
    Guid? RequestId = null,
    Guid? ShotId = null,
    Guid? ContinuedFromGenerationId = null);

public sealed record FirstFrameImage(string FileName, string ContentType, byte[] Content);

/// <summary>Field name to messages. Empty means valid.</summary>
public sealed class DraftErrors : Dictionary<string, string>
{
    public bool IsValid => Count == 0;
}
