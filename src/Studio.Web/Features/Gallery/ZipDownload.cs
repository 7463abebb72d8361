using System.IO.Compression;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Storage;

namespace Studio.Web.Features.Gallery;

/// <summary>
/// "Download as zip": the chosen takes of one project as one zip, written straight onto the response one entry at a
/// time from the blob store. Nothing is built in memory or on disk, so a thousand takes cost what one does.
/// Videos are stored, not deflated: an MP4 does not shrink, and the CPU is better spent elsewhere.
/// </summary>
public static class ZipDownload
{
    /// <summary>GET <c>?ids=a,b</c> (a few takes) or POST a form field <c>ids</c> (many: a URL has a length limit).</summary>
    public static async Task HandleAsync(Guid projectId, ClaimsPrincipal user, HttpContext http, IDbContextFactory<StudioDbContext> dbFactory,
        IBlobStore blobs, ILoggerFactory loggers, CancellationToken ct)
    {
        var raw = http.Request.HasFormContentType ? (await http.Request.ReadFormAsync(ct))["ids"].ToString() : http.Request.Query["ids"].ToString();
        if (ParseIds(raw) is not { Count: > 0 } ids)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsync("Choose at least one take (ids=…).", ct);
            return;
        }
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.Projects.AsNoTracking()
            .Where(p => p.Id == projectId && db.TeamMembers.Any(m => m.TeamId == p.TeamId && m.UserId == userId))
            .Select(p => new { p.TeamId, p.Name })
            .FirstOrDefaultAsync(ct);
        var takes = project is null ? [] : await db.Generations.AsNoTracking()
            .Where(g => ids.Contains(g.Id) && g.ProjectId == projectId && g.TeamId == project.TeamId && g.DeletedAt == null)
            .OrderBy(g => g.CreatedAt)
            .Select(g => new { g.Id, g.PromptText, g.VideoBlobKey, g.CreatedAt })
            .ToListAsync(ct);
        // Another team's take, a deleted one or a made-up id: the whole request is 404, as for a single take.
        if (project is null || takes.Count != ids.Count)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var withVideo = takes.Where(t => t.VideoBlobKey is not null).ToList();
        if (withVideo.Count == 0)
        {
            http.Response.StatusCode = StatusCodes.Status409Conflict;
            await http.Response.WriteAsync("None of these takes has a finished video yet.", ct);
            return;
        }

        http.Response.ContentType = "application/zip";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{FileStem(project.Name, "takes")}-takes.zip\"";
        http.Response.Headers.CacheControl = "no-store";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var logger = loggers.CreateLogger(typeof(ZipDownload));
        // The body is not seekable, so each entry carries a data descriptor. The async ZipArchive (.NET 10) still writes
        // a few small records synchronously; AsyncOnlyWriteStream holds those for the next async write.
        var body = new AsyncOnlyWriteStream(http.Response.Body);
        await WriteEntriesAsync(body, withVideo.Select(t => (t.PromptText, t.Id, t.VideoBlobKey!, t.CreatedAt)), blobs, projectId, logger, ct);
        await body.FlushAsync(ct);
    }

    private static async Task WriteEntriesAsync(Stream body, IEnumerable<(string Prompt, Guid Id, string Key, DateTime CreatedAt)> takes, IBlobStore blobs,
        Guid projectId, ILogger logger, CancellationToken ct)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using var zip = await ZipArchive.CreateAsync(body, ZipArchiveMode.Create, leaveOpen: true, Encoding.UTF8, ct);
        foreach (var take in takes)
        {
            await using var blob = await blobs.OpenReadAsync(take.Key, ct);
            if (blob is null)
            {
                logger.LogWarning("Zip of project {ProjectId}: take {GenerationId} has no video blob; left out", projectId, take.Id);
                continue;
            }
            var name = EntryName(take.Prompt, take.Id, names);
            var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
            entry.LastWriteTime = new DateTimeOffset(DateTime.SpecifyKind(take.CreatedAt, DateTimeKind.Utc));
            await using var target = await entry.OpenAsync(ct);
            await blob.Stream.CopyToAsync(target, 1 << 16, ct);
        }
    }

    /// <summary>Comma- or whitespace-separated ids; null when any of them is not an id.</summary>
    public static IReadOnlyList<Guid>? ParseIds(string? raw)
    {
        var ids = new List<Guid>();
        foreach (var part in (raw ?? "").Split([',', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Guid.TryParse(part, out var id))
            {
                return null;
            }
            ids.Add(id);
        }
        return [.. ids.Distinct()];
    }

    /// <summary>"a-lantern-lit-night-market-1a2b3c4d.mp4": the prompt's first words, then the take's id so names never collide.</summary>
    public static string EntryName(string prompt, Guid id, ISet<string> taken)
    {
        var name = $"{FileStem(prompt, "take")}-{id.ToString("N")[..8]}.mp4";
        for (var n = 2; !taken.Add(name); n++)
        {
            name = $"{FileStem(prompt, "take")}-{id.ToString("N")[..8]}-{n}.mp4";
        }
        return name;
    }

    /// <summary>Lower-case ASCII letters and digits joined by dashes, at most 40 characters; <paramref name="fallback"/> when nothing is left.</summary>
    public static string FileStem(string text, string fallback)
    {
        var builder = new StringBuilder();
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (builder.Length >= 40)
            {
                break;
            }
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
            else if ((char.IsWhiteSpace(c) || c is '-' or '_' or '.' or ',') && builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }
        var stem = builder.ToString().Trim('-');
        return stem.Length == 0 ? fallback : stem;
    }
}
