using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Studio.Emulator.Media;
using Studio.Emulator.Shared;

using Studio.Emulator.Faults;

namespace Studio.Emulator.Kie;

/// <summary>
/// Does each task's work off the request path: fetches the first frame by URL (any http/https host; a failure
/// fails the task with kie's 451), renders the MP4 with the shared <see cref="VideoRenderer"/>, and once the task
/// is terminal POSTs kie's callback (snake_case, signed when a webhookHmacKey is set). Delivery failures are
/// logged and ignored, as kie's own retry behaviour is unknown.
/// </summary>
internal sealed class KieTaskRunner : BackgroundService
{
    public const int MaxImageBytes = 10_000_000;
    public const string FetchFailure = "Failed to fetch the image. Make sure the image URL is publicly accessible.";
    public const string BadImageFailure = "Incorrect image format. Use a JPEG, PNG or WebP image.";
    public const string InternalFailure = "Video generation failed due to an internal error. Please try again.";

    private readonly WorkQueue<KieTask> _queue = new();
    private readonly KieTaskStore _store;
    private readonly KieOutputUrls _outputUrls;
    private readonly VideoRenderer _renderer;
    private readonly FfmpegProcess _ffmpeg;
    private readonly IHttpClientFactory _httpFactory;
    private readonly IOptionsMonitor<KieEmulatorOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<KieTaskRunner> _logger;
    private readonly FaultRegistry _faults;
    private readonly string _workDirectory;
    private CancellationToken _stopping;

    public KieTaskRunner(KieTaskStore store, KieOutputUrls outputUrls, VideoRenderer renderer, FfmpegProcess ffmpeg, IHttpClientFactory httpFactory,
        IOptionsMonitor<KieEmulatorOptions> options, IOptions<EmulatorOptions> emulatorOptions, TimeProvider time, FaultRegistry faults, ILogger<KieTaskRunner> logger)
    {
        _faults = faults;
        _store = store;
        _outputUrls = outputUrls;
        _renderer = renderer;
        _ffmpeg = ffmpeg;
        _httpFactory = httpFactory;
        _options = options;
        _time = time;
        _logger = logger;
        _workDirectory = Path.Combine(emulatorOptions.Value.DataDirectory, "work");
    }

    public void Enqueue(KieTask task) => _queue.Enqueue(task);

    /// <summary>Fails a task at once, without making its video (a fault: <c>moderation</c>); its callback follows as usual.</summary>
    public void FailNow(KieTask task, int code, string message) => Finish(task, task.Fail(code, message));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        foreach (var task in _store.All)
        {
            if (!task.IsWorkDone)
            {
                Enqueue(task); // persisted before its video was made
            }
            else if (!task.CallbackSent)
            {
                ScheduleCallback(task);
            }
        }
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = stoppingToken };
        try
        {
            await Parallel.ForEachAsync(_queue.ReadAllAsync(stoppingToken), parallel, (task, ct) => new ValueTask(WorkAsync(task, ct)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Unfinished tasks are queued again when the persisted tasks are next loaded.
        }
    }

    private async Task WorkAsync(KieTask task, CancellationToken ct)
    {
        var request = task.Request;
        try
        {
            var image = task.ImageBytes ?? (request.ParentTaskId is { } parent ? _store.Find(parent)?.ImageBytes : null);
            if (image is null && request.ImageUrl is { } url)
            {
                image = await FetchImageAsync(url, ct);
                if (image is null)
                {
                    Finish(task, task.Fail(451, FetchFailure));
                    return;
                }
                task.ImageBytes = image;
            }
            if (task.ResolvedAspect is null)
            {
                if (await AspectOfAsync(image!, ct) is not { } aspect)
                {
                    Finish(task, task.Fail(400, BadImageFailure));
                    return;
                }
                task.Resolve(aspect);
            }
            var (width, height) = KieSizes.For(task.ResolvedAspect!, request.Quality);
            var caption = $"kie emulator · {(request.ParentTaskId is null ? image is null ? "text-to-video" : "image-to-video" : "extension")} · {task.ResolvedAspect} · {request.Quality} · {request.Duration} s";
            var seed = long.Parse(task.Id[..8], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var path = await _renderer.RenderAsync(new VideoRenderRequest(request.Prompt, seed, width, height, request.Duration, caption, image), ct);
            Finish(task, task.Succeed(path));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "kie emulator task {TaskId} failed", task.Id);
            Finish(task, task.Fail(500, InternalFailure));
        }
    }

    private void Finish(KieTask task, bool changed)
    {
        if (changed)
        {
            _store.Save();
            ScheduleCallback(task);
        }
    }

    private void ScheduleCallback(KieTask task)
    {
        if (task.Request.CallBackUrl is null)
        {
            return;
        }
        _ = Task.Run(async () =>
        {
            try
            {
                var wait = task.TerminalAt - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, _stopping);
                }
                await DeliverAsync(task, _stopping);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "kie emulator callback for task {TaskId} failed", task.Id);
            }
        });
    }

    private async Task DeliverAsync(KieTask task, CancellationToken ct)
    {
        var taskFaults = _faults.Find(FaultRegistry.Kie, task.Id);
        var body = task.OutputPath is not null
            ? new KieCallback(200, "All generated successfully.", new KieCallbackData(task.Id, KieOutputUrls.VideoId(task.Id),
                _outputUrls.Create(task.Request.PublicBase, task, taskFaults?.LinkGeneration ?? 0), task.Request.ImageUrl))
            : new KieCallback(task.FailCode >= 500 ? 500 : 400, task.FailMsg ?? InternalFailure, new KieCallbackData(task.Id, null, null, null));
        // Out of order (a fault): kie sends Runway callbacks only when a task ends, so the stale one is a success code
        // without a video yet, as if an early "still generating" notice arrived late. It must change nothing.
        var stale = new KieCallback(200, "Video is generating.", new KieCallbackData(task.Id, null, null, null));
        await FaultHooks.DeliverCallbackAsync(taskFaults, token => PostAsync(task, body, token), token => PostAsync(task, stale, token), ct);
        task.MarkCallbackSent();
        _store.Save();
    }

    private async Task PostAsync(KieTask task, KieCallback body, CancellationToken ct)
    {
        var options = _options.CurrentValue;
        using var message = new HttpRequestMessage(HttpMethod.Post, task.Request.CallBackUrl)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, KieJson.Options)),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (!string.IsNullOrEmpty(options.WebhookHmacKey))
        {
            var timestamp = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            message.Headers.Add("X-Webhook-Timestamp", timestamp);
            message.Headers.Add("X-Webhook-Signature", Sign(task.Id, timestamp, options.WebhookHmacKey));
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.CallbackTimeoutSeconds));
        try
        {
            using var response = await _httpFactory.CreateClient(KieEmulator.HttpClientName).SendAsync(message, timeout.Token);
            _logger.LogInformation("kie emulator callback for task {TaskId} answered {Status}", task.Id, (int)response.StatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            _logger.LogWarning("kie emulator callback for task {TaskId} to {Url} failed: {Error}", task.Id, task.Request.CallBackUrl, ex.Message);
        }
    }

    /// <summary>kie's webhook signature: base64(HMAC-SHA256(taskId + "." + timestamp, webhookHmacKey)).</summary>
    public static string Sign(string taskId, string timestamp, string key) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"{taskId}.{timestamp}")));

    private async Task<byte[]?> FetchImageAsync(string url, CancellationToken ct)
    {
        try
        {
            using var response = await _httpFactory.CreateClient(KieEmulator.HttpClientName).GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode || response.Content.Headers.ContentLength > MaxImageBytes)
            {
                _logger.LogWarning("kie emulator could not fetch image {Url}: {Status}", url, (int)response.StatusCode);
                return null;
            }
            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            return bytes.Length is > 0 and <= MaxImageBytes ? bytes : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            _logger.LogWarning("kie emulator could not fetch image {Url}: {Error}", url, ex.Message);
            return null;
        }
    }

    /// <summary>The supported aspect label nearest the image's shape, or null when ffprobe cannot read it as an image.</summary>
    private async Task<string?> AspectOfAsync(byte[] image, CancellationToken ct)
    {
        Directory.CreateDirectory(_workDirectory);
        var path = Path.Combine(_workDirectory, $"kie-{Guid.NewGuid():N}.img");
        try
        {
            await File.WriteAllBytesAsync(path, image, ct);
            var output = await _ffmpeg.RunFfprobeAsync(["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0:s=x", path], ct);
            var parts = output.Trim().Split('x');
            return parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var w) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var h) && w > 0 && h > 0
                ? KieSizes.Nearest(w, h)
                : null;
        }
        catch (FfmpegException)
        {
            return null;
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>kie's aspect labels and the pixel sizes the emulator renders them at for each quality.</summary>
internal static class KieSizes
{
    public static readonly string[] AspectRatios = ["16:9", "4:3", "1:1", "3:4", "9:16"];
    public static readonly string[] Qualities = ["720p", "1080p"];

    public static (int Width, int Height) For(string aspect, string quality)
    {
        var shortSide = quality == "1080p" ? 1080 : 720;
        var (w, h) = Parts(aspect);
        return w >= h ? (Even(shortSide * w / (double)h), shortSide) : (shortSide, Even(shortSide * h / (double)w));
    }

    public static string Nearest(int width, int height) =>
        AspectRatios.MinBy(a => { var (w, h) = Parts(a); return Math.Abs(Math.Log(width / (double)height) - Math.Log(w / (double)h)); })!;

    private static (int W, int H) Parts(string aspect)
    {
        var p = aspect.Split(':');
        return (int.Parse(p[0], CultureInfo.InvariantCulture), int.Parse(p[1], CultureInfo.InvariantCulture));
    }

    private static int Even(double value) => (int)Math.Round(value / 2) * 2;
}
