using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Studio.IntegrationTests.Studio;
using Studio.Web.Features.Credits;
using Studio.Web.Features.Generations;

namespace Studio.IntegrationTests.Credits;

/// <summary>Reserve, settle and release through the whole studio with Runway's API emulated over HTTP.</summary>
public sealed class CreditSettlementTests() : EmulatorStudioTest("credit-settle")
{
    private async Task<List<CreditEntry>> EntriesAsync(Guid take)
    {
        await using var db = await Studio.DbAsync();
        return await db.CreditEntries.AsNoTracking().Where(e => e.GenerationId == take).OrderBy(e => e.Id).ToListAsync();
    }

    private async Task<List<CreditEntry>> ClosedAsync(Guid take)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var entries = await EntriesAsync(take);
            if (entries.Any(e => e.Kind is CreditEntryKind.Settle or CreditEntryKind.Release) || DateTime.UtcNow > deadline)
            {
                return entries;
            }
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_made_take_holds_its_estimate_then_settles_what_Runway_reports_as_its_cost()
    {
        var user = await Studio.RegisterAsync("Sol");
        var project = await Studio.CreateProjectAsync(user);

        var take = await Studio.WaitForStateAsync(await Studio.SubmitAsync(user, project), GenerationState.Ready);
        var entries = await ClosedAsync(take.Id);

        Assert.Equal([CreditEntryKind.Reserve, CreditEntryKind.Settle], entries.Select(e => e.Kind));
        Assert.Equal(24_000, entries[0].HeldDelta); // 2 s at 12 credits a second
        Assert.NotNull(take.CostCredits);
        Assert.Equal((-24_000L, Millicredits.FromCredits(take.CostCredits!.Value)), (entries[1].HeldDelta, entries[1].SpentDelta));
        var credits = await Studio.Services.GetRequiredService<CreditLedger>().ForMemberAsync(user.TeamId, user.Id);
        Assert.Equal((0L, Millicredits.FromCredits(take.CostCredits.Value)), (credits.Member.Held, credits.Member.Spent));
    }

    [Fact]
    public async Task A_take_the_provider_refuses_releases_everything_it_held()
    {
        var user = await Studio.RegisterAsync("Rae");
        var project = await Studio.CreateProjectAsync(user);

        var id = await Studio.SubmitAsync(user, project, StudioTestHost.TextDraft("Forbidden [[fault: moderation]]"));
        var take = await Studio.WaitForStateAsync(id, GenerationState.Failed);
        var entries = await ClosedAsync(id);

        Assert.Equal([CreditEntryKind.Reserve, CreditEntryKind.Release], entries.Select(e => e.Kind));
        Assert.Equal((-24_000L, 0L), (entries[1].HeldDelta, entries[1].SpentDelta));
        Assert.True(take.CostCredits is null or 0);
        var credits = await Studio.Services.GetRequiredService<CreditLedger>().ForMemberAsync(user.TeamId, user.Id);
        Assert.Equal((0L, 0L), (credits.Member.Held, credits.Member.Spent));
    }

    [Fact]
    public async Task A_take_cancelled_while_it_waits_releases_its_hold_and_a_refused_submit_says_what_is_left_and_leaves_nothing()
    {
        var user = await Studio.RegisterAsync("Ike");
        var project = await Studio.CreateProjectAsync(user);
        var admin = Studio.Services.GetRequiredService<CreditAdminService>();
        Assert.Null(await admin.SetMemberQuotaAsync(user.Id, user.TeamId, user.Id, 30_000)); // 30 credits: one 2 s take, not two

        var first = await Studio.SubmitAsync(user, project, StudioTestHost.TextDraft("Long wait [[fault: throttled(seconds=600)]]"));
        var second = await Studio.Generations.SubmitAsync(user.Id, project, StudioTestHost.TextDraft("One too many"));

        var resets = CreditPeriods.NextStart(CreditPeriods.StartOf(DateTime.UtcNow, 1)).ToString("d MMM yyyy");
        Assert.False(second.Succeeded);
        Assert.Equal($"This take needs 24 credits; you have 6 left this month. Your quota resets on {resets}; a team admin can top it up.",
            second.Errors[GenerationService.FormError]);
        await using (var db = await Studio.DbAsync())
        {
            Assert.Equal(1, await db.Generations.CountAsync(g => g.ProjectId == project));
            Assert.Equal(1, await db.CreditEntries.CountAsync(e => e.UserId == user.Id && e.Kind == CreditEntryKind.Reserve));
        }

        await Studio.WaitForAsync(first, g => g.State is GenerationState.Queued or GenerationState.Running, "queued at the provider");
        Assert.Null(await Studio.Generations.CancelAsync(user.Id, first));
        var entries = await ClosedAsync(first);
        Assert.Equal([CreditEntryKind.Reserve, CreditEntryKind.Release], entries.Select(e => e.Kind));

        // With the hold released the quota has room again.
        Assert.Null(await admin.GrantAsync(user.Id, user.TeamId, user.Id, 1_000, "for the test"));
        var third = await Studio.Generations.SubmitAsync(user.Id, project, StudioTestHost.TextDraft("Room again"));
        Assert.True(third.Succeeded, string.Join("; ", third.Errors.Values));
    }

    [Fact]
    public async Task Crossing_80_percent_of_a_quota_leaves_one_alert_for_the_member_and_a_budget_alert_for_the_admins()
    {
        var owner = await Studio.RegisterAsync("Ola");
        var project = await Studio.CreateProjectAsync(owner);
        var admin = Studio.Services.GetRequiredService<CreditAdminService>();
        Assert.Null(await admin.SetTeamAsync(owner.Id, owner.TeamId, budget: 24_000, memberQuota: 30_000, resetDay: 1));

        var take = await Studio.WaitForStateAsync(await Studio.SubmitAsync(owner, project), GenerationState.Ready);
        await ClosedAsync(take.Id);

        var inbox = await Studio.Services.GetRequiredService<global::Studio.Web.Features.Comments.NotificationService>().InboxAsync(owner.Id);
        var texts = inbox.Recent.Select(n => n.Text).ToList();
        var spent = Millicredits.Format(Millicredits.FromCredits(take.CostCredits!.Value));
        Assert.Equal(2, texts.Count); // once each, though both the hold and the settlement crossed the line
        Assert.Contains(texts, t => t.StartsWith($"You have used 80% of your credits this month ({spent} of 30 credits)."));
        Assert.Contains(texts, t => t.StartsWith($"The team has used all of its monthly budget ({spent} of 24 credits)."));
        Assert.All(inbox.Recent, n => Assert.Equal(CreditAlerts.UsageLink, n.Link));
    }
}
