using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Studio.Web.Features.Accounts;

namespace Studio.Web.Features.Teams;

public sealed class Team
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    /// <summary>The provider the composer starts with for this team.</summary>
    public string DefaultProvider { get; set; } = "runway";
    public DateTime CreatedAt { get; set; }
    public List<TeamMember> Members { get; set; } = [];
    /// <summary>What the whole team may spend per period, in millicredits; null: no budget.</summary>
    public long? MonthlyBudgetMillicredits { get; set; }
    /// <summary>Each member's quota per period unless set on the member; null: no quota.</summary>
    public long? MemberQuotaMillicredits { get; set; }
    /// <summary>The day of the month (1–28) quotas and the budget start over.</summary>
    public int CreditResetDay { get; set; } = 1;
}

/// <summary>Roles per team, most powerful first. Editors generate and spend their own quota; viewers watch.</summary>
public enum TeamRole
{
    Owner = 0,
    Admin = 1,
    Editor = 2,
    Viewer = 3,
}

public sealed class TeamMember
{
    public Guid TeamId { get; set; }
    public Team? Team { get; set; }
    public string UserId { get; set; } = "";
    public StudioUser? User { get; set; }
    public TeamRole Role { get; set; }
    public DateTime JoinedAt { get; set; }
    /// <summary>This member's quota per period, overriding the team's default; null: the team's default.</summary>
    public long? QuotaMillicredits { get; set; }
}

internal sealed class TeamConfiguration : IEntityTypeConfiguration<Team>
{
    public void Configure(EntityTypeBuilder<Team> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(100).IsRequired();
        builder.Property(t => t.DefaultProvider).HasMaxLength(32).HasDefaultValue("runway");
        builder.Property(t => t.CreditResetDay).HasDefaultValue(1);
    }
}

internal sealed class TeamMemberConfiguration : IEntityTypeConfiguration<TeamMember>
{
    public void Configure(EntityTypeBuilder<TeamMember> builder)
    {
        builder.HasKey(m => new { m.TeamId, m.UserId });
        builder.HasOne(m => m.Team).WithMany(t => t.Members).HasForeignKey(m => m.TeamId);
        builder.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId);
        builder.Property(m => m.Role).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(m => m.UserId);
    }
}
