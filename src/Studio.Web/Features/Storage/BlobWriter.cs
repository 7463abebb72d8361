using System.Buffers;
using System.Security.Cryptography;

namespace Studio.Web.Features.Storage;

/// <summary>
/// One streamed write into a blob store. Every byte written goes through SHA-256 and is counted, so the commit
/// can refuse bytes that are not the ones expected and record the hash with the blob. Dispose without
/// <see cref="CommitAsync"/> and nothing is left visible.
/// </summary>
public abstract class BlobWriter(string key) : IAsyncDisposable
{
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _committed;
    private bool _aborted;

    public string Key { get; } = key;

    /// <summary>Bytes written so far.</summary>
    public long Length { get; private set; }

    /// <summary>
    /// The local file the bytes are being written to, when the store keeps them in one (the local folder); readable
    /// after <see cref="FlushAsync"/> and until the commit or disposal. Lets a caller that needs a file on disk
    /// (ffprobe) use it instead of writing a second copy. Null for remote stores.
    /// </summary>
    public virtual string? LocalFile => null;

    /// <summary>Pushes buffered bytes on (to <see cref="LocalFile"/>, for a local store).</summary>
    public virtual Task FlushAsync(CancellationToken ct) => Task.CompletedTask;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_committed || _aborted, this);
        _sha256.AppendData(data.Span);
        Length += data.Length;
        await WriteCoreAsync(data, ct);
    }

    /// <summary>Copies a whole stream in, through a pooled buffer.</summary>
    public async Task CopyFromAsync(Stream content, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer, ct)) > 0)
            {
                await WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Makes the blob visible, with its SHA-256 recorded. When <paramref name="expectedSha256"/> or
    /// <paramref name="expectedLength"/> is given and the written bytes differ, nothing is committed and
    /// <see cref="BlobIntegrityException"/> is thrown. The store then checks the committed length.
    /// </summary>
    public async Task<StoredBlob> CommitAsync(string? expectedSha256, long? expectedLength, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_committed || _aborted, this);
        var sha256 = Convert.ToHexStringLower(_sha256.GetHashAndReset());
        if (expectedLength is { } length && length != Length)
        {
            await AbortAsync();
            throw new BlobIntegrityException($"{Key}: {Length} bytes were written but {length} were expected; not stored.");
        }
        if (expectedSha256 is not null && !string.Equals(expectedSha256, sha256, StringComparison.OrdinalIgnoreCase))
        {
            await AbortAsync();
            throw new BlobIntegrityException($"{Key}: the SHA-256 of the bytes written ({sha256}) is not the one expected ({expectedSha256.ToLowerInvariant()}); not stored.");
        }
        await CommitCoreAsync(sha256, ct);
        _committed = true;
        return new StoredBlob(Key, Length, sha256);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_committed)
        {
            await AbortAsync();
        }
        _sha256.Dispose();
        GC.SuppressFinalize(this);
    }

    protected abstract ValueTask WriteCoreAsync(ReadOnlyMemory<byte> data, CancellationToken ct);

    /// <summary>Makes the written bytes visible under the key, with the hash recorded, and checks the stored length.</summary>
    protected abstract Task CommitCoreAsync(string sha256, CancellationToken ct);

    /// <summary>Discards whatever was written. Must not throw.</summary>
    protected abstract ValueTask AbortCoreAsync();

    private async ValueTask AbortAsync()
    {
        if (_aborted || _committed)
        {
            return;
        }
        _aborted = true;
        await AbortCoreAsync();
    }
}
