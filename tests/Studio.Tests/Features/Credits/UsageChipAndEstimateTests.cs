using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Studio.Tests.Infrastructure;
using Studio.Web.Features.Credits;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Live;

namespace Studio.Tests.Features.Credits;

/// <summary>The app bar's credit chip (live, against a real SQLite ledger) and the composer's estimate it feeds.</summary>
public sealed class UsageChipAndEstimateTests : StudioComponentTest, IAsyncLifetime
{
    private UsageTestData _data = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        _data = await UsageTestData.CreateAsync(services =>
        {
            services.AddSignalR(); // the notifier also broadcasts to hub clients
            services.AddSingleton<GenerationNotifier>();
        });
        Services.AddFallbackServiceProvider(_data.Services);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _data.DisposeAsync();
    }

    [Fact]
    public async Task Chip_ShowsWhatIsLeft_WarnsFrom80Percent_AndLinksToUsage()
    {
        var team = await _data.TeamAsync("Night crew", budget: 10_000_000, memberQuota: 1_500_000);
        var ada = await _data.MemberAsync(team, "Ada");
        await _data.BalanceAsync(team, CreditScope.Member, ada, UsageTestData.November, 1_500_000, held: 60_000, spent: 1_180_000);
        CreditsAtHand? read = null;

        var cut = Render<CreditChip>(p => p.Add(c => c.UserId, ada).Add(c => c.TeamId, team).Add(c => c.Read, (CreditsAtHand c) => read = c));

        var chip = cut.Find("[data-testid=credit-chip]");
        Assert.Equal("260 credits left", chip.TextContent.Trim());
        Assert.Equal("warning", chip.GetAttribute("data-level"));
        Assert.Equal("/usage", chip.GetAttribute("href"));
        Assert.Equal("260 credits left this month", chip.GetAttribute("aria-label"));
        Assert.Contains("Your quota: 1,240 of 1,500 used (60 held by takes in progress) · Team budget: 0 of 10,000 used · resets 1 Dec",
            cut.Find("#credit-chip-details").TextContent);
        Assert.Equal(260_000, read!.Credits.Available);
        Assert.Equal(12_000, read.PerSecond[("runway", VideoModels.Gen45.Id)]);
    }

    [Fact]
    public async Task Chip_WhenATakeOfTheTeamEnds_ReadsAgainASecondLater_AndIgnoresOtherTeams()
    {
        // The chip waits on the real clock (bUnit's container has MudBlazor's TimeProvider.System), so this takes ~2.5 s.
        var team = await _data.TeamAsync("Night crew", memberQuota: 1_000_000);
        var other = await _data.TeamAsync("Others");
        var ada = await _data.MemberAsync(team, "Ada");
        await _data.BalanceAsync(team, CreditScope.Member, ada, UsageTestData.November, 1_000_000, held: 60_000, spent: 0);
        var notifier = _data.Services.GetRequiredService<GenerationNotifier>();
        var reads = 0;
        var cut = Render<CreditChip>(p => p.Add(c => c.UserId, ada).Add(c => c.TeamId, team).Add(c => c.Read, (CreditsAtHand _) => reads++));
        Assert.Equal("940 credits left", cut.Find("[data-testid=credit-chip]").TextContent.Trim());

        // The take settles at 50 credits.
        await using (var db = _data.Db())
        {
            var row = db.CreditBalances.Single(b => b.ScopeKey == ada);
            (row.HeldMillicredits, row.SpentMillicredits) = (0, 50_000);
            await db.SaveChangesAsync();
        }
        await notifier.PublishAsync(new GenerationChanged(Guid.NewGuid(), Guid.NewGuid(), other, 2, GenerationState.Ready, null));
        await notifier.PublishAsync(new GenerationChanged(Guid.NewGuid(), Guid.NewGuid(), team, 2, GenerationState.Running, 0.5));
        await Task.Delay(CreditChip.ReadDelay * 1.3);
        Assert.Equal((1, "940 credits left"), (reads, cut.Find("[data-testid=credit-chip]").TextContent.Trim())); // neither moves credits here

        await notifier.PublishAsync(new GenerationChanged(Guid.NewGuid(), Guid.NewGuid(), team, 3, GenerationState.Ready, null));
        await notifier.PublishAsync(new GenerationChanged(Guid.NewGuid(), Guid.NewGuid(), team, 3, GenerationState.Failed, null));
        Assert.Equal("940 credits left", cut.Find("[data-testid=credit-chip]").TextContent.Trim()); // not before the second is up
        cut.WaitForAssertion(() => Assert.Equal("950 credits left", cut.Find("[data-testid=credit-chip]").TextContent.Trim()), TimeSpan.FromSeconds(5));
        await Task.Delay(CreditChip.ReadDelay * 1.3);
        Assert.Equal(2, reads); // the two changes made one read
    }

    [Theory]
    [InlineData(null, null, 0, 120_000, "120 credits spent", "ok")]
    [InlineData(1_000_000L, null, 0, 790_000, "210 credits left", "ok")]
    [InlineData(1_000_000L, null, 0, 1_000_000, "0 credits left", "error")]
    [InlineData(1_000_000L, 500_000L, 0, 420_000, "80 credits left", "warning")] // the team's budget is the tighter one
    [InlineData(null, 500_000L, 60_000, 0, "440 credits left", "ok")]
    public void Describe_UsesTheTighterLimit_AndColoursByTheMostUsed(long? quota, long? budget, long held, long spent, string text, string level)
    {
        var period = UsageTestData.November;
        var credits = new MemberCredits(new BalanceView(CreditScope.Member, period, quota, held, spent), new BalanceView(CreditScope.Team, period, budget, held, spent));

        var look = CreditChip.Describe(credits);

        Assert.Equal((text, level), (look.Text, look.Level));
    }

    [Fact]
    public void Estimate_ComesFromThePriceList_AndSaysWhatItLeaves()
    {
        var cut = RenderComposer(left: 1_240_000, runwayPerSecond: 12_000);

        var estimate = cut.Find("[data-testid=estimate]").TextContent;
        Assert.Contains("60 credits", estimate);
        Assert.Contains("leaves 1,180 of your 1,240 this month", cut.Find("[data-testid=estimate-leaves]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=estimate-warning]"));

        var dearer = RenderComposer(left: 1_240_000, runwayPerSecond: 20_000); // a site administrator's price
        Assert.Contains("100 credits", dearer.Find("[data-testid=estimate]").TextContent);
    }

    [Fact]
    public void Estimate_OverWhatIsLeft_WarnsButLeavesGenerateToTheServer()
    {
        var cut = RenderComposer(left: 12_000, runwayPerSecond: 12_000);

        Assert.Contains("This take needs 60 credits; you have 12 left this month.", cut.Find("[data-testid=estimate-warning]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=estimate-leaves]"));
        Assert.False(cut.Find("button[data-testid=generate]").HasAttribute("disabled"));
    }

    [Fact]
    public void Estimate_InSandbox_IsFree_WithoutLeavesOrWarning()
    {
        var cut = RenderComposer(left: 0, runwayPerSecond: 12_000, sandbox: true);

        Assert.Contains("60 credits (free in Sandbox)", cut.Find("[data-testid=estimate]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=estimate-leaves]"));
        Assert.Empty(cut.FindAll("[data-testid=estimate-warning]"));
    }

    [Fact]
    public void Estimate_InSandbox_WhenTheServerChargesSandbox_CountsAsIfReal()
    {
        var cut = RenderComposer(left: 12_000, runwayPerSecond: 12_000, sandbox: true, sandboxHolds: true);

        Assert.Contains("60 credits (Sandbox, counted as if real)", cut.Find("[data-testid=estimate]").TextContent);
        Assert.Contains("This take needs 60 credits; you have 12 left this month.", cut.Find("[data-testid=estimate-warning]").TextContent);
    }

    private IRenderedComponent<CascadingValue<CreditsAtHand>> RenderComposer(long left, long runwayPerSecond, bool sandbox = false, bool sandboxHolds = false)
    {
        var period = UsageTestData.November;
        var credits = new MemberCredits(new BalanceView(CreditScope.Member, period, left, 0, 0), new BalanceView(CreditScope.Team, period, null, 0, 0));
        var atHand = new CreditsAtHand(Guid.NewGuid(), credits, new Dictionary<(string, string), long> { [("runway", VideoModels.Gen45.Id)] = runwayPerSecond }, sandboxHolds);
        return Render<CascadingValue<CreditsAtHand>>(p => p
            .Add(c => c.Value, atHand)
            .AddChildContent<Composer>(c => c
                .Add(x => x.Providers, [new ProviderChoice("runway", "Runway", sandbox)])
                .Add(x => x.Submit, _ => Task.FromResult(new SubmitResult(Guid.NewGuid(), [])))));
    }
}
