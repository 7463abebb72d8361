using System.Buffers.Binary;
using Microsoft.Net.Http.Headers;

namespace Studio.Emulator.Faults;

/// <summary>
/// An output download served as a stream of <see cref="Length"/> bytes: the rendered MP4, then (for <c>output-size</c>)
/// one top-level MP4 <c>free</c> box that pads it to the size asked for. Players and ffprobe skip a <c>free</c> box, so
/// the padded file is the same video. The padding is never held in memory or written to disk: the box header is a few
/// bytes and its filler is one fixed 64 KiB pattern written over and over. Answers HEAD and a single-range GET (206);
/// a broken download (<c>output-stall</c>, <c>output-truncate</c>) sends the full Content-Length, half the bytes, then
/// (stall) silence, then aborts the connection.
/// </summary>
internal sealed class OutputDownloadResult : IResult
{
    private const int FillerLength = 64 * 1024;

    /// <summary>
    /// Pseudo-random, non-zero-heavy bytes, so nothing on the way (gzip, a storage layer) can shrink the padding and make a
    /// benchmark or a size limit measure less than it says. Fixed seed: every download of a task is the same bytes.
    /// </summary>
    private static readonly byte[] Filler = CreateFiller();

    private readonly string _path;
    private readonly long _fileLength;
    private readonly byte[] _boxHeader;
    private readonly DownloadFault _fault;
    private readonly TimeSpan _stallFor;

    private OutputDownloadResult(string path, long fileLength, long length, DownloadFault fault, TimeSpan stallFor)
    {
        _path = path;
        _fileLength = fileLength;
        Length = length;
        _boxHeader = length > fileLength ? FreeBoxHeader(length - fileLength) : [];
        _fault = fault;
        _stallFor = stallFor;
    }

    /// <summary>The whole download in bytes, padding included.</summary>
    public long Length { get; }

    /// <summary>
    /// The output of a task: <paramref name="path"/> padded to <paramref name="paddedLength"/> bytes when that is larger
    /// by at least a box header (8 bytes; a smaller gap cannot hold a box, so the file goes as it is), and broken the way
    /// <paramref name="fault"/> says.
    /// </summary>
    public static OutputDownloadResult Create(string path, long? paddedLength, DownloadFault fault, TimeSpan stallFor)
    {
        var fileLength = new FileInfo(path).Length;
        var length = paddedLength is { } padded && padded - fileLength >= 8 ? padded : fileLength;
        return new OutputDownloadResult(path, fileLength, length, fault, stallFor);
    }

    public async Task ExecuteAsync(HttpContext http)
    {
        var response = http.Response;
        response.ContentType = "video/mp4";
        response.Headers.AcceptRanges = "bytes";

        if (_fault is DownloadFault.Stall or DownloadFault.Truncate)
        {
            await WriteBrokenAsync(http);
            return;
        }

        var (start, end) = (0L, Length);
        if (RequestedRange(http.Request) is { } range)
        {
            if (range.From >= Length || range.To < range.From)
            {
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                response.Headers.ContentRange = new ContentRangeHeaderValue(Length).ToString();
                response.ContentLength = 0;
                return;
            }

            (start, end) = (range.From, Math.Min(range.To, Length - 1) + 1);
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = new ContentRangeHeaderValue(start, end - 1, Length).ToString();
        }
        else
        {
            response.StatusCode = StatusCodes.Status200OK;
        }

        response.ContentLength = end - start;
        if (HttpMethods.IsHead(http.Request.Method))
        {
            return;
        }

        try
        {
            await WriteAsync(response, start, end, http.RequestAborted);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client gave up first.
        }
    }

    private async Task WriteBrokenAsync(HttpContext http)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentLength = Length;
        try
        {
            await WriteAsync(response, 0, Length / 2, http.RequestAborted);
            await response.Body.FlushAsync(http.RequestAborted);
            if (_fault == DownloadFault.Stall)
            {
                await Task.Delay(_stallFor, http.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The client gave up first.
        }

        http.Abort();
    }

    /// <summary>Writes bytes [<paramref name="start"/>, <paramref name="end"/>) of the padded file.</summary>
    private async Task WriteAsync(HttpResponse response, long start, long end, CancellationToken ct)
    {
        var position = start;
        if (position < _fileLength)
        {
            var count = Math.Min(end, _fileLength) - position;
            await response.SendFileAsync(_path, position, count, ct);
            position += count;
        }

        var headerEnd = _fileLength + _boxHeader.Length;
        if (position < end && position < headerEnd)
        {
            var from = (int)(position - _fileLength);
            var count = (int)(Math.Min(end, headerEnd) - position);
            await response.Body.WriteAsync(_boxHeader.AsMemory(from, count), ct);
            position += count;
        }

        while (position < end)
        {
            var offset = (int)((position - headerEnd) % FillerLength);
            var count = (int)Math.Min(FillerLength - offset, end - position);
            await response.Body.WriteAsync(Filler.AsMemory(offset, count), ct);
            position += count;
        }
    }

    /// <summary>The one byte range asked for, resolved against <see cref="Length"/>; null to send everything (no range, several ranges, or another unit).</summary>
    private (long From, long To)? RequestedRange(HttpRequest request)
    {
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            return null;
        }

        // No validators are handed out, so an If-Range can never match: send the whole file (RFC 9110 §13.1.5).
        if (request.Headers.ContainsKey(HeaderNames.IfRange))
        {
            return null;
        }

        var header = request.GetTypedHeaders().Range;
        if (header is null || !string.Equals(header.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase) || header.Ranges.Count != 1)
        {
            return null;
        }

        var range = header.Ranges.Single();
        return (range.From, range.To) switch
        {
            (null, { } suffix) => (Math.Max(0, Length - suffix), Length - 1),
            ({ } from, var to) => (from, to ?? Length - 1),
            _ => null,
        };
    }

    /// <summary>The header of a <c>free</c> box of <paramref name="boxSize"/> bytes: 32-bit size, or size 1 and a 64-bit largesize above 4 GiB - 1.</summary>
    private static byte[] FreeBoxHeader(long boxSize)
    {
        if (boxSize <= uint.MaxValue)
        {
            var header = new byte[8];
            BinaryPrimitives.WriteUInt32BigEndian(header, (uint)boxSize);
            "free"u8.CopyTo(header.AsSpan(4));
            return header;
        }

        var large = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(large, 1);
        "free"u8.CopyTo(large.AsSpan(4));
        BinaryPrimitives.WriteUInt64BigEndian(large.AsSpan(8), (ulong)boxSize);
        return large;
    }

    private static byte[] CreateFiller()
    {
        var bytes = new byte[FillerLength];
        var state = 0x9E3779B97F4A7C15UL;
        for (var i = 0; i < bytes.Length; i += 8)
        {
            // xorshift64*: cheap, and enough to defeat a compressor's window.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i), state * 0x2545F4914F6CDD1DUL);
        }

        return bytes;
    }
}
