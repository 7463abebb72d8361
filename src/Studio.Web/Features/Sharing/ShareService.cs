using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Studio.Web.Data;
using Studio.Web.Features.Audit;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Teams;
using Studio.Web.Features.Webhooks;

namespace Studio.Web.Features.Sharing;

/// <summary>What a link shares: one take (a video) or a whole project.</summary>
public sealed record ShareTarget(ShareTargetKind Kind, Guid Id)
{
    public static ShareTarget Video(Guid generationId) => new(ShareTargetKind.Video, generationId);

    public static ShareTarget Project(Guid projectId) => new(ShareTargetKind.Project, projectId);
}

public enum ShareTargetKind { Video, Project }

/// <summary>How long a new link lives. The dialog offers these; the service takes any lifetime up to <see cref="Max"/>.</summary>
public sealed record ShareLifetime(string Label, TimeSpan Duration)
{
    public static readonly TimeSpan Max = TimeSpan.FromDays(90);

    public static readonly IReadOnlyList<ShareLifetime> Choices =
    [
        new("1 hour", TimeSpan.FromHours(1)),
        new("1 day", TimeSpan.FromDays(1)),
        new("7 days", TimeSpan.FromDays(7)),
        new("30 days", TimeSpan.FromDays(30)),
        new("90 days", Max),
    ];

    public static ShareLifetime Default => Choices[2];
}

/// <summary>A live link as the share dialog lists it. The token is never shown again after creation (only its hash is kept).</summary>
public sealed record ShareLinkView(Guid Id, DateTime CreatedAt, DateTime ExpiresAt, string CreatedByName);

/// <param name="Link">The new link, or null when it could not be made (see <paramref name="Error"/>).</param>
/// <param name="Token">The link's token, returned this once: put it in the URL with <see cref="ShareService.LinkUrl"/>.</param>
public sealed record ShareCreateResult(ShareLinkView? Link, string? Token, string? Error)
{
    public bool Succeeded => Link is not null;
}

/// <summary>One take on a public share page: only what the page may show (no prompt, seed, provider or creator).</summary>
/// <param name="IsSandbox">Made by the built-in emulator: the studio labels such videos wherever they are shown.</param>
public sealed record SharedTake(Guid Id, int Version, string Ratio, int DurationSeconds, double? VideoDurationSeconds, bool IsSandbox);

/// <summary>What a live token opens: a project's name and its shared takes (one for a video link).</summary>
public sealed record SharedContent(ShareTargetKind Kind, string ProjectName, IReadOnlyList<SharedTake> Takes, DateTime ExpiresAt);

/// <summary>An archived blob a share link may serve.</summary>
public sealed record SharedMedia(string? VideoBlobKey, string? PosterBlobKey, string? VideoSha256);

/// <summary>
/// Read-only public links to one take or one project. A link carries a 256-bit random token; only its SHA-256 is
/// stored, so the database cannot hand out working links. Editors and up of the owning team create, list and revoke
/// them; everyone else, members of other teams included, is told "not found". A link opens nothing once it has
/// expired or been revoked, nor a take that was deleted or is not (or no longer) in what it shares.
/// </summary>
public sealed class ShareService(IDbContextFactory<StudioDbContext> dbFactory, AuditLog audit, TimeProvider clock, IOptions<StudioOptions> studio)
{
    public const string NotFoundError = "There is no such video or project, or you cannot share it.";

    private const int TokenLength = 43;

    /// <summary>The public address of a link: <c>Studio:PublicBaseUrl</c> when set, else the address the studio was reached at.</summary>
    public Uri LinkUrl(string token, Uri requestBase)
    {
        var baseUri = string.IsNullOrWhiteSpace(studio.Value.PublicBaseUrl) ? requestBase : new Uri(studio.Value.PublicBaseUrl.TrimEnd('/') + "/");
        return new Uri(baseUri, PagePath(token));
    }

    public static string PagePath(string token) => $"s/{token}";

    public static string VideoPath(string token, Guid generationId) => $"/s/{token}/media/{generationId}/video";

    public static string PosterPath(string token, Guid generationId, int version) => $"/s/{token}/media/{generationId}/poster?v={version}";

    public async Task<ShareCreateResult> CreateAsync(string userId, ShareTarget target, TimeSpan lifetime, CancellationToken ct = default)
    {
        if (lifetime <= TimeSpan.Zero || lifetime > ShareLifetime.Max)
        {
            return new ShareCreateResult(null, null, $"A link can last from a moment up to {ShareLifetime.Max.TotalDays:0} days.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await FindShareableAsync(db, userId, target, ct) is not { } found)
        {
            return new ShareCreateResult(null, null, NotFoundError);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var token = CallbackLinks.NewToken();
        var link = new ShareLink
        {
            Id = Guid.NewGuid(),
            TeamId = found.TeamId,
            GenerationId = target.Kind == ShareTargetKind.Video ? target.Id : null,
            ProjectId = target.Kind == ShareTargetKind.Project ? target.Id : null,
            TokenHash = CallbackLinks.Hash(token),
            ExpiresAt = now + lifetime,
            CreatedByUserId = userId,
            CreatedAt = now,
        };
        db.ShareLinks.Add(link);
        var actor = await ActorNameAsync(db, userId, ct);
        audit.Add(db, found.TeamId, userId, actor, AuditActions.ShareCreated, link.Id.ToString(),
            $"Shared {found.Description} until {link.ExpiresAt:yyyy-MM-dd HH:mm} UTC");
        await db.SaveChangesAsync(ct);
        return new ShareCreateResult(new ShareLinkView(link.Id, link.CreatedAt, link.ExpiresAt, actor), token, null);
    }

    /// <summary>The live links of one take or project, newest first; empty for anyone who may not share it.</summary>
    public async Task<IReadOnlyList<ShareLinkView>> ListLiveAsync(string userId, ShareTarget target, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await FindShareableAsync(db, userId, target, ct) is not { } found)
        {
            return [];
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var links = db.ShareLinks.AsNoTracking().Where(s => s.TeamId == found.TeamId && s.RevokedAt == null && s.ExpiresAt > now);
        links = target.Kind == ShareTargetKind.Video
            ? links.Where(s => s.GenerationId == target.Id)
            : links.Where(s => s.ProjectId == target.Id);
        return await links
            .OrderByDescending(s => s.CreatedAt)
            .Select(s => new ShareLinkView(s.Id, s.CreatedAt, s.ExpiresAt,
                db.Users.Where(u => u.Id == s.CreatedByUserId).Select(u => u.DisplayName).FirstOrDefault() ?? "someone"))
            .ToListAsync(ct);
    }

    /// <summary>Stops a link at once. Returns an error, or null when it is revoked (revoking twice is fine).</summary>
    public async Task<string?> RevokeAsync(string userId, Guid linkId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var link = await db.ShareLinks.FirstOrDefaultAsync(s => s.Id == linkId, ct);
        if (link is null || !await MayShareAsync(db, userId, link.TeamId, ct))
        {
            return "There is no such link.";
        }
        if (link.RevokedAt is not null)
        {
            return null;
        }
        link.RevokedAt = clock.GetUtcNow().UtcDateTime;
        var what = link.GenerationId is { } generationId ? $"take {generationId.ToString("N")[..8]}" : $"project {link.ProjectId!.Value.ToString("N")[..8]}";
        audit.Add(db, link.TeamId, userId, await ActorNameAsync(db, userId, ct), AuditActions.ShareRevoked, link.Id.ToString(),
            $"Revoked a share link of {what} (it would have expired {link.ExpiresAt:yyyy-MM-dd HH:mm} UTC)");
        await db.SaveChangesAsync(ct);
        return null;
    }

    /// <summary>What a token opens, or null when it is unknown, malformed, expired, revoked, or what it shares is gone.</summary>
    public async Task<SharedContent?> ResolveAsync(string token, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await FindLiveLinkAsync(db, token, ct) is not { } link)
        {
            return null;
        }
        var takes = await SharedTakes(db, link)
            .OrderByDescending(g => g.CreatedAt)
            .Select(g => new SharedTake(g.Id, g.Version, g.Ratio, g.DurationSeconds, g.VideoDurationSeconds, g.IsSandbox))
            .ToListAsync(ct);
        var projectId = link.ProjectId ?? await db.Generations.Where(g => g.Id == link.GenerationId).Select(g => (Guid?)g.ProjectId).FirstOrDefaultAsync(ct);
        var projectName = await db.Projects.Where(p => p.Id == projectId && p.TeamId == link.TeamId).Select(p => p.Name).FirstOrDefaultAsync(ct);
        if (projectName is null || (link.GenerationId is not null && takes.Count == 0))
        {
            return null; // A shared take that was deleted: the link opens nothing.
        }
        return new SharedContent(link.GenerationId is null ? ShareTargetKind.Project : ShareTargetKind.Video, projectName, takes, link.ExpiresAt);
    }

    /// <summary>The blobs of one take, when a live token shares it (the take itself, or its project); null otherwise.</summary>
    public async Task<SharedMedia?> ResolveMediaAsync(string token, Guid generationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await FindLiveLinkAsync(db, token, ct) is not { } link)
        {
            return null;
        }
        return await SharedTakes(db, link)
            .Where(g => g.Id == generationId)
            .Select(g => new SharedMedia(g.VideoBlobKey, g.PosterBlobKey, g.VideoSha256))
            .FirstOrDefaultAsync(ct);
    }

    private async Task<ShareLink?> FindLiveLinkAsync(StudioDbContext db, string token, CancellationToken ct)
    {
        // Anything that cannot be one of our tokens is turned away before the database is asked.
        if (token.Length != TokenLength || !token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return null;
        }
        // The lookup is by the token's SHA-256, so its timing says nothing about the token; the fixed-time
        // comparison then guards the match itself.
        var hash = CallbackLinks.Hash(token);
        var link = await db.ShareLinks.AsNoTracking().FirstOrDefaultAsync(s => s.TokenHash == hash, ct);
        return link is not null && CallbackLinks.TokenMatches(token, link.TokenHash) && link.IsLive(clock.GetUtcNow().UtcDateTime) ? link : null;
    }

    /// <summary>The takes a link shows: Ready, archived, not deleted, of the link's team and in what it shares.</summary>
    private static IQueryable<Generation> SharedTakes(StudioDbContext db, ShareLink link)
    {
        var takes = db.Generations.AsNoTracking()
            .Where(g => g.TeamId == link.TeamId && g.DeletedAt == null && g.State == GenerationState.Ready && g.VideoBlobKey != null);
        return link.GenerationId is { } generationId
            ? takes.Where(g => g.Id == generationId)
            : takes.Where(g => g.ProjectId == link.ProjectId);
    }

    private sealed record Shareable(Guid TeamId, string Description);

    /// <summary>The target with its team, when it exists and the user is an Editor or up there; null otherwise ("not found").</summary>
    private static async Task<Shareable?> FindShareableAsync(StudioDbContext db, string userId, ShareTarget target, CancellationToken ct)
    {
        Shareable? found;
        if (target.Kind == ShareTargetKind.Video)
        {
            var take = await db.Generations.AsNoTracking()
                .Where(g => g.Id == target.Id && g.DeletedAt == null && g.State == GenerationState.Ready)
                .Select(g => new { g.TeamId, ProjectName = g.Project!.Name })
                .FirstOrDefaultAsync(ct);
            found = take is null ? null : new Shareable(take.TeamId, $"take {target.Id.ToString("N")[..8]} of project \"{take.ProjectName}\"");
        }
        else
        {
            var project = await db.Projects.AsNoTracking()
                .Where(p => p.Id == target.Id)
                .Select(p => new { p.TeamId, p.Name })
                .FirstOrDefaultAsync(ct);
            found = project is null ? null : new Shareable(project.TeamId, $"project \"{project.Name}\"");
        }
        return found is not null && await MayShareAsync(db, userId, found.TeamId, ct) ? found : null;
    }

    private static async Task<bool> MayShareAsync(StudioDbContext db, string userId, Guid teamId, CancellationToken ct)
    {
        var role = await TeamService.RoleAsync(db, userId, teamId, ct);
        return role is { } r && TeamPermissions.CanShare(r);
    }

    private static async Task<string> ActorNameAsync(StudioDbContext db, string userId, CancellationToken ct) =>
        await db.Users.Where(u => u.Id == userId).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) ?? "someone";
}
