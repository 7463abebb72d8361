using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Studio.Web.Data;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Storage;
using Studio.Web.Features.Storyboards.Cut;
using Studio.Web.Features.Teams;

namespace Studio.Web.Features.Storyboards;

/// <summary>
/// Makes takes for shots: one shot now, or the whole storyboard in an order that respects continuity (a shot that
/// continues from the previous one waits until that shot has a take, then starts on its last frame). Every take goes
/// through <see cref="GenerationService.SubmitAsync"/>, so it is checked, held against credits and followed like any
/// other take.
/// </summary>
public sealed class ShotGeneration(
    IDbContextFactory<StudioDbContext> dbFactory,
    GenerationService generations,
    IBlobStore blobs,
    LastFrame lastFrame,
    ProviderConnections connections,
    Credits.CreditLedger ledger,
    Credits.PriceList prices,
    IOptions<Credits.CreditsOptions> creditOptions,
    IOptions<Archive.ArchiveOptions> archiveOptions,
    StoryboardNotifier notifier,
    TimeProvider clock,
    ILogger<ShotGeneration> logger)
{
    /// <summary>Makes <paramref name="takes"/> takes of one shot now. The result's Id is the first new take.</summary>
    public async Task<StoryboardResult> GenerateShotAsync(string userId, Guid shotId, int takes = 1, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var shot = await db.Shots.AsNoTracking().FirstOrDefaultAsync(s => s.Id == shotId && s.DeletedAt == null, ct);
        var (board, role) = shot is null ? (null, default) : await StoryboardService.BoardAsync(db, userId, shot.StoryboardId, ct);
        if (board is null)
        {
            return StoryboardResult.NotFound;
        }
        if (!TeamPermissions.CanGenerate(role))
        {
            return StoryboardResult.Refused("Viewers cannot generate. Ask a team admin for the Editor role.");
        }
        var result = await SubmitTakesAsync(db, userId, board, shot!, Math.Clamp(takes, 1, Shot.MaxTakesPerRun), ct);
        await RecordRunErrorAsync(shotId, result.Succeeded ? null : result.Error, board, ct);
        if (result.Succeeded)
        {
            await notifier.PublishAsync(new StoryboardChanged(board.Id, board.TeamId, board.ProjectId));
        }
        return result;
    }

    /// <summary>What "Generate all" would make and hold; null when the storyboard is not the caller's team's.</summary>
    /// <param name="everyShot">New takes for every shot; otherwise only shots without a selected take.</param>
    public async Task<StoryboardCostPreview?> PreviewAsync(string userId, Guid storyboardId, int takesPerShot, bool everyShot, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (board, _) = await StoryboardService.BoardAsync(db, userId, storyboardId, ct);
        return board is null ? null : await PreviewAsync(db, userId, board, Math.Clamp(takesPerShot, 1, Shot.MaxTakesPerRun), everyShot, ct);
    }

    private async Task<StoryboardCostPreview> PreviewAsync(StudioDbContext db, string userId, Storyboard board, int takesPerShot, bool everyShot, CancellationToken ct)
    {
        var shots = await db.Shots.AsNoTracking().Where(s => s.StoryboardId == board.Id && s.DeletedAt == null).OrderBy(s => s.Position).ToListAsync(ct);
        var style = await StyleTextAsync(db, board, ct);
        var readySelected = await ReadySelectedAsync(db, shots, ct);
        var inRun = shots.Where(s => everyShot || !readySelected.Contains(s.Id)).Select(s => s.Id).ToHashSet();
        var lines = new List<CostLine>();
        var problems = new List<string>();
        var sandbox = true;
        for (var i = 0; i < shots.Count; i++)
        {
            var shot = shots[i];
            if (!inRun.Contains(shot.Id))
            {
                continue;
            }
            var number = i + 1;
            var model = VideoModels.Find(shot.Provider, shot.Model);
            if (model is null)
            {
                problems.Add($"Shot {number}: its model is no longer offered; choose another.");
                continue;
            }
            var prompt = StoryboardService.EffectivePrompt(shot.PromptText, style);
            if (prompt.Length == 0)
            {
                problems.Add($"Shot {number} has no prompt yet.");
            }
            else if (GenerationDraftValidator.PromptError(prompt, model) is { } promptError)
            {
                problems.Add($"Shot {number}: {promptError}");
            }
            int? waitsFor = null;
            if (shot.ContinueFromPrevious && i > 0)
            {
                if (inRun.Contains(shots[i - 1].Id))
                {
                    waitsFor = i;
                }
                else if (!readySelected.Contains(shots[i - 1].Id))
                {
                    problems.Add($"Shot {number} continues from shot {i}, which has no finished selected take.");
                }
            }
            bool isSandbox;
            try
            {
                isSandbox = (await connections.ForTeamAsync(board.TeamId, shot.Provider, ct)).IsSandbox;
            }
            catch (ProviderNotConfiguredException ex)
            {
                problems.Add($"Shot {number}: {ex.Message}");
                continue;
            }
            sandbox &= isSandbox;
            var perSecond = await prices.PerSecondAsync(shot.Provider, shot.Model, ct);
            var holds = !isSandbox || creditOptions.Value.ChargeSandbox;
            lines.Add(new CostLine(shot.Id, number, shot.Title, shot.Provider, model.DisplayName, shot.DurationSeconds, takesPerShot, perSecond,
                holds ? perSecond * shot.DurationSeconds * takesPerShot : 0, waitsFor));
        }
        var credits = await ledger.ForMemberAsync(board.TeamId, userId, ct);
        return new StoryboardCostPreview(lines, takesPerShot, lines.Sum(l => l.Millicredits), credits.Member.Available, credits.Team.Available,
            sandbox && lines.Count > 0, credits.Member.ResetsOn, problems);
    }

    /// <summary>
    /// "Generate all": the shots that start at once are submitted now; a shot that continues from one being made in
    /// the same run waits for it (<see cref="AdvanceAsync"/> submits it once that shot has a take).
    /// </summary>
    public async Task<StoryboardResult> GenerateAllAsync(string userId, Guid storyboardId, int takesPerShot, bool everyShot, CancellationToken ct = default)
    {
        takesPerShot = Math.Clamp(takesPerShot, 1, Shot.MaxTakesPerRun);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (board, role) = await StoryboardService.BoardAsync(db, userId, storyboardId, ct);
        if (board is null)
        {
            return StoryboardResult.NotFound;
        }
        if (!TeamPermissions.CanGenerate(role))
        {
            return StoryboardResult.Refused("Viewers cannot generate. Ask a team admin for the Editor role.");
        }
        var preview = await PreviewAsync(db, userId, board, takesPerShot, everyShot, ct);
        if (preview.Problems.Count > 0)
        {
            return StoryboardResult.Refused(preview.Problems[0]);
        }
        if (preview.Lines.Count == 0)
        {
            return StoryboardResult.Refused("Every shot already has a selected take. Choose \"every shot\" to make new takes of all of them.");
        }
        if (!preview.Fits)
        {
            var short_ = preview.LeavesQuota < 0 ? "your quota" : "the team budget";
            return StoryboardResult.Refused($"The whole storyboard needs {Credits.Millicredits.Format(preview.Total)} credits; {short_} leaves " +
                $"{Credits.Millicredits.Format(Math.Min(preview.QuotaLeft ?? long.MaxValue, preview.BudgetLeft ?? long.MaxValue))}. Make fewer takes, or ask a team admin to top it up.");
        }
        var ids = preview.Lines.Select(l => l.ShotId).ToList();
        var waiting = preview.Lines.Where(l => l.WaitsFor is not null).Select(l => l.ShotId).ToList();
        var now = clock.GetUtcNow().UtcDateTime;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            if (everyShot)
            {
                // New takes everywhere: the first new take of each shot becomes its choice (the old takes stay, selectable).
                await db.Shots.Where(s => ids.Contains(s.Id)).ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.SelectedGenerationId, (Guid?)null).SetProperty(x => x.SelectedByUserId, (string?)null), ct);
            }
            await db.Shots.Where(s => ids.Contains(s.Id)).ExecuteUpdateAsync(s => s.SetProperty(x => x.RunError, (string?)null), ct);
            await db.Storyboards.Where(b => b.Id == storyboardId).ExecuteUpdateAsync(s => s
                .SetProperty(b => b.UpdatedAt, now).SetProperty(b => b.Version, b => b.Version + 1), ct);
            await tx.CommitAsync(ct);
        }
        logger.LogInformation("Storyboard {StoryboardId}: generate all by {UserId}, {Shots} shot(s) × {Takes}, {Waiting} waiting on continuity",
            storyboardId, userId, ids.Count, takesPerShot, waiting.Count);
        var immediate = preview.Lines.Where(l => l.WaitsFor is null).ToList();
        var failures = new List<string>();
        foreach (var line in immediate)
        {
            var shot = await db.Shots.AsNoTracking().FirstAsync(s => s.Id == line.ShotId, ct);
            var result = await SubmitTakesAsync(db, userId, board, shot, takesPerShot, ct);
            if (!result.Succeeded)
            {
                failures.Add($"shot {line.Number}{(line.Title.Length > 0 ? $" “{line.Title}”" : "")}: {result.Error}");
                await RecordRunErrorAsync(shot.Id, result.Error, board, ct);
            }
        }
        // Only now do the continuing shots wait: had they waited before the shots they continue from had takes, the
        // worker could have looked in between, found nothing coming for those shots and given the waiting ones up.
        if (waiting.Count > 0)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.Shots.Where(s => waiting.Contains(s.Id)).ExecuteUpdateAsync(s => s.SetProperty(x => x.PendingTakes, takesPerShot), ct);
            await db.Storyboards.Where(b => b.Id == storyboardId).ExecuteUpdateAsync(s => s
                .SetProperty(b => b.RunByUserId, userId).SetProperty(b => b.Version, b => b.Version + 1), ct);
            await tx.CommitAsync(ct);
            Wake?.Invoke(); // A quick first shot may be finished already.
        }
        await notifier.PublishAsync(new StoryboardChanged(board.Id, board.TeamId, board.ProjectId));
        return RunOutcome(board.Id, immediate.Count, failures);
    }

    /// <summary>
    /// What Generate all tells the user: every shot that could start did (Ok); none did (refused, with each shot's
    /// reason); or some did (Ok, with a warning naming the shots that did not, so the dialog closes on a run that is
    /// under way instead of offering to start it again).
    /// </summary>
    internal static StoryboardResult RunOutcome(Guid storyboardId, int submitted, IReadOnlyList<string> failures)
    {
        if (failures.Count == 0)
        {
            return StoryboardResult.Ok(storyboardId);
        }
        var reasons = string.Join(" ", failures.Select(f => char.ToUpperInvariant(f[0]) + f[1..].TrimEnd() + (f.TrimEnd().EndsWith('.') ? "" : ".")));
        return failures.Count == submitted
            ? StoryboardResult.Refused(submitted == 1 ? reasons : $"No shot could start. {reasons}")
            : StoryboardResult.Ok(storyboardId) with { Warning = $"{submitted - failures.Count} of {submitted} shots started. Not started: {reasons}" };
    }

    /// <summary>Set by the worker: shots are waiting, look now.</summary>
    internal Action? Wake { get; set; }

    /// <summary>
    /// Moves storyboards along after takes change: a shot without a choice gets its first finished take (one that
    /// starts from the previous shot's current choice when it continues), and a shot waiting on continuity is submitted
    /// once the shot before it has a chosen take. Safe to run anywhere, any number of times.
    /// </summary>
    public async Task AdvanceAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var open = await db.Shots.AsNoTracking()
            .Where(s => s.DeletedAt == null && (s.PendingTakes > 0
                || (s.SelectedGenerationId == null && db.Generations.Any(g => g.ShotId == s.Id && g.State == GenerationState.Ready && g.DeletedAt == null))))
            .Select(s => s.StoryboardId).Distinct().ToListAsync(ct);
        foreach (var boardId in open)
        {
            try
            {
                await AdvanceBoardAsync(boardId, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Storyboard {StoryboardId} could not be moved along; trying again soon", boardId);
            }
        }
    }

    private async Task AdvanceBoardAsync(Guid boardId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var board = await db.Storyboards.AsNoTracking().FirstAsync(b => b.Id == boardId, ct);
        var shots = await db.Shots.AsNoTracking().Where(s => s.StoryboardId == boardId && s.DeletedAt == null).OrderBy(s => s.Position).ToListAsync(ct);
        var shotIds = shots.Select(s => s.Id).ToList();
        var takes = await db.Generations.AsNoTracking().Where(g => g.ShotId != null && shotIds.Contains(g.ShotId.Value) && g.DeletedAt == null)
            .Select(g => new { g.Id, ShotId = g.ShotId!.Value, g.State, g.ContinuedFromGenerationId, g.CompletedAt, g.CreatedAt })
            .ToListAsync(ct);
        var changed = false;
        for (var i = 0; i < shots.Count; i++)
        {
            var shot = shots[i];
            var previous = i > 0 ? shots[i - 1] : null;
            if (shot.SelectedGenerationId is null)
            {
                var pick = takes.Where(t => t.ShotId == shot.Id && t.State == GenerationState.Ready
                        && (!shot.ContinueFromPrevious || previous is null || t.ContinuedFromGenerationId == previous.SelectedGenerationId))
                    .OrderBy(t => t.CompletedAt ?? t.CreatedAt).FirstOrDefault();
                if (pick is not null)
                {
                    // Only if nobody chose meanwhile.
                    var done = await db.Shots.Where(s => s.Id == shot.Id && s.SelectedGenerationId == null).ExecuteUpdateAsync(s => s
                        .SetProperty(x => x.SelectedGenerationId, pick.Id).SetProperty(x => x.SelectedByUserId, (string?)null)
                        .SetProperty(x => x.SelectedAt, clock.GetUtcNow().UtcDateTime), ct);
                    if (done == 1)
                    {
                        shot.SelectedGenerationId = pick.Id;
                        changed = true;
                    }
                    else
                    {
                        // Chosen meanwhile (by a person, or by another pass of this worker): go on with that choice.
                        shot.SelectedGenerationId = await db.Shots.Where(s => s.Id == shot.Id).Select(s => s.SelectedGenerationId).FirstAsync(ct);
                    }
                }
            }
            if (shot.PendingTakes > 0 && previous is not null)
            {
                var previousChoice = previous.SelectedGenerationId is { } chosen ? takes.FirstOrDefault(t => t.Id == chosen) : null;
                if (previousChoice?.State == GenerationState.Ready)
                {
                    // Claim the pending takes first, so two instances never both submit them.
                    var claimed = await db.Shots.Where(s => s.Id == shot.Id && s.PendingTakes == shot.PendingTakes)
                        .ExecuteUpdateAsync(s => s.SetProperty(x => x.PendingTakes, 0), ct);
                    if (claimed == 1)
                    {
                        var result = board.RunByUserId is { } runBy
                            ? await SubmitTakesAsync(db, runBy, board, shot, shot.PendingTakes, ct)
                            : StoryboardResult.Refused("The run that was to make this shot has ended.");
                        await RecordRunErrorAsync(shot.Id, result.Succeeded ? null : result.Error, board, ct, publish: false);
                        changed = true;
                    }
                }
                else if (previous.PendingTakes == 0 && !takes.Any(t => t.ShotId == previous.Id && GenerationStateMachine.IsActive(t.State))
                    && !await SomethingComingAsync(db, previous.Id, ct))
                {
                    // Nothing more is coming for the shot before: this one cannot continue from it.
                    var gaveUp = await db.Shots.Where(s => s.Id == shot.Id && s.PendingTakes == shot.PendingTakes).ExecuteUpdateAsync(s => s
                        .SetProperty(x => x.PendingTakes, 0)
                        .SetProperty(x => x.RunError, $"Shot {i} made no finished take, so this shot had nothing to continue from."), ct);
                    changed |= gaveUp == 1;
                }
            }
        }
        if (board.RunByUserId is not null && !await db.Shots.AnyAsync(s => s.StoryboardId == boardId && s.DeletedAt == null && s.PendingTakes > 0, ct))
        {
            await db.Storyboards.Where(b => b.Id == boardId).ExecuteUpdateAsync(s => s.SetProperty(b => b.RunByUserId, (string?)null), ct);
            changed = true;
        }
        if (changed)
        {
            await db.Storyboards.Where(b => b.Id == boardId).ExecuteUpdateAsync(s => s.SetProperty(b => b.Version, b => b.Version + 1), ct);
            await notifier.PublishAsync(new StoryboardChanged(board.Id, board.TeamId, board.ProjectId));
        }
    }

    /// <summary>
    /// Read afresh before giving a waiting shot up (what this pass read may be a moment old): does the shot before it
    /// have a finished choice, a take still being made, or takes still owed?
    /// </summary>
    private static Task<bool> SomethingComingAsync(StudioDbContext db, Guid shotId, CancellationToken ct) =>
        db.Shots.AnyAsync(s => s.Id == shotId && (s.PendingTakes > 0
            || db.Generations.Any(g => g.Id == s.SelectedGenerationId && g.State == GenerationState.Ready && g.DeletedAt == null)
            || db.Generations.Any(g => g.ShotId == s.Id && g.DeletedAt == null && GenerationStateMachine.ActiveStates.Contains(g.State))), ct);

    private async Task<StoryboardResult> SubmitTakesAsync(StudioDbContext db, string userId, Storyboard board, Shot shot, int takes, CancellationToken ct)
    {
        var shots = await db.Shots.AsNoTracking().Where(s => s.StoryboardId == board.Id && s.DeletedAt == null).OrderBy(s => s.Position)
            .Select(s => new { s.Id, s.SelectedGenerationId }).ToListAsync(ct);
        var index = shots.FindIndex(s => s.Id == shot.Id);
        var number = index + 1;
        var model = VideoModels.Find(shot.Provider, shot.Model);
        if (model is null)
        {
            return StoryboardResult.Refused($"Shot {number}: its model is no longer offered; choose another.");
        }
        var prompt = StoryboardService.EffectivePrompt(shot.PromptText, await StyleTextAsync(db, board, ct));
        if (prompt.Length == 0)
        {
            return StoryboardResult.Refused($"Shot {number} has no prompt yet.");
        }

        FirstFrameImage? frame = null;
        Guid? continuedFrom = null;
        if (shot.ContinueFromPrevious && index > 0)
        {
            var previousChoice = shots[index - 1].SelectedGenerationId;
            var source = previousChoice is null ? null : await db.Generations.AsNoTracking()
                .Where(g => g.Id == previousChoice && g.State == GenerationState.Ready && g.DeletedAt == null && g.VideoBlobKey != null)
                .Select(g => new { g.Id, g.VideoBlobKey }).FirstOrDefaultAsync(ct);
            if (source is null)
            {
                return StoryboardResult.Refused($"Shot {number} continues from shot {index}, which has no finished selected take yet. Generate shot {index} first, or use Generate all (it waits).");
            }
            try
            {
                frame = await LastFrameOfAsync(source.Id, source.VideoBlobKey!, model, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Shot {ShotId}: the last frame of take {GenerationId} could not be extracted", shot.Id, source.Id);
                return StoryboardResult.Refused($"Shot {number}: the last frame of shot {index}'s take could not be read ({ex.Message}).");
            }
            continuedFrom = source.Id;
        }
        else if (shot.FirstFrameBlobKey is { } key)
        {
            if (await blobs.ReadAllBytesAsync(key, ct) is not { } image)
            {
                return StoryboardResult.Refused($"Shot {number}: its first-frame image is missing; choose it again.");
            }
            frame = new FirstFrameImage("first-frame", shot.FirstFrameContentType ?? ImageFormat.Png, image);
        }

        var ratio = frame is not null && model.ImageDecidesRatio ? "" : shot.Ratio;
        Guid? first = null;
        for (var i = 0; i < takes; i++)
        {
            // A fixed seed would make every take alike: the takes after the first count up from it.
            var seed = shot.Seed is { } s ? (s + i) % (GenerationDraftValidator.MaxSeed + 1) : (long?)null;
            var draft = new GenerationDraft(model.Id, prompt, ratio, shot.DurationSeconds, seed, frame, model.Provider, shot.Quality,
                RequestId: Guid.NewGuid(), ShotId: shot.Id, ContinuedFromGenerationId: continuedFrom);
            var submitted = await generations.SubmitAsync(userId, board.ProjectId, draft, ct);
            if (!submitted.Succeeded)
            {
                var error = submitted.Errors.Values.FirstOrDefault() ?? "It could not be generated.";
                return submitted.IsNotFound ? StoryboardResult.NotFound : StoryboardResult.Refused(i == 0
                    ? $"Shot {number}: {error}"
                    : $"Shot {number}: {i} of {takes} takes started; the rest could not: {error}");
            }
            first ??= submitted.GenerationId;
        }
        return StoryboardResult.Ok(first);
    }

    /// <summary>Downloads the take's video to a scratch folder and reads its last frame within the model's image limit.</summary>
    private async Task<FirstFrameImage> LastFrameOfAsync(Guid generationId, string videoKey, VideoModel model, CancellationToken ct)
    {
        using var scratch = Media.ScratchFolder.Create(archiveOptions.Value.TempDirectory, "studio-continuity", $"{generationId:N}");
        var video = scratch.File("take.mp4");
        if (!await blobs.DownloadToFileAsync(videoKey, video, ct))
        {
            throw new InvalidOperationException("its video is missing from the store");
        }
        // Inline travel is the safe form (no public address needed): keep within it where the model has it.
        var limit = model.FirstFrame.InlineMaxBytes ?? model.FirstFrame.UrlMaxBytes ?? GenerationDraftValidator.MaxFirstFrameBytes;
        var image = await lastFrame.ExtractAsync(video, limit, ct);
        logger.LogInformation("Continuity: last frame of take {GenerationId} extracted ({Bytes} bytes, {Type})", generationId, image.Content.Length, image.ContentType);
        return image;
    }

    private async Task RecordRunErrorAsync(Guid shotId, string? error, Storyboard board, CancellationToken ct, bool publish = true)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var changed = await db.Shots.Where(s => s.Id == shotId && s.RunError != error).ExecuteUpdateAsync(s => s.SetProperty(x => x.RunError, error), ct);
        if (changed > 0 && publish)
        {
            await db.Storyboards.Where(b => b.Id == board.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.Version, b => b.Version + 1), ct);
            await notifier.PublishAsync(new StoryboardChanged(board.Id, board.TeamId, board.ProjectId));
        }
    }

    private static async Task<string?> StyleTextAsync(StudioDbContext db, Storyboard board, CancellationToken ct) =>
        board.StylePresetId is { } id ? await db.StylePresets.AsNoTracking().Where(p => p.Id == id).Select(p => p.Text).FirstOrDefaultAsync(ct) : null;

    private static async Task<HashSet<Guid>> ReadySelectedAsync(StudioDbContext db, List<Shot> shots, CancellationToken ct)
    {
        var selected = shots.Where(s => s.SelectedGenerationId != null).Select(s => s.SelectedGenerationId!.Value).ToList();
        var ready = await db.Generations.AsNoTracking().Where(g => selected.Contains(g.Id) && g.State == GenerationState.Ready && g.DeletedAt == null)
            .Select(g => g.Id).ToListAsync(ct);
        return shots.Where(s => s.SelectedGenerationId is { } id && ready.Contains(id)).Select(s => s.Id).ToHashSet();
    }
}
