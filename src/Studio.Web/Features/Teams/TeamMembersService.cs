using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Audit;

namespace Studio.Web.Features.Teams;

public sealed record TeamMemberRow(string UserId, string DisplayName, string Email, TeamRole Role, DateTime JoinedAt);

public sealed record InviteRow(Guid Id, TeamRole Role, int? MaxUses, int Uses, DateTime ExpiresAt, string CreatedBy, DateTime CreatedAt);

public sealed record InvitePreview(Guid TeamId, string TeamName, TeamRole Role, bool AlreadyMember);

/// <summary>What a change to a team came to: an error in plain words, or success (with a value for some calls).</summary>
public sealed record TeamResult<T>(T? Value, string? Error)
{
    public bool Succeeded => Error is null;

    public static TeamResult<T> Ok(T value) => new(value, null);

    public static TeamResult<T> Fail(string error) => new(default, error);
}

/// <summary>
/// Teams working together: creating teams, switching, invite links, roles, removing, leaving and handing over
/// ownership. Every call checks the caller's role in that team first; a caller who is not a member gets the
/// same answer as for a team that does not exist. Every change is written to the team's audit log in the same save.
/// </summary>
public sealed class TeamMembersService(IDbContextFactory<StudioDbContext> dbFactory, AuditLog audit, Live.HubConnections hubConnections, TimeProvider clock)
{
    public const string NotFound = "That team does not exist or you are not a member.";
    public static readonly TimeSpan MaxInviteLifetime = TimeSpan.FromDays(30);

    public async Task<TeamResult<Guid>> CreateTeamAsync(string userId, string name, CancellationToken ct = default)
    {
        name = name.Trim();
        if (name.Length is 0 or > 100)
        {
            return TeamResult<Guid>.Fail("A team name is 1–100 characters.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var actor = await db.Users.Where(u => u.Id == userId).Select(u => u.DisplayName).FirstOrDefaultAsync(ct);
        if (actor is null)
        {
            return TeamResult<Guid>.Fail(NotFound);
        }
        var now = Now;
        var team = new Team { Id = Guid.CreateVersion7(), Name = name, CreatedAt = now };
        db.Teams.Add(team);
        db.TeamMembers.Add(new TeamMember { TeamId = team.Id, UserId = userId, Role = TeamRole.Owner, JoinedAt = now });
        audit.Add(db, team.Id, userId, actor, AuditActions.TeamCreated, team.Id.ToString(), $"created the team \"{name}\"");
        await db.SaveChangesAsync(ct);
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.CurrentTeamId, team.Id), ct);
        return TeamResult<Guid>.Ok(team.Id);
    }

    /// <summary>Makes <paramref name="teamId"/> the team the user's pages work in.</summary>
    public async Task<bool> SwitchAsync(string userId, Guid teamId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.TeamMembers.AnyAsync(m => m.TeamId == teamId && m.UserId == userId, ct))
        {
            return false;
        }
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.CurrentTeamId, teamId), ct);
        return true;
    }

    public async Task<TeamResult<string>> RenameAsync(string actorId, Guid teamId, string name, CancellationToken ct = default)
    {
        name = name.Trim();
        if (name.Length is 0 or > 100)
        {
            return TeamResult<string>.Fail("A team name is 1–100 characters.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (actor, error) = await ActorAsync(db, actorId, teamId, TeamPermissions.CanManageMembers, "Only the owner and admins can rename the team.", ct);
        if (actor is null)
        {
            return TeamResult<string>.Fail(error!);
        }
        var team = await db.Teams.FirstAsync(t => t.Id == teamId, ct);
        var old = team.Name;
        team.Name = name;
        audit.Add(db, teamId, actorId, actor.DisplayName, AuditActions.TeamRenamed, teamId.ToString(), $"renamed the team \"{old}\" → \"{name}\"");
        await db.SaveChangesAsync(ct);
        return TeamResult<string>.Ok(name);
    }

    /// <summary>The members, for any member of the team (names are needed for @-mentions and credits).</summary>
    public async Task<IReadOnlyList<TeamMemberRow>?> MembersAsync(string actorId, Guid teamId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.TeamMembers.AnyAsync(m => m.TeamId == teamId && m.UserId == actorId, ct))
        {
            return null;
        }
        var rows = await db.TeamMembers.AsNoTracking().Where(m => m.TeamId == teamId)
            .Select(m => new TeamMemberRow(m.UserId, m.User!.DisplayName, m.User.Email ?? "", m.Role, m.JoinedAt))
            .ToListAsync(ct);
        return rows.OrderBy(r => r.Role).ThenBy(r => r.DisplayName, StringComparer.CurrentCultureIgnoreCase).ToList();
    }

    public async Task<TeamResult<TeamRole>> ChangeRoleAsync(string actorId, Guid teamId, string memberId, TeamRole role, CancellationToken ct = default)
    {
        if (role == TeamRole.Owner)
        {
            return TeamResult<TeamRole>.Fail("A team has one owner: hand the team over instead.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (actor, error) = await ActorAsync(db, actorId, teamId, TeamPermissions.CanManageMembers, "Only the owner and admins can change roles.", ct);
        if (actor is null)
        {
            return TeamResult<TeamRole>.Fail(error!);
        }
        var member = await db.TeamMembers.Include(m => m.User).FirstOrDefaultAsync(m => m.TeamId == teamId && m.UserId == memberId, ct);
        if (member is null)
        {
            return TeamResult<TeamRole>.Fail("That person is not a member of this team.");
        }
        if (member.Role == TeamRole.Owner)
        {
            return TeamResult<TeamRole>.Fail("The owner's role changes only by handing the team over.");
        }
        if (actor.Role != TeamRole.Owner && (member.Role == TeamRole.Admin || role == TeamRole.Admin) && memberId != actorId)
        {
            return TeamResult<TeamRole>.Fail("Only the owner can make or unmake admins.");
        }
        if (member.Role == role)
        {
            return TeamResult<TeamRole>.Ok(role);
        }
        var old = member.Role;
        member.Role = role;
        audit.Add(db, teamId, actorId, actor.DisplayName, AuditActions.MemberRoleChanged, memberId, $"{member.User!.DisplayName}: {old} → {role}");
        await db.SaveChangesAsync(ct);
        return TeamResult<TeamRole>.Ok(role);
    }

    public async Task<TeamResult<bool>> RemoveAsync(string actorId, Guid teamId, string memberId, CancellationToken ct = default)
    {
        if (memberId == actorId)
        {
            return TeamResult<bool>.Fail("To go, leave the team instead.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (actor, error) = await ActorAsync(db, actorId, teamId, TeamPermissions.CanManageMembers, "Only the owner and admins can remove members.", ct);
        if (actor is null)
        {
            return TeamResult<bool>.Fail(error!);
        }
        var member = await db.TeamMembers.Include(m => m.User).FirstOrDefaultAsync(m => m.TeamId == teamId && m.UserId == memberId, ct);
        if (member is null)
        {
            return TeamResult<bool>.Fail("That person is not a member of this team.");
        }
        if (member.Role == TeamRole.Owner)
        {
            return TeamResult<bool>.Fail("The owner cannot be removed.");
        }
        if (member.Role == TeamRole.Admin && actor.Role != TeamRole.Owner)
        {
            return TeamResult<bool>.Fail("Only the owner can remove an admin.");
        }
        db.TeamMembers.Remove(member);
        audit.Add(db, teamId, actorId, actor.DisplayName, AuditActions.MemberRemoved, memberId, $"removed {member.User!.DisplayName} ({member.Role})");
        await db.SaveChangesAsync(ct);
        await hubConnections.LeaveTeamAsync(memberId, teamId);
        return TeamResult<bool>.Ok(true);
    }

    public async Task<TeamResult<bool>> LeaveAsync(string userId, Guid teamId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var member = await db.TeamMembers.Include(m => m.User).FirstOrDefaultAsync(m => m.TeamId == teamId && m.UserId == userId, ct);
        if (member is null)
        {
            return TeamResult<bool>.Fail(NotFound);
        }
        if (member.Role == TeamRole.Owner)
        {
            return TeamResult<bool>.Fail("The owner cannot leave: hand the team over to another member first.");
        }
        db.TeamMembers.Remove(member);
        audit.Add(db, teamId, userId, member.User!.DisplayName, AuditActions.MemberLeft, userId, $"{member.User.DisplayName} left ({member.Role})");
        await db.SaveChangesAsync(ct);
        await hubConnections.LeaveTeamAsync(userId, teamId);
        await db.Users.Where(u => u.Id == userId && u.CurrentTeamId == teamId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.CurrentTeamId, (Guid?)null), ct);
        return TeamResult<bool>.Ok(true);
    }

    /// <summary>The owner hands the team to another member, and stays on as an admin.</summary>
    public async Task<TeamResult<bool>> TransferOwnershipAsync(string ownerId, Guid teamId, string newOwnerId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (actor, error) = await ActorAsync(db, ownerId, teamId, r => r == TeamRole.Owner, "Only the owner can hand the team over.", ct);
        if (actor is null)
        {
            return TeamResult<bool>.Fail(error!);
        }
        if (newOwnerId == ownerId)
        {
            return TeamResult<bool>.Fail("You already own this team.");
        }
        var heir = await db.TeamMembers.Include(m => m.User).FirstOrDefaultAsync(m => m.TeamId == teamId && m.UserId == newOwnerId, ct);
        if (heir is null)
        {
            return TeamResult<bool>.Fail("That person is not a member of this team.");
        }
        var owner = await db.TeamMembers.FirstAsync(m => m.TeamId == teamId && m.UserId == ownerId, ct);
        owner.Role = TeamRole.Admin;
        heir.Role = TeamRole.Owner;
        audit.Add(db, teamId, ownerId, actor.DisplayName, AuditActions.OwnershipTransferred, newOwnerId, $"handed the team over to {heir.User!.DisplayName}");
        await db.SaveChangesAsync(ct);
        return TeamResult<bool>.Ok(true);
    }

    /// <summary>Makes an invite link; the returned token is shown once (only its hash is kept).</summary>
    public async Task<TeamResult<string>> CreateInviteAsync(string actorId, Guid teamId, TeamRole role, int? maxUses, TimeSpan lifetime, CancellationToken ct = default)
    {
        if (role == TeamRole.Owner)
        {
            return TeamResult<string>.Fail("Nobody joins as owner; invite as admin and hand the team over.");
        }
        if (maxUses is < 1 or > 1000)
        {
            return TeamResult<string>.Fail("An invite can be used 1–1000 times, or any number of times until it expires.");
        }
        if (lifetime <= TimeSpan.Zero || lifetime > MaxInviteLifetime)
        {
            return TeamResult<string>.Fail("An invite lasts up to 30 days.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (actor, error) = await ActorAsync(db, actorId, teamId, TeamPermissions.CanManageMembers, "Only the owner and admins can invite.", ct);
        if (actor is null)
        {
            return TeamResult<string>.Fail(error!);
        }
        if (role == TeamRole.Admin && actor.Role != TeamRole.Owner)
        {
            return TeamResult<string>.Fail("Only the owner can invite admins.");
        }
        var token = Webhooks.CallbackLinks.NewToken();
        var now = Now;
        var invite = new TeamInvite
        {
            Id = Guid.CreateVersion7(),
            TeamId = teamId,
            TokenHash = Webhooks.CallbackLinks.Hash(token),
            Role = role,
            MaxUses = maxUses,
            ExpiresAt = now + lifetime,
            CreatedByUserId = actorId,
            CreatedAt = now,
        };
        db.TeamInvites.Add(invite);
        audit.Add(db, teamId, actorId, actor.DisplayName, AuditActions.InviteCreated, invite.Id.ToString(),
            $"invite link for {role}s, {(maxUses is { } n ? $"{n} use{(n == 1 ? "" : "s")}" : "any number of uses")}, until {invite.ExpiresAt:yyyy-MM-dd HH:mm} UTC");
        await db.SaveChangesAsync(ct);
        return TeamResult<string>.Ok(token);
    }

    public async Task<IReadOnlyList<InviteRow>?> InvitesAsync(string actorId, Guid teamId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (actor, _) = await ActorAsync(db, actorId, teamId, TeamPermissions.CanManageMembers, "", ct);
        if (actor is null)
        {
            return null;
        }
        var now = Now;
        var invites = await db.TeamInvites.AsNoTracking()
            .Where(i => i.TeamId == teamId && i.RevokedAt == null && i.ExpiresAt > now)
            .Select(i => new { i.Id, i.Role, i.MaxUses, i.Uses, i.ExpiresAt, i.CreatedAt, By = db.Users.Where(u => u.Id == i.CreatedByUserId).Select(u => u.DisplayName).FirstOrDefault() })
            .ToListAsync(ct);
        return invites.Where(i => i.MaxUses is null || i.Uses < i.MaxUses)
            .OrderByDescending(i => i.CreatedAt)
            .Select(i => new InviteRow(i.Id, i.Role, i.MaxUses, i.Uses, i.ExpiresAt, i.By ?? "someone", i.CreatedAt)).ToList();
    }

    public async Task<TeamResult<bool>> RevokeInviteAsync(string actorId, Guid teamId, Guid inviteId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (actor, error) = await ActorAsync(db, actorId, teamId, TeamPermissions.CanManageMembers, "Only the owner and admins can revoke invites.", ct);
        if (actor is null)
        {
            return TeamResult<bool>.Fail(error!);
        }
        var invite = await db.TeamInvites.FirstOrDefaultAsync(i => i.Id == inviteId && i.TeamId == teamId, ct);
        if (invite is null)
        {
            return TeamResult<bool>.Fail("That invite does not exist.");
        }
        invite.RevokedAt ??= Now;
        audit.Add(db, teamId, actorId, actor.DisplayName, AuditActions.InviteRevoked, inviteId.ToString(), $"revoked an invite link for {invite.Role}s");
        await db.SaveChangesAsync(ct);
        return TeamResult<bool>.Ok(true);
    }

    /// <summary>What an invite link offers, or null when it is unknown, expired, used up or revoked (all look the same).</summary>
    public async Task<InvitePreview?> PreviewInviteAsync(string token, string? userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var invite = await FindUsableAsync(db, token, ct);
        if (invite is null)
        {
            return null;
        }
        var member = userId is not null && await db.TeamMembers.AnyAsync(m => m.TeamId == invite.TeamId && m.UserId == userId, ct);
        return new InvitePreview(invite.TeamId, invite.Team!.Name, invite.Role, member);
    }

    /// <summary>Joins the team through the link (a member already in the team just switches to it).</summary>
    public async Task<TeamResult<Guid>> AcceptInviteAsync(string userId, string token, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var invite = await FindUsableAsync(db, token, ct);
        if (invite is null)
        {
            return TeamResult<Guid>.Fail("This invite link has expired, was used up or was revoked. Ask for a new one.");
        }
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            return TeamResult<Guid>.Fail(NotFound);
        }
        if (!await db.TeamMembers.AnyAsync(m => m.TeamId == invite.TeamId && m.UserId == userId, ct))
        {
            // One use, counted atomically: two people racing for the last use cannot both get in.
            var now = Now;
            var claimed = await db.TeamInvites
                .Where(i => i.Id == invite.Id && i.RevokedAt == null && i.ExpiresAt > now && (i.MaxUses == null || i.Uses < i.MaxUses))
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Uses, i => i.Uses + 1), ct);
            if (claimed == 0)
            {
                return TeamResult<Guid>.Fail("This invite link has just been used up. Ask for a new one.");
            }
            db.TeamMembers.Add(new TeamMember { TeamId = invite.TeamId, UserId = userId, Role = invite.Role, JoinedAt = now });
            audit.Add(db, invite.TeamId, userId, user.DisplayName, AuditActions.MemberJoined, userId, $"{user.DisplayName} joined as {invite.Role} through an invite link");
        }
        user.CurrentTeamId = invite.TeamId;
        await db.SaveChangesAsync(ct);
        return TeamResult<Guid>.Ok(invite.TeamId);
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private async Task<TeamInvite?> FindUsableAsync(StudioDbContext db, string token, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 100)
        {
            return null;
        }
        var hash = Webhooks.CallbackLinks.Hash(token);
        var invite = await db.TeamInvites.Include(i => i.Team).FirstOrDefaultAsync(i => i.TokenHash == hash, ct);
        return invite is not null && invite.IsUsable(Now) ? invite : null;
    }

    private sealed record Actor(string DisplayName, TeamRole Role);

    private static async Task<(Actor? Actor, string? Error)> ActorAsync(StudioDbContext db, string actorId, Guid teamId, Func<TeamRole, bool> allowed,
        string refusal, CancellationToken ct)
    {
        var actor = await db.TeamMembers.Where(m => m.TeamId == teamId && m.UserId == actorId)
            .Select(m => new Actor(m.User!.DisplayName, m.Role)).FirstOrDefaultAsync(ct);
        if (actor is null)
        {
            return (null, NotFound);
        }
        return allowed(actor.Role) ? (actor, null) : (null, refusal);
    }

}
