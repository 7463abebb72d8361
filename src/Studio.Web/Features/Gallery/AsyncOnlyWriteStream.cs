namespace Studio.Web.Features.Gallery;

/// <summary>
/// Lets ZipArchive write to a response body that forbids synchronous I/O. Even the async ZipArchive writes a few
/// small records (headers, data descriptors) synchronously; those are held here and sent with the next async write.
/// The video bytes themselves arrive through WriteAsync and pass straight through, so nothing large is held.
/// </summary>
internal sealed class AsyncOnlyWriteStream(Stream inner) : Stream
{
    /// <summary>More than this held at once means a large synchronous write: a bug, not something to buffer.</summary>
    private const int MaxHeld = 1 << 20;

    private readonly MemoryStream _held = new();
    private long _position;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_held.Length + buffer.Length > MaxHeld)
        {
            throw new InvalidOperationException($"A synchronous write of {buffer.Length} bytes reached the zip stream; only small records may.");
        }
        _held.Write(buffer);
        _position += buffer.Length;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await SendHeldAsync(cancellationToken);
        await inner.WriteAsync(buffer, cancellationToken);
        _position += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
        // Held until the next async write or FlushAsync.
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendHeldAsync(cancellationToken);
        await inner.FlushAsync(cancellationToken);
    }

    private async Task SendHeldAsync(CancellationToken ct)
    {
        if (_held.Length > 0)
        {
            await inner.WriteAsync(_held.GetBuffer().AsMemory(0, (int)_held.Length), ct);
            _held.SetLength(0);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
