using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Teams;

namespace Studio.Web.Features.Comments;

public sealed record CommentView(Guid Id, string AuthorUserId, string AuthorName, string Text, DateTime CreatedAt, bool CanDelete, IReadOnlyList<CommentPart> Parts);

/// <summary>A take's comments, oldest first, with the teammates a new comment can mention.</summary>
public sealed record CommentThread(Guid GenerationId, IReadOnlyList<CommentView> Comments, IReadOnlyList<Mentionable> Teammates);

public sealed record CommentResult(CommentView? Comment, string? Error, bool IsNotFound = false)
{
    public bool Succeeded => Error is null;
}

/// <summary>
/// Comments on a take (every member, Viewer and up). A comment that mentions teammates ("@Ada Lovelace") leaves each
/// of them an in-app notification; the take's creator hears of comments on it too. Authors delete their own comments,
/// admins and the owner any. A take the caller cannot see answers NotFound, exactly like one that does not exist.
/// </summary>
public sealed class CommentService(IDbContextFactory<StudioDbContext> dbFactory, ActivityNotifier activity, TimeProvider clock)
{
    public const int MaxLength = 2000;
    public const string NotFound = "This take does not exist or is not in your team.";
    private const int ExcerptLength = 80;

    public async Task<CommentThread?> ThreadAsync(string userId, Guid generationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var take = await GenerationService.Visible(db, userId).Where(g => g.Id == generationId).Select(g => new { g.TeamId }).FirstOrDefaultAsync(ct);
        if (take is null)
        {
            return null;
        }
        var role = await TeamService.RoleAsync(db, userId, take.TeamId, ct);
        var teammates = await TeammatesAsync(db, take.TeamId, ct);
        var rows = await db.Comments.AsNoTracking()
            .Where(c => c.GenerationId == generationId && c.DeletedAt == null)
            .OrderBy(c => c.CreatedAt).ThenBy(c => c.Id)
            .Select(c => new { c.Id, c.AuthorUserId, c.Text, c.CreatedAt, Author = db.Users.Where(u => u.Id == c.AuthorUserId).Select(u => u.DisplayName).FirstOrDefault() })
            .ToListAsync(ct);
        var comments = rows.Select(c => new CommentView(c.Id, c.AuthorUserId, c.Author ?? "a former member", c.Text, c.CreatedAt,
            CanDelete(userId, role, c.AuthorUserId), Mentions.Split(c.Text, teammates))).ToList();
        return new CommentThread(generationId, comments, teammates);
    }

    public async Task<CommentResult> AddAsync(string userId, Guid generationId, string? text, CancellationToken ct = default)
    {
        text = (text ?? "").Trim();
        if (text.Length == 0)
        {
            return new CommentResult(null, "Write something first.");
        }
        if (text.Length > MaxLength)
        {
            return new CommentResult(null, $"A comment is at most {MaxLength:N0} characters; this one has {text.Length:N0}.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var take = await GenerationService.Visible(db, userId).Where(g => g.Id == generationId)
            .Select(g => new { g.TeamId, g.ProjectId, g.CreatedByUserId, Project = db.Projects.Where(p => p.Id == g.ProjectId).Select(p => p.Name).FirstOrDefault() })
            .FirstOrDefaultAsync(ct);
        var role = take is null ? null : await TeamService.RoleAsync(db, userId, take.TeamId, ct);
        if (take is null || role is null)
        {
            return new CommentResult(null, NotFound, IsNotFound: true);
        }
        if (!TeamPermissions.CanComment(role.Value))
        {
            return new CommentResult(null, "Your role in this team cannot comment.");
        }
        var teammates = await TeammatesAsync(db, take.TeamId, ct);
        var author = teammates.FirstOrDefault(t => t.UserId == userId)?.DisplayName ?? "A teammate";
        var now = clock.GetUtcNow().UtcDateTime;
        var comment = new Comment { Id = Guid.CreateVersion7(), TeamId = take.TeamId, GenerationId = generationId, AuthorUserId = userId, Text = text, CreatedAt = now };
        db.Comments.Add(comment);

        var link = TakeLink(take.ProjectId, generationId);
        var excerpt = Excerpt(text);
        var mentioned = Mentions.Find(text, teammates).Where(id => id != userId).ToList();
        var notified = new List<string>();
        foreach (var recipient in mentioned)
        {
            notified.Add(recipient);
            db.Notifications.Add(Notice(recipient, take.TeamId, comment.Id, link, now, $"{author} mentioned you on a take in {take.Project}: “{excerpt}”"));
        }
        if (take.CreatedByUserId != userId && !mentioned.Contains(take.CreatedByUserId) && teammates.Any(t => t.UserId == take.CreatedByUserId))
        {
            notified.Add(take.CreatedByUserId);
            db.Notifications.Add(Notice(take.CreatedByUserId, take.TeamId, comment.Id, link, now, $"{author} commented on your take in {take.Project}: “{excerpt}”"));
        }
        await db.SaveChangesAsync(ct);

        await activity.CommentsChangedAsync(new CommentsChanged(take.TeamId, generationId));
        foreach (var recipient in notified)
        {
            await activity.NotificationsChangedAsync(recipient);
        }
        return new CommentResult(new CommentView(comment.Id, userId, author, text, now, true, Mentions.Split(text, teammates)), null);
    }

    /// <summary>Deletes a comment (its author, or an admin or the owner) and the notices it caused. Null when done, else why not.</summary>
    public async Task<string?> DeleteAsync(string userId, Guid commentId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var comment = await db.Comments.FirstOrDefaultAsync(c => c.Id == commentId && c.DeletedAt == null, ct);
        var role = comment is null ? null : await TeamService.RoleAsync(db, userId, comment.TeamId, ct);
        if (comment is null || role is null || !await GenerationService.Visible(db, userId).AnyAsync(g => g.Id == comment.GenerationId, ct))
        {
            return "This comment does not exist or is not in your team.";
        }
        if (!CanDelete(userId, role, comment.AuthorUserId))
        {
            return "Only its author, an admin or the owner can delete a comment.";
        }
        comment.DeletedAt = clock.GetUtcNow().UtcDateTime;
        var recipients = await db.Notifications.Where(n => n.CommentId == commentId).Select(n => n.UserId).ToListAsync(ct);
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.SaveChangesAsync(ct);
            await db.Notifications.Where(n => n.CommentId == commentId).ExecuteDeleteAsync(ct);
            await tx.CommitAsync(ct);
        }
        await activity.CommentsChangedAsync(new CommentsChanged(comment.TeamId, comment.GenerationId));
        foreach (var recipient in recipients.Distinct())
        {
            await activity.NotificationsChangedAsync(recipient);
        }
        return null;
    }

    /// <summary>Where a notice about a take leads: its project, with the take open.</summary>
    public static string TakeLink(Guid projectId, Guid generationId) => $"/projects/{projectId}?take={generationId}";

    internal static string Excerpt(string text)
    {
        var flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= ExcerptLength ? flat : flat[..(ExcerptLength - 1)].TrimEnd() + "…";
    }

    private static bool CanDelete(string userId, TeamRole? role, string authorId) =>
        authorId == userId || (role is { } r && TeamPermissions.CanModerateComments(r));

    private static Notification Notice(string userId, Guid teamId, Guid commentId, string link, DateTime now, string text) =>
        new() { Id = Guid.CreateVersion7(), UserId = userId, TeamId = teamId, CommentId = commentId, Link = link, CreatedAt = now, Text = text.Length <= 300 ? text : text[..299] + "…" };


    private static async Task<IReadOnlyList<Mentionable>> TeammatesAsync(StudioDbContext db, Guid teamId, CancellationToken ct) =>
        await db.TeamMembers.Where(m => m.TeamId == teamId)
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { u.Id, u.DisplayName })
            .OrderBy(u => u.DisplayName)
            .Select(u => new Mentionable(u.Id, u.DisplayName)).ToListAsync(ct);
}
