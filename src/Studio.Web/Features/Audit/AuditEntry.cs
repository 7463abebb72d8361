using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Studio.Web.Features.Audit;

/// <summary>One thing that happened in a team, kept for its admins: who, what, to what, when.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public Guid TeamId { get; set; }
    public string? ActorUserId { get; set; }
    /// <summary>The actor's name at the time, so the log still reads after they leave.</summary>
    public string ActorName { get; set; } = "";
    /// <summary>A stable verb such as <c>generation.created</c>; see <see cref="AuditActions"/>.</summary>
    public string Action { get; set; } = "";
    public string? TargetId { get; set; }
    /// <summary>Plain words for people, e.g. "Ada: Editor → Admin". Never secrets.</summary>
    public string Summary { get; set; } = "";
    public DateTime At { get; set; }
}

public static class AuditActions
{
    public const string TeamCreated = "team.created";
    public const string TeamRenamed = "team.renamed";
    public const string MemberJoined = "member.joined";
    public const string MemberRoleChanged = "member.role-changed";
    public const string MemberRemoved = "member.removed";
    public const string MemberLeft = "member.left";
    public const string OwnershipTransferred = "team.ownership-transferred";
    public const string InviteCreated = "invite.created";
    public const string InviteRevoked = "invite.revoked";
    public const string GenerationCreated = "generation.created";
    public const string GenerationDeleted = "generation.deleted";
    public const string ShareCreated = "share.created";
    public const string ShareRevoked = "share.revoked";
    public const string ProviderKeyChanged = "provider-key.changed";
    public const string ProviderKeyRemoved = "provider-key.removed";
    public const string CreditsChanged = "credits.changed";
    public const string CreditsGranted = "credits.granted";
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.HasIndex(a => new { a.TeamId, a.At });
        builder.Property(a => a.Action).HasMaxLength(64).IsRequired();
        builder.Property(a => a.ActorName).HasMaxLength(100);
        builder.Property(a => a.ActorUserId).HasMaxLength(450);
        builder.Property(a => a.TargetId).HasMaxLength(100);
        builder.Property(a => a.Summary).HasMaxLength(500);
    }
}
