using System.ComponentModel.DataAnnotations;

namespace Studio.Web.Features;

/// <summary>Where the studio keeps its data and how it is reached from outside.</summary>
public sealed class StudioOptions
{
    public const string SectionName = "Studio";

    /// <summary>Folder holding the SQLite database and the local blob folder. Relative paths are resolved against the content root.</summary>
    [Required(ErrorMessage = "Studio:DataDirectory must name a folder for the database and videos.")]
    public string DataDirectory { get; set; } = ".data";

    /// <summary>Absolute base URL the studio is reached at (callback URLs). Empty: taken from the server's own address.</summary>
    public string? PublicBaseUrl { get; set; }
}
