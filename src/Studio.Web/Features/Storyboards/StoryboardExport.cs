using System.IO.Compression;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Credits;
using Studio.Web.Features.Gallery;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Media;
using Studio.Web.Features.Storage;
using Studio.Web.Features.Storyboards.Cut;

namespace Studio.Web.Features.Storyboards;

/// <summary>
/// A storyboard taken away: a zip with the latest final cut, each shot's selected take, a JSON manifest (prompts, seeds,
/// models, providers, costs, who chose each take) and a contact sheet PDF; the contact sheet also on its own. Members of
/// the team only; anything else answers 404.
/// </summary>
public static class StoryboardExport
{
    public static string ZipUrl(Guid storyboardId) => $"/storyboards/{storyboardId}/export.zip";

    public static string ContactSheetUrl(Guid storyboardId) => $"/storyboards/{storyboardId}/contact-sheet.pdf";

    public static string ShotFirstFrameUrl(Guid shotId, string? token) => $"/media/shots/{shotId}/first-frame?v={token}";

    public static WebApplication MapStoryboards(this WebApplication app)
    {
        var group = app.MapGroup("/storyboards/{id:guid}").RequireAuthorization();
        group.MapGet("/export.zip", ZipAsync);
        group.MapGet("/contact-sheet.pdf", ServeContactSheetAsync);
        app.MapGet("/media/shots/{id:guid}/first-frame", ShotFirstFrameAsync).RequireAuthorization();
        return app;
    }

    private static async Task<IResult> ShotFirstFrameAsync(Guid id, ClaimsPrincipal user, HttpContext http, IDbContextFactory<StudioDbContext> dbFactory, IBlobStore blobs, CancellationToken ct)
    {
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var key = await db.Shots.AsNoTracking().Where(s => s.Id == id && db.TeamMembers.Any(m => m.TeamId == s.TeamId && m.UserId == userId))
            .Select(s => s.FirstFrameBlobKey).FirstOrDefaultAsync(ct);
        return key is null ? Results.NotFound() : await MediaEndpoints.ServeBlobAsync(http, blobs, key, null, "private, max-age=3600", "no-store", ct);
    }

    private static async Task ServeContactSheetAsync(Guid id, ClaimsPrincipal user, HttpContext http, IDbContextFactory<StudioDbContext> dbFactory, IBlobStore blobs, CancellationToken ct)
    {
        var export = await ReadAsync(id, user.FindFirstValue(ClaimTypes.NameIdentifier), dbFactory, ct);
        if (export is null)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var pdf = await ContactSheetAsync(export, blobs, ct);
        http.Response.ContentType = "application/pdf";
        http.Response.Headers.ContentDisposition = $"inline; filename=\"{ZipDownload.FileStem(export.Title, "storyboard")}-contact-sheet.pdf\"";
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.Body.WriteAsync(pdf, ct);
    }

    private static async Task ZipAsync(Guid id, ClaimsPrincipal user, HttpContext http, IDbContextFactory<StudioDbContext> dbFactory, IBlobStore blobs, CancellationToken ct)
    {
        var export = await ReadAsync(id, user.FindFirstValue(ClaimTypes.NameIdentifier), dbFactory, ct);
        if (export is null)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var stem = ZipDownload.FileStem(export.Title, "storyboard");
        http.Response.ContentType = "application/zip";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{stem}.zip\"";
        http.Response.Headers.CacheControl = "no-store";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var body = new AsyncOnlyWriteStream(http.Response.Body);
        await using (var zip = await ZipArchive.CreateAsync(body, ZipArchiveMode.Create, leaveOpen: true, Encoding.UTF8, ct))
        {
            if (export.FinalCut is { } cut)
            {
                await CopyAsync(zip, blobs, cut.VideoKey, "final-cut.mp4", cut.At, ct);
            }
            foreach (var shot in export.Shots.Where(s => s.Take?.VideoKey is not null))
            {
                await CopyAsync(zip, blobs, shot.Take!.VideoKey!, shot.File!, shot.Take.CreatedAt, ct);
            }
            await WriteAsync(zip, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(Manifest(export), ManifestJson), ct);
            await WriteAsync(zip, "contact-sheet.pdf", await ContactSheetAsync(export, blobs, ct), ct);
        }
        await body.FlushAsync(ct);
    }

    private static readonly JsonSerializerOptions ManifestJson = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    internal sealed record ExportTake(Guid Id, string Provider, string Model, string Prompt, long? Seed, string Ratio, int DurationSeconds, double? VideoSeconds,
        int? Width, int? Height, string? VideoKey, string? PosterKey, string? Sha256, string CreatedBy, DateTime CreatedAt, long ChargedMillicredits, bool Sandbox,
        Guid? ContinuedFrom, int TakeNumber, int TakeCount);

    internal sealed record ExportShot(int Number, string Title, string ShotPrompt, string Notes, bool ContinueFromPrevious, ExportTake? Take,
        string? SelectedBy, DateTime? SelectedAt, string? File);

    internal sealed record ExportCut(Guid TakeId, string VideoKey, double? Seconds, int? Width, int? Height, string? Sha256, string By, DateTime At);

    internal sealed record ExportData(Guid Id, string Title, string Project, string? Style, IReadOnlyList<ExportShot> Shots, ExportCut? FinalCut);

    internal static async Task<ExportData?> ReadAsync(Guid storyboardId, string? userId, IDbContextFactory<StudioDbContext> dbFactory, CancellationToken ct)
    {
        if (userId is null)
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (board, _) = await StoryboardService.BoardAsync(db, userId, storyboardId, ct);
        if (board is null)
        {
            return null;
        }
        var project = await db.Projects.Where(p => p.Id == board.ProjectId).Select(p => p.Name).FirstAsync(ct);
        var style = board.StylePresetId is { } presetId ? await db.StylePresets.Where(p => p.Id == presetId).Select(p => p.Name + ": " + p.Text).FirstOrDefaultAsync(ct) : null;
        var shots = await db.Shots.AsNoTracking().Where(s => s.StoryboardId == storyboardId && s.DeletedAt == null).OrderBy(s => s.Position).ToListAsync(ct);
        var shotIds = shots.Select(s => s.Id).ToList();
        var all = await db.Generations.AsNoTracking().Where(g => g.ShotId != null && shotIds.Contains(g.ShotId.Value) && g.DeletedAt == null)
            .Select(g => new { g.Id, g.ShotId, g.CreatedAt }).ToListAsync(ct);
        var chosen = shots.Where(s => s.SelectedGenerationId != null).Select(s => s.SelectedGenerationId!.Value).ToList();
        var takes = await db.Generations.AsNoTracking().Where(g => chosen.Contains(g.Id) && g.DeletedAt == null)
            .Select(g => new
            {
                g.Id, g.ShotId, g.Provider, g.Model, g.PromptText, g.Seed, g.Ratio, g.DurationSeconds, g.VideoDurationSeconds, g.VideoWidth, g.VideoHeight,
                g.VideoBlobKey, g.PosterBlobKey, g.VideoSha256, g.CreatedAt, g.IsSandbox, g.ContinuedFromGenerationId,
                By = db.Users.Where(u => u.Id == g.CreatedByUserId).Select(u => u.DisplayName).FirstOrDefault(),
                Charged = db.CreditEntries.Where(e => e.GenerationId == g.Id).Sum(e => (long?)e.SpentDelta) ?? 0,
            })
            .ToListAsync(ct);
        var selectors = shots.Select(s => s.SelectedByUserId).OfType<string>().Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => selectors.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var files = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var exportShots = shots.Select((s, i) =>
        {
            var t = takes.FirstOrDefault(x => x.Id == s.SelectedGenerationId);
            var ofShot = all.Where(x => x.ShotId == s.Id).OrderBy(x => x.CreatedAt).Select(x => x.Id).ToList();
            var take = t is null ? null : new ExportTake(t.Id, t.Provider, t.Model, t.PromptText, t.Seed, t.Ratio, t.DurationSeconds, t.VideoDurationSeconds,
                t.VideoWidth, t.VideoHeight, t.VideoBlobKey, t.PosterBlobKey, t.VideoSha256, t.By ?? "someone", t.CreatedAt, t.Charged, t.IsSandbox,
                t.ContinuedFromGenerationId, ofShot.IndexOf(t.Id) + 1, ofShot.Count);
            var file = take?.VideoKey is null ? null : UniqueName($"shots/{i + 1:00}-{ZipDownload.FileStem(s.Title.Length > 0 ? s.Title : s.PromptText, "shot")}.mp4", files);
            var selectedBy = s.SelectedGenerationId is null ? null : s.SelectedByUserId is { } by ? names.GetValueOrDefault(by, "someone") : "the studio (first finished take)";
            return new ExportShot(i + 1, s.Title, s.PromptText, s.Notes, s.ContinueFromPrevious, take, selectedBy, s.SelectedAt, file);
        }).ToList();
        var cut = await db.FinalCuts.AsNoTracking().Where(c => c.StoryboardId == storyboardId && c.State == FinalCutState.Ready && c.GenerationId != null)
            .OrderByDescending(c => c.CreatedAt)
            .Select(c => new { c.GenerationId, By = db.Users.Where(u => u.Id == c.CreatedByUserId).Select(u => u.DisplayName).FirstOrDefault(), c.CompletedAt })
            .FirstOrDefaultAsync(ct);
        var cutTake = cut is null ? null : await db.Generations.AsNoTracking().Where(g => g.Id == cut.GenerationId && g.DeletedAt == null && g.VideoBlobKey != null)
            .Select(g => new { g.Id, g.VideoBlobKey, g.VideoDurationSeconds, g.VideoWidth, g.VideoHeight, g.VideoSha256 }).FirstOrDefaultAsync(ct);
        var finalCut = cutTake is null ? null : new ExportCut(cutTake.Id, cutTake.VideoBlobKey!, cutTake.VideoDurationSeconds, cutTake.VideoWidth, cutTake.VideoHeight,
            cutTake.VideoSha256, cut!.By ?? "someone", cut.CompletedAt ?? DateTime.UtcNow);
        return new ExportData(board.Id, board.Title, project, style, exportShots, finalCut);
    }

    internal static object Manifest(ExportData export) => new
    {
        format = "studio-storyboard/1",
        storyboard = new { id = export.Id, title = export.Title, project = export.Project, style = export.Style },
        exportedAt = DateTime.UtcNow,
        finalCut = export.FinalCut is { } cut
            ? new { file = "final-cut.mp4", takeId = cut.TakeId, durationSeconds = cut.Seconds, width = cut.Width, height = cut.Height, sha256 = cut.Sha256, assembledBy = cut.By, assembledAt = cut.At }
            : null,
        totalCredits = export.Shots.Sum(s => s.Take?.ChargedMillicredits ?? 0) / (double)Millicredits.PerCredit,
        shots = export.Shots.Select(s => new
        {
            number = s.Number,
            title = s.Title,
            prompt = s.ShotPrompt,
            notes = s.Notes,
            continueFromPrevious = s.ContinueFromPrevious,
            selectedBy = s.SelectedBy,
            selectedAt = s.SelectedAt,
            take = s.Take is { } t
                ? new
                {
                    id = t.Id, file = s.File, provider = t.Provider, model = t.Model, promptSent = t.Prompt, seed = t.Seed, ratio = t.Ratio,
                    durationSeconds = t.DurationSeconds, videoSeconds = t.VideoSeconds, width = t.Width, height = t.Height, sha256 = t.Sha256,
                    credits = t.ChargedMillicredits / (double)Millicredits.PerCredit, sandbox = t.Sandbox, madeBy = t.CreatedBy, madeAt = t.CreatedAt,
                    continuedFromTakeId = t.ContinuedFrom, takeNumber = t.TakeNumber, takesOfShot = t.TakeCount,
                }
                : null,
        }),
    };

    internal static async Task<byte[]> ContactSheetAsync(ExportData export, IBlobStore blobs, CancellationToken ct)
    {
        var cells = new List<ContactSheetShot>();
        foreach (var shot in export.Shots)
        {
            var poster = shot.Take?.PosterKey is { } key ? await blobs.ReadAllBytesAsync(key, ct) : null;
            var caption = shot.Take is { } t
                ? $"{VideoModels.Find(t.Provider, t.Model)?.DisplayName ?? t.Model} · {t.Provider} · {t.DurationSeconds} s · seed {(t.Seed?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "—")} · take {t.TakeNumber} of {t.TakeCount}, chosen by {shot.SelectedBy}"
                : "No take selected yet";
            cells.Add(new ContactSheetShot(shot.Number, shot.Title, shot.ShotPrompt, caption, poster));
        }
        var seconds = export.Shots.Sum(s => s.Take?.VideoSeconds ?? s.Take?.DurationSeconds ?? 0);
        return ContactSheetPdf.Build(export.Title, $"{export.Project} · {export.Shots.Count} shots · {seconds:0.#} s{(export.Style is { } style ? " · style " + style.Split(':')[0] : "")}", cells);
    }

    private static async Task CopyAsync(ZipArchive zip, IBlobStore blobs, string key, string name, DateTime at, CancellationToken ct)
    {
        await using var blob = await blobs.OpenReadAsync(key, ct);
        if (blob is null)
        {
            return;
        }
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        entry.LastWriteTime = new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc));
        await using var target = await entry.OpenAsync(ct);
        await blob.Stream.CopyToAsync(target, 1 << 16, ct);
    }

    private static async Task WriteAsync(ZipArchive zip, string name, byte[] content, CancellationToken ct)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        await using var target = await entry.OpenAsync(ct);
        await target.WriteAsync(content, ct);
    }

    private static string UniqueName(string name, ISet<string> taken)
    {
        var candidate = name;
        for (var n = 2; !taken.Add(candidate); n++)
        {
            candidate = name[..^4] + $"-{n}.mp4";
        }
        return candidate;
    }
}
