using System.ComponentModel.DataAnnotations;

namespace Studio.Web.Features.Archive;

/// <summary>Section "Archive": limits on what the studio fetches from providers.</summary>
public sealed class ArchiveOptions
{
    public const string SectionName = "Archive";

    [Range(1_000_000, 20_000_000_000, ErrorMessage = "Archive:MaxVideoBytes must be between 1 MB and 20 GB.")]
    public long MaxVideoBytes { get; set; } = 2_000_000_000;

    [Range(5, 3600, ErrorMessage = "Archive:DownloadTimeoutSeconds must be 5–3600.")]
    public double DownloadTimeoutSeconds { get; set; } = 600;

    /// <summary>A download that sends nothing for this long is given up and tried again from the start.</summary>
    [Range(1, 600, ErrorMessage = "Archive:IdleTimeoutSeconds must be 1–600.")]
    public double IdleTimeoutSeconds { get; set; } = 30;

    /// <summary>Where downloads are staged before they go to the blob store. Empty: the system temp folder.</summary>
    public string? TempDirectory { get; set; }
}
