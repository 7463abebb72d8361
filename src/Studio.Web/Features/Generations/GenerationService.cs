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
    string PromptText,
    string Ratio,
    int DurationSeconds,
    long? Seed,
    bool HasFirstFrame,
    string? FailureReason,
    string CreatedByName,
    DateTime CreatedAt,
    DateTime? CompletedAt,
    int EstimatedCredits,
    int? VideoWidth,
    int? VideoHeight,
    double? VideoDurationSeconds,
    long? VideoBytes,
    string? VideoCodec)
{
    public bool IsReady => State == GenerationState.Ready;
}

public sealed record SubmitResult(Guid? GenerationId, DraftErrors Errors, bool IsNotFound = false)
{
    public bool Succeeded => GenerationId is not null;
}

/// <summary>Takes a draft from the composer to a committed Reserved row; the worker does the rest.</summary>
public sealed class GenerationService(
    IDbContextFactory<StudioDbContext> dbFactory,
    IBlobStore blobs,
    ProviderCatalog providers,
    GenerationNotifier notifier,
    GenerationWorkSignal workSignal,
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

        var provider = providers.Default;
        var model = VideoModels.Find(draft.ModelId)!;
        var now = clock.GetUtcNow().UtcDateTime;
        var generation = new Generation
        {
            Id = Guid.CreateVersion7(),
            TeamId = access.TeamId,
            ProjectId = projectId,
            CreatedByUserId = userId,
            Provider = provider.Name,
            Model = model.Id,
            PromptText = draft.PromptText,
            Ratio = draft.Ratio,
            DurationSeconds = draft.DurationSeconds,
            // Runway does not echo the seed it picks, so the studio picks it: every take can be made again.
            Seed = draft.Seed ?? Random.Shared.NextInt64(0, GenerationDraftValidator.MaxSeed + 1),
            IsSandbox = provider.IsSandbox,
            EstimatedCredits = model.EstimateCredits(draft.DurationSeconds),
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
        try
        {
            db.Generations.Add(generation);
            await db.Projects.Where(p => p.Id == projectId).ExecuteUpdateAsync(s => s.SetProperty(p => p.UpdatedAt, now), ct);
            await db.SaveChangesAsync(ct);
        }
        catch
        {
            if (generation.FirstFrameBlobKey is not null)
            {
                await blobs.DeleteAsync(generation.FirstFrameBlobKey, CancellationToken.None);
            }
            throw;
        }

        logger.LogInformation("Generation {GenerationId} reserved in project {ProjectId} ({Model}, {Duration}s, {Ratio})",
            generation.Id, projectId, generation.Model, generation.DurationSeconds, generation.Ratio);
        // Publish before waking the worker, so nobody hears "Submitting" before "Reserved".
        await notifier.PublishAsync(new GenerationChanged(generation.Id, projectId, generation.TeamId, generation.Version, generation.State, null));
        workSignal.Wake();
        return new SubmitResult(generation.Id, []);
    }

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

    /// <summary>Generations visible to the user: those of the teams the user belongs to.</summary>
    internal static IQueryable<GenerationView> Views(StudioDbContext db, string userId, Expression<Func<Generation, bool>> filter) =>
        db.Generations.AsNoTracking()
            .Where(g => db.TeamMembers.Any(m => m.TeamId == g.TeamId && m.UserId == userId))
            .Where(filter)
            .OrderByDescending(g => g.CreatedAt)
            .Select(g => new GenerationView(
                g.Id, g.ProjectId, g.TeamId, g.Version, g.State, g.Progress, g.Model, g.Provider, g.IsSandbox,
                g.PromptText, g.Ratio, g.DurationSeconds, g.Seed, g.FirstFrameBlobKey != null, g.FailureReason,
                db.Users.Where(u => u.Id == g.CreatedByUserId).Select(u => u.DisplayName).FirstOrDefault() ?? "someone",
                g.CreatedAt, g.CompletedAt, g.EstimatedCredits,
                g.VideoWidth, g.VideoHeight, g.VideoDurationSeconds, g.VideoBytes, g.VideoCodec));
}
