namespace Studio.Web.Features.Generations;

/// <summary>The persisted lifecycle of one take (see DESIGN.md, "The generation lifecycle").</summary>
public enum GenerationState
{
    Reserved = 0,
    Submitting = 1,
    Queued = 2,
    Running = 3,
    Archiving = 4,
    Ready = 5,
    Failed = 6,
    Cancelled = 7,
    /// <summary>The create request may have reached the provider but no answer came back; never retried blindly.</summary>
    Uncertain = 8,
}

/// <summary>Which moves are allowed. States only go forward; anything else is a no-op for the caller to log.</summary>
public static class GenerationStateMachine
{
    public static bool IsTerminal(GenerationState state) =>
        state is GenerationState.Ready or GenerationState.Failed or GenerationState.Cancelled;

    /// <summary>States the job engine still works on. Uncertain waits for a person (or a safe re-check).</summary>
    public static bool IsActive(GenerationState state) =>
        state is GenerationState.Reserved or GenerationState.Submitting or GenerationState.Queued
            or GenerationState.Running or GenerationState.Archiving;

    public static readonly GenerationState[] ActiveStates =
        [GenerationState.Reserved, GenerationState.Submitting, GenerationState.Queued, GenerationState.Running, GenerationState.Archiving];

    public static bool CanMove(GenerationState from, GenerationState to)
    {
        if (from == to || IsTerminal(from))
        {
            return false;
        }
        return to switch
        {
            GenerationState.Failed => true,
            GenerationState.Cancelled => from != GenerationState.Archiving,
            GenerationState.Uncertain => from == GenerationState.Submitting,
            _ when from == GenerationState.Uncertain => false,
            _ => Rank(to) > Rank(from),
        };
    }

    /// <summary>What people are shown for a state (the card, the queue).</summary>
    public static string Label(GenerationState state) => state switch
    {
        GenerationState.Reserved => "Waiting",
        GenerationState.Submitting => "Submitting",
        GenerationState.Queued => "Queued",
        GenerationState.Running => "Rendering",
        GenerationState.Archiving => "Archiving",
        GenerationState.Ready => "Ready",
        GenerationState.Failed => "Failed",
        GenerationState.Cancelled => "Cancelled",
        GenerationState.Uncertain => "Uncertain",
        _ => state.ToString(),
    };

    private static int Rank(GenerationState state) => state switch
    {
        GenerationState.Reserved => 0,
        GenerationState.Submitting => 1,
        GenerationState.Queued => 2,
        GenerationState.Running => 3,
        GenerationState.Archiving => 4,
        GenerationState.Ready => 5,
        _ => 6,
    };
}
