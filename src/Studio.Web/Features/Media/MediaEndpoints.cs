using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Net.Http.Headers;
using Studio.Emulator.Media;
using Studio.Web.Data;
using Studio.Web.Features.Storage;
using Studio.Web.Features.Storyboards;

namespace Studio.Web.Features.Media;

/// <summary>
/// Archived media, streamed from the blob store to members of the owning team only, with range support so
/// the player can seek. Another team's ids answer 404, exactly like ids that do not exist.
/// </summary>
public static class MediaEndpoints
{
    public static WebApplicationBuilder AddMedia(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<FfmpegOptions>().BindConfiguration("Ffmpeg");
        builder.Services.TryAddSingleton<FfmpegProcess>();
        builder.Services.AddSingleton<VideoProbe>();
        return builder;
    }

    public static WebApplication MapMedia(this WebApplication app)
    {
        var media = app.MapGroup("/media/generations/{id:guid}").RequireAuthorization();
        media.MapGet("/video", (Guid id, ClaimsPrincipal user, HttpContext http, IDbContextFactory<StudioDbContext> db, IBlobStore blobs, CancellationToken ct) =>
            ServeAsync(id, user, http, db, blobs, MediaKind.Video, ct));
        media.MapGet("/poster", (Guid id, ClaimsPrincipal user, HttpContext http, IDbContextFactory<StudioDbContext> db, IBlobStore blobs, CancellationToken ct) =>
            ServeAsync(id, user, http, db, blobs, MediaKind.Poster, ct));
        media.MapGet("/first-frame", (Guid id, ClaimsPrincipal user, HttpContext http, IDbContextFactory<StudioDbContext> db, IBlobStore blobs, CancellationToken ct) =>
            ServeAsync(id, user, http, db, blobs, MediaKind.FirstFrame, ct));
        // Several takes of one project as one zip, streamed entry by entry (Features/Gallery/ZipDownload.cs).
        var zip = app.MapGroup("/media/projects/{projectId:guid}/zip").RequireAuthorization();
        zip.MapGet("", Gallery.ZipDownload.HandleAsync);
        zip.MapPost("", Gallery.ZipDownload.HandleAsync).DisableAntiforgery();
        return app;
    }

    public static string VideoUrl(Guid generationId) => $"/media/generations/{generationId}/video";

    public static string PosterUrl(Guid generationId, int version) => $"/media/generations/{generationId}/poster?v={version}";

    public static string DownloadUrl(Guid generationId) => $"/media/generations/{generationId}/video?download=1";

    public static string ZipUrl(Guid projectId) => $"/media/projects/{projectId}/zip";

    public static string FirstFrameUrl(Guid generationId) => $"/media/generations/{generationId}/first-frame";

    private enum MediaKind { Video, Poster, FirstFrame }

    private static async Task<IResult> ServeAsync(Guid id, ClaimsPrincipal user, HttpContext http, IDbContextFactory<StudioDbContext> dbFactory,
        IBlobStore blobs, MediaKind kind, CancellationToken ct)
    {
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Generations.AsNoTracking()
            .Where(g => g.Id == id && g.DeletedAt == null && db.TeamMembers.Any(m => m.TeamId == g.TeamId && m.UserId == userId))
            .Select(g => new { g.VideoBlobKey, g.PosterBlobKey, g.FirstFrameBlobKey, g.VideoSha256, g.Provider, g.TeamId })
            .FirstOrDefaultAsync(ct);
        var key = kind switch
        {
            MediaKind.Video => row?.VideoBlobKey,
            MediaKind.Poster => row?.PosterBlobKey,
            _ => row?.FirstFrameBlobKey,
        };
        if (key is null)
        {
            return Results.NotFound();
        }
        var isVideo = kind == MediaKind.Video;
        // A final cut downloads under its storyboard's name rather than as one more take (looked up for final cuts only:
        // posters and ordinary takes, the many requests of a gallery, stay one query).
        var finalCutOf = isVideo && row!.Provider == FinalCuts.Provider
            ? await db.FinalCuts.Where(c => c.TeamId == row.TeamId && c.GenerationId == id)
                .Select(c => db.Storyboards.Where(b => b.Id == c.StoryboardId).Select(b => b.Title).FirstOrDefault()).FirstOrDefaultAsync(ct)
            : null;
        return await ServeBlobAsync(http, blobs, key, isVideo ? row!.VideoSha256 : null, "private, max-age=3600", "no-store", ct,
            finalCutOf is { } title ? FinalCuts.DownloadFileName(title) : null);
    }

    /// <summary>
    /// Serves one blob with range support (the player seeks), or redirects to a short-lived read-only link for it when
    /// the store serves that way (Azure SasRedirect). Call only after the caller's access to this blob has been checked.
    /// </summary>
    /// <param name="sha256">The blob's SHA-256, sent as its ETag (videos); null for none.</param>
    /// <param name="streamCacheControl">Cache-Control of a streamed answer.</param>
    /// <param name="redirectCacheControl">Cache-Control of a redirect: it must not outlive the link it points to.</param>
    /// <param name="downloadFileName">The name a download is saved under; null for the name the key gives.</param>
    public static async Task<IResult> ServeBlobAsync(HttpContext http, IBlobStore blobs, string key, string? sha256,
        string streamCacheControl, string redirectCacheControl, CancellationToken ct, string? downloadFileName = null)
    {
        if (await blobs.GetDirectReadLinkAsync(key, ct) is { } link)
        {
            http.Response.Headers.CacheControl = redirectCacheControl;
            return Results.Redirect(link.AbsoluteUri);
        }
        var blob = await blobs.OpenReadAsync(key, ct);
        if (blob is null)
        {
            return Results.NotFound();
        }
        http.Response.Headers.CacheControl = streamCacheControl;
        var etag = sha256 is { } sha ? new EntityTagHeaderValue($"\"{sha}\"") : null;
        var options = BlobWriteOptions.ForKey(key, blob.ContentType);
        if ((downloadFileName is null ? options : options with { DownloadFileName = downloadFileName }).ContentDisposition is { } disposition)
        {
            // ?download=1 (the player's Download button): save the file instead of playing it.
            http.Response.Headers.ContentDisposition = http.Request.Query.ContainsKey("download") && disposition.StartsWith("inline", StringComparison.Ordinal)
                ? "attachment" + disposition["inline".Length..]
                : disposition;
        }
        return Results.Stream(blob.Stream, blob.ContentType, entityTag: etag, enableRangeProcessing: true);
    }
}
