using Studio.Web.Features.Generations;
using Studio.Web.Features.Live;
using Studio.Web.Features.Storyboards.Cut;

namespace Studio.Web.Features.Storyboards;

/// <summary>
/// Moves storyboards along in the background: whenever a take ends (and every few seconds in case a change was heard
/// by another instance) it selects first takes and starts shots that were waiting on continuity; and it assembles
/// queued final cuts, one at a time.
/// </summary>
public sealed class StoryboardWorker(ShotGeneration shots, FinalCuts cuts, GenerationNotifier generations, ILogger<StoryboardWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Sweep = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _advance = new(0);
    private readonly SemaphoreSlim _cut = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = generations.Subscribe(change =>
        {
            if (change.State is GenerationState.Ready or GenerationState.Failed or GenerationState.Cancelled)
            {
                Signal(_advance);
            }
            return Task.CompletedTask;
        });
        cuts.Wake = () => Signal(_cut);
        shots.Wake = () => Signal(_advance);
        try
        {
            await cuts.RequeueInterruptedAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Interrupted final cuts could not be queued again");
        }
        await Task.WhenAll(LoopAsync(_advance, shots.AdvanceAsync, stoppingToken), LoopAsync(_cut, AssembleAllAsync, stoppingToken));
    }

    private async Task AssembleAllAsync(CancellationToken ct)
    {
        while (await cuts.AssembleNextAsync(ct))
        {
        }
    }

    private async Task LoopAsync(SemaphoreSlim signal, Func<CancellationToken, Task> step, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await step(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "A storyboard step failed; trying again shortly");
            }
            try
            {
                await signal.WaitAsync(Sweep, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static void Signal(SemaphoreSlim signal)
    {
        if (signal.CurrentCount == 0)
        {
            signal.Release();
        }
    }
}

public static class StoryboardsServiceCollectionExtensions
{
    public static WebApplicationBuilder AddStoryboards(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<StoryboardNotifier>();
        builder.Services.AddSingleton<StoryboardService>();
        builder.Services.AddSingleton<ShotGeneration>();
        builder.Services.AddSingleton<FinalCuts>();
        builder.Services.AddSingleton<LastFrame>();
        builder.Services.AddSingleton<FinalCutRenderer>();
        builder.Services.AddHostedService<StoryboardWorker>();
        return builder;
    }
}
