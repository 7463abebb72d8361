using Studio.Web.Features.Generations;

namespace Studio.Web.Features.Live;

/// <summary>A hint that a generation changed. Receivers re-read from the database when the version jumps.</summary>
public sealed record GenerationChanged(Guid GenerationId, Guid ProjectId, Guid TeamId, int Version, GenerationState State, double? Progress);
