namespace Studio.Web.Features.Storage;

/// <summary>
/// Where archived videos, posters and uploaded images live: a local folder by default (<see cref="LocalFolderBlobStore"/>),
/// Azure Blob Storage when configured (<see cref="AzureBlobStore"/>). Writes are streamed and become visible only when
/// committed, so readers see the old blob or the whole new one, never half of one.
/// </summary>
public interface IBlobStore
{
    /// <summary>A short description for logs and messages, e.g. "local folder /var/studio/blobs".</summary>
    string Description { get; }

    /// <summary>Starts a streamed write. Nothing is visible until <see cref="BlobWriter.CommitAsync"/>; disposing without committing discards it.</summary>
    Task<BlobWriter> BeginWriteAsync(string key, BlobWriteOptions options, CancellationToken ct);

    /// <summary>A readable, seekable stream, or null when there is no such blob.</summary>
    Task<BlobContent?> OpenReadAsync(string key, CancellationToken ct);

    /// <summary>Length, content type and the SHA-256 recorded at commit, or null when there is no such blob.</summary>
    Task<StoredBlobInfo?> GetInfoAsync(string key, CancellationToken ct);

    Task DeleteAsync(string key, CancellationToken ct);

    /// <summary>
    /// A read-only link to this one blob that expires within minutes, when the store is set to hand out such links
    /// (Azure: <c>Storage:AzureBlob:Serving=SasRedirect</c>); null when media is served through the studio.
    /// Call only after the caller's access has been checked.
    /// </summary>
    Task<Uri?> GetDirectReadLinkAsync(string key, CancellationToken ct);

    /// <summary>Every committed blob's key, for moving house.</summary>
    IAsyncEnumerable<string> ListKeysAsync(CancellationToken ct);
}

/// <summary>How a blob is described when written: its content type, the file name a download gets, and its generation.</summary>
public sealed record BlobWriteOptions(string ContentType, string? DownloadFileName = null, Guid? GenerationId = null)
{
    /// <summary>The options the studio uses for one of its own keys: a download name and the generation id taken from the key.</summary>
    public static BlobWriteOptions ForKey(string key, string contentType)
    {
        var generationId = BlobKeys.GenerationIdOf(key);
        var name = key[(key.LastIndexOf('/') + 1)..];
        var extension = Path.GetExtension(name);
        var stem = Path.GetFileNameWithoutExtension(name);
        var fileName = generationId is { } id ? $"{(stem == "video" ? "take" : stem)}-{id.ToString("N")[..8]}{extension}" : name;
        return new BlobWriteOptions(contentType, fileName, generationId);
    }

    /// <summary>The Content-Disposition header value: inline (players play it) with the download file name.</summary>
    public string? ContentDisposition => DownloadFileName is { Length: > 0 } name ? $"inline; filename=\"{name}\"" : null;
}

/// <summary>A committed blob: its key, length and the SHA-256 of exactly the bytes that were written.</summary>
public sealed record StoredBlob(string Key, long Length, string Sha256);

public sealed record StoredBlobInfo(long Length, string ContentType, string? Sha256);

public sealed record BlobContent(Stream Stream, long Length, string ContentType) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}

/// <summary>The stored bytes are not the bytes meant: a hash or length mismatch. Nothing was committed (or the bad copy was removed).</summary>
public sealed class BlobIntegrityException(string message) : IOException(message);

public static class BlobKeys
{
    private const string GenerationsPrefix = "generations/";

    public static string Video(Guid generationId) => $"{GenerationsPrefix}{generationId:N}/video.mp4";
    public static string Poster(Guid generationId) => $"{GenerationsPrefix}{generationId:N}/poster.jpg";
    public static string FirstFrame(Guid generationId) => $"{GenerationsPrefix}{generationId:N}/first-frame";

    /// <summary>The generation a key belongs to (<c>generations/{id}/…</c>), or null for other keys.</summary>
    public static Guid? GenerationIdOf(string key) =>
        key.StartsWith(GenerationsPrefix, StringComparison.Ordinal)
        && key.IndexOf('/', GenerationsPrefix.Length) is var end and > 0
        && Guid.TryParseExact(key[GenerationsPrefix.Length..end], "N", out var id)
            ? id
            : null;
}

public static class BlobStoreExtensions
{
    /// <summary>Streams <paramref name="content"/> into a new blob and commits it; with <paramref name="expectedSha256"/>, refuses (commits nothing) when the bytes differ.</summary>
    public static async Task<StoredBlob> PutAsync(this IBlobStore store, string key, Stream content, BlobWriteOptions options,
        CancellationToken ct, string? expectedSha256 = null)
    {
        await using var writer = await store.BeginWriteAsync(key, options, ct);
        await writer.CopyFromAsync(content, ct);
        return await writer.CommitAsync(expectedSha256, expectedLength: null, ct);
    }

    public static Task<StoredBlob> PutAsync(this IBlobStore store, string key, Stream content, string contentType, CancellationToken ct) =>
        store.PutAsync(key, content, BlobWriteOptions.ForKey(key, contentType), ct);

    /// <summary>The whole blob in memory (small blobs only: images, posters), or null when it does not exist.</summary>
    public static async Task<byte[]?> ReadAllBytesAsync(this IBlobStore store, string key, CancellationToken ct)
    {
        await using var blob = await store.OpenReadAsync(key, ct);
        if (blob is null)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        await blob.Stream.CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    /// <summary>Copies the blob to a local file (for ffmpeg). False when the blob does not exist (no file is written then).</summary>
    public static async Task<bool> DownloadToFileAsync(this IBlobStore store, string key, string path, CancellationToken ct)
    {
        await using var blob = await store.OpenReadAsync(key, ct);
        if (blob is null)
        {
            return false;
        }
        await using var file = File.Create(path);
        await blob.Stream.CopyToAsync(file, 1 << 16, ct);
        return true;
    }

    /// <summary>Reads the whole blob and returns its length and SHA-256 (lower-case hex), or null when it does not exist.</summary>
    public static async Task<(long Length, string Sha256)?> HashAsync(this IBlobStore store, string key, CancellationToken ct)
    {
        await using var blob = await store.OpenReadAsync(key, ct);
        if (blob is null)
        {
            return null;
        }
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        long total = 0;
        try
        {
            int read;
            while ((read = await blob.Stream.ReadAsync(buffer, ct)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                total += read;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        return (total, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }
}
