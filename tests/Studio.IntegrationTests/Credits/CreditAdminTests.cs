using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Studio.IntegrationTests.Studio;
using Studio.Web.Features.Audit;
using Studio.Web.Features.Credits;
using Studio.Web.Features.Teams;

namespace Studio.IntegrationTests.Credits;

/// <summary>
/// What the admin page /team/credits calls, through the real services on SQLite: who may change budgets, quotas and
/// top-ups, what a change does to the current period's limits, and that bad amounts change nothing.
/// </summary>
public sealed class CreditAdminTests() : SandboxStudioTest("credit-admin", emulatorRunningSeconds: 0.5)
{
    private const long Credit = Millicredits.PerCredit;
    private const string NotAllowed = "Only the team's owner and admins can manage credits.";

    private CreditAdminService Admin => Studio.Services.GetRequiredService<CreditAdminService>();
    private CreditLedger Ledger => Studio.Services.GetRequiredService<CreditLedger>();
    private TeamMembersService Members => Studio.Services.GetRequiredService<TeamMembersService>();

    private sealed record Crew(TestUser Owner, TestUser Admin, TestUser Editor, TestUser Outsider, Guid ProjectId);

    /// <summary>Ada owns the team, Ann Marie is its admin, Ed an editor; Otto is in a team of his own.</summary>
    private async Task<Crew> CrewAsync()
    {
        var owner = await Studio.RegisterAsync("Ada");
        var admin = await Studio.RegisterAsync("Ann Marie");
        var editor = await Studio.RegisterAsync("Ed");
        var outsider = await Studio.RegisterAsync("Otto");
        foreach (var (user, role) in new[] { (admin, TeamRole.Admin), (editor, TeamRole.Editor) })
        {
            var token = (await Members.CreateInviteAsync(owner.Id, owner.TeamId, role, 1, TimeSpan.FromDays(1))).Value!;
            Assert.True((await Members.AcceptInviteAsync(user.Id, token)).Succeeded);
        }
        return new Crew(owner, admin, editor, outsider, await Studio.CreateProjectAsync(owner, "Harbour"));
    }

    private static DateOnly Period => CreditPeriods.StartOf(DateTime.UtcNow, 1);

    private async Task<CreditBalance?> RowAsync(Guid teamId, CreditScope scope, string key)
    {
        await using var db = await Studio.DbAsync();
        return await db.CreditBalances.AsNoTracking().SingleOrDefaultAsync(b => b.TeamId == teamId && b.Scope == scope && b.ScopeKey == key && b.PeriodStart == Period);
    }

    /// <summary>Everything credits-related the team has stored, to compare before and after a refused change.</summary>
    private async Task<string> SnapshotAsync(Guid teamId)
    {
        await using var db = await Studio.DbAsync();
        var team = await db.Teams.AsNoTracking().Where(t => t.Id == teamId).Select(t => new { t.MonthlyBudgetMillicredits, t.MemberQuotaMillicredits, t.CreditResetDay }).SingleAsync();
        var quotas = await db.TeamMembers.AsNoTracking().Where(m => m.TeamId == teamId).OrderBy(m => m.UserId).Select(m => m.QuotaMillicredits).ToListAsync();
        var projects = await db.Projects.AsNoTracking().Where(p => p.TeamId == teamId).OrderBy(p => p.Id).Select(p => p.MonthlyBudgetMillicredits).ToListAsync();
        var balances = await db.CreditBalances.AsNoTracking().Where(b => b.TeamId == teamId).OrderBy(b => b.Id)
            .Select(b => new { b.Scope, b.ScopeKey, b.PeriodStart, b.LimitMillicredits, b.HeldMillicredits, b.SpentMillicredits }).ToListAsync();
        var entries = await db.CreditEntries.AsNoTracking().CountAsync(e => e.TeamId == teamId);
        var audits = await db.AuditEntries.AsNoTracking().CountAsync(a => a.TeamId == teamId && a.Action.StartsWith("credits."));
        return System.Text.Json.JsonSerializer.Serialize(new { team, quotas, projects, balances, entries, audits });
    }

    [Fact]
    public async Task An_editor_and_an_outsider_can_change_nothing_and_read_nothing()
    {
        var crew = await CrewAsync();
        Assert.Null(await Admin.SetTeamAsync(crew.Owner.Id, crew.Owner.TeamId, 1_000 * Credit, 100 * Credit, 1));
        var before = await SnapshotAsync(crew.Owner.TeamId);

        Assert.Null(await Admin.ReadAsync(crew.Editor.Id, crew.Owner.TeamId));
        Assert.Equal(NotAllowed, await Admin.SetTeamAsync(crew.Editor.Id, crew.Owner.TeamId, null, null, 15));
        Assert.Equal(NotAllowed, await Admin.SetMemberQuotaAsync(crew.Editor.Id, crew.Owner.TeamId, crew.Editor.Id, 1_000_000 * Credit));
        Assert.Equal(NotAllowed, await Admin.SetMemberQuotaAsync(crew.Editor.Id, crew.Owner.TeamId, crew.Editor.Id, null));
        Assert.Equal(NotAllowed, await Admin.SetProjectBudgetAsync(crew.Editor.Id, crew.Owner.TeamId, crew.ProjectId, 5 * Credit));
        Assert.Equal(NotAllowed, await Admin.GrantAsync(crew.Editor.Id, crew.Owner.TeamId, crew.Editor.Id, 500 * Credit, "for me"));
        Assert.Equal(NotAllowed, await Admin.GrantAsync(crew.Editor.Id, crew.Owner.TeamId, null, 500 * Credit, null));
        Assert.Null(await Studio.Services.GetRequiredService<ProviderBalance>().ForTeamAsync(crew.Editor.Id, crew.Owner.TeamId));

        Assert.Null(await Admin.ReadAsync(crew.Outsider.Id, crew.Owner.TeamId));
        Assert.Equal(TeamMembersService.NotFound, await Admin.SetTeamAsync(crew.Outsider.Id, crew.Owner.TeamId, null, null, 1));
        Assert.Equal(TeamMembersService.NotFound, await Admin.GrantAsync(crew.Outsider.Id, crew.Owner.TeamId, crew.Outsider.Id, 10 * Credit, null));

        Assert.Equal(before, await SnapshotAsync(crew.Owner.TeamId));
        var mine = await Ledger.ForMemberAsync(crew.Owner.TeamId, crew.Editor.Id);
        Assert.Equal((100 * Credit, 1_000 * Credit), (mine.Member.Limit, mine.Team.Limit));
    }

    [Fact]
    public async Task An_admin_reads_the_settings_and_this_periods_figures_for_every_member_and_project()
    {
        var crew = await CrewAsync();
        Assert.Null(await Admin.SetTeamAsync(crew.Admin.Id, crew.Owner.TeamId, 2_000 * Credit, 150 * Credit, 1));
        Assert.Null(await Admin.SetMemberQuotaAsync(crew.Admin.Id, crew.Owner.TeamId, crew.Editor.Id, 400 * Credit));
        Assert.Null(await Admin.SetProjectBudgetAsync(crew.Owner.Id, crew.Owner.TeamId, crew.ProjectId, 250 * Credit));

        var settings = await Admin.ReadAsync(crew.Admin.Id, crew.Owner.TeamId);

        Assert.NotNull(settings);
        Assert.Equal((1, Period, (long?)2_000 * Credit, (long?)150 * Credit), (settings.ResetDay, settings.PeriodStart, settings.Budget, settings.MemberQuota));
        Assert.Equal(["Ada", "Ann Marie", "Ed"], settings.Members.Select(m => m.DisplayName));
        var ed = settings.Members.Single(m => m.UserId == crew.Editor.Id);
        Assert.Equal((TeamRole.Editor, (long?)400 * Credit, (long?)400 * Credit), (ed.Role, ed.OwnQuota, ed.EffectiveQuota));
        var ada = settings.Members.Single(m => m.UserId == crew.Owner.Id);
        Assert.Equal(((long?)null, (long?)150 * Credit), (ada.OwnQuota, ada.EffectiveQuota)); // the team default
        Assert.Equal(("Harbour", (long?)250 * Credit), (settings.Projects.Single().Name, settings.Projects.Single().Budget));
        Assert.Equal(3, await AuditCountAsync(crew.Owner.TeamId, AuditActions.CreditsChanged));
    }

    [Fact]
    public async Task A_top_up_raises_this_periods_limit_by_exactly_the_amount_with_one_grant_entry_and_one_audit_entry()
    {
        var crew = await CrewAsync();
        Assert.Null(await Admin.SetTeamAsync(crew.Owner.Id, crew.Owner.TeamId, 1_000 * Credit, 100 * Credit, 1));
        Assert.Equal(100 * Credit, (await RowAsync(crew.Owner.TeamId, CreditScope.Member, crew.Editor.Id))!.LimitMillicredits);
        Assert.Equal(0, await AuditCountAsync(crew.Owner.TeamId, AuditActions.CreditsGranted));

        Assert.Null(await Admin.GrantAsync(crew.Admin.Id, crew.Owner.TeamId, crew.Editor.Id, 25 * Credit, "  Festival cut  "));

        Assert.Equal(125 * Credit, (await RowAsync(crew.Owner.TeamId, CreditScope.Member, crew.Editor.Id))!.LimitMillicredits);
        Assert.Equal(100 * Credit, (await RowAsync(crew.Owner.TeamId, CreditScope.Member, crew.Admin.Id))!.LimitMillicredits); // only Ed's
        Assert.Equal(1_000 * Credit, (await RowAsync(crew.Owner.TeamId, CreditScope.Team, ""))!.LimitMillicredits);
        await using (var db = await Studio.DbAsync())
        {
            var grant = await db.CreditEntries.AsNoTracking().SingleAsync(e => e.TeamId == crew.Owner.TeamId);
            Assert.Equal((CreditEntryKind.Grant, crew.Editor.Id, 25 * Credit, 0L, 0L), (grant.Kind, grant.UserId, grant.LimitDelta, grant.HeldDelta, grant.SpentDelta));
            Assert.Equal((Period, crew.Admin.Id, "Festival cut", (Guid?)null), (grant.PeriodStart, grant.ActorUserId, grant.Note, grant.GenerationId));
            var audit = await db.AuditEntries.AsNoTracking().SingleAsync(a => a.TeamId == crew.Owner.TeamId && a.Action == AuditActions.CreditsGranted);
            Assert.Equal(("Ann Marie", crew.Editor.Id), (audit.ActorName, audit.TargetId));
            Assert.Equal("topped up Ed's quota by 25 credits for this month (Festival cut)", audit.Summary);
        }
        var ed = (await Ledger.ForMemberAsync(crew.Owner.TeamId, crew.Editor.Id)).Member;
        Assert.Equal((125 * Credit, 125 * Credit), (ed.Limit, ed.Available));
        Assert.Equal(25 * Credit, (await Admin.ReadAsync(crew.Owner.Id, crew.Owner.TeamId))!.Members.Single(m => m.UserId == crew.Editor.Id).Granted);

        // A later change of the quota keeps the top-up on top of it, for this period.
        Assert.Null(await Admin.SetMemberQuotaAsync(crew.Owner.Id, crew.Owner.TeamId, crew.Editor.Id, 40 * Credit));
        Assert.Equal(65 * Credit, (await RowAsync(crew.Owner.TeamId, CreditScope.Member, crew.Editor.Id))!.LimitMillicredits);

        // The team budget: no member, the team row only.
        Assert.Null(await Admin.GrantAsync(crew.Owner.Id, crew.Owner.TeamId, null, 300 * Credit, null));
        Assert.Equal(1_300 * Credit, (await RowAsync(crew.Owner.TeamId, CreditScope.Team, ""))!.LimitMillicredits);
        Assert.Equal(65 * Credit, (await RowAsync(crew.Owner.TeamId, CreditScope.Member, crew.Editor.Id))!.LimitMillicredits);
        await using (var db = await Studio.DbAsync())
        {
            var grants = await db.CreditEntries.AsNoTracking().Where(e => e.TeamId == crew.Owner.TeamId).OrderBy(e => e.Id).ToListAsync();
            Assert.Equal([(crew.Editor.Id, 25 * Credit), (null, 300 * Credit)], grants.Select(g => (g.UserId, g.LimitDelta)));
        }
        Assert.Equal(2, await AuditCountAsync(crew.Owner.TeamId, AuditActions.CreditsGranted));
        var read = await Admin.ReadAsync(crew.Owner.Id, crew.Owner.TeamId);
        Assert.Equal(((long?)1_000 * Credit, 300 * Credit), (read!.Budget, read.TeamGranted)); // the setting stays; the top-up is for this period
    }

    [Fact]
    public async Task Bad_amounts_and_impossible_top_ups_are_refused_with_a_reason_and_change_nothing()
    {
        var crew = await CrewAsync();
        var team = crew.Owner.TeamId;
        var before = await SnapshotAsync(team);
        const string amountError = "Amounts are whole credits from 0 up; leave it empty for no limit.";
        const string topUpError = "A top-up is a positive number of credits.";

        Assert.Equal(amountError, await Admin.SetTeamAsync(crew.Owner.Id, team, -1, null, 1));
        Assert.Equal(amountError, await Admin.SetTeamAsync(crew.Owner.Id, team, null, CreditAdminService.MaxAmount + 1, 1));
        Assert.Equal("The reset day is a day of the month from 1 to 28.", await Admin.SetTeamAsync(crew.Owner.Id, team, null, null, 0));
        Assert.Equal("The reset day is a day of the month from 1 to 28.", await Admin.SetTeamAsync(crew.Owner.Id, team, null, null, 29));
        Assert.Equal(amountError, await Admin.SetMemberQuotaAsync(crew.Owner.Id, team, crew.Editor.Id, -5 * Credit));
        Assert.Equal(amountError, await Admin.SetProjectBudgetAsync(crew.Owner.Id, team, crew.ProjectId, CreditAdminService.MaxAmount + 1));
        Assert.Equal(topUpError, await Admin.GrantAsync(crew.Owner.Id, team, crew.Editor.Id, 0, null));
        Assert.Equal(topUpError, await Admin.GrantAsync(crew.Owner.Id, team, crew.Editor.Id, -1_000, null));
        Assert.Equal(topUpError, await Admin.GrantAsync(crew.Owner.Id, team, null, CreditAdminService.MaxAmount + 1, null));
        // Nothing to raise: no budget, no quota.
        Assert.Equal("The team has no budget to top up.", await Admin.GrantAsync(crew.Owner.Id, team, null, 10 * Credit, null));
        Assert.Equal("Ed has no quota to top up.", await Admin.GrantAsync(crew.Owner.Id, team, crew.Editor.Id, 10 * Credit, null));
        // Someone else's member or project.
        Assert.Equal("That person is not a member of this team.", await Admin.SetMemberQuotaAsync(crew.Owner.Id, team, crew.Outsider.Id, 10 * Credit));
        Assert.Equal("That person is not a member of this team.", await Admin.GrantAsync(crew.Owner.Id, team, crew.Outsider.Id, 10 * Credit, null));
        var othersProject = await Studio.CreateProjectAsync(crew.Outsider, "Not yours");
        Assert.Equal("There is no such project in this team.", await Admin.SetProjectBudgetAsync(crew.Owner.Id, team, othersProject, 10 * Credit));

        Assert.Equal(before, await SnapshotAsync(team));
        Assert.False(await HasCreditStateAsync(crew.Outsider.TeamId));
    }

    /// <summary>Whether a team has any project budget, balance row or ledger entry.</summary>
    private async Task<bool> HasCreditStateAsync(Guid teamId)
    {
        await using var db = await Studio.DbAsync();
        return await db.Projects.AnyAsync(p => p.TeamId == teamId && p.MonthlyBudgetMillicredits != null)
            || await db.CreditBalances.AnyAsync(b => b.TeamId == teamId) || await db.CreditEntries.AnyAsync(e => e.TeamId == teamId);
    }

    private async Task<int> AuditCountAsync(Guid teamId, string action)
    {
        await using var db = await Studio.DbAsync();
        return await db.AuditEntries.AsNoTracking().CountAsync(a => a.TeamId == teamId && a.Action == action);
    }
}
