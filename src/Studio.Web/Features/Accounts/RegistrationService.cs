using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Teams;

namespace Studio.Web.Features.Accounts;

public sealed record RegistrationResult(StudioUser? User, IReadOnlyList<string> Errors)
{
    public bool Succeeded => User is not null;
}

/// <summary>
/// Creates the account and the user's own team (the user as Owner) in one transaction, so a failure leaves
/// neither behind. The first account on a server also administers the site.
/// </summary>
public sealed class RegistrationService(UserManager<StudioUser> users, StudioDbContext db, TimeProvider clock, ILogger<RegistrationService> logger)
{
    public async Task<RegistrationResult> RegisterAsync(string displayName, string email, string password, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var isFirst = !await db.Users.AnyAsync(ct);
        var user = new StudioUser
        {
            UserName = email.Trim(),
            Email = email.Trim(),
            DisplayName = displayName.Trim(),
            IsSiteAdmin = isFirst,
            CreatedAt = now,
        };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            await transaction.RollbackAsync(ct);
            return new RegistrationResult(null, created.Errors.Select(e => e.Description).ToList());
        }

        var team = new Team { Id = Guid.CreateVersion7(), Name = $"{user.DisplayName}'s team", CreatedAt = now };
        db.Teams.Add(team);
        db.TeamMembers.Add(new TeamMember { TeamId = team.Id, UserId = user.Id, Role = TeamRole.Owner, JoinedAt = now });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        logger.LogInformation("Registered user {UserId} with team {TeamId}{Admin}", user.Id, team.Id, isFirst ? " (site administrator)" : "");
        return new RegistrationResult(user, []);
    }
}
