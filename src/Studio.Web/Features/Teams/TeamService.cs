using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;

namespace Studio.Web.Features.Teams;

public sealed record TeamMembership(Guid TeamId, string TeamName, TeamRole Role);

/// <summary>Which teams a user belongs to, and in what role. Every other feature filters by this.</summary>
public sealed class TeamService(IDbContextFactory<StudioDbContext> dbFactory)
{
    public async Task<IReadOnlyList<TeamMembership>> GetMembershipsAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.TeamMembers
            .Where(m => m.UserId == userId)
            .OrderBy(m => m.JoinedAt)
            .Select(m => new TeamMembership(m.TeamId, m.Team!.Name, m.Role))
            .ToListAsync(ct);
    }

    public async Task<TeamRole?> GetRoleAsync(string userId, Guid teamId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var member = await db.TeamMembers.AsNoTracking().FirstOrDefaultAsync(m => m.UserId == userId && m.TeamId == teamId, ct);
        return member?.Role;
    }

    public static bool CanGenerate(TeamRole role) => role is TeamRole.Owner or TeamRole.Admin or TeamRole.Editor;

    public static bool CanManageProjects(TeamRole role) => role is TeamRole.Owner or TeamRole.Admin or TeamRole.Editor;
}
