namespace Studio.Web.Features.Generations;

/// <summary>What the composer hands over: the user's request, not yet validated by the server.</summary>
public sealed record GenerationDraft(
    string ModelId,
    string PromptText,
    string Ratio,
    int DurationSeconds,
    long? Seed,
    FirstFrameImage? FirstFrame);

public sealed record FirstFrameImage(string FileName, string ContentType, byte[] Content);

/// <summary>Field name to messages. Empty means valid.</summary>
public sealed class DraftErrors : Dictionary<string, string>
{
    public bool IsValid => Count == 0;
}
