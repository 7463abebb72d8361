using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Studio.Emulator.Faults;
using Studio.Emulator.Media;
using Studio.Emulator.Shared;

namespace Studio.Emulator.Runware;

/// <summary>
/// Off the request path, for each task in the queue (filled by the API and at start-up): fetches a frame image
/// given by URL, renders the clip with the shared renderer, and once the task is done by the clock POSTs the flat
/// task object to its <c>webhookURL</c> (as Runware does: no <c>data</c> wrapper). A failed fetch fails the task; a failed delivery is logged and not retried further.
/// </summary>
internal sealed class RunwareWorker(
    WorkQueue<RunwareTask> queue,
    RunwareTaskStore store,
    RunwareOutputUrls outputUrls,
    VideoRenderer renderer,
    IHttpClientFactory httpClients,
    IOptions<FfmpegOptions> ffmpegOptions,
    TimeProvider time,
    FaultRegistry faults,
    ILogger<RunwareWorker> logger) : BackgroundService
{
    private const int MaxImageBytes = 16_000_000;
    private static readonly string[] ImageTypes = ["image/png", "image/jpeg", "image/webp"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, ffmpegOptions.Value.MaxConcurrency), CancellationToken = stoppingToken };
        try
        {
            await Parallel.ForEachAsync(queue.ReadAllAsync(stoppingToken), parallel, async (task, ct) =>
            {
                await RenderAsync(task, ct);
                if (task.Request.WebhookUrl is not null && !task.WebhookDone)
                {
                    // Not awaited here, so waiting for the clock does not hold up other renders.
                    _ = CallBackAsync(task, stoppingToken);
                }
            });
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Unfinished work is queued again when the persisted tasks are next loaded.
        }
    }

    private async Task RenderAsync(RunwareTask task, CancellationToken ct)
    {
        if (task.IsFinished)
        {
            return;
        }

        var request = task.Request;
        try
        {
            var image = request.ImageBytes;
            if (image is { Length: 0 })
            {
                throw new RunwareTaskFailure("internalError", "The task's frame image was lost; send the task again.");
            }

            if (request.ImageUrl is { } url)
            {
                image = await FetchImageAsync(url, ct);
            }

            var caption = $"Runware emulator · {RunwareRequestValidator.Model} · {(image is null ? "text-to-video" : "image-to-video")} · {request.Width}x{request.Height} · {request.Duration} s";
            var path = await renderer.RenderAsync(new VideoRenderRequest(request.Prompt, task.Seed, request.Width, request.Height, request.Duration, caption, image), ct);
            task.Succeed(path);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }
        catch (RunwareTaskFailure failure)
        {
            logger.LogInformation("Runware task {TaskUuid} failed: {Code} {Message}", task.TaskUuid, failure.Code, failure.Message);
            task.Fail(failure.Code, failure.Message);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Render of Runware task {TaskUuid} failed", task.TaskUuid);
            task.Fail("internalError", "An internal error occurred while generating the video.");
        }

        store.Finished(task);
    }

    /// <summary>Any http(s) host: it is an emulator. What the studio serves from its first-frame links must come back as an image.</summary>
    private async Task SendAsync(RunwareTask task, System.Text.Json.Nodes.JsonObject body, CancellationToken ct)
    {
        var client = httpClients.CreateClient(RunwareEmulator.HttpClientName);
        // Runware retries until it gets a 2xx (250 ms, doubling); the emulator tries three times.
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            try
            {
                using var response = await client.PostAsJsonAsync(task.Request.WebhookUrl, body, RunwareResponses.Json, ct);
                if (response.IsSuccessStatusCode)
                {
                    logger.LogInformation("Runware webhook for task {TaskUuid} delivered", task.TaskUuid);
                    return;
                }

                logger.LogWarning("Runware webhook for task {TaskUuid} answered {Status} (attempt {Attempt})", task.TaskUuid, (int)response.StatusCode, attempt);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                logger.LogWarning("Runware webhook for task {TaskUuid} failed (attempt {Attempt}): {Error}", task.TaskUuid, attempt, ex.Message);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250 << attempt), time, ct);
        }
    }

    private async Task<byte[]> FetchImageAsync(string url, CancellationToken ct)
    {
        const string code = "invalidFrameImage";
        try
        {
            using var response = await httpClients.CreateClient(RunwareEmulator.HttpClientName).GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new RunwareTaskFailure(code, $"Failed to fetch the frame image from 'inputs.frameImages[0].image': the server answered {(int)response.StatusCode}.");
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType?.ToLowerInvariant();
            if (mediaType is null || !ImageTypes.Contains(mediaType))
            {
                throw new RunwareTaskFailure(code, $"The frame image is '{mediaType ?? "of no declared type"}'; use a JPEG, PNG or WebP image.");
            }

            if (response.Content.Headers.ContentLength > MaxImageBytes)
            {
                throw new RunwareTaskFailure(code, $"The frame image is larger than {MaxImageBytes / 1_000_000} MB.");
            }

            return await response.Content.ReadAsByteArrayAsync(ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new RunwareTaskFailure(code, $"Failed to fetch the frame image from 'inputs.frameImages[0].image': {ex.Message}");
        }
    }

    private async Task CallBackAsync(RunwareTask task, CancellationToken ct)
    {
        try
        {
            // Timers may fire a millisecond early; the webhook must not see the task a moment before it is done.
            for (var wait = task.DoneAt - time.GetUtcNow(); wait > TimeSpan.Zero; wait = task.DoneAt - time.GetUtcNow())
            {
                await Task.Delay(wait + TimeSpan.FromMilliseconds(1), time, ct);
            }

            var taskFaults = faults.Find(FaultRegistry.Runware, task.TaskUuid.ToString());
            var body = RunwareResponses.Item(task, store.Observe(task), outputUrls.Create(task.PublicBase, task.VideoUuid, taskFaults?.LinkGeneration ?? 0));
            // Out of order (a fault): the processing task object, as an earlier webhook would have carried it.
            var stale = RunwareResponses.Item(task, new RunwareTaskView(RunwareTaskState.Processing), string.Empty);
            await FaultHooks.DeliverCallbackAsync(taskFaults, token => SendAsync(task, body, token), token => SendAsync(task, stale, token), ct);
            store.WebhookDone(task);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: the webhook stays due and is sent after the next start.
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Runware webhook for task {TaskUuid} could not be sent", task.TaskUuid);
        }
    }
}
