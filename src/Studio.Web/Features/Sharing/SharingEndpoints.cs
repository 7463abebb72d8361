using Studio.Web.Features.Media;
using Studio.Web.Features.Storage;

namespace Studio.Web.Features.Sharing;

/// <summary>
/// Share links: the service, and the media behind the public page <c>/s/{token}</c> (<see cref="SharePage"/>).
/// Media answers only for takes the token shares; every other case is the same bare 404.
/// </summary>
public static class SharingEndpoints
{
    public static WebApplicationBuilder AddSharing(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ShareService>();
        return builder;
    }

    public static WebApplication MapSharing(this WebApplication app)
    {
        var media = app.MapGroup("/s/{token}/media/{id:guid}").AllowAnonymous();
        media.MapGet("/video", (string token, Guid id, HttpContext http, ShareService shares, IBlobStore blobs, CancellationToken ct) =>
            ServeAsync(token, id, http, shares, blobs, video: true, ct));
        media.MapGet("/poster", (string token, Guid id, HttpContext http, ShareService shares, IBlobStore blobs, CancellationToken ct) =>
            ServeAsync(token, id, http, shares, blobs, video: false, ct));
        return app;
    }

    /// <summary>
    /// Headers of every share page and media answer: not indexed, and the token never leaves in a Referer. (Pages are
    /// not cached anyway: Blazor's antiforgery sets <c>no-cache, no-store</c> on them; media sets its own below.)
    /// </summary>
    public static void ApplyPrivacyHeaders(HttpResponse response)
    {
        response.Headers["X-Robots-Tag"] = "noindex, nofollow";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }

    private static async Task<IResult> ServeAsync(string token, Guid id, HttpContext http, ShareService shares, IBlobStore blobs, bool video, CancellationToken ct)
    {
        ApplyPrivacyHeaders(http.Response);
        var media = await shares.ResolveMediaAsync(token, id, ct);
        var key = video ? media?.VideoBlobKey : media?.PosterBlobKey;
        if (key is null)
        {
            http.Response.Headers.CacheControl = "private, no-store";
            return Results.NotFound();
        }
        // Streamed bytes may be revalidated (ETag) but not reused unchecked: a revoked link must stop at the next request.
        return await MediaEndpoints.ServeBlobAsync(http, blobs, key, video ? media!.VideoSha256 : null, "private, no-cache", "private, no-store", ct);
    }
}
