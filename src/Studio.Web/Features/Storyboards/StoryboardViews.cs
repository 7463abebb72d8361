using Studio.Web.Features.Generations;
using Studio.Web.Features.Teams;

namespace Studio.Web.Features.Storyboards;

/// <summary>A storyboard as the project page lists it.</summary>
public sealed record StoryboardSummary(Guid Id, string Title, int Shots, int ShotsSelected, DateTime UpdatedAt, Guid? PosterTakeId, int PosterVersion, Guid? FinalCutTakeId);

/// <summary>Everything the storyboard editor shows.</summary>
public sealed record StoryboardView(
    Guid Id,
    Guid ProjectId,
    Guid TeamId,
    string ProjectName,
    string Title,
    int Version,
    StylePresetView? Style,
    IReadOnlyList<ShotView> Shots,
    IReadOnlyList<FinalCutView> Cuts,
    TeamRole Role,
    string? RunByName)
{
    public bool CanEdit => TeamPermissions.CanGenerate(Role);

    public int TotalSeconds => Shots.Sum(s => s.DurationSeconds);

    /// <summary>Every shot has a ready selected take: the final cut can be assembled.</summary>
    public bool ReadyToAssemble => Shots.Count > 0 && Shots.All(s => s.SelectedTake is { IsReady: true });

    public bool IsRunning => Shots.Any(s => s.IsBeingMade);

    public FinalCutView? ActiveCut => Cuts.FirstOrDefault(c => c.State is FinalCutState.Queued or FinalCutState.Assembling);

    public FinalCutView? LatestReadyCut => Cuts.FirstOrDefault(c => c.State == FinalCutState.Ready);
}

public sealed record StylePresetView(Guid Id, string Name, string Text);

/// <summary>One shot card.</summary>
/// <param name="Number">1-based, as people count shots.</param>
/// <param name="SelectedBy">Who chose the selected take; "automatically" when the studio chose the first ready one.</param>
/// <param name="Lineage">Where the selected take's first frame came from, e.g. "Starts on the last frame of shot 1, take 2".</param>
public sealed record ShotView(
    Guid Id,
    int Number,
    string Title,
    string PromptText,
    string Provider,
    string Model,
    string Ratio,
    int DurationSeconds,
    long? Seed,
    string? Quality,
    string Notes,
    bool ContinueFromPrevious,
    bool HasFirstFrame,
    string? FirstFrameToken,
    Guid? SelectedGenerationId,
    string? SelectedBy,
    int PendingTakes,
    string? RunError,
    IReadOnlyList<ShotTakeView> Takes,
    DateTime UpdatedAt)
{
    public ShotTakeView? Selected => Takes.FirstOrDefault(t => t.Take.Id == SelectedGenerationId);

    public GenerationView? SelectedTake => Selected?.Take;

    /// <summary>The selected take was made from a frame of a take that is no longer the previous shot's choice.</summary>
    public bool SelectedIsStale => Selected?.IsStale == true;

    /// <summary>A take of it is on the way, or waiting to start (Generate all).</summary>
    public bool IsBeingMade => PendingTakes > 0 || Takes.Any(t => GenerationStateMachine.IsActive(t.Take.State));

    public string DisplayTitle => string.IsNullOrWhiteSpace(Title) ? $"Shot {Number}" : Title;
}

/// <param name="Number">1-based in the order the takes were made.</param>
/// <param name="ContinuedFrom">Shot and take number whose last frame this take started from, e.g. (1, 2); null when it did not continue.</param>
/// <param name="IsStale">The shot continues from the previous shot, and this take was not made from that shot's current choice.</param>
public sealed record ShotTakeView(GenerationView Take, int Number, (int Shot, int Take)? ContinuedFrom, bool IsStale);

/// <param name="IsOutdated">It was made from other takes than the shots' current choices (or other shots).</param>
public sealed record FinalCutView(Guid Id, FinalCutState State, double Progress, Guid? TakeId, int TakeVersion, string? FailureReason,
    string CreatedByName, DateTime CreatedAt, DateTime? CompletedAt, double? DurationSeconds, int Shots, double? AssemblySeconds, bool IsOutdated = false);

/// <summary>What a shot card saves. Prompts may be empty or long while drafting; Generate checks them.</summary>
public sealed record ShotEdit(
    string Title,
    string PromptText,
    string Provider,
    string Model,
    string Ratio,
    int DurationSeconds,
    long? Seed,
    string? Quality,
    string Notes,
    bool ContinueFromPrevious);

/// <summary>What "Generate all" would cost, shot by shot, and what it leaves.</summary>
/// <param name="Lines">One per shot that would get takes.</param>
/// <param name="Total">Millicredits all takes would hold (0 on Sandbox unless budgets are rehearsed).</param>
/// <param name="QuotaLeft">The member's quota left now (null: no quota).</param>
/// <param name="BudgetLeft">The team budget left now (null: no budget).</param>
/// <param name="Problems">Shots that cannot be generated as they are, with why; Generate all refuses while there are any.</param>
public sealed record StoryboardCostPreview(
    IReadOnlyList<CostLine> Lines,
    int TakesPerShot,
    long Total,
    long? QuotaLeft,
    long? BudgetLeft,
    bool IsSandbox,
    DateOnly ResetsOn,
    IReadOnlyList<string> Problems)
{
    public int Takes => Lines.Sum(l => l.Takes);

    public int Seconds => Lines.Sum(l => l.Takes * l.Seconds);

    public long? LeavesQuota => QuotaLeft - Total;

    public long? LeavesBudget => BudgetLeft - Total;

    /// <summary>The smaller of quota and budget would go below zero.</summary>
    public bool Fits => (LeavesQuota ?? 0) >= 0 && (LeavesBudget ?? 0) >= 0;
}

/// <param name="WaitsFor">The shot number whose take this one waits for (continuity), or null when it starts at once.</param>
public sealed record CostLine(Guid ShotId, int Number, string Title, string Provider, string Model, int Seconds, int Takes, long PerSecond, long Millicredits, int? WaitsFor);

/// <summary>What the Generate all dialog hands back when the run started: the takes planned, and which shots did not start.</summary>
public sealed record GenerateAllStarted(int Takes, string? Warning);

/// <param name="Warning">Done, but not all of it: e.g. Generate all started some shots and says which did not start, and why.</param>
public sealed record StoryboardResult(bool Succeeded, string? Error = null, bool IsNotFound = false, Guid? Id = null, DraftErrors? Errors = null,
    string? Warning = null)
{
    public static StoryboardResult Ok(Guid? id = null) => new(true, Id: id);

    public static StoryboardResult NotFound { get; } = new(false, "Not found.", IsNotFound: true);

    public static StoryboardResult Refused(string error) => new(false, error);

    public static StoryboardResult Invalid(DraftErrors errors) => new(false, errors.Values.First(), Errors: errors);
}
