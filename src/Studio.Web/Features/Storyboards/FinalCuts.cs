using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Gallery;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Live;
using Studio.Web.Features.Media;
using Studio.Web.Features.Storage;
using Studio.Web.Features.Storyboards.Cut;
using Studio.Web.Features.Teams;

namespace Studio.Web.Features.Storyboards;

/// <summary>
/// The final cut: a storyboard's selected takes assembled in order into one MP4 (<see cref="FinalCutRenderer"/>),
/// archived to the blob store and shown in the project's gallery as a take of its own ("studio · final-cut": no
/// provider, no credits). Asking queues it; <see cref="StoryboardWorker"/> assembles it, reporting progress.
/// </summary>
public sealed class FinalCuts(
    IDbContextFactory<StudioDbContext> dbFactory,
    IBlobStore blobs,
    FinalCutRenderer renderer,
    VideoProbe probe,
    StoryboardNotifier notifier,
    GenerationNotifier generationNotifier,
    Audit.AuditLog auditLog,
    Microsoft.Extensions.Options.IOptions<Archive.ArchiveOptions> archiveOptions,
    TimeProvider clock,
    ILogger<FinalCuts> logger)
{
    /// <summary>The gallery take of a final cut names this "provider" (and <see cref="Model"/>) so pages can tell it apart.</summary>
    public const string Provider = "studio";
    public const string Model = "final-cut";

    /// <summary>The name a final cut is saved under when downloaded: after its storyboard, e.g. <c>the-crossing-final-cut.mp4</c>.</summary>
    public static string DownloadFileName(string storyboardTitle) => $"{ZipDownload.FileStem(storyboardTitle, "storyboard")}-final-cut.mp4";

    /// <summary>Queues a final cut of the storyboard's selected takes as they are now. Id = the cut.</summary>
    public async Task<StoryboardResult> RequestAsync(string userId, Guid storyboardId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (board, role) = await StoryboardService.BoardAsync(db, userId, storyboardId, ct);
        if (board is null)
        {
            return StoryboardResult.NotFound;
        }
        if (!TeamPermissions.CanGenerate(role))
        {
            return StoryboardResult.Refused("Viewers cannot assemble a final cut. Ask a team admin for the Editor role.");
        }
        var shots = await db.Shots.AsNoTracking().Where(s => s.StoryboardId == storyboardId && s.DeletedAt == null).OrderBy(s => s.Position)
            .Select(s => new { s.SelectedGenerationId }).ToListAsync(ct);
        var chosen = shots.Select(s => s.SelectedGenerationId).ToList();
        var ready = await db.Generations.AsNoTracking()
            .Where(g => chosen.Contains(g.Id) && g.State == GenerationState.Ready && g.DeletedAt == null && g.VideoBlobKey != null)
            .Select(g => g.Id).ToListAsync(ct);
        var missing = chosen.Select((id, i) => (id, Number: i + 1)).Where(x => x.id is null || !ready.Contains(x.id.Value)).Select(x => x.Number).ToList();
        if (missing.Count > 0)
        {
            return StoryboardResult.Refused(missing.Count == 1
                ? $"Shot {missing[0]} has no finished selected take yet."
                : $"Shots {string.Join(", ", missing)} have no finished selected take yet.");
        }
        if (await db.FinalCuts.AnyAsync(c => c.StoryboardId == storyboardId && (c.State == FinalCutState.Queued || c.State == FinalCutState.Assembling), ct))
        {
            return StoryboardResult.Refused("A final cut of this storyboard is already being assembled.");
        }
        var cut = new FinalCut
        {
            Id = Guid.CreateVersion7(), StoryboardId = storyboardId, TeamId = board.TeamId, ProjectId = board.ProjectId,
            State = FinalCutState.Queued, TakeIds = string.Join(',', chosen.Select(id => id!.Value)), CreatedByUserId = userId,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.FinalCuts.Add(cut);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Final cut {CutId} of storyboard {StoryboardId} queued by {UserId} ({Shots} shots)", cut.Id, storyboardId, userId, chosen.Count);
        await notifier.PublishAsync(new StoryboardChanged(board.Id, board.TeamId, board.ProjectId, 0));
        Wake?.Invoke();
        return StoryboardResult.Ok(cut.Id);
    }

    /// <summary>Set by the worker: a new cut is waiting.</summary>
    internal Action? Wake { get; set; }

    /// <summary>After a restart, cuts that were being assembled start again from the beginning.</summary>
    internal async Task RequeueInterruptedAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var n = await db.FinalCuts.Where(c => c.State == FinalCutState.Assembling)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.State, FinalCutState.Queued).SetProperty(c => c.Progress, 0), ct);
        if (n > 0)
        {
            logger.LogInformation("{Count} interrupted final cut(s) queued again", n);
        }
    }

    /// <summary>Assembles the oldest queued cut, if any. False when there was none.</summary>
    internal async Task<bool> AssembleNextAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var next = await db.FinalCuts.AsNoTracking().Where(c => c.State == FinalCutState.Queued).OrderBy(c => c.CreatedAt).FirstOrDefaultAsync(ct);
        if (next is null)
        {
            return false;
        }
        // Claim it: another instance may be looking at the same row.
        if (await db.FinalCuts.Where(c => c.Id == next.Id && c.State == FinalCutState.Queued)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.State, FinalCutState.Assembling).SetProperty(c => c.Progress, 0), ct) == 0)
        {
            return true;
        }
        await AssembleAsync(next, ct);
        return true;
    }

    private async Task AssembleAsync(FinalCut cut, CancellationToken ct)
    {
        using var scratch = ScratchFolder.Create(archiveOptions.Value.TempDirectory, "studio-final-cut", $"{cut.Id:N}");
        var folder = scratch.Path;
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var ids = cut.Takes;
            var takes = await db.Generations.AsNoTracking().Where(g => ids.Contains(g.Id) && g.DeletedAt == null && g.VideoBlobKey != null)
                .Select(g => new { g.Id, g.VideoBlobKey }).ToListAsync(ct);
            var paths = new List<string>();
            for (var i = 0; i < ids.Count; i++)
            {
                var take = takes.FirstOrDefault(t => t.Id == ids[i])
                    ?? throw new FinalCutException($"The take chosen for shot {i + 1} was deleted.");
                var path = Path.Combine(folder, $"shot-{i + 1:000}.mp4");
                if (!await blobs.DownloadToFileAsync(take.VideoBlobKey!, path, ct))
                {
                    throw new FinalCutException($"The video of shot {i + 1} is missing from the store.");
                }
                paths.Add(path);
                // Fetching is the first tenth of the work.
                await ReportAsync(cut, 0.1 * (i + 1) / ids.Count, ct);
            }

            var output = Path.Combine(folder, "final-cut.mp4");
            var lastReported = 0.1;
            var progress = new SyncProgress(p =>
            {
                var overall = 0.1 + 0.8 * Math.Clamp(p, 0, 1);
                if (overall - lastReported >= 0.02)
                {
                    lastReported = overall;
                    _ = ReportAsync(cut, overall, CancellationToken.None);
                }
            });
            var rendered = await renderer.RenderAsync(paths, output, progress, ct);
            await ReportAsync(cut, 0.92, ct);
            await PublishAsync(cut, output, rendered, Stopwatch.GetElapsedTime(started).TotalSeconds, folder, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Final cut {CutId} of storyboard {StoryboardId} failed", cut.Id, cut.StoryboardId);
            var reason = ex is FinalCutException ? ex.Message : "The studio could not assemble it: " + FirstLine(ex.Message);
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            await db.FinalCuts.Where(c => c.Id == cut.Id).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.State, FinalCutState.Failed).SetProperty(c => c.FailureReason, reason.Length > 400 ? reason[..400] : reason)
                .SetProperty(c => c.CompletedAt, clock.GetUtcNow().UtcDateTime), CancellationToken.None);
            await notifier.PublishAsync(new StoryboardChanged(cut.StoryboardId, cut.TeamId, cut.ProjectId));
        }
    }

    /// <summary>Archives the film and its poster, then adds it to the gallery as a ready take and marks the cut ready.</summary>
    private async Task PublishAsync(FinalCut cut, string output, FinalCutRenderResult rendered, double seconds, string folder, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var board = await db.Storyboards.AsNoTracking().Where(b => b.Id == cut.StoryboardId).Select(b => new { b.Title }).FirstOrDefaultAsync(ct)
            ?? throw new FinalCutException("The storyboard was deleted while its cut was being assembled.");
        var id = Guid.CreateVersion7();
        var videoKey = BlobKeys.Video(id);
        StoredBlob stored;
        await using (var file = File.OpenRead(output))
        {
            stored = await blobs.PutAsync(videoKey, file, BlobWriteOptions.ForKey(videoKey, "video/mp4") with { DownloadFileName = DownloadFileName(board.Title) }, ct);
        }
        string? posterKey = null;
        try
        {
            var poster = Path.Combine(folder, "poster.jpg");
            await probe.MakePosterAsync(output, rendered.DurationSeconds, poster, ct);
            posterKey = BlobKeys.Poster(id);
            await using var image = File.OpenRead(poster);
            await blobs.PutAsync(posterKey, image, "image/jpeg", ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Final cut {CutId}: no poster", cut.Id);
            posterKey = null;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var shots = cut.Takes.Count;
        var take = new Generation
        {
            Id = id, TeamId = cut.TeamId, ProjectId = cut.ProjectId, CreatedByUserId = cut.CreatedByUserId,
            Provider = Provider, Model = Model,
            PromptText = $"Final cut of \"{board.Title}\" ({shots} shot{(shots == 1 ? "" : "s")})",
            Ratio = $"{rendered.Width}:{rendered.Height}", DurationSeconds = (int)Math.Round(rendered.DurationSeconds),
            State = GenerationState.Ready, Version = 1, Progress = 1, CreatedAt = now, UpdatedAt = now, CompletedAt = now, NextAttemptAt = now,
            VideoBlobKey = videoKey, PosterBlobKey = posterKey, VideoSha256 = stored.Sha256, VideoBytes = stored.Length,
            VideoWidth = rendered.Width, VideoHeight = rendered.Height, VideoDurationSeconds = rendered.DurationSeconds, VideoCodec = "h264",
        };
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            db.Generations.Add(take);
            await auditLog.AddAsync(db, cut.TeamId, cut.CreatedByUserId, Audit.AuditActions.GenerationCreated, id.ToString(),
                $"assembled the final cut of \"{board.Title}\": {shots} shots, {rendered.DurationSeconds:0.0} s", ct);
            await db.SaveChangesAsync(ct);
            await db.FinalCuts.Where(c => c.Id == cut.Id).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.State, FinalCutState.Ready).SetProperty(c => c.Progress, 1.0).SetProperty(c => c.GenerationId, id)
                .SetProperty(c => c.CompletedAt, now).SetProperty(c => c.AssemblySeconds, seconds), ct);
            await tx.CommitAsync(ct);
        }
        logger.LogInformation("Final cut {CutId} of storyboard {StoryboardId}: {Shots} shots, {Duration:0.00} s, {Width}x{Height}, {Bytes} bytes, assembled in {Seconds:0.0} s (normalised: {Normalised})",
            cut.Id, cut.StoryboardId, shots, rendered.DurationSeconds, rendered.Width, rendered.Height, stored.Length, seconds, rendered.Normalised);
        await generationNotifier.PublishAsync(new GenerationChanged(id, cut.ProjectId, cut.TeamId, take.Version, take.State, 1));
        await notifier.PublishAsync(new StoryboardChanged(cut.StoryboardId, cut.TeamId, cut.ProjectId, 1));
    }

    private async Task ReportAsync(FinalCut cut, double progress, CancellationToken ct)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await db.FinalCuts.Where(c => c.Id == cut.Id && c.State == FinalCutState.Assembling).ExecuteUpdateAsync(s => s.SetProperty(c => c.Progress, progress), ct);
            await notifier.PublishAsync(new StoryboardChanged(cut.StoryboardId, cut.TeamId, cut.ProjectId, progress));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogDebug(ex, "Final cut {CutId}: progress not recorded", cut.Id);
        }
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    /// <summary>Calls back on the reporting thread (Progress&lt;T&gt; would post to a captured context).</summary>
    private sealed class SyncProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}

/// <summary>A reason a final cut cannot be made, in words for the user.</summary>
public sealed class FinalCutException(string message) : Exception(message);
