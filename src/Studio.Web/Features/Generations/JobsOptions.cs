using System.ComponentModel.DataAnnotations;

namespace Studio.Web.Features.Generations;

/// <summary>Section "Jobs": how the background worker paces itself.</summary>
public sealed class JobsOptions
{
    public const string SectionName = "Jobs";

    /// <summary>Generations worked on at once by this instance.</summary>
    [Range(1, 64, ErrorMessage = "Jobs:MaxConcurrency must be 1–64.")]
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>How long a claimed generation stays this instance's before another may take it over.</summary>
    [Range(1, 3600, ErrorMessage = "Jobs:LeaseSeconds must be 1–3600.")]
    public double LeaseSeconds { get; set; } = 120;

    /// <summary>How often the worker looks for due work when nothing wakes it.</summary>
    [Range(0.05, 60, ErrorMessage = "Jobs:TickSeconds must be 0.05–60.")]
    public double TickSeconds { get; set; } = 1;

    [Range(1, 100, ErrorMessage = "Jobs:MaxSubmitAttempts must be 1–100.")]
    public int MaxSubmitAttempts { get; set; } = 8;

    [Range(1, 100, ErrorMessage = "Jobs:MaxArchiveAttempts must be 1–100.")]
    public int MaxArchiveAttempts { get; set; } = 5;
}
