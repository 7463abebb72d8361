using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Storage;

namespace Studio.Web.Features.Teams;

/// <summary>What deleting a team removed.</summary>
public sealed record TeamDeleted(string TeamName, int Projects, int Takes, int Members);

/// <summary>
/// The owner deletes a team, after typing its name. Everything of the team goes in one transaction (projects, takes,
/// comments, notices, share links, invites, keys, audit entries, credit ledger and balances, members); then its videos, posters and first frames
/// are removed from the blob store. Refused while any take is still being made, so no job is cut off half-way.
/// </summary>
public sealed class TeamDeletionService(
    IDbContextFactory<StudioDbContext> dbFactory,
    IBlobStore blobs,
    Live.HubConnections hubConnections,
    ILogger<TeamDeletionService> logger)
{
    public async Task<TeamResult<TeamDeleted>> DeleteTeamAsync(string ownerId, Guid teamId, string? confirmName, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var team = await db.Teams.AsNoTracking()
            .Where(t => t.Id == teamId)
            .Select(t => new { t.Name, Role = db.TeamMembers.Where(m => m.TeamId == t.Id && m.UserId == ownerId).Select(m => (TeamRole?)m.Role).FirstOrDefault() })
            .FirstOrDefaultAsync(ct);
        if (team?.Role is null)
        {
            return TeamResult<TeamDeleted>.Fail(TeamMembersService.NotFound);
        }
        if (!TeamPermissions.CanDeleteTeam(team.Role.Value))
        {
            return TeamResult<TeamDeleted>.Fail("Only the team's owner can delete it.");
        }
        if (!string.Equals((confirmName ?? "").Trim(), team.Name, StringComparison.Ordinal))
        {
            return TeamResult<TeamDeleted>.Fail($"Type the team's name, {team.Name}, exactly to confirm.");
        }
        var active = await db.Generations.CountAsync(g => g.TeamId == teamId && GenerationStateMachine.ActiveStates.Contains(g.State), ct);
        if (active > 0)
        {
            return TeamResult<TeamDeleted>.Fail(active == 1
                ? "One take of this team is still being made: cancel it or let it finish, then delete the team."
                : $"{active} takes of this team are still being made: cancel them or let them finish, then delete the team.");
        }

        var takes = await db.Generations.AsNoTracking().Where(g => g.TeamId == teamId)
            .Select(g => new { g.Id, g.VideoBlobKey, g.PosterBlobKey, g.FirstFrameBlobKey }).ToListAsync(ct);
        var members = await db.TeamMembers.Where(m => m.TeamId == teamId).Select(m => m.UserId).ToListAsync(ct);
        var shotFrames = await db.Shots.AsNoTracking().Where(s => s.TeamId == teamId && s.FirstFrameBlobKey != null).Select(s => s.FirstFrameBlobKey).ToListAsync(ct);
        int projects;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var takesOfTeam = db.Generations.Where(g => g.TeamId == teamId).Select(g => g.Id);
            await db.Favourites.Where(f => takesOfTeam.Contains(f.GenerationId)).ExecuteDeleteAsync(ct);
            await db.Notifications.Where(n => n.TeamId == teamId).ExecuteDeleteAsync(ct);
            await db.Comments.Where(c => c.TeamId == teamId).ExecuteDeleteAsync(ct);
            await db.ShareLinks.Where(s => s.TeamId == teamId).ExecuteDeleteAsync(ct);
            await db.AuditEntries.Where(a => a.TeamId == teamId).ExecuteDeleteAsync(ct);
            await db.CreditEntries.Where(e => e.TeamId == teamId).ExecuteDeleteAsync(ct);
            await db.CreditBalances.Where(b => b.TeamId == teamId).ExecuteDeleteAsync(ct);
            await db.TeamInvites.Where(i => i.TeamId == teamId).ExecuteDeleteAsync(ct);
            await db.TeamProviderKeys.Where(k => k.TeamId == teamId).ExecuteDeleteAsync(ct);
            await db.FinalCuts.Where(c => c.TeamId == teamId).ExecuteDeleteAsync(ct);
            await db.Shots.Where(s => s.TeamId == teamId).ExecuteDeleteAsync(ct);
            await db.Storyboards.Where(b => b.TeamId == teamId).ExecuteDeleteAsync(ct);
            await db.StylePresets.Where(p => p.TeamId == teamId).ExecuteDeleteAsync(ct);
            await db.Generations.Where(g => g.TeamId == teamId).ExecuteDeleteAsync(ct);
            projects = await db.Projects.Where(p => p.TeamId == teamId).ExecuteDeleteAsync(ct);
            await db.TeamMembers.Where(m => m.TeamId == teamId).ExecuteDeleteAsync(ct);
            await db.Users.Where(u => u.CurrentTeamId == teamId).ExecuteUpdateAsync(s => s.SetProperty(u => u.CurrentTeamId, (Guid?)null), ct);
            await db.Teams.Where(t => t.Id == teamId).ExecuteDeleteAsync(ct);
            await tx.CommitAsync(ct);
        }

        foreach (var member in members)
        {
            await hubConnections.LeaveTeamAsync(member, teamId);
        }
        foreach (var take in takes)
        {
            await GenerationService.DeleteBlobsAsync(blobs, logger, take.Id, [take.VideoBlobKey, take.PosterBlobKey, take.FirstFrameBlobKey]);
        }
        await GenerationService.DeleteBlobsAsync(blobs, logger, Guid.Empty, shotFrames);
        logger.LogInformation("Team {TeamId} deleted by its owner {UserId}: {Projects} project(s), {Takes} take(s), {Members} member(s)",
            teamId, ownerId, projects, takes.Count, members.Count);
        return TeamResult<TeamDeleted>.Ok(new TeamDeleted(team.Name, projects, takes.Count, members.Count));
    }
}
