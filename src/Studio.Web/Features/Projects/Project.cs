using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Studio.Web.Features.Teams;

namespace Studio.Web.Features.Projects;

public sealed class Project
{
    public const int NameMaxLength = 80;

    public Guid Id { get; set; }
    public Guid TeamId { get; set; }
    public Team? Team { get; set; }
    public string Name { get; set; } = "";
    public string CreatedByUserId { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>An optional cap on what the project may spend per period, in millicredits.</summary>
    public long? MonthlyBudgetMillicredits { get; set; }
}

internal sealed class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> builder)
    {
        builder.Property(p => p.Name).HasMaxLength(Project.NameMaxLength).IsRequired();
        builder.HasOne(p => p.Team).WithMany().HasForeignKey(p => p.TeamId);
        builder.HasIndex(p => new { p.TeamId, p.UpdatedAt });
    }
}
