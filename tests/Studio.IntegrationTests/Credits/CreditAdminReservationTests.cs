using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Studio.IntegrationTests.Studio;
using Studio.Web.Features.Credits;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Teams;

namespace Studio.IntegrationTests.Credits;

/// <summary>
/// A quota an admin sets is what the member's next reservation is checked against. Takes really reserve here: the studio
/// has a Runway key and talks to the emulator over HTTPS (Sandbox takes hold nothing).
/// </summary>
public sealed class CreditAdminReservationTests() : EmulatorStudioTest("credit-admin-reserve")
{
    private const long Credit = Millicredits.PerCredit;
    private CreditAdminService Admin => Studio.Services.GetRequiredService<CreditAdminService>();
    private CreditLedger Ledger => Studio.Services.GetRequiredService<CreditLedger>();

    [Fact]
    public async Task A_member_quota_set_by_an_admin_refuses_the_members_next_take_that_does_not_fit_and_a_top_up_lets_it_through()
    {
        var owner = await Studio.RegisterAsync("Ada");
        var editor = await Studio.RegisterAsync("Ed");
        var members = Studio.Services.GetRequiredService<TeamMembersService>();
        var token = (await members.CreateInviteAsync(owner.Id, owner.TeamId, TeamRole.Editor, 1, TimeSpan.FromDays(1))).Value!;
        Assert.True((await members.AcceptInviteAsync(editor.Id, token)).Succeeded);
        var project = await Studio.CreateProjectAsync(owner, "Harbour");
        var estimate = await Studio.Services.GetRequiredService<PriceList>().EstimateAsync("runway", VideoModels.Gen45.Id, StudioTestHost.TextDraft().DurationSeconds);
        Assert.Equal(24 * Credit, estimate); // 12 credits a second, 2 s

        Assert.Null(await Admin.SetMemberQuotaAsync(owner.Id, owner.TeamId, editor.Id, 30 * Credit));

        var first = await Studio.Generations.SubmitAsync(editor.Id, project, StudioTestHost.TextDraft());
        Assert.True(first.Succeeded, string.Join("; ", first.Errors.Values));
        var mine = await Ledger.ForMemberAsync(owner.TeamId, editor.Id);
        Assert.Equal(30 * Credit, mine.Member.Limit);
        Assert.Equal(24 * Credit, mine.Member.Held + mine.Member.Spent); // held, or already settled at the emulator's 24 credits
        Assert.Equal(6 * Credit, mine.Member.Available);

        var refused = await Studio.Generations.SubmitAsync(editor.Id, project, StudioTestHost.TextDraft());
        Assert.False(refused.Succeeded);
        var resets = CreditPeriods.NextStart(CreditPeriods.StartOf(DateTime.UtcNow, 1)).ToString("d MMM yyyy");
        Assert.Equal($"This take needs 24 credits; you have 6 left this month. Your quota resets on {resets}; a team admin can top it up.",
            refused.Errors[GenerationService.FormError]);
        await using (var db = await Studio.DbAsync())
        {
            Assert.Equal(1, await db.Generations.CountAsync(g => g.CreatedByUserId == editor.Id));
            Assert.Equal(1, await db.CreditEntries.CountAsync(e => e.UserId == editor.Id && e.Kind == CreditEntryKind.Reserve));
            var row = await db.CreditBalances.AsNoTracking().SingleAsync(b => b.TeamId == owner.TeamId && b.Scope == CreditScope.Member && b.ScopeKey == editor.Id);
            Assert.Equal((30 * Credit, 24 * Credit), (row.LimitMillicredits, row.HeldMillicredits + row.SpentMillicredits));
        }

        // The quota is Ed's alone: the owner, without one, is not held by it.
        Assert.True((await Studio.Generations.SubmitAsync(owner.Id, project, StudioTestHost.TextDraft())).Succeeded);

        Assert.Null(await Admin.GrantAsync(owner.Id, owner.TeamId, editor.Id, 18 * Credit, "one more take"));
        var second = await Studio.Generations.SubmitAsync(editor.Id, project, StudioTestHost.TextDraft());
        Assert.True(second.Succeeded, string.Join("; ", second.Errors.Values));
        mine = await Ledger.ForMemberAsync(owner.TeamId, editor.Id);
        Assert.Equal((48 * Credit, 0L), (mine.Member.Limit, mine.Member.Available));
        Assert.False((await Studio.Generations.SubmitAsync(editor.Id, project, StudioTestHost.TextDraft())).Succeeded);

        // Lowering the quota below what is already held or spent refuses every new take and leaves the holds alone.
        Assert.Null(await Admin.SetMemberQuotaAsync(owner.Id, owner.TeamId, editor.Id, 0));
        mine = await Ledger.ForMemberAsync(owner.TeamId, editor.Id);
        Assert.Equal((18 * Credit, 48 * Credit), (mine.Member.Limit, mine.Member.Held + mine.Member.Spent)); // 0 + this period's 18 top-up
        Assert.Equal(-30 * Credit, mine.Member.Available); // over, not an error: the page shows 0 left
        Assert.False((await Studio.Generations.SubmitAsync(editor.Id, project, StudioTestHost.TextDraft())).Succeeded);
    }
}
