using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Studio.Web.Features.Teams;

/// <summary>
/// An invitation link to a team: single- or multi-use, expiring, revocable. Only the SHA-256 of the link's token
/// is stored; the token itself is shown once, to the admin who made the link.
/// </summary>
public sealed class TeamInvite
{
    public Guid Id { get; set; }
    public Guid TeamId { get; set; }
    public Team? Team { get; set; }
    public string TokenHash { get; set; } = "";
    /// <summary>The role a person joining through this link gets (never Owner).</summary>
    public TeamRole Role { get; set; }
    /// <summary>Null: any number of people may join until it expires.</summary>
    public int? MaxUses { get; set; }
    public int Uses { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public string CreatedByUserId { get; set; } = "";
    public DateTime CreatedAt { get; set; }

    public bool IsUsable(DateTime now) => RevokedAt is null && ExpiresAt > now && (MaxUses is null || Uses < MaxUses);
}

internal sealed class TeamInviteConfiguration : IEntityTypeConfiguration<TeamInvite>
{
    public void Configure(EntityTypeBuilder<TeamInvite> builder)
    {
        builder.HasOne(i => i.Team).WithMany().HasForeignKey(i => i.TeamId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(i => i.TokenHash).HasMaxLength(64).IsRequired();
        builder.HasIndex(i => i.TokenHash).IsUnique();
        builder.HasIndex(i => i.TeamId);
        builder.Property(i => i.Role).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.CreatedByUserId).HasMaxLength(450);
    }
}
