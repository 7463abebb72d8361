using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Studio.Web.Data;
using Studio.Web.Features.Archive;
using Studio.Web.Features.Live;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Storage;

namespace Studio.Web.Features.Generations;

/// <summary>
/// Moves one claimed generation one step forward: submit, poll, or archive. Every state change is
/// committed before the side effect that depends on it, and published after it is committed.
/// </summary>
public sealed class GenerationProcessor(
    IDbContextFactory<StudioDbContext> dbFactory,
    ProviderCatalog providers,
    IBlobStore blobs,
    GenerationArchiver archiver,
    GenerationNotifier notifier,
    IOptions<JobsOptions> jobsOptions,
    TimeProvider clock,
    ILogger<GenerationProcessor> logger)
{
    private readonly JobsOptions _jobs = jobsOptions.Value;

    public async Task StepAsync(Guid generationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var generation = await db.Generations.FirstOrDefaultAsync(g => g.Id == generationId, ct);
        if (generation is null || !GenerationStateMachine.IsActive(generation.State))
        {
            return;
        }
        var provider = providers.Get(generation.Provider);
        switch (generation.State)
        {
            case GenerationState.Reserved:
                await SubmitAsync(db, generation, provider, ct);
                break;
            case GenerationState.Submitting when generation.SubmitStartedAt is not null:
                // We went down while a create request was out: it may have made a task we cannot find.
                await MoveAsync(db, generation, GenerationState.Uncertain, g =>
                    g.FailureReason = "The studio stopped while sending this to the provider, so it may or may not have been created there. It was not sent again, to avoid paying twice.", ct);
                break;
            case GenerationState.Submitting:
                await SubmitAsync(db, generation, provider, ct);
                break;
            case GenerationState.Queued:
            case GenerationState.Running:
                await PollAsync(db, generation, provider, ct);
                break;
            case GenerationState.Archiving:
                await ArchiveAsync(db, generation, provider, ct);
                break;
        }
    }

    private async Task SubmitAsync(StudioDbContext db, Generation generation, IVideoProvider provider, CancellationToken ct)
    {
        var now = Now;
        if (generation.State == GenerationState.Reserved)
        {
            if (!await MoveAsync(db, generation, GenerationState.Submitting, g => g.SubmitStartedAt = now, ct))
            {
                return;
            }
        }
        else
        {
            generation.SubmitStartedAt = now;
            await SaveAsync(db, generation, publish: false, ct);
        }

        string? dataUri = null;
        if (generation.FirstFrameBlobKey is not null)
        {
            await using var image = await blobs.OpenReadAsync(generation.FirstFrameBlobKey, ct);
            if (image is null)
            {
                await MoveAsync(db, generation, GenerationState.Failed, g => g.FailureReason = "The first-frame image is missing from storage.", ct);
                return;
            }
            using var buffer = new MemoryStream();
            await image.Stream.CopyToAsync(buffer, ct);
            dataUri = $"data:{generation.FirstFrameContentType};base64,{Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length)}";
        }

        var result = await provider.SubmitAsync(new ProviderSubmission(
            generation.Id, generation.Model, generation.PromptText, generation.Ratio, generation.DurationSeconds, generation.Seed, dataUri), ct);

        if (result.IsSuccess)
        {
            var accepted = result.Value!;
            await MoveAsync(db, generation, GenerationState.Queued, g =>
            {
                g.ProviderTaskId = accepted.TaskId;
                g.EstimatedCredits = accepted.EstimatedCredits ?? g.EstimatedCredits;
                g.AttemptCount = 0;
                g.NextAttemptAt = Now + provider.Cadence.Initial;
            }, ct);
            logger.LogInformation("Generation {GenerationId} accepted by {Provider} as task {TaskId}", generation.Id, provider.Name, accepted.TaskId);
            return;
        }

        var failure = result.Failure!;
        logger.LogWarning("Generation {GenerationId} submit to {Provider} failed: {Kind} {Message}", generation.Id, provider.Name, failure.Kind, failure.Message);
        switch (failure.Kind)
        {
            case ProviderFailureKind.NoAnswer:
                await MoveAsync(db, generation, GenerationState.Uncertain, g =>
                    g.FailureReason = $"{failure.Message} The provider may have started it anyway; it was not sent again, to avoid paying twice.", ct);
                break;
            case ProviderFailureKind.RateLimited or ProviderFailureKind.Transient when generation.AttemptCount + 1 < _jobs.MaxSubmitAttempts:
                // The provider answered with a refusal (or was never reached): no task exists, so sending again is safe.
                generation.SubmitStartedAt = null;
                generation.AttemptCount++;
                generation.NextAttemptAt = Now + Backoff.Next(generation.AttemptCount, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(2), failure.RetryAfter);
                generation.FailureReason = $"Waiting to retry: {failure.Message}";
                await SaveAsync(db, generation, publish: true, ct);
                break;
            default:
                await MoveAsync(db, generation, GenerationState.Failed, g =>
                {
                    g.FailureReason = FailureText.ForSubmit(failure);
                    g.FailureCode = failure.Kind.ToString();
                }, ct);
                break;
        }
    }

    private async Task PollAsync(StudioDbContext db, Generation generation, IVideoProvider provider, CancellationToken ct)
    {
        var result = await provider.GetTaskAsync(generation.ProviderTaskId!, ct);
        if (!result.IsSuccess)
        {
            var failure = result.Failure!;
            if (failure.IsRetryable)
            {
                generation.AttemptCount++;
                generation.NextAttemptAt = Now + Backoff.Next(generation.AttemptCount, provider.Cadence.Initial, provider.Cadence.Max, failure.RetryAfter);
                await SaveAsync(db, generation, publish: false, ct);
                return;
            }
            await MoveAsync(db, generation, GenerationState.Failed, g =>
            {
                g.FailureReason = failure.Kind == ProviderFailureKind.NotFound
                    ? "The provider no longer knows this task (it was cancelled or deleted there)."
                    : FailureText.ForSubmit(failure);
                g.FailureCode = failure.Kind.ToString();
            }, ct);
            return;
        }

        var status = result.Value!;
        generation.AttemptCount++;
        var nextPoll = Now + Backoff.Next(generation.AttemptCount, provider.Cadence.Initial, provider.Cadence.Max, null);
        switch (status.Phase)
        {
            case ProviderTaskPhase.Queued:
                generation.NextAttemptAt = nextPoll;
                await SaveAsync(db, generation, publish: false, ct);
                break;
            case ProviderTaskPhase.Running when generation.State == GenerationState.Queued:
                await MoveAsync(db, generation, GenerationState.Running, g =>
                {
                    g.Progress = status.Progress ?? 0;
                    g.NextAttemptAt = nextPoll;
                }, ct);
                break;
            case ProviderTaskPhase.Running:
                generation.NextAttemptAt = nextPoll;
                // Progress only moves forward; an older or equal figure is not news.
                var changed = status.Progress is { } p && p > (generation.Progress ?? 0);
                if (changed)
                {
                    generation.Progress = status.Progress;
                }
                await SaveAsync(db, generation, publish: changed, ct);
                break;
            case ProviderTaskPhase.Succeeded:
                var output = status.OutputUrls?.FirstOrDefault();
                if (output is null)
                {
                    await MoveAsync(db, generation, GenerationState.Failed, g => g.FailureReason = "The provider reported success but returned no video.", ct);
                    return;
                }
                if (await MoveAsync(db, generation, GenerationState.Archiving, g =>
                    {
                        g.ProviderOutputUrl = output;
                        g.CostCredits = status.CostCredits;
                        g.Progress = 1;
                        g.AttemptCount = 0;
                    }, ct))
                {
                    await ArchiveAsync(db, generation, provider, ct);
                }
                break;
            case ProviderTaskPhase.Failed:
                await MoveAsync(db, generation, GenerationState.Failed, g =>
                {
                    g.FailureReason = FailureText.ForTask(status.FailureCode);
                    g.FailureCode = status.FailureCode;
                    g.CostCredits = status.CostCredits;
                }, ct);
                break;
            case ProviderTaskPhase.Cancelled:
                await MoveAsync(db, generation, GenerationState.Cancelled, g =>
                {
                    g.FailureReason = "Cancelled at the provider.";
                    g.CostCredits = status.CostCredits;
                }, ct);
                break;
        }
    }

    private async Task ArchiveAsync(StudioDbContext db, Generation generation, IVideoProvider provider, CancellationToken ct)
    {
        var outcome = await archiver.ArchiveAsync(generation, provider, ct);
        if (outcome.UrlExpired && generation.ProviderTaskId is not null)
        {
            // Runway's output links expire; the task hands out fresh ones.
            var fresh = await provider.GetTaskAsync(generation.ProviderTaskId, ct);
            if (fresh.IsSuccess && fresh.Value!.OutputUrls?.FirstOrDefault() is { } url && url != generation.ProviderOutputUrl)
            {
                generation.ProviderOutputUrl = url;
                await SaveAsync(db, generation, publish: false, ct);
                outcome = await archiver.ArchiveAsync(generation, provider, ct);
            }
        }

        if (outcome.Video is { } video)
        {
            await MoveAsync(db, generation, GenerationState.Ready, g =>
            {
                g.VideoBlobKey = video.VideoKey;
                g.PosterBlobKey = video.PosterKey;
                g.VideoSha256 = video.Sha256;
                g.VideoBytes = video.Length;
                g.VideoWidth = video.Width;
                g.VideoHeight = video.Height;
                g.VideoDurationSeconds = video.DurationSeconds;
                g.VideoCodec = video.Codec;
                g.CompletedAt = Now;
                g.FailureReason = null;
            }, ct);
            return;
        }

        generation.AttemptCount++;
        if (outcome.Retryable && generation.AttemptCount < _jobs.MaxArchiveAttempts)
        {
            generation.NextAttemptAt = Now + Backoff.Next(generation.AttemptCount, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1), null);
            await SaveAsync(db, generation, publish: false, ct);
            logger.LogWarning("Archiving generation {GenerationId} failed (attempt {Attempt}), will retry: {Error}", generation.Id, generation.AttemptCount, outcome.Error);
            return;
        }
        await MoveAsync(db, generation, GenerationState.Failed, g =>
        {
            g.FailureReason = $"The video could not be archived: {outcome.Error}";
            g.FailureCode = "ARCHIVE";
        }, ct);
    }

    /// <summary>Applies a forward move and commits it; a move the state machine refuses is logged and skipped.</summary>
    private async Task<bool> MoveAsync(StudioDbContext db, Generation generation, GenerationState to, Action<Generation> change, CancellationToken ct)
    {
        if (!GenerationStateMachine.CanMove(generation.State, to))
        {
            logger.LogInformation("Generation {GenerationId}: ignored move {From} -> {To}", generation.Id, generation.State, to);
            return false;
        }
        var from = generation.State;
        generation.State = to;
        change(generation);
        if (GenerationStateMachine.IsTerminal(to) || to == GenerationState.Uncertain)
        {
            generation.CompletedAt ??= Now;
        }
        await SaveAsync(db, generation, publish: true, ct);
        logger.LogInformation("Generation {GenerationId}: {From} -> {To} (v{Version})", generation.Id, from, to, generation.Version);
        return true;
    }

    private async Task SaveAsync(StudioDbContext db, Generation generation, bool publish, CancellationToken ct)
    {
        generation.UpdatedAt = Now;
        if (publish)
        {
            generation.Version++;
        }
        await db.SaveChangesAsync(ct);
        if (publish)
        {
            await notifier.PublishAsync(new GenerationChanged(
                generation.Id, generation.ProjectId, generation.TeamId, generation.Version, generation.State, generation.Progress));
        }
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}

/// <summary>Exponential backoff with jitter, never sooner than a provider's Retry-After.</summary>
public static class Backoff
{
    public static TimeSpan Next(int attempt, TimeSpan initial, TimeSpan max, TimeSpan? retryAfter)
    {
        var factor = Math.Pow(1.5, Math.Max(0, attempt - 1));
        var seconds = Math.Min(max.TotalSeconds, initial.TotalSeconds * factor);
        var jittered = seconds * (0.85 + Random.Shared.NextDouble() * 0.3);
        var wait = TimeSpan.FromSeconds(Math.Min(jittered, max.TotalSeconds));
        return retryAfter is { } ra && ra > wait ? ra : wait;
    }
}

/// <summary>What a user is told. Runway asks integrators not to show raw moderation text.</summary>
public static class FailureText
{
    public static string ForSubmit(ProviderFailure failure) => failure.Kind switch
    {
        ProviderFailureKind.Unauthorized => "The provider refused the API key. An admin must check the key in settings.",
        ProviderFailureKind.InsufficientCredits => "The provider account has no credits left. An admin must top it up.",
        ProviderFailureKind.RateLimited or ProviderFailureKind.Transient => $"The provider stayed busy: {failure.Message}",
        _ => failure.Message,
    };

    public static string ForTask(string? failureCode) => failureCode switch
    {
        { } c when c.StartsWith("SAFETY", StringComparison.OrdinalIgnoreCase) =>
            "The provider's content moderation declined this prompt or image. Change it and try again.",
        { } c when c.StartsWith("INTERNAL.BAD_OUTPUT", StringComparison.OrdinalIgnoreCase) =>
            "The provider rejected its own output for quality. Try again, perhaps with a different image (overlaid text is a common cause).",
        { } c when c.StartsWith("ASSET", StringComparison.OrdinalIgnoreCase) =>
            "The provider could not use the input image. Try another JPEG, PNG or WebP.",
        _ => "The provider could not make this video. Try again.",
    };
}
