using Microsoft.Extensions.DependencyInjection;
using Studio.IntegrationTests.Studio;
using Studio.Web.Features.Credits;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Providers;

namespace Studio.IntegrationTests.Credits;

/// <summary>
/// The provider account's balance beside the team budget (issue 7, point 6): read from Runway's GET /v1/organization on
/// the emulator over HTTPS, kept a minute, and compared with what the team's open takes hold.
/// </summary>
public sealed class ProviderBalanceTests
{
    private const long Credit = Millicredits.PerCredit;
    private const long EmulatorStartingBalance = 100_000 * Credit; // RunwayTaskStore.InitialCreditBalance

    /// <summary>An emulator and a studio with a Runway server key that points at it, on a fresh data folder.</summary>
    private sealed class Setup : IAsyncDisposable
    {
        private readonly string _dataDirectory = TestPaths.NewDirectory("provider-balance");

        public TestEmulator Emulator { get; private set; } = null!;
        public StudioTestHost Studio { get; private set; } = null!;
        public ProviderBalance Balances => Studio.Services.GetRequiredService<ProviderBalance>();

        public static async Task<Setup> StartAsync(double runningSeconds)
        {
            var setup = new Setup();
            setup.Emulator = await TestEmulator.StartAsync(o => o.RunningSeconds = runningSeconds);
            setup.Studio = StudioTestHost.Start(setup._dataDirectory, setup.Emulator);
            return setup;
        }

        public async Task<ProviderBalanceView> RunwayAsync(TestUser user) =>
            (await Balances.ForTeamAsync(user.Id, user.TeamId))!.Single(v => v.Provider == "runway");

        public async ValueTask DisposeAsync()
        {
            await Studio.DisposeAsync();
            await Emulator.DisposeAsync();
            TestPaths.TryDelete(_dataDirectory);
        }
    }

    [Fact]
    public async Task The_Runway_balance_is_read_from_the_account_and_kept_a_minute_per_key()
    {
        await using var setup = await Setup.StartAsync(runningSeconds: 0.5);
        var owner = await setup.Studio.RegisterAsync("Ada");

        var views = await setup.Balances.ForTeamAsync(owner.Id, owner.TeamId);

        Assert.NotNull(views);
        var runway = views.Single(v => v.Provider == "runway");
        Assert.Equal(("server", EmulatorStartingBalance, 0L, false, (string?)null), (runway.KeySource, runway.Balance, runway.Outstanding, runway.BelowOutstanding, runway.Problem));
        Assert.NotNull(runway.ReadAt);
        var runware = views.Single(v => v.Provider == "runware"); // no Runware key anywhere: the emulator, no money to show
        Assert.Equal((true, (long?)null, false), (runware.IsSandbox, runware.Balance, runware.BelowOutstanding));

        // A take is made and charged 24 credits at the provider; within the minute the page shows the read it has.
        var project = await setup.Studio.CreateProjectAsync(owner);
        await setup.Studio.WaitForStateAsync(await setup.Studio.SubmitAsync(owner, project), GenerationState.Ready);
        var catalog = setup.Studio.Services.GetRequiredService<ProviderCatalog>();
        var live = await catalog.Get("runway").TestConnectionAsync(setup.Studio.Services.GetRequiredService<ProviderConnections>().ForServer("runway"), CancellationToken.None);
        Assert.Equal(EmulatorStartingBalance - 24 * Credit, Millicredits.FromCredits(live.Value!.CreditBalance!.Value));
        var cached = await setup.RunwayAsync(owner);
        Assert.Equal((EmulatorStartingBalance, runway.ReadAt, 0L), (cached.Balance, cached.ReadAt, cached.Outstanding));

        // The team's own key is another account: read at once, not taken from the server key's read.
        await setup.Studio.Services.GetRequiredService<ProviderConnections>()
            .SetTeamKeyAsync(owner.TeamId, "runway", "key_" + new string('7', 32), null, owner.Id);
        var team = await setup.RunwayAsync(owner);
        Assert.Equal(("team", EmulatorStartingBalance - 24 * Credit), (team.KeySource, team.Balance));
    }

    [Fact]
    public async Task A_warning_shows_when_the_account_has_less_than_the_teams_open_takes_hold_and_goes_when_a_hold_is_released()
    {
        // Takes stay Running long enough for their holds to stay open while the test looks.
        await using var setup = await Setup.StartAsync(runningSeconds: 60);
        var owner = await setup.Studio.RegisterAsync("Ada"); // the first user: site administrator, may set prices
        var other = await setup.Studio.RegisterAsync("Otto");
        var project = await setup.Studio.CreateProjectAsync(owner);
        // 10,000 credits a second (the most a price may be): a 10 s take holds the emulator's whole starting balance.
        Assert.Null(await setup.Studio.Services.GetRequiredService<PriceList>().SetAsync(owner.Id, "runway", VideoModels.Gen45.Id, PriceList.MaxMillicreditsPerSecond));
        Assert.False((await setup.RunwayAsync(owner)).BelowOutstanding);
        var draft = StudioTestHost.TextDraft() with { DurationSeconds = 10 };

        var first = await setup.Studio.SubmitAsync(owner, project, draft);
        Assert.False((await setup.RunwayAsync(owner)).BelowOutstanding); // 100,000 held, 100,000 in the account: it still fits
        var second = await setup.Studio.SubmitAsync(owner, project, draft);

        var view = await setup.RunwayAsync(owner);
        Assert.Equal((EmulatorStartingBalance, 2 * EmulatorStartingBalance, true), (view.Balance, view.Outstanding, view.BelowOutstanding));
        // Another team on the same server key sees its own holds only.
        var others = await setup.RunwayAsync(other);
        Assert.Equal((EmulatorStartingBalance, 0L, false), (others.Balance, others.Outstanding, others.BelowOutstanding));

        await setup.Studio.WaitForStateAsync(first, GenerationState.Running);
        Assert.Null(await setup.Studio.Generations.CancelAsync(owner.Id, first));
        view = await setup.RunwayAsync(owner);
        Assert.Equal((EmulatorStartingBalance, false), (view.Outstanding, view.BelowOutstanding));
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task In_Sandbox_there_is_no_real_balance_and_no_warning()
    {
        var directory = TestPaths.NewDirectory("provider-balance-sandbox");
        var studio = StudioTestHost.StartSandbox(directory);
        try
        {
            var owner = await studio.RegisterAsync("Ada");
            var project = await studio.CreateProjectAsync(owner);
            await studio.SubmitAsync(owner, project);

            var views = await studio.Services.GetRequiredService<ProviderBalance>().ForTeamAsync(owner.Id, owner.TeamId);

            Assert.NotNull(views);
            Assert.Equal(["runway", "runware"], views.Select(v => v.Provider));
            Assert.All(views, v => Assert.Equal(("sandbox", (long?)null, 0L, false, (DateTime?)null), (v.KeySource, v.Balance, v.Outstanding, v.BelowOutstanding, v.ReadAt)));
        }
        finally
        {
            await studio.DisposeAsync();
            TestPaths.TryDelete(directory);
        }
    }
}
