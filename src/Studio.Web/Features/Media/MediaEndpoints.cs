using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Net.Http.Headers;
using Studio.Emulator.Media;
using Studio.Web.Data;
using Studio.Web.Features.Storage;

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
        return app;
    }

    public static string VideoUrl(Guid generationId) => $"/media/generations/{generationId}/video";

    public static string PosterUrl(Guid generationId, int version) => $"/media/generations/{generationId}/poster?v={version}";

    public static string FirstFrameUrl(Guid generationId) => $"/media/generations/{generationId}/first-frame";

    private enum MediaKind { Video, Poster, FirstFrame }

    private static async Task<IResult> ServeAsync(Guid id, ClaimsPrincipal user, HttpContext http, IDbContextFactory<StudioDbContext> dbFactory,
        IBlobStore blobs, MediaKind kind, CancellationToken ct)
    {
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Generations.AsNoTracking()
            .Where(g => g.Id == id && db.TeamMembers.Any(m => m.TeamId == g.TeamId && m.UserId == userId))
            .Select(g => new { g.VideoBlobKey, g.PosterBlobKey, g.FirstFrameBlobKey, g.VideoSha256 })
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
        // The access check above is done: a redirect to a short-lived read-only link for this one blob, when the
        // store is set to serve that way (Azure SasRedirect). The redirect itself must not outlive the link.
        if (await blobs.GetDirectReadLinkAsync(key, ct) is { } link)
        {
            http.Response.Headers.CacheControl = "no-store";
            return Results.Redirect(link.AbsoluteUri);
        }
        var blob = await blobs.OpenReadAsync(key, ct);
        if (blob is null)
        {
            return Results.NotFound();
        }
        http.Response.Headers.CacheControl = "private, max-age=3600";
        var etag = kind == MediaKind.Video && row!.VideoSha256 is { } sha ? new EntityTagHeaderValue($"\"{sha}\"") : null;
        if (BlobWriteOptions.ForKey(key, blob.ContentType).ContentDisposition is { } disposition)
        {
            http.Response.Headers.ContentDisposition = disposition;
        }
        return Results.Stream(blob.Stream, blob.ContentType, entityTag: etag, enableRangeProcessing: true);
    }
}
