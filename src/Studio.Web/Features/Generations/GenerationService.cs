using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Live;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Storage;
using Studio.Web.Features.Teams;

namespace Studio.Web.Features.Generations;

/// <summary>What pages show of a take. Never carries provider URLs or task internals.</summary>
public sealed record GenerationView(
    Guid Id,
    Guid ProjectId,
    Guid TeamId,
    int Version,
    GenerationState State,
    double? Progress,
    string Model,
    string Provider,
    bool IsSandbox,
    string? Quality,
    string? ProviderDetail,
    Guid? ParentGenerationId,
    string PromptText,
    string Ratio,
    int DurationSeconds,
    long? Seed,
    bool HasFirstFrame,
    string? FailureReason,
    string CreatedByName,
    DateTime CreatedAt,
    DateTime? CompletedAt,
    int? EstimatedCredits,
    int? VideoWidth,
    int? VideoHeight,
    double? VideoDurationSeconds,
    long? VideoBytes,
    string? VideoCodec,
    double? CostCredits = null,
    string CreatedByUserId = "")
{
    public bool IsReady => State == GenerationState.Ready;

    /// <summary>Every state before archiving can be cancelled (at the provider where it can, else the studio stops following).</summary>
    public bool CanCancel => State is GenerationState.Reserved or GenerationState.Submitting or GenerationState.Queued
        or GenerationState.Running or GenerationState.Uncertain;

    public bool CanRetry => State == GenerationState.Uncertain;

    /// <summary>A finished take at a provider that can continue it (kie's extend).</summary>
    public bool CanExtend => State == GenerationState.Ready && Provider == "kie";
}

public sealed record SubmitResult(Guid? GenerationId, DraftErrors Errors, bool IsNotFound = false)
{
    public bool Succeeded => GenerationId is not null;
}

/// <summary>Takes a draft from the composer to a committed Reserved row; the worker does the rest.</summary>
public sealed class GenerationService(
    IDbContextFactory<StudioDbContext> dbFactory,
    IBlobStore blobs,
    Audit.AuditLog auditLog,
    ProviderCatalog providers,
    ProviderConnections connections,
    GenerationNotifier notifier,
    GenerationWorkSignal workSignal,
    Webhooks.CallbackLinks callbackLinks,
    Credits.CreditLedger ledger,
    Credits.PriceList prices,
    Microsoft.Extensions.Options.IOptions<Credits.CreditsOptions> creditOptions,
    TimeProvider clock,
    ILogger<GenerationService> logger)
{
    /// <summary>Key of errors that belong to the whole form rather than one field.</summary>
    public const string FormError = "form";

    public async Task<SubmitResult> SubmitAsync(string userId, Guid projectId, GenerationDraft draft, CancellationToken ct = default)
    {
        var errors = GenerationDraftValidator.Validate(draft);
        if (!errors.IsValid)
        {
            return new SubmitResult(null, errors);
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var access = await db.Projects
            .Where(p => p.Id == projectId)
            .Select(p => new { p.TeamId, Role = db.TeamMembers.Where(m => m.TeamId == p.TeamId && m.UserId == userId).Select(m => (TeamRole?)m.Role).FirstOrDefault() })
            .FirstOrDefaultAsync(ct);
        if (access?.Role is null)
        {
            return new SubmitResult(null, new DraftErrors { [FormError] = "Project not found." }, IsNotFound: true);
        }
        if (!TeamService.CanGenerate(access.Role.Value))
        {
            return new SubmitResult(null, new DraftErrors { [FormError] = "Viewers cannot generate. Ask a team admin for the Editor role." });
        }
        // Only after the membership check: someone removed from the team learns nothing from resending an old request.
        if (draft.RequestId is { } requestId
            && await TakeOfRequestAsync(db, userId, requestId, ct) is { } existing)
        {
            // The same press of Generate, sent again (double click, retried post): the take it already made.
            return new SubmitResult(existing, []);
        }

        var provider = providers.Get(draft.Provider);
        var model = VideoModels.Find(draft.Provider, draft.ModelId)!;
        ProviderConnection connection;
        try
        {
            connection = await connections.ForTeamAsync(access.TeamId, provider.Name, ct);
        }
        catch (ProviderNotConfiguredException ex)
        {
            return new SubmitResult(null, new DraftErrors { [FormError] = ex.Message + " A team admin can add a key in Team settings → Providers." });
        }
        // An image that cannot travel inline needs a URL the provider can fetch, so a public address.
        if (draft.FirstFrame is { } frame && !connection.IsSandbox && !callbackLinks.HasPublicAddress
            && (model.FirstFrame.InlineMaxBytes is not { } inline || frame.Content.Length > inline))
        {
            return new SubmitResult(null, new DraftErrors
            {
                [GenerationDraftValidator.Fields.FirstFrame] = model.FirstFrame.InlineMaxBytes is { } limit
                    ? $"Images over {limit / 1_000_000.0:0.#} MB reach {provider.Capabilities.DisplayName} only by URL, and this studio has no public address. Use a smaller image, or an administrator sets Studio:PublicBaseUrl."
                    : $"{provider.Capabilities.DisplayName} fetches images from a URL, and this studio has no public address. An administrator must set Studio:PublicBaseUrl.",
            });
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var estimate = await prices.EstimateAsync(provider.Name, model.Id, draft.DurationSeconds, ct);
        var generation = new Generation
        {
            Id = Guid.CreateVersion7(),
            TeamId = access.TeamId,
            ProjectId = projectId,
            CreatedByUserId = userId,
            ClientRequestId = draft.RequestId,
            Provider = provider.Name,
            Model = model.Id,
            PromptText = draft.PromptText,
            Ratio = draft.Ratio,
            DurationSeconds = draft.DurationSeconds,
            Quality = draft.Quality,
            // Runway does not echo the seed it picks, so the studio picks it: every take can be made again.
            Seed = model.SupportsSeed ? draft.Seed ?? Random.Shared.NextInt64(0, GenerationDraftValidator.MaxSeed + 1) : null,
            IsSandbox = connection.IsSandbox,
            EstimatedCredits = CreditsOf(estimate),
            State = GenerationState.Reserved,
            Version = 1,
            CreatedAt = now,
            UpdatedAt = now,
            NextAttemptAt = now,
        };

        // The image goes first; if the row then fails, the image is removed, so nothing half-written stays.
        if (draft.FirstFrame is { } image)
        {
            generation.FirstFrameBlobKey = BlobKeys.FirstFrame(generation.Id);
            generation.FirstFrameContentType = ImageFormat.Sniff(image.Content);
            await using var content = new MemoryStream(image.Content, writable: false);
            await blobs.PutAsync(generation.FirstFrameBlobKey, content, generation.FirstFrameContentType!, ct);
        }
        string? refusal;
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            db.Generations.Add(generation);
            // Sandbox takes cost nothing, so they hold nothing (unless budgets are being rehearsed).
            refusal = await ledger.ReserveAsync(db, generation, Holds(generation.IsSandbox) ? estimate : 0, ct);
            if (refusal is null)
            {
                await auditLog.AddAsync(db, generation.TeamId, userId, Audit.AuditActions.GenerationCreated, generation.Id.ToString(),
                    $"generated with {provider.Name} {model.Id}, {draft.DurationSeconds} s: \"{(draft.PromptText.Length > 80 ? draft.PromptText[..80] + "…" : draft.PromptText)}\"", ct);
                await db.Projects.Where(p => p.Id == projectId).ExecuteUpdateAsync(s => s.SetProperty(p => p.UpdatedAt, now), ct);
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            }
        }
        catch (Exception ex)
        {
            if (generation.FirstFrameBlobKey is not null)
            {
                await blobs.DeleteAsync(generation.FirstFrameBlobKey, CancellationToken.None);
            }
            if (ex is DbUpdateException && draft.RequestId is { } raced)
            {
                // Two sends of one press raced; the unique index let one in. Answer with that one.
                await using var again = await dbFactory.CreateDbContextAsync(CancellationToken.None);
                if (await TakeOfRequestAsync(again, userId, raced, CancellationToken.None) is { } winner)
                {
                    return new SubmitResult(winner, []);
                }
            }
            throw;
        }
        if (refusal is not null)
        {
            // Rolled back: no row, no hold. The first frame goes too, so nothing half-written stays.
            if (generation.FirstFrameBlobKey is not null)
            {
                await blobs.DeleteAsync(generation.FirstFrameBlobKey, CancellationToken.None);
            }
            return new SubmitResult(null, new DraftErrors { [FormError] = refusal });
        }

        logger.LogInformation("Generation {GenerationId} reserved in project {ProjectId} ({Model}, {Duration}s, {Ratio})",
            generation.Id, projectId, generation.Model, generation.DurationSeconds, generation.Ratio);
        await ledger.AlertAsync(generation, ct);
        // Publish before waking the worker, so nobody hears "Submitting" before "Reserved".
        await notifier.PublishAsync(new GenerationChanged(generation.Id, projectId, generation.TeamId, generation.Version, generation.State, null));
        workSignal.Wake();
        return new SubmitResult(generation.Id, []);
    }

    private static Task<Guid?> TakeOfRequestAsync(StudioDbContext db, string userId, Guid requestId, CancellationToken ct) =>
        db.Generations.Where(g => g.CreatedByUserId == userId && g.ClientRequestId == requestId).Select(g => (Guid?)g.Id).FirstOrDefaultAsync(ct);

    /// <summary>
    /// Cancels a take in any state but Archiving (by then it is made and paid for). Not yet sent: it stops. Being
    /// sent: it is cancelled as soon as the provider answers. Queued or running: the provider cancels it where it
    /// can (Runway); elsewhere the studio stops following it and says the provider may still charge. Uncertain: the
    /// studio stops following it. Returns an error to show, or null.
    /// </summary>
    public async Task<string?> CancelAsync(string userId, Guid generationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var generation = await db.Generations.AsNoTracking()
            .Where(g => g.Id == generationId && db.TeamMembers.Any(m => m.TeamId == g.TeamId && m.UserId == userId && m.Role != TeamRole.Viewer))
            .FirstOrDefaultAsync(ct);
        if (generation is null)
        {
            return "Take not found.";
        }
        if (GenerationStateMachine.IsTerminal(generation.State) || generation.State == GenerationState.Archiving)
        {
            return generation.State == GenerationState.Archiving
                ? "It is already made and being archived; it can no longer be cancelled."
                : $"A take that is {generation.State.ToString().ToLowerInvariant()} cannot be cancelled.";
        }

        var provider = providers.Get(generation.Provider);
        var now = clock.GetUtcNow().UtcDateTime;
        // Say so first: a step in flight (a create, a poll that finds the task gone) then ends it as cancelled.
        await db.Generations.Where(g => g.Id == generationId).ExecuteUpdateAsync(s => s.SetProperty(g => g.CancelRequestedAt, now), ct);
        if (generation.State == GenerationState.Submitting)
        {
            logger.LogInformation("Generation {GenerationId}: cancel requested while it is being sent", generationId);
            return null; // The worker cancels it the moment the provider answers.
        }

        var reason = FailureText.Cancelled;
        if (generation.State is GenerationState.Queued or GenerationState.Running)
        {
            if (provider.Capabilities.Cancel)
            {
                var connection = await connections.ForTeamAsync(generation.TeamId, generation.Provider, ct);
                var result = await provider.CancelAsync(connection, generation.ProviderTaskId!, ct);
                if (!result.IsSuccess && result.Failure!.Kind != ProviderFailureKind.NotFound)
                {
                    await db.Generations.Where(g => g.Id == generationId).ExecuteUpdateAsync(s => s.SetProperty(g => g.CancelRequestedAt, (DateTime?)null), ct);
                    return $"{provider.Capabilities.DisplayName} did not cancel it: {result.Failure.Message}";
                }
            }
            else
            {
                reason = FailureText.ForCancel(provider.Capabilities);
            }
        }
        else if (generation.State == GenerationState.Uncertain)
        {
            reason = "Dismissed in the studio. If the provider did make it, it may have been charged; the studio no longer follows it.";
        }
        return await MarkCancelledAsync(db, generationId, reason, userId, ct);
    }

    /// <summary>The one conditional update that ends a take as cancelled, so a worker step that moved it meanwhile is not overwritten.</summary>
    private async Task<string?> MarkCancelledAsync(StudioDbContext db, Guid generationId, string reason, string userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = await db.Generations
            .Where(g => g.Id == generationId && (g.State == GenerationState.Reserved || g.State == GenerationState.Queued
                || g.State == GenerationState.Running || g.State == GenerationState.Uncertain))
            .ExecuteUpdateAsync(s => s
                .SetProperty(g => g.State, GenerationState.Cancelled)
                .SetProperty(g => g.FailureReason, reason)
                .SetProperty(g => g.CompletedAt, now)
                .SetProperty(g => g.UpdatedAt, now)
                .SetProperty(g => g.Version, g => g.Version + 1), ct);
        var after = await db.Generations.AsNoTracking().FirstAsync(g => g.Id == generationId, ct);
        await notifier.PublishAsync(new GenerationChanged(after.Id, after.ProjectId, after.TeamId, after.Version, after.State, after.Progress));
        if (changed == 0)
        {
            return after.State == GenerationState.Cancelled ? null : $"It is {after.State.ToString().ToLowerInvariant()} now and can no longer be cancelled.";
        }
        logger.LogInformation("Generation {GenerationId} cancelled by {UserId}", generationId, userId);
        try
        {
            await ledger.CloseAsync(generationId, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Generation {GenerationId} is cancelled but its hold could not be released yet; the sweep will", generationId);
        }
        return null;
    }

    /// <summary>
    /// "Retry anyway" on an Uncertain take: the user has been told the first attempt may exist at the provider and
    /// chooses to send it again. The new take is a copy; the uncertain one is dismissed.
    /// </summary>
    public async Task<SubmitResult> RetryUncertainAsync(string userId, Guid generationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var original = await db.Generations.AsNoTracking()
            .Where(g => g.Id == generationId && g.State == GenerationState.Uncertain
                && db.TeamMembers.Any(m => m.TeamId == g.TeamId && m.UserId == userId && m.Role != TeamRole.Viewer))
            .FirstOrDefaultAsync(ct);
        if (original is null)
        {
            return new SubmitResult(null, new DraftErrors { [FormError] = "Only an uncertain take of your team can be retried." }, IsNotFound: true);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var copy = new Generation
        {
            Id = Guid.CreateVersion7(),
            TeamId = original.TeamId,
            ProjectId = original.ProjectId,
            CreatedByUserId = userId,
            Provider = original.Provider,
            Model = original.Model,
            PromptText = original.PromptText,
            Ratio = original.Ratio,
            DurationSeconds = original.DurationSeconds,
            Quality = original.Quality,
            Seed = original.Seed,
            FirstFrameBlobKey = original.FirstFrameBlobKey,
            FirstFrameContentType = original.FirstFrameContentType,
            IsSandbox = original.IsSandbox,
            EstimatedCredits = original.EstimatedCredits,
            ParentGenerationId = original.ParentGenerationId,
            State = GenerationState.Reserved,
            Version = 1,
            CreatedAt = now,
            UpdatedAt = now,
            NextAttemptAt = now,
        };
        if (await AddReservedAsync(db, copy, ct) is { } refusal)
        {
            return new SubmitResult(null, new DraftErrors { [FormError] = refusal });
        }
        await MarkCancelledAsync(db, original.Id, "Retried knowingly as a new take; this attempt may still exist at the provider.", userId, ct);
        await notifier.PublishAsync(new GenerationChanged(copy.Id, copy.ProjectId, copy.TeamId, copy.Version, copy.State, null));
        workSignal.Wake();
        logger.LogInformation("Generation {GenerationId} (uncertain) retried knowingly as {CopyId} by {UserId}", original.Id, copy.Id, userId);
        return new SubmitResult(copy.Id, []);
    }

    /// <summary>"Extend this take" (kie): a new take in the same project that continues the parent's video.</summary>
    public async Task<SubmitResult> ExtendAsync(string userId, Guid parentId, string prompt, string quality, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var parent = await db.Generations.AsNoTracking()
            .Where(g => g.Id == parentId && db.TeamMembers.Any(m => m.TeamId == g.TeamId && m.UserId == userId && m.Role != TeamRole.Viewer))
            .FirstOrDefaultAsync(ct);
        if (parent is null)
        {
            return new SubmitResult(null, new DraftErrors { [FormError] = "Take not found." }, IsNotFound: true);
        }
        var provider = providers.Get(parent.Provider);
        if (!provider.Capabilities.Extend || parent.State != GenerationState.Ready)
        {
            return new SubmitResult(null, new DraftErrors { [FormError] = $"Only a ready take made with a provider that can extend can be extended." });
        }
        var model = VideoModels.Find(parent.Provider, parent.Model)!;
        var errors = new DraftErrors();
        if (GenerationDraftValidator.PromptError(prompt, model) is { } promptError)
        {
            errors[GenerationDraftValidator.Fields.Prompt] = promptError;
        }
        if (!model.QualityOptions.Contains(quality))
        {
            errors[GenerationDraftValidator.Fields.Quality] = $"Choose a quality: {string.Join(" or ", model.QualityOptions)}.";
        }
        if (!errors.IsValid)
        {
            return new SubmitResult(null, errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var generation = new Generation
        {
            Id = Guid.CreateVersion7(),
            TeamId = parent.TeamId,
            ProjectId = parent.ProjectId,
            CreatedByUserId = userId,
            Provider = parent.Provider,
            Model = parent.Model,
            PromptText = prompt,
            Ratio = parent.Ratio,
            DurationSeconds = parent.DurationSeconds,
            Quality = quality,
            IsSandbox = parent.IsSandbox,
            EstimatedCredits = CreditsOf(await prices.EstimateAsync(parent.Provider, parent.Model, parent.DurationSeconds, ct)),
            ParentGenerationId = parent.Id,
            State = GenerationState.Reserved,
            Version = 1,
            CreatedAt = now,
            UpdatedAt = now,
            NextAttemptAt = now,
        };
        if (await AddReservedAsync(db, generation, ct) is { } refusal)
        {
            return new SubmitResult(null, new DraftErrors { [FormError] = refusal });
        }
        await notifier.PublishAsync(new GenerationChanged(generation.Id, generation.ProjectId, generation.TeamId, generation.Version, generation.State, null));
        workSignal.Wake();
        return new SubmitResult(generation.Id, []);
    }

    /// <summary>
    /// Adds a new take with its credit hold in one transaction (retry, extend): its estimate from today's prices
    /// unless it is a Sandbox take. Null when added, else the refusal (nothing added).
    /// </summary>
    private async Task<string?> AddReservedAsync(StudioDbContext db, Generation take, CancellationToken ct)
    {
        var estimate = Holds(take.IsSandbox) ? await prices.EstimateAsync(take.Provider, take.Model, take.DurationSeconds, ct) : 0;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            db.Generations.Add(take);
            if (await ledger.ReserveAsync(db, take, estimate, ct) is { } refusal)
            {
                return refusal;
            }
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        await ledger.AlertAsync(take, ct);
        return null;
    }

    private bool Holds(bool sandbox) => !sandbox || creditOptions.Value.ChargeSandbox;

    /// <summary>Whole credits for display, rounded up.</summary>
    private static int CreditsOf(long millicredits) => (int)Math.Ceiling(millicredits / (double)Credits.Millicredits.PerCredit);

    public async Task<IReadOnlyList<GenerationView>> ListForProjectAsync(string userId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Views(db, userId, g => g.ProjectId == projectId).ToListAsync(ct);
    }

    public async Task<GenerationView?> GetAsync(string userId, Guid generationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Views(db, userId, g => g.Id == generationId).FirstOrDefaultAsync(ct);
    }

    /// <summary>Generations visible to the user: those of the teams the user belongs to, deleted ones left out.</summary>
    internal static IQueryable<GenerationView> Views(StudioDbContext db, string userId, Expression<Func<Generation, bool>> filter) =>
        ToViews(db, Visible(db, userId).Where(filter).OrderByDescending(g => g.CreatedAt));

    /// <summary>The takes of the user's teams that are not deleted: where every page's query starts.</summary>
    internal static IQueryable<Generation> Visible(StudioDbContext db, string userId) =>
        db.Generations.AsNoTracking()
            .Where(g => g.DeletedAt == null && db.TeamMembers.Any(m => m.TeamId == g.TeamId && m.UserId == userId));

    internal static IQueryable<GenerationView> ToViews(StudioDbContext db, IQueryable<Generation> takes) =>
        takes.Select(g => new GenerationView(
                g.Id, g.ProjectId, g.TeamId, g.Version, g.State, g.Progress, g.Model, g.Provider, g.IsSandbox, g.Quality, g.ProviderDetail, g.ParentGenerationId,
                g.PromptText, g.Ratio, g.DurationSeconds, g.Seed, g.FirstFrameBlobKey != null, g.FailureReason,
                db.Users.Where(u => u.Id == g.CreatedByUserId).Select(u => u.DisplayName).FirstOrDefault() ?? "someone",
                g.CreatedAt, g.CompletedAt, g.EstimatedCredits,
                g.VideoWidth, g.VideoHeight, g.VideoDurationSeconds, g.VideoBytes, g.VideoCodec,
                g.CostCredits, g.CreatedByUserId));

    // ---- The project gallery (issue 6): pages of takes, stars, deletion. ----

    /// <summary>
    /// One page of a project's gallery: the takes at [offset, offset+count) in the filter's order, the caller's stars among
    /// them, and how many takes match. Null when the project is not the caller's team's.
    /// </summary>
    public async Task<Gallery.GalleryPage?> GalleryPageAsync(string userId, Guid projectId, Gallery.GalleryFilter filter, int offset, int count, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Projects.AnyAsync(p => p.Id == projectId && db.TeamMembers.Any(m => m.TeamId == p.TeamId && m.UserId == userId), ct))
        {
            return null;
        }
        var all = Visible(db, userId).Where(g => g.ProjectId == projectId);
        var matching = Gallery.GalleryQuery.Apply(all, filter, userId, db.Favourites);
        var matchingCount = await matching.CountAsync(ct);
        var total = filter.Narrows ? await all.CountAsync(ct) : matchingCount;
        var takes = count <= 0 || offset >= matchingCount
            ? []
            : await ToViews(db, Gallery.GalleryQuery.Sort(matching, filter.Sort).Skip(Math.Max(0, offset)).Take(count)).ToListAsync(ct);
        var ids = takes.Select(t => t.Id).ToList();
        var stars = ids.Count == 0 ? [] : await db.Favourites.Where(f => f.UserId == userId && ids.Contains(f.GenerationId)).Select(f => f.GenerationId).ToListAsync(ct);
        return new Gallery.GalleryPage(takes, stars.ToHashSet(), matchingCount, total);
    }

    /// <summary>What the filter bar offers: the providers, models and creators that occur in the project.</summary>
    public async Task<Gallery.GalleryFacets> GalleryFacetsAsync(string userId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var takes = Visible(db, userId).Where(g => g.ProjectId == projectId);
        var pairs = await takes.Select(g => new { g.Provider, g.Model }).Distinct().ToListAsync(ct);
        var creatorIds = await takes.Select(g => g.CreatedByUserId).Distinct().ToListAsync(ct);
        var creators = await db.Users.Where(u => creatorIds.Contains(u.Id)).OrderBy(u => u.DisplayName)
            .Select(u => new Gallery.GalleryCreator(u.Id, u.DisplayName)).ToListAsync(ct);
        return new Gallery.GalleryFacets(
            [.. pairs.Select(p => p.Provider).Distinct().Order()],
            [.. pairs.Select(p => p.Model).Distinct().Order()],
            creators);
    }

    /// <summary>Whether the caller's role lets them delete takes in this project's team (false when not a member).</summary>
    public async Task<bool> CanDeleteTakesAsync(string userId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var role = await db.Projects.Where(p => p.Id == projectId)
            .Select(p => db.TeamMembers.Where(m => m.TeamId == p.TeamId && m.UserId == userId).Select(m => (TeamRole?)m.Role).FirstOrDefault())
            .FirstOrDefaultAsync(ct);
        return role is { } r && TeamPermissions.CanDeleteTakes(r);
    }

    /// <summary>Stars or unstars a take for the caller. False when the take is not visible to them.</summary>
    public async Task<bool> SetFavouriteAsync(string userId, Guid generationId, bool favourite, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await Visible(db, userId).AnyAsync(g => g.Id == generationId, ct))
        {
            return false;
        }
        if (!favourite)
        {
            await db.Favourites.Where(f => f.UserId == userId && f.GenerationId == generationId).ExecuteDeleteAsync(ct);
            return true;
        }
        if (!await db.Favourites.AnyAsync(f => f.UserId == userId && f.GenerationId == generationId, ct))
        {
            db.Favourites.Add(new Favourite { UserId = userId, GenerationId = generationId, CreatedAt = clock.GetUtcNow().UtcDateTime });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Starred twice at once (two tabs): the other insert won; the take is starred either way.
            }
        }
        return true;
    }

    /// <summary>
    /// Deletes takes of one project (Admin and Owner only): each row is marked deleted with an audit entry in the same
    /// save, then its blobs are removed and every watching page is told. Takes still in progress must be cancelled
    /// first. Ids that are not takes of this project of the caller's team make the whole request NotFound.
    /// </summary>
    public async Task<Gallery.DeleteTakesResult> DeleteTakesAsync(string userId, Guid projectId, IReadOnlyCollection<Guid> generationIds, CancellationToken ct = default)
    {
        var ids = generationIds.Distinct().ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var access = await db.Projects.Where(p => p.Id == projectId)
            .Select(p => new { p.TeamId, p.Name, Role = db.TeamMembers.Where(m => m.TeamId == p.TeamId && m.UserId == userId).Select(m => (TeamRole?)m.Role).FirstOrDefault() })
            .FirstOrDefaultAsync(ct);
        if (access?.Role is null)
        {
            return Gallery.DeleteTakesResult.NotFound;
        }
        var rows = await db.Generations.Where(g => ids.Contains(g.Id) && g.ProjectId == projectId && g.TeamId == access.TeamId).ToListAsync(ct);
        if (rows.Count != ids.Count)
        {
            return Gallery.DeleteTakesResult.NotFound;
        }
        if (!TeamPermissions.CanDeleteTakes(access.Role.Value))
        {
            return Gallery.DeleteTakesResult.Refused("Only team admins and the owner can delete takes.");
        }
        rows = [.. rows.Where(g => g.DeletedAt is null)]; // Deleted meanwhile by someone else: done already.
        if (rows.Any(g => GenerationStateMachine.IsActive(g.State)))
        {
            return Gallery.DeleteTakesResult.Refused(rows.Count == 1
                ? "This take is still in progress: cancel it first, then delete it."
                : "Some of these takes are still in progress: cancel them first, or leave them out.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var actorName = await db.Users.Where(u => u.Id == userId).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) ?? "someone";
        foreach (var g in rows)
        {
            g.DeletedAt = now;
            g.DeletedByUserId = userId;
            g.UpdatedAt = now;
            g.Version++;
            var excerpt = g.PromptText.Length > 80 ? g.PromptText[..80] + "…" : g.PromptText;
            auditLog.Add(db, access.TeamId, userId, actorName, Audit.AuditActions.GenerationDeleted, g.Id.ToString(),
                $"Deleted the take \"{excerpt}\" ({g.State.ToString().ToLowerInvariant()}, {g.DurationSeconds} s) from {access.Name}");
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Gallery.DeleteTakesResult.Refused("A take changed while it was being deleted; nothing was deleted. Try again.");
        }

        // The rows say "deleted" first; a blob left behind by a crash here is unreachable (every read checks the row).
        var frameKeys = rows.Where(g => g.FirstFrameBlobKey != null).Select(g => g.FirstFrameBlobKey!).Distinct().ToList();
        var sharedFrames = frameKeys.Count == 0 ? [] : await db.Generations.AsNoTracking()
            .Where(g => g.DeletedAt == null && g.FirstFrameBlobKey != null && frameKeys.Contains(g.FirstFrameBlobKey))
            .Select(g => g.FirstFrameBlobKey!).Distinct().ToListAsync(CancellationToken.None);
        foreach (var g in rows)
        {
            // A retried take shares its first frame with the original: that blob stays while a live take uses it.
            await DeleteBlobsAsync(blobs, logger, g.Id, [g.VideoBlobKey, g.PosterBlobKey, sharedFrames.Contains(g.FirstFrameBlobKey ?? "") ? null : g.FirstFrameBlobKey]);
            await notifier.PublishAsync(new GenerationChanged(g.Id, g.ProjectId, g.TeamId, g.Version, g.State, g.Progress));
        }
        logger.LogInformation("{Count} take(s) deleted from project {ProjectId} by {UserId}", rows.Count, projectId, userId);
        return Gallery.DeleteTakesResult.Done(rows.Count);
    }

    /// <summary>
    /// Removes a deleted take's blobs (its rows already say it is gone, so a blob left by a failure here is unreachable:
    /// every read checks the row). Failures are logged, not thrown.
    /// </summary>
    internal static async Task DeleteBlobsAsync(IBlobStore blobs, ILogger logger, Guid generationId, IEnumerable<string?> keys)
    {
        foreach (var key in keys)
        {
            if (key is null)
            {
                continue;
            }
            try
            {
                await blobs.DeleteAsync(key, CancellationToken.None);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Generation {GenerationId} is deleted but its blob {Key} could not be removed", generationId, key);
            }
        }
    }
}
