using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;

namespace Studio.Web.Features.Teams;

public sealed record TeamMembership(Guid TeamId, string TeamName, TeamRole Role, string DefaultProvider)
{
    public bool CanManage => Role is TeamRole.Owner or TeamRole.Admin;
}

/// <summary>Which teams a user belongs to, and in what role. Every other feature filters by this.</summary>
public sealed class TeamService(IDbContextFactory<StudioDbContext> dbFactory)
{
    public async Task<IReadOnlyList<TeamMembership>> GetMembershipsAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.TeamMembers
            .Where(m => m.UserId == userId)
            .OrderBy(m => m.JoinedAt)
            .Select(m => new TeamMembership(m.TeamId, m.Team!.Name, m.Role, m.Team.DefaultProvider))
            .ToListAsync(ct);
    }

    public async Task<TeamRole?> GetRoleAsync(string userId, Guid teamId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await RoleAsync(db, userId, teamId, ct);
    }

    /// <summary>The caller's role in a team, or null when not a member: where every permission check starts.</summary>
    internal static Task<TeamRole?> RoleAsync(StudioDbContext db, string userId, Guid teamId, CancellationToken ct) =>
        db.TeamMembers.Where(m => m.TeamId == teamId && m.UserId == userId).Select(m => (TeamRole?)m.Role).FirstOrDefaultAsync(ct);

    /// <summary>Sets the provider the composer starts with. Owners and Admins only (as for keys); returns an error or null.</summary>
    public async Task<string?> SetDefaultProviderAsync(string userId, Guid teamId, string provider, CancellationToken ct = default)
    {
        if (!Providers.ProviderCatalog.IsKnown(provider))
        {
            return $"Unknown provider \"{provider}\".";
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var role = await RoleAsync(db, userId, teamId, ct);
        if (role is null)
        {
            return TeamMembersService.NotFound; // not a member: the same answer as for a team that does not exist
        }
        if (!TeamPermissions.CanManageKeys(role.Value))
        {
            return "Only the team's owner and admins can change its providers.";
        }
        await db.Teams.Where(t => t.Id == teamId).ExecuteUpdateAsync(s => s.SetProperty(t => t.DefaultProvider, provider), ct);
        return null;
    }

    public static bool CanGenerate(TeamRole role) => TeamPermissions.CanGenerate(role);

    public static bool CanManageProjects(TeamRole role) => TeamPermissions.CanGenerate(role);
}
