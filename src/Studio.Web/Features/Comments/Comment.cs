using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Studio.Web.Features.Comments;

/// <summary>A teammate's remark on one take (Viewer and up), possibly mentioning others with @name.</summary>
public sealed class Comment
{
    public Guid Id { get; set; }
    public Guid TeamId { get; set; }
    public Guid GenerationId { get; set; }
    public string AuthorUserId { get; set; } = "";
    public string Text { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
}

/// <summary>An in-app notice for one user, e.g. "Ada mentioned you on a take".</summary>
public sealed class Notification
{
    public Guid Id { get; set; }
    public string UserId { get; set; } = "";
    public Guid TeamId { get; set; }
    public string Text { get; set; } = "";
    /// <summary>Where a click goes, a path inside the studio.</summary>
    public string Link { get; set; } = "";
    /// <summary>The comment that caused it: deleting the comment takes its notices away too.</summary>
    public Guid? CommentId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ReadAt { get; set; }
}

internal sealed class CommentConfiguration : IEntityTypeConfiguration<Comment>
{
    public void Configure(EntityTypeBuilder<Comment> builder)
    {
        builder.HasIndex(c => new { c.GenerationId, c.CreatedAt });
        builder.Property(c => c.Text).HasMaxLength(2000).IsRequired();
        builder.Property(c => c.AuthorUserId).HasMaxLength(450);
    }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> builder)
    {
        builder.HasIndex(n => new { n.UserId, n.CreatedAt });
        builder.HasIndex(n => n.CommentId);
        builder.Property(n => n.Text).HasMaxLength(300).IsRequired();
        builder.Property(n => n.Link).HasMaxLength(300);
        builder.Property(n => n.UserId).HasMaxLength(450);
    }
}
