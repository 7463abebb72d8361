using System.Buffers;
using System.Net;
using System.Diagnostics;
using System.Threading.Channels;
using Azure;
using Microsoft.Extensions.Options;
using Studio.Emulator.Media;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Media;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Storage;

namespace Studio.Web.Features.Archive;

/// <summary>Where an output may come from: the provider's own hosts, over https (plain http only from the Sandbox emulator).</summary>
public sealed record ArchiveSource(bool IsSandbox, IReadOnlyCollection<string> AllowedHosts, string ProviderName);

public sealed record ArchivedVideo(string VideoKey, string PosterKey, string Sha256, long Length, int Width, int Height, double? DurationSeconds, string Codec);

public sealed record ArchiveOutcome(ArchivedVideo? Video, string? Error, bool Retryable, bool UrlExpired = false)
{
    public static ArchiveOutcome Done(ArchivedVideo video) => new(video, null, false);

    public static ArchiveOutcome Fail(string error, bool retryable) => new(null, error, retryable);
}

/// <summary>
/// Copies a finished video from the provider into the blob store: streamed (never whole in memory) into the store and,
/// beside it, a staging file that ffprobe checks and the poster is cut from; committed only when it is a whole video.
/// </summary>
public sealed class GenerationArchiver(
    IHttpClientFactory httpFactory,
    IBlobStore blobs,
    VideoProbe probe,
    IOptions<ArchiveOptions> options,
    ILogger<GenerationArchiver> logger)
{
    public const string HttpClientName = "archive";
    private readonly ArchiveOptions _options = options.Value;

    public async Task<ArchiveOutcome> ArchiveAsync(Generation generation, ArchiveSource source, CancellationToken ct)
    {
        if (UrlError(generation.ProviderOutputUrl, source) is { } urlError)
        {
            logger.LogWarning("Generation {GenerationId}: refused to fetch output: {Error}", generation.Id, urlError);
            return ArchiveOutcome.Fail(urlError, retryable: false);
        }

        var started = Stopwatch.GetTimestamp();
        using var staging = ScratchFolder.Create(_options.TempDirectory, "studio-archive", $"{generation.Id:N}");
        var videoPath = staging.File("video.mp4");
        var posterPath = staging.File("poster.jpg");
        var videoKey = BlobKeys.Video(generation.Id);
        var posterKey = BlobKeys.Poster(generation.Id);
        try
        {
            // The download streams into the blob store and, beside it, into a staging file for ffprobe and the
            // poster (a store that writes a local file lends that file instead); the blob becomes visible only
            // when committed below, after the checks.
            await using var video = await blobs.BeginWriteAsync(videoKey, BlobWriteOptions.ForKey(videoKey, "video/mp4"), ct);
            if (video.LocalFile is { } lent)
            {
                videoPath = lent;
            }
            await using (var stagingFile = video.LocalFile is null ? new FileStream(videoPath, FileMode.Create, FileAccess.Write, FileShare.None, 1) : null)
            {
                if (await DownloadAsync(new Uri(generation.ProviderOutputUrl!), stagingFile, video, ct) is { } failed)
                {
                    return failed;
                }
            }
            await video.FlushAsync(ct);

            VideoProbeResult info;
            try
            {
                info = await probe.ProbeAsync(videoPath, ct);
            }
            catch (FfmpegException ex)
            {
                return ArchiveOutcome.Fail($"the provider's output is not a video ({ex.StdErrTail.Trim().Split('\n').LastOrDefault()})", retryable: false);
            }
            if (!info.HasVideo)
            {
                return ArchiveOutcome.Fail("the provider's output is not a video (no video stream).", retryable: false);
            }
            await probe.MakePosterAsync(videoPath, info.DurationSeconds, posterPath, ct);
            await using (var file = File.OpenRead(posterPath))
            {
                await blobs.PutAsync(posterKey, file, "image/jpeg", ct);
            }

            // The store checks what it holds against what was written: per-block CRC64 and the committed length
            // (Azure), the file's length (local folder); the SHA-256 of the bytes is recorded with the blob.
            var stored = await video.CommitAsync(expectedSha256: null, expectedLength: video.Length, ct);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            logger.LogInformation("Generation {GenerationId}: archived {Bytes} bytes in {Seconds:0.000} s ({MegabytesPerSecond:0.0} MB/s) to {Store}, sha256 {Sha256}, {Width}x{Height} {Codec}",
                generation.Id, stored.Length, seconds, stored.Length / 1e6 / Math.Max(seconds, 1e-6), blobs.Description, stored.Sha256, info.Width, info.Height, info.VideoCodec);
            return ArchiveOutcome.Done(new ArchivedVideo(videoKey, posterKey, stored.Sha256, stored.Length,
                info.Width!.Value, info.Height!.Value, info.DurationSeconds, info.VideoCodec!));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or FfmpegException or RequestFailedException
            || (ex is TaskCanceledException && !ct.IsCancellationRequested))
        {
            logger.LogWarning("Generation {GenerationId}: archive attempt failed: {Error}", generation.Id, ex.Message);
            return ArchiveOutcome.Fail(ex switch
            {
                TaskCanceledException => "the download timed out.",
                RequestFailedException storage => $"the blob store answered {storage.Status} ({storage.ErrorCode}).",
                _ => ex.Message,
            }, retryable: true);
        }
    }

    /// <summary>SSRF guard: only the provider's own output hosts, only https (plain http only for the Sandbox emulator).</summary>
    public static string? UrlError(string? url, ArchiveSource source)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return "the provider returned no usable output address.";
        }
        var schemeOk = uri.Scheme == Uri.UriSchemeHttps || (source.IsSandbox && uri.Scheme == Uri.UriSchemeHttp);
        if (!schemeOk)
        {
            return $"output address scheme \"{uri.Scheme}\" is not allowed.";
        }
        if (!ProviderHttp.HostAllowed(uri, source.AllowedHosts))
        {
            return $"output host \"{uri.Host}\" is not one of {source.ProviderName}'s output hosts.";
        }
        return null;
    }

    /// <summary>
    /// Streams the output into <paramref name="staging"/> (when given) and <paramref name="target"/> at once; a failure
    /// outcome, or null when all bytes arrived. The socket is read on one side of a small bounded queue and the bytes
    /// hashed and written on the other, so the two overlap; memory stays at the queue's few buffers.
    /// </summary>
    private async Task<ArchiveOutcome?> DownloadAsync(Uri url, FileStream? staging, BlobWriter target, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.DownloadTimeoutSeconds));
        var http = httpFactory.CreateClient(HttpClientName);
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var status = (int)response.StatusCode;
        if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            return new ArchiveOutcome(null, $"the output link answered {status} (expired?).", Retryable: true, UrlExpired: true);
        }
        if (status is >= 300 and < 400)
        {
            return ArchiveOutcome.Fail($"the output link redirected ({status}); redirects are not followed.", retryable: false);
        }
        if (!response.IsSuccessStatusCode)
        {
            return ArchiveOutcome.Fail($"the output link answered {status}.", retryable: status >= 500 || status == 429);
        }
        var declared = response.Content.Headers.ContentLength;
        if (declared > _options.MaxVideoBytes)
        {
            return ArchiveOutcome.Fail($"the video is {declared} bytes, over the {_options.MaxVideoBytes}-byte limit.", retryable: false);
        }
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is not null && !mediaType.StartsWith("video/", StringComparison.OrdinalIgnoreCase)
            && mediaType is not ("application/octet-stream" or "binary/octet-stream" or "application/mp4"))
        {
            return ArchiveOutcome.Fail($"the output is {mediaType}, not a video.", retryable: false);
        }

        var queue = Channel.CreateBounded<(byte[] Buffer, int Length)>(new BoundedChannelOptions(QueuedBuffers) { SingleReader = true, SingleWriter = true });
        var writing = Task.Run(() => WriteQueuedAsync(queue, staging, target, timeout.Token), CancellationToken.None);
        long total = 0;
        ArchiveOutcome? outcome = null;
        try
        {
            await using var source = await response.Content.ReadAsStreamAsync(timeout.Token);
            var idle = TimeSpan.FromSeconds(_options.IdleTimeoutSeconds);
            using var readTimeout = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
            while (outcome is null)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
                int read;
                try
                {
                    // Each read must bring bytes within the idle timeout: a stalled link is dropped and retried from zero.
                    readTimeout.CancelAfter(idle);
                    read = await source.ReadAsync(buffer, readTimeout.Token);
                }
                catch (OperationCanceledException) when (!timeout.IsCancellationRequested)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    outcome = ArchiveOutcome.Fail($"the download stalled (nothing for {idle.TotalSeconds:0} s after {total} bytes).", retryable: true);
                    break;
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }
                if (read == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }
                total += read;
                if (total > _options.MaxVideoBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    outcome = ArchiveOutcome.Fail($"the video is over the {_options.MaxVideoBytes}-byte limit.", retryable: false);
                    break;
                }
                if (!await queue.Writer.WaitToWriteAsync(timeout.Token) || !queue.Writer.TryWrite((buffer, read)))
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break; // the writing side failed; its exception is thrown below
                }
            }
        }
        finally
        {
            queue.Writer.TryComplete();
            if (outcome is not null)
            {
                await timeout.CancelAsync(); // nothing more is wanted from the writing side
            }
            try
            {
                await writing;
            }
            catch (OperationCanceledException) when (outcome is not null)
            {
            }
        }
        if (outcome is not null)
        {
            return outcome;
        }
        if (declared is { } expected && expected != total)
        {
            return ArchiveOutcome.Fail($"the download was cut short ({total} of {expected} bytes).", retryable: true);
        }
        return null;
    }

    private const int BufferBytes = 256 * 1024;
    private const int QueuedBuffers = 8;

    private static async Task WriteQueuedAsync(Channel<(byte[] Buffer, int Length)> queue, FileStream? staging, BlobWriter target, CancellationToken ct)
    {
        try
        {
            await foreach (var (buffer, length) in queue.Reader.ReadAllAsync(ct))
            {
                try
                {
                    staging?.Write(buffer, 0, length);
                    await target.WriteAsync(buffer.AsMemory(0, length), ct);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception ex)
        {
            // The reading side stops waiting for room and the failure surfaces where the writing task is awaited.
            queue.Writer.TryComplete(ex);
            throw;
        }
        finally
        {
            // Whatever is left (after a failure) goes back to the pool.
            while (queue.Reader.TryRead(out var left))
            {
                ArrayPool<byte>.Shared.Return(left.Buffer);
            }
        }
    }
}

public static class ArchiveServiceCollectionExtensions
{
    public static WebApplicationBuilder AddArchive(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ArchiveOptions>().BindConfiguration(ArchiveOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHttpClient(GenerationArchiver.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        builder.Services.AddSingleton<GenerationArchiver>();
        return builder;
    }
}
