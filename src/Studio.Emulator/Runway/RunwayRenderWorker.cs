using Microsoft.Extensions.Options;
using Studio.Emulator.Media;
using Studio.Emulator.Shared;

namespace Studio.Emulator.Runway;

/// <summary>
/// Renders each task's video off the request path, drained from the <see cref="WorkQueue{T}"/> the create endpoints fill. Several render at once (ffmpeg's own cap still applies);
/// a failed render fails only its task, and a cancelled task's render is stopped.
/// </summary>
internal sealed class RunwayRenderWorker : BackgroundService
{
    private readonly WorkQueue<RunwayTask> _queue;
    private readonly RunwayTaskStore _store;
    private readonly VideoRenderer _renderer;
    private readonly ILogger<RunwayRenderWorker> _logger;
    private readonly int _parallelism;

    /// <remarks>
    /// Taking the store here loads it at start-up (it is otherwise built on the first request), which queues
    /// the persisted tasks whose video is missing.
    /// </remarks>
    public RunwayRenderWorker(
        WorkQueue<RunwayTask> queue, RunwayTaskStore store, VideoRenderer renderer, IOptions<FfmpegOptions> ffmpegOptions, ILogger<RunwayRenderWorker> logger)
    {
        _queue = queue;
        _store = store;
        _renderer = renderer;
        _logger = logger;
        _parallelism = Math.Max(1, ffmpegOptions.Value.MaxConcurrency);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _parallelism, CancellationToken = stoppingToken };
        try
        {
            await Parallel.ForEachAsync(_queue.ReadAllAsync(stoppingToken), parallel, (task, ct) => new ValueTask(RenderAsync(task, ct)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; unfinished renders are queued again when the persisted tasks are next loaded.
        }
    }

    private async Task RenderAsync(RunwayTask task, CancellationToken stoppingToken)
    {
        if (task.CancellationToken.IsCancellationRequested)
        {
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, task.CancellationToken);
        var request = task.Request;
        var caption = request.Kind == RunwayEndpointKind.TextToVideo
            ? $"Runway emulator · {request.Model.Id} · text-to-video · {request.Ratio} · {request.DurationSeconds} s"
            : $"Runway emulator · {request.Model.Id} · image-to-video · {request.Ratio} · {request.DurationSeconds} s"
              + (request.PromptImage?.Bytes is null ? " · first frame by URL (not fetched)" : string.Empty);
        var renderRequest = new VideoRenderRequest(
            request.PromptText, task.Seed, request.Width, request.Height, request.DurationSeconds, caption,
            request.PromptImage?.Bytes);
        try
        {
            var path = await _renderer.RenderAsync(renderRequest, linked.Token);
            _store.RenderSucceeded(task, path);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            _logger.LogDebug("Render of Runway task {TaskId} stopped (cancelled or shutting down)", task.Id);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Render of Runway task {TaskId} failed", task.Id);
            _store.RenderFailed(task, "An internal error occurred while generating the video.");
        }
    }
}
