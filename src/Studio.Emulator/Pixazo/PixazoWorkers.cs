using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Studio.Emulator.Faults;
using Studio.Emulator.Media;

namespace Studio.Emulator.Pixazo;

/// <summary>
/// Makes each request's video off the request path: fetches the first-frame image by URL (any scheme and host:
/// it is an emulator), then renders with the shared <see cref="VideoRenderer"/>. An image that cannot be fetched
/// fails the request (FAILED, like a bad input at Pixazo); a broken render is a system error (ERROR, not charged).
/// </summary>
internal sealed class PixazoRenderWorker(
    PixazoTaskStore store, VideoRenderer renderer, IHttpClientFactory httpClients, IOptions<FfmpegOptions> ffmpeg, ILogger<PixazoRenderWorker> logger)
    : BackgroundService
{
    public const string HttpClientName = "pixazo-emulator";
    private const int MaxImageBytes = 20 * 1024 * 1024;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, ffmpeg.Value.MaxConcurrency), CancellationToken = stoppingToken };
        try
        {
            await Parallel.ForEachAsync(store.RendersAsync(stoppingToken), parallel, (task, ct) => new ValueTask(RenderAsync(task, ct)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Unfinished renders are queued again when the persisted requests are next loaded.
        }
    }

    private async Task RenderAsync(PixazoTask task, CancellationToken ct)
    {
        var request = task.Request;
        byte[]? image = null;
        if (request.ImageUrl is { } url)
        {
            var (bytes, problem) = await FetchImageAsync(url, ct);
            if (problem is not null)
            {
                logger.LogInformation("Pixazo request {RequestId}: input image not usable: {Problem}", task.Id, problem);
                store.Fail(task, PixazoStatus.Failed, $"Failed to load image from URL: {problem}");
                return;
            }
            image = bytes;
        }

        var (width, height) = request.Size();
        var caption = $"Pixazo emulator · {PixazoRules.ModelId} · {(image is null ? "text-to-video" : "image-to-video")} · {request.AspectRatio} · {request.Duration} s";
        try
        {
            var path = await renderer.RenderAsync(new VideoRenderRequest(request.Prompt, task.Seed, width, height, request.Duration, caption, image), ct);
            store.Succeed(task, path);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Render of Pixazo request {RequestId} failed", task.Id);
            store.Fail(task, PixazoStatus.Error, "Internal error while generating the video.");
        }
    }

    private async Task<(byte[]? Bytes, string? Problem)> FetchImageAsync(string url, CancellationToken ct)
    {
        try
        {
            using var client = httpClients.CreateClient(HttpClientName);
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"HTTP {(int)response.StatusCode} from {new Uri(url).Host}");
            }
            if (response.Content.Headers.ContentLength > MaxImageBytes)
            {
                return (null, "the image is larger than 20 MB");
            }
            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            if (bytes.Length > MaxImageBytes)
            {
                return (null, "the image is larger than 20 MB");
            }
            return IsSupportedImage(bytes) ? (bytes, null) : (null, "the URL does not serve a JPEG, PNG or WebP image");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return (null, $"could not download it ({ex.Message})");
        }
    }

    private static bool IsSupportedImage(ReadOnlySpan<byte> b) =>
        b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
        || b.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        || (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8));
}

/// <summary>
/// Sends webhooks as the gateway does (PROVIDERS.md §2.5): a POST of the status shape to <c>X-Webhook-URL</c>, once at
/// the terminal status (mode <c>terminal</c>) or on every status change plus the terminal one (mode <c>sync</c>).
/// Each delivery is tried a few times in the background; failures are logged and otherwise ignored.
/// </summary>
internal sealed class PixazoWebhookSender(
    PixazoTaskStore store, PixazoOutputUrls outputUrls, IHttpClientFactory httpClients, FaultRegistry faults, ILogger<PixazoWebhookSender> logger)
    : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(2)];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var task in store.All)
                {
                    if (task.Request.WebhookUrl is not { } url || task.LastDelivered is { } last && PixazoStatus.IsTerminal(last))
                    {
                        continue;
                    }
                    var view = task.ViewAt(store.Now);
                    var due = task.Request.WebhookMode == PixazoEmulator.SyncMode || PixazoStatus.IsTerminal(view.Status);
                    if (due && task.TryClaimDelivery(view.Status))
                    {
                        store.Save();
                        var taskFaults = faults.Find(FaultRegistry.Pixazo, task.Id);
                        var body = JsonSerializer.SerializeToUtf8Bytes(
                            PixazoEndpoints.StatusBody(task, view, outputUrls, task.BaseUrl, taskFaults?.LinkGeneration ?? 0), PixazoEndpoints.Json);
                        if (taskFaults is null || !PixazoStatus.IsTerminal(view.Status))
                        {
                            _ = DeliverAsync(task.Id, url, view.Status, body, stoppingToken);
                            continue;
                        }

                        // Faults apply to the terminal webhook; the stale one out of order is the PROCESSING body.
                        var processingAt = task.CreatedAt + task.Pending;
                        var stale = JsonSerializer.SerializeToUtf8Bytes(
                            PixazoEndpoints.StatusBody(task, new PixazoTaskView(PixazoStatus.Processing, null, null, processingAt, null), outputUrls, task.BaseUrl),
                            PixazoEndpoints.Json);
                        _ = DeliverWithFaultsAsync(task.Id, url, view.Status, body, stale, taskFaults, stoppingToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task DeliverWithFaultsAsync(string requestId, string url, string status, byte[] body, byte[] stale, TaskFaults taskFaults, CancellationToken ct)
    {
        try
        {
            await FaultHooks.DeliverCallbackAsync(
                taskFaults,
                token => DeliverAsync(requestId, url, status, body, token),
                token => DeliverAsync(requestId, url, PixazoStatus.Processing, stale, token),
                ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task DeliverAsync(string requestId, string url, string status, byte[] body, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var client = httpClients.CreateClient(PixazoRenderWorker.HttpClientName);
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await client.PostAsync(url, content, ct);
                if (response.IsSuccessStatusCode)
                {
                    logger.LogDebug("Pixazo webhook for {RequestId} ({Status}) delivered", requestId, status);
                    return;
                }
                logger.LogWarning("Pixazo webhook for {RequestId} ({Status}) answered {Code}", requestId, status, (int)response.StatusCode);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                logger.LogWarning("Pixazo webhook for {RequestId} ({Status}) failed: {Error}", requestId, status, ex.Message);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (attempt >= RetryDelays.Length)
            {
                return;
            }
            try
            {
                await Task.Delay(RetryDelays[attempt], ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
