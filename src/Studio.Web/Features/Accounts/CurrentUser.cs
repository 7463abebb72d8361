using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Teams;

namespace Studio.Web.Features.Accounts;

public sealed record UserContext(string UserId, string DisplayName, string Email, bool IsSiteAdmin, IReadOnlyList<TeamMembership> Teams, Guid? ChosenTeamId = null)
{
    /// <summary>The team pages work in: the one the user last switched to, else the one they joined first; null when in none.</summary>
    public TeamMembership? CurrentTeam => Teams.FirstOrDefault(t => t.TeamId == ChosenTeamId) ?? (Teams.Count > 0 ? Teams[0] : null);
}

/// <summary>Who is using this circuit or request, with their teams. Read once per scope.</summary>
public sealed class CurrentUser(AuthenticationStateProvider auth, IDbContextFactory<StudioDbContext> dbFactory, TeamService teams)
{
    private UserContext? _context;

    public async Task<string?> GetUserIdAsync()
    {
        var state = await auth.GetAuthenticationStateAsync();
        return state.User.FindFirstValue(ClaimTypes.NameIdentifier);
    }

    public async Task<UserContext?> GetAsync(CancellationToken ct = default)
    {
        if (_context is not null)
        {
            return _context;
        }
        var userId = await GetUserIdAsync();
        if (userId is null)
        {
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            return null;
        }
        _context = new UserContext(user.Id, user.DisplayName, user.Email ?? "", user.IsSiteAdmin, await teams.GetMembershipsAsync(userId, ct), user.CurrentTeamId);
        return _context;
    }
}
