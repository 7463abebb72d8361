using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Comments;
using Studio.Web.Features.Teams;

namespace Studio.Web.Features.Credits;

/// <summary>
/// In-app alerts when a member's quota or the team's budget reaches 80% and 100% in a period: once each per period
/// (a conditional update on the balance row decides who sends it), to the member, and for the budget to the owner
/// and admins.
/// </summary>
public sealed class CreditAlerts(IDbContextFactory<StudioDbContext> dbFactory, ActivityNotifier activity, TimeProvider clock)
{
    public const string UsageLink = "/usage";

    public async Task CheckAsync(Guid teamId, string userId, DateOnly period, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.CreditBalances.AsNoTracking()
            .Where(b => b.TeamId == teamId && b.PeriodStart == period
                && (b.Scope == CreditScope.Team || (b.Scope == CreditScope.Member && b.ScopeKey == userId)))
            .ToListAsync(ct);
        var notified = new HashSet<string>();
        foreach (var row in rows)
        {
            var view = new BalanceView(row.Scope, row.PeriodStart, row.LimitMillicredits, row.HeldMillicredits, row.SpentMillicredits);
            var threshold = view.Used switch { >= 1 => 100, >= 0.8 => 80, _ => 0 };
            if (threshold <= row.AlertedPercent)
            {
                continue;
            }
            var won = await db.CreditBalances.Where(b => b.Id == row.Id && b.AlertedPercent < threshold)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.AlertedPercent, threshold), ct);
            if (won == 0)
            {
                continue; // Another instance (or a concurrent settle) sent it.
            }
            var used = $"{Millicredits.Format(row.HeldMillicredits + row.SpentMillicredits)} of {Millicredits.Format(row.LimitMillicredits!.Value)} credits";
            var resets = view.ResetsOn.ToString("d MMM");
            var recipients = row.Scope == CreditScope.Member
                ? [userId]
                : await db.TeamMembers.Where(m => m.TeamId == teamId && (m.Role == TeamRole.Owner || m.Role == TeamRole.Admin)).Select(m => m.UserId).ToListAsync(ct);
            var text = (row.Scope, threshold) switch
            {
                (CreditScope.Member, 100) => $"You have used all of your credits this month ({used}). New takes wait until {resets} or a top-up.",
                (CreditScope.Member, _) => $"You have used {threshold}% of your credits this month ({used}). It resets on {resets}.",
                (_, 100) => $"The team has used all of its monthly budget ({used}). New takes wait until {resets} or a top-up.",
                _ => $"The team has used {threshold}% of its monthly budget ({used}). It resets on {resets}.",
            };
            var now = clock.GetUtcNow().UtcDateTime;
            foreach (var recipient in recipients)
            {
                db.Notifications.Add(new Notification { Id = Guid.CreateVersion7(), UserId = recipient, TeamId = teamId, Text = text, Link = UsageLink, CreatedAt = now });
                notified.Add(recipient);
            }
            await db.SaveChangesAsync(ct);
        }
        foreach (var recipient in notified)
        {
            await activity.NotificationsChangedAsync(recipient);
        }
    }
}

/// <summary>Settings of the credit ledger (section <c>Credits</c>).</summary>
public sealed class CreditsOptions
{
    public const string SectionName = "Credits";

    /// <summary>
    /// Sandbox takes cost nothing and hold nothing. Set true to rehearse budgets and quotas in Sandbox: its takes then
    /// hold, settle and release as if real (at the emulator's reported cost, else the price list).
    /// </summary>
    public bool ChargeSandbox { get; set; }
}

public static class CreditsServiceCollectionExtensions
{
    public static WebApplicationBuilder AddCredits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CreditsOptions>().BindConfiguration(CreditsOptions.SectionName);
        builder.Services.AddSingleton<PriceList>();
        builder.Services.AddSingleton<CreditAlerts>();
        builder.Services.AddSingleton<CreditLedger>();
        builder.Services.AddSingleton<CreditAdminService>();
        builder.Services.AddSingleton<ProviderBalance>();
        builder.Services.AddSingleton<UsageService>();
        return builder;
    }
}
