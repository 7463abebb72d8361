using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Storage;
using Studio.Web.Features.Teams;

namespace Studio.Web.Features.Storyboards;

/// <summary>
/// Storyboards, their shots and the team's style presets. Every member of the team reads them; Editors and up change
/// them. Anything of another team answers "not found", exactly like an id that does not exist.
/// </summary>
public sealed class StoryboardService(
    IDbContextFactory<StudioDbContext> dbFactory,
    IBlobStore blobs,
    StoryboardNotifier notifier,
    TimeProvider clock,
    ILogger<StoryboardService> logger)
{
    public const string FieldTitle = nameof(ShotEdit.Title);
    public const string FieldNotes = nameof(ShotEdit.Notes);
    public const string FieldContinue = nameof(ShotEdit.ContinueFromPrevious);

    // ---- Storyboards ----

    public async Task<IReadOnlyList<StoryboardSummary>?> ListAsync(string userId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId && db.TeamMembers.Any(m => m.TeamId == p.TeamId && m.UserId == userId), ct))
        {
            return null;
        }
        var boards = await db.Storyboards.AsNoTracking().Where(b => b.ProjectId == projectId).OrderByDescending(b => b.UpdatedAt)
            .Select(b => new
            {
                b.Id, b.Title, b.UpdatedAt,
                Shots = db.Shots.Count(s => s.StoryboardId == b.Id && s.DeletedAt == null),
                Selected = db.Shots.Count(s => s.StoryboardId == b.Id && s.DeletedAt == null && s.SelectedGenerationId != null),
                Poster = db.Shots.Where(s => s.StoryboardId == b.Id && s.DeletedAt == null && s.SelectedGenerationId != null).OrderBy(s => s.Position)
                    .Select(s => s.SelectedGenerationId).FirstOrDefault(),
                Cut = db.FinalCuts.Where(c => c.StoryboardId == b.Id && c.State == FinalCutState.Ready).OrderByDescending(c => c.CreatedAt)
                    .Select(c => c.GenerationId).FirstOrDefault(),
            })
            .ToListAsync(ct);
        var posterIds = boards.Where(b => b.Poster != null).Select(b => b.Poster!.Value).ToList();
        var versions = await db.Generations.AsNoTracking().Where(g => posterIds.Contains(g.Id) && g.PosterBlobKey != null)
            .Select(g => new { g.Id, g.Version }).ToDictionaryAsync(g => g.Id, g => g.Version, ct);
        return [.. boards.Select(b => new StoryboardSummary(b.Id, b.Title, b.Shots, b.Selected, b.UpdatedAt,
            b.Poster is { } p && versions.ContainsKey(p) ? p : null, b.Poster is { } q && versions.TryGetValue(q, out var v) ? v : 0, b.Cut))];
    }

    /// <summary>A new storyboard with one empty shot, ready to write.</summary>
    public async Task<StoryboardResult> CreateAsync(string userId, Guid projectId, string title, CancellationToken ct = default)
    {
        title = (title ?? "").Trim();
        if (TitleError(title, Storyboard.TitleMaxLength, required: true) is { } error)
        {
            return StoryboardResult.Refused(error);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.Projects.AsNoTracking().Where(p => p.Id == projectId)
            .Select(p => new { p.TeamId, Role = db.TeamMembers.Where(m => m.TeamId == p.TeamId && m.UserId == userId).Select(m => (TeamRole?)m.Role).FirstOrDefault() })
            .FirstOrDefaultAsync(ct);
        if (project?.Role is null)
        {
            return StoryboardResult.NotFound;
        }
        if (!TeamPermissions.CanGenerate(project.Role.Value))
        {
            return StoryboardResult.Refused(ViewerRefusal);
        }
        var provider = await db.Teams.Where(t => t.Id == project.TeamId).Select(t => t.DefaultProvider).FirstOrDefaultAsync(ct);
        var model = VideoModels.ForProvider(provider ?? "runway").FirstOrDefault() ?? VideoModels.Gen45;
        var now = Now;
        var board = new Storyboard
        {
            Id = Guid.CreateVersion7(), TeamId = project.TeamId, ProjectId = projectId, Title = title,
            CreatedByUserId = userId, CreatedAt = now, UpdatedAt = now, Version = 1,
        };
        db.Storyboards.Add(board);
        db.Shots.Add(NewShot(board, 0, model, now));
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Storyboard {StoryboardId} created in project {ProjectId} by {UserId}", board.Id, projectId, userId);
        return StoryboardResult.Ok(board.Id);
    }

    /// <summary>
    /// A copy of the storyboard in the same project, to try a variant: its style and every shot's words, settings and
    /// first-frame image; no takes, choices or cuts (those stay with the original). Id = the copy.
    /// </summary>
    public async Task<StoryboardResult> DuplicateAsync(string userId, Guid storyboardId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (source, role) = await BoardAsync(db, userId, storyboardId, ct);
        if (source is null)
        {
            return StoryboardResult.NotFound;
        }
        if (!TeamPermissions.CanGenerate(role))
        {
            return StoryboardResult.Refused(ViewerRefusal);
        }
        var now = Now;
        var board = new Storyboard
        {
            Id = Guid.CreateVersion7(), TeamId = source.TeamId, ProjectId = source.ProjectId,
            Title = Truncate(source.Title + " (copy)", Storyboard.TitleMaxLength), StylePresetId = source.StylePresetId,
            CreatedByUserId = userId, CreatedAt = now, UpdatedAt = now, Version = 1,
        };
        db.Storyboards.Add(board);
        var copies = new List<Shot>();
        try
        {
            foreach (var shot in await LiveShotsAsync(db, storyboardId, ct))
            {
                copies.Add(await CopyShotAsync(shot, board, copies.Count, shot.Title, ct));
            }
            db.Shots.AddRange(copies);
            await db.SaveChangesAsync(ct);
        }
        catch
        {
            // No storyboard holds the copied images: take them away again.
            await GenerationService.DeleteBlobsAsync(blobs, logger, Guid.Empty, [.. copies.Select(c => c.FirstFrameBlobKey)]);
            throw;
        }
        logger.LogInformation("Storyboard {StoryboardId} copied to {CopyId} ({Shots} shots) by {UserId}", storyboardId, board.Id, copies.Count, userId);
        await notifier.PublishAsync(new StoryboardChanged(board.Id, board.TeamId, board.ProjectId));
        return StoryboardResult.Ok(board.Id);
    }

    public async Task<StoryboardResult> RenameAsync(string userId, Guid storyboardId, string title, CancellationToken ct = default)
    {
        title = (title ?? "").Trim();
        if (TitleError(title, Storyboard.TitleMaxLength, required: true) is { } error)
        {
            return StoryboardResult.Refused(error);
        }
        return await ChangeBoardAsync(userId, storyboardId, (db, board) =>
        {
            board.Title = title;
            return Task.FromResult<string?>(null);
        }, ct);
    }

    /// <summary>Applies a team style preset to every shot of the storyboard (null: none).</summary>
    public async Task<StoryboardResult> SetStyleAsync(string userId, Guid storyboardId, Guid? presetId, CancellationToken ct = default) =>
        await ChangeBoardAsync(userId, storyboardId, async (db, board) =>
        {
            if (presetId is { } id && !await db.StylePresets.AnyAsync(p => p.Id == id && p.TeamId == board.TeamId, ct))
            {
                return "That style preset no longer exists.";
            }
            board.StylePresetId = presetId;
            return null;
        }, ct);

    /// <summary>Deletes a storyboard and its shots (Admins and the owner; the takes stay in the gallery).</summary>
    public async Task<StoryboardResult> DeleteAsync(string userId, Guid storyboardId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (board, role) = await BoardAsync(db, userId, storyboardId, ct);
        if (board is null)
        {
            return StoryboardResult.NotFound;
        }
        if (!TeamPermissions.CanDeleteTakes(role))
        {
            return StoryboardResult.Refused("Only team admins and the owner can delete a storyboard.");
        }
        if (await db.FinalCuts.AnyAsync(c => c.StoryboardId == storyboardId && (c.State == FinalCutState.Queued || c.State == FinalCutState.Assembling), ct))
        {
            return StoryboardResult.Refused("A final cut of this storyboard is being assembled; wait for it to finish.");
        }
        var frames = await db.Shots.Where(s => s.StoryboardId == storyboardId && s.FirstFrameBlobKey != null).Select(s => s.FirstFrameBlobKey!).ToListAsync(ct);
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.FinalCuts.Where(c => c.StoryboardId == storyboardId).ExecuteDeleteAsync(ct);
            await db.Shots.Where(s => s.StoryboardId == storyboardId).ExecuteDeleteAsync(ct);
            await db.Storyboards.Where(s => s.Id == storyboardId).ExecuteDeleteAsync(ct);
            await tx.CommitAsync(ct);
        }
        await GenerationService.DeleteBlobsAsync(blobs, logger, Guid.Empty, frames);
        await notifier.PublishAsync(new StoryboardChanged(storyboardId, board.TeamId, board.ProjectId));
        return StoryboardResult.Ok();
    }

    public async Task<StoryboardView?> GetAsync(string userId, Guid storyboardId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (board, role) = await BoardAsync(db, userId, storyboardId, ct);
        if (board is null)
        {
            return null;
        }
        var projectName = await db.Projects.Where(p => p.Id == board.ProjectId).Select(p => p.Name).FirstAsync(ct);
        var style = board.StylePresetId is { } presetId
            ? await db.StylePresets.AsNoTracking().Where(p => p.Id == presetId).Select(p => new StylePresetView(p.Id, p.Name, p.Text)).FirstOrDefaultAsync(ct)
            : null;
        var shots = await db.Shots.AsNoTracking().Where(s => s.StoryboardId == storyboardId && s.DeletedAt == null).OrderBy(s => s.Position).ToListAsync(ct);
        var shotIds = shots.Select(s => s.Id).ToList();
        var links = await GenerationService.Visible(db, userId).Where(g => g.ShotId != null && shotIds.Contains(g.ShotId.Value))
            .Select(g => new { g.Id, ShotId = g.ShotId!.Value, g.ContinuedFromGenerationId, g.CreatedAt })
            .ToListAsync(ct);
        var takeIds = links.Select(l => l.Id).ToList();
        var takes = (await GenerationService.ToViews(db, GenerationService.Visible(db, userId).Where(g => takeIds.Contains(g.Id))).ToListAsync(ct))
            .ToDictionary(t => t.Id);
        var userIds = shots.Where(s => s.SelectedByUserId != null).Select(s => s.SelectedByUserId!).Append(board.RunByUserId ?? "").Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);

        // Take numbers per shot (1 = oldest), so lineage can say "shot 1, take 2".
        var numbers = links.GroupBy(l => l.ShotId)
            .SelectMany(g => g.OrderBy(l => l.CreatedAt).Select((l, i) => (l.Id, l.ShotId, Number: i + 1)))
            .ToDictionary(x => x.Id, x => (x.ShotId, x.Number));
        var position = shots.Select((s, i) => (s.Id, i)).ToDictionary(x => x.Id, x => x.i + 1);
        var views = new List<ShotView>();
        for (var i = 0; i < shots.Count; i++)
        {
            var shot = shots[i];
            var previous = i > 0 ? shots[i - 1] : null;
            var shotTakes = links.Where(l => l.ShotId == shot.Id && takes.ContainsKey(l.Id)).OrderByDescending(l => l.CreatedAt)
                .Select(l =>
                {
                    (int, int)? from = l.ContinuedFromGenerationId is { } f && numbers.TryGetValue(f, out var n) && position.TryGetValue(n.ShotId, out var p)
                        ? (p, n.Number) : null;
                    var stale = shot.ContinueFromPrevious && previous?.SelectedGenerationId is { } chosen && l.ContinuedFromGenerationId != chosen;
                    return new ShotTakeView(takes[l.Id], numbers[l.Id].Number, from, stale);
                })
                .ToList();
            var selectedBy = shot.SelectedGenerationId is null ? null
                : shot.SelectedByUserId is { } by ? names.GetValueOrDefault(by, "someone") : "automatically";
            views.Add(new ShotView(shot.Id, i + 1, shot.Title, shot.PromptText, shot.Provider, shot.Model, shot.Ratio, shot.DurationSeconds, shot.Seed,
                shot.Quality, shot.Notes, shot.ContinueFromPrevious, shot.FirstFrameBlobKey != null, FrameToken(shot), shot.SelectedGenerationId,
                selectedBy, shot.PendingTakes, shot.RunError, shotTakes, shot.UpdatedAt));
        }

        var cuts = await db.FinalCuts.AsNoTracking().Where(c => c.StoryboardId == storyboardId).OrderByDescending(c => c.CreatedAt).Take(10)
            .Select(c => new
            {
                c.Id, c.State, c.Progress, c.GenerationId, c.FailureReason, c.CreatedAt, c.CompletedAt, c.TakeIds, c.AssemblySeconds,
                By = db.Users.Where(u => u.Id == c.CreatedByUserId).Select(u => u.DisplayName).FirstOrDefault(),
                Take = db.Generations.Where(g => g.Id == c.GenerationId && g.DeletedAt == null).Select(g => new { g.Version, g.VideoDurationSeconds }).FirstOrDefault(),
            })
            .ToListAsync(ct);
        var cutViews = cuts.Select(c => new FinalCutView(c.Id, c.State, c.Progress, c.Take is null ? null : c.GenerationId, c.Take?.Version ?? 0,
            c.FailureReason, c.By ?? "someone", c.CreatedAt, c.CompletedAt, c.Take?.VideoDurationSeconds,
            c.TakeIds.Split(',', StringSplitOptions.RemoveEmptyEntries).Length, c.AssemblySeconds,
            IsOutdated: c.TakeIds != string.Join(',', views.Select(v => v.SelectedGenerationId?.ToString() ?? "")))).ToList();
        return new StoryboardView(board.Id, board.ProjectId, board.TeamId, projectName, board.Title, board.Version, style, views, cutViews, role,
            board.RunByUserId is { } run ? names.GetValueOrDefault(run) : null);
    }

    // ---- Shots ----

    /// <summary>Adds an empty shot at <paramref name="index"/> (end when null), with the settings of the shot before it.</summary>
    public async Task<StoryboardResult> AddShotAsync(string userId, Guid storyboardId, int? index = null, CancellationToken ct = default)
    {
        Guid id = default;
        var result = await ChangeBoardAsync(userId, storyboardId, async (db, board) =>
        {
            var shots = await LiveShotsAsync(db, storyboardId, ct);
            var at = Math.Clamp(index ?? shots.Count, 0, shots.Count);
            var shot = NewShotLike(board, at, at > 0 ? shots[at - 1] : shots.FirstOrDefault());
            shots.Insert(at, shot);
            db.Shots.Add(shot);
            Renumber(shots);
            id = shot.Id;
            return null;
        }, ct);
        return result.Succeeded ? StoryboardResult.Ok(id) : result;
    }

    /// <summary>
    /// Adds the shots of a pasted shot list at the end (<see cref="ShotListImport"/>), with the settings of the last shot.
    /// A storyboard's lone blank shot (no words, image or takes: a new storyboard's) is replaced rather than kept in
    /// front. All or nothing; Id = the first new shot.
    /// </summary>
    public async Task<StoryboardResult> ImportShotsAsync(string userId, Guid storyboardId, string text, CancellationToken ct = default)
    {
        var parsed = ShotListImport.Parse(text);
        if (parsed.Errors.Count > 0)
        {
            return StoryboardResult.Refused(parsed.Errors[0]);
        }
        if (parsed.Shots.Count == 0)
        {
            return StoryboardResult.Refused("There is no shot in that text: write one shot per line, or one paragraph per shot.");
        }
        Guid first = default;
        var result = await ChangeBoardAsync(userId, storyboardId, async (db, board) =>
        {
            var shots = await LiveShotsAsync(db, storyboardId, ct);
            if (shots is [var lone] && lone.Title.Length == 0 && lone.PromptText.Length == 0 && lone.FirstFrameBlobKey is null
                && !await db.Generations.AnyAsync(g => g.ShotId == lone.Id, ct))
            {
                db.Shots.Remove(lone); // nothing in it to undo
                shots.Clear();
            }
            var template = shots.LastOrDefault();
            foreach (var entry in parsed.Shots)
            {
                var shot = NewShotLike(board, shots.Count, template);
                shot.Title = entry.Title;
                shot.PromptText = entry.Prompt;
                shots.Add(shot);
                db.Shots.Add(shot);
                if (first == default)
                {
                    first = shot.Id;
                }
            }
            return null;
        }, ct);
        if (result.Succeeded)
        {
            logger.LogInformation("Storyboard {StoryboardId}: {Count} shot(s) imported by {UserId}", storyboardId, parsed.Shots.Count, userId);
        }
        return result.Succeeded ? StoryboardResult.Ok(first) : result;
    }

    /// <summary>A copy of a shot right after it: its words and settings, not its takes.</summary>
    public async Task<StoryboardResult> DuplicateShotAsync(string userId, Guid shotId, CancellationToken ct = default)
    {
        Guid id = default;
        var result = await ChangeShotAsync(userId, shotId, async (db, board, shot) =>
        {
            var shots = await LiveShotsAsync(db, board.Id, ct);
            var copy = await CopyShotAsync(shot, board, shot.Position + 1, shot.Title.Length == 0 ? "" : Truncate(shot.Title + " (copy)", Shot.TitleMaxLength), ct);
            shots.Insert(shots.FindIndex(s => s.Id == shot.Id) + 1, copy);
            db.Shots.Add(copy);
            Renumber(shots);
            id = copy.Id;
            return null;
        }, ct);
        return result.Succeeded ? StoryboardResult.Ok(id) : result;
    }

    /// <summary>A shot's words, settings and first-frame image (copied to a blob of its own) in <paramref name="board"/>; not its takes.</summary>
    private async Task<Shot> CopyShotAsync(Shot shot, Storyboard board, int position, string title, CancellationToken ct)
    {
        var copy = NewShot(board, position, VideoModels.Find(shot.Provider, shot.Model) ?? VideoModels.Gen45, Now);
        copy.Title = title;
        copy.PromptText = shot.PromptText;
        copy.Ratio = shot.Ratio;
        copy.DurationSeconds = shot.DurationSeconds;
        copy.Seed = shot.Seed;
        copy.Quality = shot.Quality;
        copy.Notes = shot.Notes;
        copy.ContinueFromPrevious = shot.ContinueFromPrevious;
        if (shot.FirstFrameBlobKey is { } key && await blobs.OpenReadAsync(key, ct) is { } image)
        {
            await using (image)
            {
                copy.FirstFrameBlobKey = FirstFrameKey(copy.Id);
                copy.FirstFrameContentType = shot.FirstFrameContentType;
                await blobs.PutAsync(copy.FirstFrameBlobKey, image.Stream, shot.FirstFrameContentType ?? ImageFormat.Png, ct);
            }
        }
        return copy;
    }

    /// <summary>Moves a shot to <paramref name="index"/> (0-based, clamped); the others close up.</summary>
    public Task<StoryboardResult> MoveShotAsync(string userId, Guid shotId, int index, CancellationToken ct = default) =>
        ChangeShotAsync(userId, shotId, async (db, board, shot) =>
        {
            var shots = await LiveShotsAsync(db, board.Id, ct);
            var from = shots.FindIndex(s => s.Id == shotId);
            var to = Math.Clamp(index, 0, shots.Count - 1);
            if (from == to)
            {
                return null;
            }
            var moving = shots[from];
            shots.RemoveAt(from);
            shots.Insert(to, moving);
            Renumber(shots);
            FixFirstContinuity(shots);
            return null;
        }, ct);

    /// <summary>Deletes a shot; it can be brought back with <see cref="RestoreShotAsync"/> (the editor's Undo).</summary>
    public Task<StoryboardResult> DeleteShotAsync(string userId, Guid shotId, CancellationToken ct = default) =>
        ChangeShotAsync(userId, shotId, async (db, board, shot) =>
        {
            var shots = await LiveShotsAsync(db, board.Id, ct);
            if (shots.Count == 1)
            {
                return "A storyboard keeps at least one shot. Clear it instead, or delete the storyboard.";
            }
            if (shot.PendingTakes > 0)
            {
                shot.PendingTakes = 0;
            }
            shot.DeletedAt = Now;
            shots.RemoveAll(s => s.Id == shotId);
            Renumber(shots);
            FixFirstContinuity(shots);
            return null;
        }, ct);

    /// <summary>Brings a deleted shot back where it was.</summary>
    public async Task<StoryboardResult> RestoreShotAsync(string userId, Guid shotId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var shot = await db.Shots.FirstOrDefaultAsync(s => s.Id == shotId && s.DeletedAt != null
            && db.TeamMembers.Any(m => m.TeamId == s.TeamId && m.UserId == userId), ct);
        if (shot is null)
        {
            return StoryboardResult.NotFound;
        }
        return await ChangeBoardAsync(userId, shot.StoryboardId, async (db2, board) =>
        {
            var restored = await db2.Shots.FirstAsync(s => s.Id == shotId, ct);
            var shots = await LiveShotsAsync(db2, board.Id, ct);
            restored.DeletedAt = null;
            shots.Insert(Math.Clamp(restored.Position, 0, shots.Count), restored);
            Renumber(shots);
            FixFirstContinuity(shots);
            return null;
        }, ct);
    }

    public async Task<StoryboardResult> UpdateShotAsync(string userId, Guid shotId, ShotEdit edit, CancellationToken ct = default)
    {
        var errors = new DraftErrors();
        var model = VideoModels.Find(edit.Provider, edit.Model);
        if (TitleError(edit.Title?.Trim() ?? "", Shot.TitleMaxLength, required: false) is { } titleError)
        {
            errors[FieldTitle] = titleError;
        }
        if ((edit.Notes?.Length ?? 0) > Shot.NotesMaxLength)
        {
            errors[FieldNotes] = $"Notes are at most {Shot.NotesMaxLength:N0} characters.";
        }
        if ((edit.PromptText?.Length ?? 0) > Shot.PromptMaxLength)
        {
            errors[GenerationDraftValidator.Fields.Prompt] = $"A prompt is at most {Shot.PromptMaxLength:N0} characters here (and the model's limit when generating).";
        }
        if (model is null)
        {
            errors[GenerationDraftValidator.Fields.Model] = $"Unknown model \"{edit.Model}\" for provider \"{edit.Provider}\".";
        }
        else
        {
            if (!model.Durations.Contains(edit.DurationSeconds))
            {
                errors[GenerationDraftValidator.Fields.Duration] = model.DurationIsRange
                    ? $"Duration must be {model.MinDurationSeconds}–{model.MaxDurationSeconds} seconds."
                    : $"{model.DisplayName} makes {string.Join(" or ", model.Durations)}-second videos.";
            }
            var ratios = model.TextToVideoRatios.Union(model.ImageToVideoRatios).ToList();
            if (!ratios.Contains(edit.Ratio) && !(model.ImageDecidesRatio && edit.Ratio.Length == 0))
            {
                errors[GenerationDraftValidator.Fields.Ratio] = $"{model.DisplayName} takes {string.Join(", ", ratios.Select(VideoModels.AspectLabel))}.";
            }
            if (edit.Seed is { } seed && (seed < 0 || seed > GenerationDraftValidator.MaxSeed))
            {
                errors[GenerationDraftValidator.Fields.Seed] = $"The seed is a whole number from 0 to {GenerationDraftValidator.MaxSeed:N0}.";
            }
            if (edit.Quality is { } quality && !model.QualitiesFor(edit.DurationSeconds).Contains(quality))
            {
                errors[GenerationDraftValidator.Fields.Quality] = model.QualityOptions.Count == 0
                    ? $"{model.DisplayName} has no quality choice."
                    : $"For {edit.DurationSeconds} s choose {string.Join(" or ", model.QualitiesFor(edit.DurationSeconds))}.";
            }
        }
        if (!errors.IsValid)
        {
            return StoryboardResult.Invalid(errors);
        }
        return await ChangeShotAsync(userId, shotId, async (db, board, shot) =>
        {
            if (edit.ContinueFromPrevious && shot.Position == 0)
            {
                return "The first shot has nothing to continue from.";
            }
            shot.Title = edit.Title!.Trim();
            shot.PromptText = edit.PromptText ?? "";
            shot.Provider = edit.Provider;
            shot.Model = edit.Model;
            shot.Ratio = edit.Ratio;
            shot.DurationSeconds = edit.DurationSeconds;
            shot.Seed = edit.Seed;
            shot.Quality = model!.QualityOptions.Count == 0 ? null : edit.Quality ?? model.QualitiesFor(edit.DurationSeconds).FirstOrDefault();
            shot.Notes = edit.Notes ?? "";
            shot.ContinueFromPrevious = edit.ContinueFromPrevious;
            return await Task.FromResult<string?>(null);
        }, ct);
    }

    /// <summary>Sets (or with null, removes) the image a shot starts from when it does not continue from the previous shot.</summary>
    public async Task<StoryboardResult> SetFirstFrameAsync(string userId, Guid shotId, FirstFrameImage? image, CancellationToken ct = default)
    {
        if (image is not null && GenerationDraftValidator.FirstFrameError(image.Content, image.FileName, GenerationDraftValidator.MaxFirstFrameBytesAnyModel) is { } error)
        {
            return StoryboardResult.Refused(error);
        }
        string? old = null;
        string? written = null;
        var result = await ChangeShotAsync(userId, shotId, async (db, board, shot) =>
        {
            old = shot.FirstFrameBlobKey;
            if (image is null)
            {
                shot.FirstFrameBlobKey = null;
                shot.FirstFrameContentType = null;
                return null;
            }
            // A new key per image: a page still showing the old one never gets the new bytes under the old name.
            written = FirstFrameKey(shot.Id);
            var type = ImageFormat.Sniff(image.Content)!;
            await using var content = new MemoryStream(image.Content, writable: false);
            await blobs.PutAsync(written, content, type, ct);
            shot.FirstFrameBlobKey = written;
            shot.FirstFrameContentType = type;
            return null;
        }, ct);
        if (result.Succeeded && old is not null)
        {
            await GenerationService.DeleteBlobsAsync(blobs, logger, Guid.Empty, [old]);
        }
        else if (!result.Succeeded && written is not null)
        {
            await GenerationService.DeleteBlobsAsync(blobs, logger, Guid.Empty, [written]);
        }
        return result;
    }

    /// <summary>Chooses the take that represents the shot in the final cut (a ready take of that shot).</summary>
    public Task<StoryboardResult> SelectTakeAsync(string userId, Guid shotId, Guid generationId, CancellationToken ct = default) =>
        ChangeShotAsync(userId, shotId, async (db, board, shot) =>
        {
            var take = await db.Generations.AsNoTracking().Where(g => g.Id == generationId && g.ShotId == shotId && g.DeletedAt == null)
                .Select(g => new { g.State }).FirstOrDefaultAsync(ct);
            if (take is null)
            {
                return "That take is not one of this shot's.";
            }
            if (take.State != GenerationState.Ready)
            {
                return "Only a finished take can be selected.";
            }
            shot.SelectedGenerationId = generationId;
            shot.SelectedByUserId = userId;
            shot.SelectedAt = Now;
            return null;
        }, ct);

    // ---- Style presets ----

    public async Task<IReadOnlyList<StylePresetView>> PresetsAsync(string userId, Guid teamId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.StylePresets.AsNoTracking()
            .Where(p => p.TeamId == teamId && db.TeamMembers.Any(m => m.TeamId == teamId && m.UserId == userId))
            .OrderBy(p => p.Name).Select(p => new StylePresetView(p.Id, p.Name, p.Text)).ToListAsync(ct);
    }

    /// <summary>Creates (id null) or changes a team style preset (Editors and up).</summary>
    public async Task<StoryboardResult> SavePresetAsync(string userId, Guid teamId, Guid? presetId, string name, string text, CancellationToken ct = default)
    {
        name = (name ?? "").Trim();
        text = (text ?? "").Trim();
        var errors = new DraftErrors();
        if (TitleError(name, StylePreset.NameMaxLength, required: true) is { } nameError)
        {
            errors["Name"] = nameError;
        }
        if (text.Length == 0)
        {
            errors["Text"] = "Write the words to add to every shot, e.g. \"35mm film grain, muted teal and orange palette\".";
        }
        else if (text.Length > StylePreset.TextMaxLength)
        {
            errors["Text"] = $"A style is at most {StylePreset.TextMaxLength} characters: it is added to every shot's prompt.";
        }
        if (!errors.IsValid)
        {
            return StoryboardResult.Invalid(errors);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var role = await TeamService.RoleAsync(db, userId, teamId, ct);
        if (role is null)
        {
            return StoryboardResult.NotFound;
        }
        if (!TeamPermissions.CanGenerate(role.Value))
        {
            return StoryboardResult.Refused(ViewerRefusal);
        }
        if (await db.StylePresets.AnyAsync(p => p.TeamId == teamId && p.Name == name && p.Id != presetId, ct))
        {
            return StoryboardResult.Invalid(new DraftErrors { ["Name"] = $"The team already has a style called \"{name}\"." });
        }
        var now = Now;
        StylePreset? preset;
        if (presetId is { } id)
        {
            preset = await db.StylePresets.FirstOrDefaultAsync(p => p.Id == id && p.TeamId == teamId, ct);
            if (preset is null)
            {
                return StoryboardResult.NotFound;
            }
        }
        else
        {
            preset = new StylePreset { Id = Guid.CreateVersion7(), TeamId = teamId, CreatedByUserId = userId, CreatedAt = now };
            db.StylePresets.Add(preset);
        }
        preset.Name = name;
        preset.Text = text;
        preset.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return StoryboardResult.Invalid(new DraftErrors { ["Name"] = $"The team already has a style called \"{name}\"." });
        }
        return StoryboardResult.Ok(preset.Id);
    }

    /// <summary>Deletes a style preset; storyboards using it go back to no style.</summary>
    public async Task<StoryboardResult> DeletePresetAsync(string userId, Guid presetId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var preset = await db.StylePresets.AsNoTracking().FirstOrDefaultAsync(p => p.Id == presetId, ct);
        var role = preset is null ? null : await TeamService.RoleAsync(db, userId, preset.TeamId, ct);
        if (role is null)
        {
            return StoryboardResult.NotFound;
        }
        if (!TeamPermissions.CanGenerate(role.Value))
        {
            return StoryboardResult.Refused(ViewerRefusal);
        }
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.Storyboards.Where(b => b.StylePresetId == presetId).ExecuteUpdateAsync(s => s
                .SetProperty(b => b.StylePresetId, (Guid?)null).SetProperty(b => b.Version, b => b.Version + 1), ct);
            await db.StylePresets.Where(p => p.Id == presetId).ExecuteDeleteAsync(ct);
            await tx.CommitAsync(ct);
        }
        return StoryboardResult.Ok();
    }

    // ---- Shared plumbing ----

    internal const string ViewerRefusal = "Viewers can watch storyboards but not change them. Ask a team admin for the Editor role.";

    /// <summary>The prompt a shot's takes are made with: the shot's words, then the storyboard's style.</summary>
    public static string EffectivePrompt(string prompt, string? style) => PromptAids.PromptLint.Combine(prompt, style).Trim();

    internal static async Task<(Storyboard? Board, TeamRole Role)> BoardAsync(StudioDbContext db, string userId, Guid storyboardId, CancellationToken ct)
    {
        var found = await db.Storyboards.AsNoTracking().Where(b => b.Id == storyboardId)
            .Select(b => new { Board = b, Role = db.TeamMembers.Where(m => m.TeamId == b.TeamId && m.UserId == userId).Select(m => (TeamRole?)m.Role).FirstOrDefault() })
            .FirstOrDefaultAsync(ct);
        return found?.Role is { } role ? (found.Board, role) : (null, default);
    }

    /// <summary>Loads the storyboard for an Editor, runs <paramref name="change"/> (null or a refusal), bumps its version, saves, tells open pages.</summary>
    internal async Task<StoryboardResult> ChangeBoardAsync(string userId, Guid storyboardId, Func<StudioDbContext, Storyboard, Task<string?>> change, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var board = await db.Storyboards.FirstOrDefaultAsync(b => b.Id == storyboardId, ct);
        var role = board is null ? null : await TeamService.RoleAsync(db, userId, board.TeamId, ct);
        if (board is null || role is null)
        {
            return StoryboardResult.NotFound;
        }
        if (!TeamPermissions.CanGenerate(role.Value))
        {
            return StoryboardResult.Refused(ViewerRefusal);
        }
        if (await change(db, board) is { } refusal)
        {
            return StoryboardResult.Refused(refusal);
        }
        board.Version++;
        board.UpdatedAt = Now;
        await db.SaveChangesAsync(ct);
        await notifier.PublishAsync(new StoryboardChanged(board.Id, board.TeamId, board.ProjectId));
        return StoryboardResult.Ok(board.Id);
    }

    internal async Task<StoryboardResult> ChangeShotAsync(string userId, Guid shotId, Func<StudioDbContext, Storyboard, Shot, Task<string?>> change, CancellationToken ct)
    {
        if (await ShotBoardAsync(shotId, ct) is not { } boardId)
        {
            return StoryboardResult.NotFound;
        }
        return await ChangeBoardAsync(userId, boardId, async (db, board) =>
        {
            var shot = await db.Shots.FirstOrDefaultAsync(s => s.Id == shotId && s.StoryboardId == board.Id && s.DeletedAt == null, ct);
            if (shot is null)
            {
                return "That shot has been deleted.";
            }
            var refusal = await change(db, board, shot);
            if (refusal is null)
            {
                shot.UpdatedAt = Now;
            }
            return refusal;
        }, ct);
    }

    private async Task<Guid?> ShotBoardAsync(Guid shotId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Shots.Where(s => s.Id == shotId).Select(s => (Guid?)s.StoryboardId).FirstOrDefaultAsync(ct);
    }

    internal static Task<List<Shot>> LiveShotsAsync(StudioDbContext db, Guid storyboardId, CancellationToken ct) =>
        db.Shots.Where(s => s.StoryboardId == storyboardId && s.DeletedAt == null).OrderBy(s => s.Position).ThenBy(s => s.CreatedAt).ToListAsync(ct);

    private void Renumber(List<Shot> shots)
    {
        for (var i = 0; i < shots.Count; i++)
        {
            if (shots[i].Position != i)
            {
                shots[i].Position = i;
                shots[i].UpdatedAt = Now;
            }
        }
    }

    /// <summary>The first shot has nothing before it, so it cannot continue.</summary>
    private void FixFirstContinuity(List<Shot> shots)
    {
        if (shots.Count > 0 && shots[0].ContinueFromPrevious)
        {
            shots[0].ContinueFromPrevious = false;
            shots[0].UpdatedAt = Now;
        }
    }

    /// <summary>An empty shot with the model, ratio, duration and quality of <paramref name="template"/> (the defaults without one).</summary>
    private Shot NewShotLike(Storyboard board, int position, Shot? template)
    {
        var model = template is null ? VideoModels.Gen45 : VideoModels.Find(template.Provider, template.Model) ?? VideoModels.Gen45;
        var shot = NewShot(board, position, model, Now);
        if (template is not null)
        {
            shot.Ratio = template.Ratio;
            shot.DurationSeconds = template.DurationSeconds;
            shot.Quality = template.Quality;
        }
        return shot;
    }

    private static Shot NewShot(Storyboard board, int position, VideoModel model, DateTime now) => new()
    {
        Id = Guid.CreateVersion7(),
        StoryboardId = board.Id,
        TeamId = board.TeamId,
        Position = position,
        Provider = model.Provider,
        Model = model.Id,
        Ratio = model.TextToVideoRatios[0],
        DurationSeconds = model.DefaultDurationSeconds,
        Quality = model.QualityOptions.FirstOrDefault(),
        CreatedAt = now,
        UpdatedAt = now,
    };

    internal static string FirstFrameKey(Guid shotId) => $"storyboards/shots/{shotId:N}/first-frame-{Guid.NewGuid():N}";

    /// <summary>Changes with every new image, so pages never show a cached old one.</summary>
    private static string? FrameToken(Shot shot) => shot.FirstFrameBlobKey is { } key ? key[(key.LastIndexOf('-') + 1)..] : null;

    private static string? TitleError(string title, int max, bool required) =>
        required && title.Length == 0 ? "Give it a title."
        : title.Length > max ? $"At most {max} characters."
        : null;

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
