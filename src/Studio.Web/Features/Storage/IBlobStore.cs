namespace Studio.Web.Features.Storage;

/// <summary>Where archived videos, posters and uploaded images live: a local folder by default, Azure Blob when configured.</summary>
public interface IBlobStore
{
    /// <summary>Stores the content under the key, replacing nothing half-written: readers see the old blob or the whole new one.</summary>
    Task PutAsync(string key, Stream content, string contentType, CancellationToken ct);

    /// <summary>A readable, seekable stream, or null when there is no such blob.</summary>
    Task<BlobContent?> OpenReadAsync(string key, CancellationToken ct);

    Task DeleteAsync(string key, CancellationToken ct);
}

public sealed record BlobContent(Stream Stream, long Length, string ContentType) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}

public static class BlobKeys
{
    public static string Video(Guid generationId) => $"generations/{generationId:N}/video.mp4";
    public static string Poster(Guid generationId) => $"generations/{generationId:N}/poster.jpg";
    public static string FirstFrame(Guid generationId) => $"generations/{generationId:N}/first-frame";
}
