using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Studio.IntegrationTests.Studio;
using Studio.Web.Features.Audit;
using Studio.Web.Features.Projects;
using Studio.Web.Features.Teams;

namespace Studio.IntegrationTests.Teams;

/// <summary>Teams working together, through the real service on SQLite: invites, roles, removing, leaving, handing over, and the audit trail.</summary>
public sealed class TeamMembersTests() : SandboxStudioTest("teams", emulatorRunningSeconds: 1)
{
    private TeamMembersService Members => Studio.Services.GetRequiredService<TeamMembersService>();

    private async Task<(TestUser Owner, TestUser Member)> TeamWithMemberAsync(TeamRole role)
    {
        var owner = await Studio.RegisterAsync("Olive");
        var member = await Studio.RegisterAsync("Max");
        var token = (await Members.CreateInviteAsync(owner.Id, owner.TeamId, role, 1, TimeSpan.FromDays(1))).Value!;
        Assert.True((await Members.AcceptInviteAsync(member.Id, token)).Succeeded);
        return (owner, member);
    }

    private async Task<List<string>> AuditActionsAsync(Guid teamId)
    {
        await using var db = await Studio.DbAsync();
        return await db.AuditEntries.Where(a => a.TeamId == teamId).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
    }

    [Fact]
    public async Task A_single_use_invite_lets_one_person_join_with_its_role_and_then_stops_working()
    {
        var owner = await Studio.RegisterAsync("Olive");
        var first = await Studio.RegisterAsync("Finn");
        var second = await Studio.RegisterAsync("Sam");

        var invite = await Members.CreateInviteAsync(owner.Id, owner.TeamId, TeamRole.Editor, maxUses: 1, TimeSpan.FromDays(7));
        Assert.True(invite.Succeeded, invite.Error);
        Assert.True(invite.Value!.Length >= 43, "the token carries 256 random bits");

        var preview = await Members.PreviewInviteAsync(invite.Value, first.Id);
        Assert.Equal(("Olive's team", TeamRole.Editor, false), (preview!.TeamName, preview.Role, preview.AlreadyMember));
        var joined = await Members.AcceptInviteAsync(first.Id, invite.Value);
        Assert.True(joined.Succeeded, joined.Error);
        Assert.Equal(TeamRole.Editor, await Studio.Services.GetRequiredService<TeamService>().GetRoleAsync(first.Id, owner.TeamId));

        var refused = await Members.AcceptInviteAsync(second.Id, invite.Value);
        Assert.False(refused.Succeeded);
        Assert.Null(await Members.PreviewInviteAsync(invite.Value, second.Id));
        Assert.Null(await Studio.Services.GetRequiredService<TeamService>().GetRoleAsync(second.Id, owner.TeamId));

        // The newcomer now works in the team they joined, and sees its projects.
        await Studio.CreateProjectAsync(owner, "Shared reel");
        await using var db = await Studio.DbAsync();
        Assert.Equal(owner.TeamId, await db.Users.Where(u => u.Id == first.Id).Select(u => u.CurrentTeamId).SingleAsync());
        var projects = await Studio.Services.GetRequiredService<ProjectService>().ListAsync(first.Id, owner.TeamId);
        Assert.Contains(projects, p => p.Name == "Shared reel");
        Assert.Equal([AuditActions.InviteCreated, AuditActions.MemberJoined], (await AuditActionsAsync(owner.TeamId)).Where(a => a.StartsWith("invite") || a.StartsWith("member")));
    }

    [Fact]
    public async Task A_multi_use_invite_counts_its_uses_and_expired_or_revoked_links_let_nobody_in()
    {
        var owner = await Studio.RegisterAsync("Olive");
        var users = new List<TestUser>();
        for (var i = 0; i < 4; i++)
        {
            users.Add(await Studio.RegisterAsync($"Guest{i}"));
        }
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var members = ActivatorUtilities.CreateInstance<TeamMembersService>(Studio.Services, (TimeProvider)clock);

        var threeUses = (await members.CreateInviteAsync(owner.Id, owner.TeamId, TeamRole.Viewer, 3, TimeSpan.FromDays(1))).Value!;
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await members.AcceptInviteAsync(users[i].Id, threeUses)).Succeeded);
        }
        Assert.False((await members.AcceptInviteAsync(users[3].Id, threeUses)).Succeeded);

        var expiring = (await members.CreateInviteAsync(owner.Id, owner.TeamId, TeamRole.Viewer, null, TimeSpan.FromHours(1))).Value!;
        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        Assert.Null(await members.PreviewInviteAsync(expiring, users[3].Id));
        Assert.False((await members.AcceptInviteAsync(users[3].Id, expiring)).Succeeded);

        var revokedToken = (await members.CreateInviteAsync(owner.Id, owner.TeamId, TeamRole.Viewer, null, TimeSpan.FromDays(1))).Value!;
        var open = await members.InvitesAsync(owner.Id, owner.TeamId);
        var revoked = Assert.Single(open!);
        Assert.True((await members.RevokeInviteAsync(owner.Id, owner.TeamId, revoked.Id)).Succeeded);
        Assert.False((await members.AcceptInviteAsync(users[3].Id, revokedToken)).Succeeded);
        Assert.Empty((await members.InvitesAsync(owner.Id, owner.TeamId))!);
        Assert.Equal(4, (await members.MembersAsync(owner.Id, owner.TeamId))!.Count);
    }

    [Fact]
    public async Task Admins_manage_editors_and_viewers_but_only_the_owner_makes_or_removes_admins()
    {
        var (owner, admin) = await TeamWithMemberAsync(TeamRole.Admin);
        var editor = await Studio.RegisterAsync("Eve");
        var token = (await Members.CreateInviteAsync(admin.Id, owner.TeamId, TeamRole.Editor, 1, TimeSpan.FromDays(1))).Value!;
        await Members.AcceptInviteAsync(editor.Id, token);

        Assert.True((await Members.ChangeRoleAsync(admin.Id, owner.TeamId, editor.Id, TeamRole.Viewer)).Succeeded);
        Assert.False((await Members.ChangeRoleAsync(admin.Id, owner.TeamId, editor.Id, TeamRole.Admin)).Succeeded);
        Assert.False((await Members.CreateInviteAsync(admin.Id, owner.TeamId, TeamRole.Admin, 1, TimeSpan.FromDays(1))).Succeeded);
        Assert.False((await Members.ChangeRoleAsync(admin.Id, owner.TeamId, owner.Id, TeamRole.Viewer)).Succeeded);
        Assert.False((await Members.RemoveAsync(admin.Id, owner.TeamId, owner.Id)).Succeeded);
        Assert.False((await Members.ChangeRoleAsync(owner.Id, owner.TeamId, editor.Id, TeamRole.Owner)).Succeeded);

        Assert.False((await Members.ChangeRoleAsync(editor.Id, owner.TeamId, admin.Id, TeamRole.Viewer)).Succeeded);
        Assert.False((await Members.CreateInviteAsync(editor.Id, owner.TeamId, TeamRole.Viewer, 1, TimeSpan.FromDays(1))).Succeeded);
        Assert.Null(await Members.InvitesAsync(editor.Id, owner.TeamId));

        Assert.True((await Members.RemoveAsync(admin.Id, owner.TeamId, editor.Id)).Succeeded);
        Assert.True((await Members.ChangeRoleAsync(owner.Id, owner.TeamId, admin.Id, TeamRole.Editor)).Succeeded);
        var roles = (await Members.MembersAsync(owner.Id, owner.TeamId))!.ToDictionary(m => m.UserId, m => m.Role);
        Assert.Equal(new Dictionary<string, TeamRole> { [owner.Id] = TeamRole.Owner, [admin.Id] = TeamRole.Editor }, roles);

        var log = await AuditActionsAsync(owner.TeamId);
        Assert.Contains(AuditActions.MemberRoleChanged, log);
        Assert.Contains(AuditActions.MemberRemoved, log);
        await using var db = await Studio.DbAsync();
        var removal = await db.AuditEntries.SingleAsync(a => a.TeamId == owner.TeamId && a.Action == AuditActions.MemberRemoved);
        Assert.Equal("Max", removal.ActorName);
        Assert.Contains("Eve", removal.Summary);
    }

    [Fact]
    public async Task The_owner_cannot_leave_but_can_hand_over_and_then_leave_as_an_admin()
    {
        var (owner, member) = await TeamWithMemberAsync(TeamRole.Editor);

        Assert.False((await Members.LeaveAsync(owner.Id, owner.TeamId)).Succeeded);
        Assert.False((await Members.TransferOwnershipAsync(member.Id, owner.TeamId, member.Id)).Succeeded);
        Assert.True((await Members.TransferOwnershipAsync(owner.Id, owner.TeamId, member.Id)).Succeeded);
        var roles = (await Members.MembersAsync(owner.Id, owner.TeamId))!.ToDictionary(m => m.UserId, m => m.Role);
        Assert.Equal(TeamRole.Owner, roles[member.Id]);
        Assert.Equal(TeamRole.Admin, roles[owner.Id]);

        Assert.True((await Members.LeaveAsync(owner.Id, owner.TeamId)).Succeeded);
        Assert.Null(await Members.MembersAsync(owner.Id, owner.TeamId));
        Assert.Contains(AuditActions.OwnershipTransferred, await AuditActionsAsync(owner.TeamId));
        Assert.Contains(AuditActions.MemberLeft, await AuditActionsAsync(owner.TeamId));
    }

    [Fact]
    public async Task A_new_team_becomes_current_and_a_stranger_sees_nothing_of_it()
    {
        var founder = await Studio.RegisterAsync("Fay");
        var stranger = await Studio.RegisterAsync("Stan");

        var created = await Members.CreateTeamAsync(founder.Id, "  Night shoot  ");
        Assert.True(created.Succeeded, created.Error);
        var teams = await Studio.Services.GetRequiredService<TeamService>().GetMembershipsAsync(founder.Id);
        Assert.Equal(["Fay's team", "Night shoot"], teams.Select(t => t.TeamName));
        await using (var db = await Studio.DbAsync())
        {
            Assert.Equal(created.Value, await db.Users.Where(u => u.Id == founder.Id).Select(u => u.CurrentTeamId).SingleAsync());
        }
        Assert.True(await Members.SwitchAsync(founder.Id, founder.TeamId));

        Assert.False(await Members.SwitchAsync(stranger.Id, created.Value));
        Assert.Null(await Members.MembersAsync(stranger.Id, created.Value));
        Assert.Equal(TeamMembersService.NotFound, (await Members.RenameAsync(stranger.Id, created.Value, "Mine")).Error);
        Assert.Equal(TeamMembersService.NotFound, (await Members.CreateInviteAsync(stranger.Id, created.Value, TeamRole.Viewer, 1, TimeSpan.FromDays(1))).Error);
        Assert.Equal(TeamMembersService.NotFound, (await Members.LeaveAsync(stranger.Id, created.Value)).Error);
        Assert.False((await Members.CreateTeamAsync(founder.Id, "   ")).Succeeded);
    }

    [Fact]
    public async Task The_invite_page_offers_sign_in_when_signed_out_and_says_plainly_when_a_link_is_dead()
    {
        var owner = await Studio.RegisterAsync("Olive");
        var token = (await Members.CreateInviteAsync(owner.Id, owner.TeamId, TeamRole.Viewer, 1, TimeSpan.FromDays(1))).Value!;
        var (client, _) = Studio.CreateClient();

        var page = await client.GetStringAsync($"/invite/{token}");
        Assert.Contains("Olive&#x27;s team", page);
        Assert.Contains($"/account/login?returnUrl=%2Finvite%2F{token}", page);

        using var dead = await client.GetAsync("/invite/not-a-real-token");
        Assert.Equal(HttpStatusCode.OK, dead.StatusCode);
        Assert.Contains("This invite link does not work any more", await dead.Content.ReadAsStringAsync());
    }
}
