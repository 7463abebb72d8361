using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Studio.Web.Features.Accounts;
using Studio.Web.Features.Audit;
using Studio.Web.Features.Comments;
using Studio.Web.Features.Sharing;
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
    public DbSet<TeamInvite> TeamInvites => Set<TeamInvite>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<ShareLink> ShareLinks => Set<ShareLink>();
    public DbSet<Comment> Comments => Set<Comment>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<Favourite> Favourites => Set<Favourite>();
    public DbSet<Features.Credits.CreditEntry> CreditEntries => Set<Features.Credits.CreditEntry>();
    public DbSet<Features.Credits.CreditBalance> CreditBalances => Set<Features.Credits.CreditBalance>();
    public DbSet<Features.Credits.ProviderPrice> ProviderPrices => Set<Features.Credits.ProviderPrice>();
    public DbSet<Features.Storyboards.Storyboard> Storyboards => Set<Features.Storyboards.Storyboard>();
    public DbSet<Features.Storyboards.Shot> Shots => Set<Features.Storyboards.Shot>();
    public DbSet<Features.Storyboards.StylePreset> StylePresets => Set<Features.Storyboards.StylePreset>();
    public DbSet<Features.Storyboards.FinalCut> FinalCuts => Set<Features.Storyboards.FinalCut>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(StudioDbContext).Assembly);
    }
}
