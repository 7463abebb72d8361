using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Studio.IntegrationTests.Studio;
using Studio.Web.Features.Comments;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Sharing;
using Studio.Web.Features.Teams;

namespace Studio.IntegrationTests.Teams;

/// <summary>The owner deletes a team: everything of it goes, in the database and the blob folder; nothing of another team does.</summary>
public sealed class TeamDeletionTests() : SandboxStudioTest("team-deletion", emulatorRunningSeconds: 0.5)
{
    private TeamDeletionService Deletion => Studio.Services.GetRequiredService<TeamDeletionService>();
    private TeamMembersService Members => Studio.Services.GetRequiredService<TeamMembersService>();

    private async Task<TestUser> JoinAsync(TestUser owner, string name, TeamRole role)
    {
        var user = await Studio.RegisterAsync(name);
        var token = (await Members.CreateInviteAsync(owner.Id, owner.TeamId, role, 1, TimeSpan.FromDays(1))).Value!;
        Assert.True((await Members.AcceptInviteAsync(user.Id, token)).Succeeded);
        return user;
    }

    [Fact]
    public async Task Only_the_owner_typing_the_name_deletes_and_everything_of_the_team_is_gone_while_another_team_keeps_all()
    {
        var owner = await Studio.RegisterAsync("Olive");
        var admin = await JoinAsync(owner, "Abe", TeamRole.Admin);
        var other = await Studio.RegisterAsync("Otto");
        var project = await Studio.CreateProjectAsync(owner, "Doomed reel");
        var take = await Studio.WaitForStateAsync(await Studio.SubmitAsync(owner, project), GenerationState.Ready);
        var otherProject = await Studio.CreateProjectAsync(other, "Safe reel");
        var otherTake = await Studio.WaitForStateAsync(await Studio.SubmitAsync(other, otherProject), GenerationState.Ready);
        await Studio.Services.GetRequiredService<CommentService>().AddAsync(admin.Id, take.Id, "@Olive nice");
        Assert.True((await Studio.Services.GetRequiredService<ShareService>().CreateAsync(owner.Id, ShareTarget.Video(take.Id), TimeSpan.FromDays(1))).Succeeded);
        await Studio.Generations.SetFavouriteAsync(admin.Id, take.Id, true);
        var credits = Studio.Services.GetRequiredService<global::Studio.Web.Features.Credits.CreditAdminService>();
        Assert.Null(await credits.SetMemberQuotaAsync(owner.Id, owner.TeamId, admin.Id, 100_000));
        Assert.Null(await credits.GrantAsync(owner.Id, owner.TeamId, admin.Id, 5_000, "before the end"));
        var teamBlobs = new[] { take.VideoBlobKey!, take.PosterBlobKey! };
        Assert.All(teamBlobs, key => Assert.True(File.Exists(Path.Combine(Studio.BlobsDirectory, key))));

        var byAdmin = await Deletion.DeleteTeamAsync(admin.Id, owner.TeamId, "Olive's team");
        var byOutsider = await Deletion.DeleteTeamAsync(other.Id, owner.TeamId, "Olive's team");
        var misspelt = await Deletion.DeleteTeamAsync(owner.Id, owner.TeamId, "olive's team");
        Assert.Equal("Only the team's owner can delete it.", byAdmin.Error);
        Assert.Equal(TeamMembersService.NotFound, byOutsider.Error);
        Assert.Equal("Type the team's name, Olive's team, exactly to confirm.", misspelt.Error);
        await using (var db = await Studio.DbAsync())
        {
            Assert.True(await db.Teams.AnyAsync(t => t.Id == owner.TeamId));
            Assert.True(await db.CreditEntries.AnyAsync(e => e.TeamId == owner.TeamId));
            Assert.True(await db.CreditBalances.AnyAsync(b => b.TeamId == owner.TeamId));
        }

        var deleted = await Deletion.DeleteTeamAsync(owner.Id, owner.TeamId, " Olive's team ");

        Assert.True(deleted.Succeeded, deleted.Error);
        Assert.Equal(new TeamDeleted("Olive's team", 1, 1, 2), deleted.Value);
        await using (var db = await Studio.DbAsync())
        {
            Assert.False(await db.Teams.AnyAsync(t => t.Id == owner.TeamId));
            Assert.Equal(0, await db.TeamMembers.CountAsync(m => m.TeamId == owner.TeamId));
            Assert.Equal(0, await db.Projects.CountAsync(p => p.TeamId == owner.TeamId));
            Assert.Equal(0, await db.Generations.CountAsync(g => g.TeamId == owner.TeamId));
            Assert.Equal(0, await db.Comments.CountAsync(c => c.TeamId == owner.TeamId));
            Assert.Equal(0, await db.Notifications.CountAsync(n => n.TeamId == owner.TeamId));
            Assert.Equal(0, await db.ShareLinks.CountAsync(s => s.TeamId == owner.TeamId));
            Assert.Equal(0, await db.AuditEntries.CountAsync(a => a.TeamId == owner.TeamId));
            Assert.Equal(0, await db.TeamInvites.CountAsync(i => i.TeamId == owner.TeamId));
            Assert.Equal(0, await db.Favourites.CountAsync(f => f.GenerationId == take.Id));
            Assert.Equal(0, await db.CreditEntries.CountAsync(e => e.TeamId == owner.TeamId));
            Assert.Equal(0, await db.CreditBalances.CountAsync(b => b.TeamId == owner.TeamId));
            Assert.Equal(0, await db.Users.CountAsync(u => u.CurrentTeamId == owner.TeamId));
            // The other team is whole.
            Assert.True(await db.Generations.AnyAsync(g => g.Id == otherTake.Id && g.DeletedAt == null));
            Assert.True(await db.AuditEntries.AnyAsync(a => a.TeamId == other.TeamId));
        }
        Assert.All(teamBlobs, key => Assert.False(File.Exists(Path.Combine(Studio.BlobsDirectory, key)), key));
        Assert.True(File.Exists(Path.Combine(Studio.BlobsDirectory, otherTake.VideoBlobKey!)));
        Assert.Null(await Studio.Generations.GetAsync(admin.Id, take.Id));
        Assert.DoesNotContain(await Studio.Services.GetRequiredService<TeamService>().GetMembershipsAsync(admin.Id), m => m.TeamId == owner.TeamId);
    }

    [Fact]
    public async Task A_team_with_a_take_still_being_made_is_not_deleted()
    {
        var owner = await Studio.RegisterAsync("Olive");
        var project = await Studio.CreateProjectAsync(owner, "Busy reel");
        // The emulator holds this take in its queue for ten minutes.
        var take = await Studio.SubmitAsync(owner, project, StudioTestHost.TextDraft("Busy harbour [[fault: throttled(seconds=600)]]"));

        var refused = await Deletion.DeleteTeamAsync(owner.Id, owner.TeamId, "Olive's team");

        Assert.Equal("One take of this team is still being made: cancel it or let it finish, then delete the team.", refused.Error);
        Assert.NotNull(await Studio.Generations.GetAsync(owner.Id, take));
    }
}
