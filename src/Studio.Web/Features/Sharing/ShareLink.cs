using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Studio.Web.Features.Sharing;

/// <summary>
/// A read-only public link to one video or one whole project, with an expiry, revocable. Only the SHA-256 of
/// the link's unguessable token is stored.
/// </summary>
public sealed class ShareLink
{
    public Guid Id { get; set; }
    public Guid TeamId { get; set; }
    /// <summary>Exactly one of GenerationId and ProjectId is set.</summary>
    public Guid? GenerationId { get; set; }
    public Guid? ProjectId { get; set; }
    public string TokenHash { get; set; } = "";
    public DateTime ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public string CreatedByUserId { get; set; } = "";
    public DateTime CreatedAt { get; set; }

    public bool IsLive(DateTime now) => RevokedAt is null && ExpiresAt > now;
}

internal sealed class ShareLinkConfiguration : IEntityTypeConfiguration<ShareLink>
{
    public void Configure(EntityTypeBuilder<ShareLink> builder)
    {
        builder.Property(s => s.TokenHash).HasMaxLength(64).IsRequired();
        builder.HasIndex(s => s.TokenHash).IsUnique();
        builder.HasIndex(s => s.TeamId);
        builder.HasIndex(s => s.GenerationId);
        builder.HasIndex(s => s.ProjectId);
        builder.Property(s => s.CreatedByUserId).HasMaxLength(450);
        builder.ToTable(t => t.HasCheckConstraint("CK_ShareLinks_OneTarget", "(\"GenerationId\" IS NULL) <> (\"ProjectId\" IS NULL)"));
    }
}
