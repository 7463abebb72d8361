namespace Studio.Web.Features.Media;

/// <summary>
/// A folder of its own for one piece of file work (a download to stage, clips for ffmpeg), under the configured temp
/// folder (<c>Archive:TempDirectory</c>, else the system's); deleted with everything in it when disposed.
/// </summary>
public sealed class ScratchFolder : IDisposable
{
    private ScratchFolder(string path) => Path = path;

    public string Path { get; }

    /// <param name="root">The configured temp folder, or null/empty for the system's.</param>
    /// <param name="purpose">A subfolder naming the work, e.g. "studio-archive".</param>
    public static ScratchFolder Create(string? root, string purpose, string name) =>
        new(Directory.CreateDirectory(System.IO.Path.Combine(root is { Length: > 0 } r ? r : System.IO.Path.GetTempPath(), purpose,
            $"{name}-{Guid.NewGuid():N}")).FullName);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still open elsewhere leaves the folder for the next clean-up of the temp folder.
        }
    }
}
