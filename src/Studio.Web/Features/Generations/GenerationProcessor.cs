using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Studio.Web.Data;
using Studio.Web.Features.Archive;
using Studio.Web.Features.Live;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Storage;
using Studio.Web.Features.Webhooks;

namespace Studio.Web.Features.Generations;

/// <summary>
/// Moves one claimed generation one step forward: submit, poll, or archive. Every state change is
/// committed before the side effect that depends on it, and published after it is committed.
/// </summary>
public sealed class GenerationProcessor(
    IDbContextFactory<StudioDbContext> dbFactory,
    ProviderCatalog providers,
    ProviderConnections connections,
    CallbackLinks callbackLinks,
    IBlobStore blobs,
    GenerationArchiver archiver,
    GenerationNotifier notifier,
    Credits.CreditLedger ledger,
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
        try
        {
            await StepAsync(db, generation, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Someone else (a cancel from a page) changed it meanwhile; the next step starts from what they wrote.
            logger.LogInformation("Generation {GenerationId} changed elsewhere during a step; it is looked at again", generationId);
        }
    }

    private async Task StepAsync(StudioDbContext db, Generation generation, CancellationToken ct)
    {
        var provider = providers.Get(generation.Provider);
        ProviderConnection connection;
        try
        {
            connection = await connections.ForTeamAsync(generation.TeamId, generation.Provider, ct);
        }
        catch (ProviderNotConfiguredException ex)
        {
            await MoveAsync(db, generation, GenerationState.Failed, g => g.FailureReason = ex.Message, ct);
            return;
        }
        var step = new Step(db, generation, provider, connection);
        if (generation.CancelRequestedAt is not null && await FinishCancelAsync(step, ct))
        {
            return;
        }
        switch (generation.State)
        {
            case GenerationState.Reserved:
                await SubmitAsync(step, ct);
                break;
            case GenerationState.Submitting when generation.SubmitStartedAt is not null:
                // We went down while a create request was out: it may have made a task we cannot find.
                await MoveAsync(db, generation, GenerationState.Uncertain, g =>
                    g.FailureReason = "The studio stopped while sending this to the provider, so it may or may not have been created there. It was not sent again, to avoid paying twice.", ct);
                break;
            case GenerationState.Submitting:
                await SubmitAsync(step, ct);
                break;
            case GenerationState.Queued:
            case GenerationState.Running:
                await PollAsync(step, ct);
                break;
            case GenerationState.Archiving:
                await ArchiveAsync(step, ct);
                break;
        }
    }

    /// <summary>
    /// A cancel pressed while a step was busy (a create out, a poll between its two halves) is finished here.
    /// Returns false when the take must go on (a create that may have landed goes to Uncertain as usual).
    /// </summary>
    private async Task<bool> FinishCancelAsync(Step step, CancellationToken ct)
    {
        var (db, generation, provider, connection) = step;
        switch (generation.State)
        {
            case GenerationState.Reserved:
            case GenerationState.Submitting when generation.SubmitStartedAt is null:
                await MoveAsync(db, generation, GenerationState.Cancelled, g => g.FailureReason = "Cancelled before it was sent; nothing was charged.", ct);
                return true;
            case GenerationState.Queued:
            case GenerationState.Running:
                if (provider.Capabilities.Cancel && generation.ProviderTaskId is { } taskId)
                {
                    await provider.CancelAsync(connection, taskId, ct);
                }
                await MoveAsync(db, generation, GenerationState.Cancelled, g => g.FailureReason = FailureText.ForCancel(provider.Capabilities), ct);
                return true;
            default:
                return false;
        }
    }

    /// <summary>What one step works with.</summary>
    private sealed record Step(StudioDbContext Db, Generation Generation, IVideoProvider Provider, ProviderConnection Connection);

    private async Task SubmitAsync(Step step, CancellationToken ct)
    {
        var (db, generation, provider, connection) = step;
        var now = Now;
        // Everything the request will carry that must be known later is committed first: the moment it leaves,
        // the webhook token's hash, and (Runware) the task id the studio chose.
        var callback = callbackLinks.ForSubmit(generation, provider, connection);
        Action<Generation> prepare = g =>
        {
            g.SubmitStartedAt = now;
            g.CallbackTokenHash = callback?.TokenHash;
            if (provider.Capabilities.ClientTaskIds)
            {
                g.ProviderTaskId ??= Guid.NewGuid().ToString();
            }
        };
        if (generation.State == GenerationState.Reserved)
        {
            if (!await MoveAsync(db, generation, GenerationState.Submitting, prepare, ct))
            {
                return;
            }
        }
        else
        {
            prepare(generation);
            await SaveAsync(db, generation, publish: false, ct);
        }

        ProviderImage? firstFrame = null;
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
            firstFrame = new ProviderImage(generation.FirstFrameContentType!, buffer.Length,
                $"data:{generation.FirstFrameContentType};base64,{Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length)}",
                callbackLinks.FirstFrameUrl(generation, connection));
        }

        ProviderResult<ProviderAccepted> result;
        if (generation.ParentGenerationId is { } parentId)
        {
            var parentTaskId = await db.Generations.Where(g => g.Id == parentId).Select(g => g.ProviderTaskId).FirstOrDefaultAsync(ct);
            result = parentTaskId is null
                ? new ProviderFailure(ProviderFailureKind.Rejected, "The take being extended has no provider task.")
                : await provider.ExtendAsync(connection, new ProviderExtension(generation.Id, parentTaskId, generation.PromptText, generation.Quality, callback?.Url), ct);
        }
        else
        {
            result = await provider.SubmitAsync(connection, new ProviderSubmission(
                generation.Id, generation.Model, generation.PromptText, generation.Ratio, generation.DurationSeconds, generation.Seed,
                firstFrame, generation.Quality, callback?.Url, provider.Capabilities.ClientTaskIds ? generation.ProviderTaskId : null), ct);
        }

        if (result.IsSuccess)
        {
            var accepted = result.Value!;
            var cadence = connections.Cadence(connection);
            await MoveAsync(db, generation, GenerationState.Queued, g =>
            {
                g.ProviderTaskId = accepted.TaskId;
                g.EstimatedCredits = accepted.EstimatedCredits ?? g.EstimatedCredits;
                g.AttemptCount = 0;
                g.FailureReason = null;
                // With a webhook on its way, the first look waits until the callback would be overdue.
                g.CallbackExpectedBy = callback is null ? null : Now + callbackLinks.Grace(connection);
                g.NextAttemptAt = g.CallbackExpectedBy ?? Now + cadence.Initial;
            }, ct);
            if (await db.Generations.Where(g => g.Id == generation.Id).Select(g => g.CancelRequestedAt).FirstAsync(ct) is not null)
            {
                // Cancel was pressed while the create was out: finish it now that there is a task to cancel.
                await db.Entry(generation).ReloadAsync(ct);
                await FinishCancelAsync(step, ct);
                return;
            }
            if (callback is not null)
            {
                // A fast provider may call back before its answer to the create arrived: then look at once.
                await db.Generations.Where(g => g.Id == generation.Id && g.CallbackReceivedAt != null && g.State == GenerationState.Queued)
                    .ExecuteUpdateAsync(s => s.SetProperty(g => g.NextAttemptAt, Now).SetProperty(g => g.CallbackExpectedBy, (DateTime?)null), ct);
            }
            logger.LogInformation("Generation {GenerationId} accepted by {Provider} ({Connection}) as task {TaskId}{Webhook}",
                generation.Id, provider.Name, connection.KeySource, accepted.TaskId, callback is null ? "" : ", webhook requested");
            return;
        }

        var failure = result.Failure!;
        logger.LogWarning("Generation {GenerationId} submit to {Provider} failed: {Kind} {Message}", generation.Id, provider.Name, failure.Kind, failure.Message);
        switch (failure.Kind)
        {
            case ProviderFailureKind.NoAnswer when provider.Capabilities.ClientTaskIds:
                // The studio chose the task id, so it can safely ask whether the task exists instead of guessing.
                await MoveAsync(db, generation, GenerationState.Queued, g =>
                {
                    g.ProviderDetail = "checking whether the provider received it";
                    g.NextAttemptAt = Now + connections.Cadence(connection).Initial;
                }, ct);
                break;
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
                if (failure.Kind is ProviderFailureKind.Unauthorized or ProviderFailureKind.InsufficientCredits)
                {
                    // Admins see it on Team → Providers; the take's own message tells the user to ask them.
                    await connections.RecordRefusalAsync(connection, generation.TeamId, ct);
                    logger.LogError("{Provider} refused the {KeySource} key of team {TeamId}: {Kind}", provider.Name, connection.KeySource, generation.TeamId, failure.Kind);
                }
                await MoveAsync(db, generation, GenerationState.Failed, g =>
                {
                    g.FailureReason = FailureText.ForSubmit(failure, provider.Capabilities.DisplayName);
                    g.FailureCode = failure.Kind.ToString();
                }, ct);
                break;
        }
    }

    private async Task PollAsync(Step step, CancellationToken ct)
    {
        var (db, generation, provider, connection) = step;
        var cadence = connections.Cadence(connection);
        var result = await provider.GetTaskAsync(connection, generation.ProviderTaskId!, ct);
        if (!result.IsSuccess)
        {
            var failure = result.Failure!;
            if (failure.IsRetryable)
            {
                generation.AttemptCount++;
                generation.NextAttemptAt = Now + Backoff.Next(generation.AttemptCount, cadence.Initial, cadence.Max, failure.RetryAfter);
                await SaveAsync(db, generation, publish: false, ct);
                return;
            }
            if (failure.Kind == ProviderFailureKind.NotFound && generation.CancelRequestedAt is not null)
            {
                await MoveAsync(db, generation, GenerationState.Cancelled, g => g.FailureReason = FailureText.ForCancel(provider.Capabilities), ct);
                return;
            }
            await MoveAsync(db, generation, GenerationState.Failed, g =>
            {
                g.FailureReason = failure.Kind == ProviderFailureKind.NotFound
                    ? generation.ProviderDetail == "checking whether the provider received it"
                        ? "The provider never received this take (checked by its task id); nothing was charged. Generate again."
                        : "The provider no longer knows this task (it was cancelled or deleted there)."
                    : FailureText.ForSubmit(failure, provider.Capabilities.DisplayName);
                g.FailureCode = failure.Kind.ToString();
            }, ct);
            return;
        }

        var status = result.Value!;
        generation.AttemptCount++;
        var nextPoll = Now + Backoff.Next(generation.AttemptCount, cadence.Initial, cadence.Max, null);
        if (generation.CallbackExpectedBy is { } expected && expected > Now && status.Phase is ProviderTaskPhase.Queued or ProviderTaskPhase.Running)
        {
            // A webhook is still on its way: look again no sooner than when it would be overdue.
            nextPoll = expected;
        }
        var detailChanged = status.Detail != generation.ProviderDetail;
        generation.ProviderDetail = status.Detail;
        switch (status.Phase)
        {
            case ProviderTaskPhase.Queued:
                generation.NextAttemptAt = nextPoll;
                await SaveAsync(db, generation, publish: detailChanged, ct);
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
                await SaveAsync(db, generation, publish: changed || detailChanged, ct);
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
                        g.Seed = status.Seed ?? g.Seed;
                        g.Progress = 1;
                        g.AttemptCount = 0;
                    }, ct))
                {
                    await ArchiveAsync(step, ct);
                }
                break;
            case ProviderTaskPhase.Failed:
                await MoveAsync(db, generation, GenerationState.Failed, g =>
                {
                    g.FailureReason = FailureText.ForTask(status.FailureCode, status.Retryable);
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

    private async Task ArchiveAsync(Step step, CancellationToken ct)
    {
        var (db, generation, provider, connection) = step;
        var source = new ArchiveSource(connection.IsSandbox, connections.OutputHosts(connection), provider.Name);
        var outcome = await archiver.ArchiveAsync(generation, source, ct);
        if (outcome.UrlExpired && generation.ProviderTaskId is not null)
        {
            // Runway's output links expire; the task hands out fresh ones.
            var fresh = await provider.GetTaskAsync(connection, generation.ProviderTaskId, ct);
            if (fresh.IsSuccess && fresh.Value!.OutputUrls?.FirstOrDefault() is { } url && url != generation.ProviderOutputUrl)
            {
                generation.ProviderOutputUrl = url;
                await SaveAsync(db, generation, publish: false, ct);
                outcome = await archiver.ArchiveAsync(generation, source, ct);
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
        if (GenerationStateMachine.IsTerminal(to))
        {
            await CloseCreditsAsync(generation.Id);
        }
        return true;
    }

    /// <summary>Settles or releases the take's hold now; if that fails, the worker's sweep does it later.</summary>
    private async Task CloseCreditsAsync(Guid generationId)
    {
        try
        {
            await ledger.CloseAsync(generationId, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Generation {GenerationId} ended but its credits could not be settled yet; the sweep will", generationId);
        }
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
    public static string ForSubmit(ProviderFailure failure, string provider = "The provider") => failure.Kind switch
    {
        ProviderFailureKind.Unauthorized => $"{provider} refused the team's API key. A team admin must check it in Team settings → Providers.",
        ProviderFailureKind.InsufficientCredits => $"The {provider} account's balance is exhausted. A team admin must top it up; this take was not retried.",
        ProviderFailureKind.RateLimited or ProviderFailureKind.Transient => $"{provider} stayed busy: {failure.Message}",
        _ => failure.Message,
    };

    /// <summary>What a cancelled take says: cancelled at the provider, or (where it cannot cancel) no longer followed.</summary>
    public const string Cancelled = "Cancelled in the studio.";

    public static string ForCancel(ProviderCapabilities provider) => provider.Cancel
        ? Cancelled
        : $"Stopped in the studio. {provider.DisplayName} cannot cancel a started task, so it may still finish there and be charged to the provider account; the studio will not archive it.";

    public static string ForTask(string? failureCode, bool retryable = false) => failureCode switch
    {
        { } c when c.StartsWith("SAFETY", StringComparison.OrdinalIgnoreCase) =>
            "The provider's content moderation declined this prompt or image. Change it and try again.",
        { } c when c.StartsWith("INTERNAL.BAD_OUTPUT", StringComparison.OrdinalIgnoreCase) =>
            "The provider rejected its own output for quality. Try again, perhaps with a different image (overlaid text is a common cause).",
        { } c when c.StartsWith("ASSET", StringComparison.OrdinalIgnoreCase) =>
            "The provider could not use the input image. Try another JPEG, PNG or WebP.",
        _ when retryable => "The provider had a system error and did not charge for it. Generate again.",
        _ => "The provider could not make this video. Try again.",
    };
}
