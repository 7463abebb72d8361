using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Studio.Web.Features.Accounts;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Projects;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Teams;

namespace Studio.Web.Data;

public sealed class StudioDbContext(DbContextOptions<StudioDbContext> options) : IdentityDbContext<StudioUser>(options)
{
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<TeamMember> TeamMembers => Set<TeamMember>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<Generation> Generations => Set<Generation>();
    public DbSet<TeamProviderKey> TeamProviderKeys => Set<TeamProviderKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(StudioDbContext).Assembly);
    }
}
