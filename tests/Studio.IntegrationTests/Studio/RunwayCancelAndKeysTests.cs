using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Webhooks;

namespace Studio.IntegrationTests.Studio;

/// <summary>Cancel at Runway, team keys over server keys, Test connection, and webhook deliveries that must change nothing.</summary>
public sealed class RunwayCancelAndKeysTests : IAsyncLifetime
{
    private static readonly string TeamKey = "key_team" + new string('a', 24);
    private readonly string _dataDirectory = TestPaths.NewDirectory("runway-features");
    private TestEmulator _emulator = null!;
    private StudioTestHost _studio = null!;

    public async Task InitializeAsync()
    {
        // The emulator knows the server's key and one team key; tasks stay RUNNING long enough to cancel them.
        _emulator = await TestEmulator.StartAsync(o =>
        {
            o.RunningSeconds = 6;
            o.AcceptedApiKeys = [StudioTestHost.ApiKey, TeamKey];
        });
        _studio = StudioTestHost.Start(_dataDirectory, _emulator);
    }

    public async Task DisposeAsync()
    {
        await _studio.DisposeAsync();
        await _emulator.DisposeAsync();
        TestPaths.TryDelete(_dataDirectory);
    }

    [Fact]
    public async Task Cancel_WhileRunningAtRunway_CancelsTheTaskThereAndEndsCancelled()
    {
        var user = await _studio.RegisterAsync("Ada");
        var projectId = await _studio.CreateProjectAsync(user);
        var id = await _studio.SubmitAsync(user, projectId);
        var running = await _studio.WaitForAsync(id, g => g.State == GenerationState.Running, "Running");

        Assert.Null(await _studio.Generations.CancelAsync(user.Id, id));

        var row = await _studio.ReadAsync(id);
        Assert.Equal(GenerationState.Cancelled, row.State);
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => _emulator.GetTaskAsync(StudioTestHost.ApiKey, running.ProviderTaskId!));
        Assert.Contains("404", ex.Message);
        // Later polls cannot move it anywhere: terminal states never change.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(GenerationState.Cancelled, (await _studio.ReadAsync(id)).State);
    }

    [Fact]
    public async Task ImageToVideo_ThroughRunway_ReachesReadyAtASquareRatioOnlyImagesAllow()
    {
        var user = await _studio.RegisterAsync("Ada");
        var projectId = await _studio.CreateProjectAsync(user);
        var png = await global::Studio.IntegrationTests.Emulator.TestImages.PngAsync(
            _studio.Services.GetRequiredService<global::Studio.Emulator.Media.FfmpegProcess>(), 640, 640);
        var draft = new GenerationDraft(VideoModels.Gen45.Id, "The test card turns slowly", "960:960", 2, 7, new FirstFrameImage("card.png", "image/png", png));

        var id = await _studio.SubmitAsync(user, projectId, draft);
        var ready = await _studio.WaitForStateAsync(id, GenerationState.Ready);

        Assert.Equal((960, 960), (ready.VideoWidth, ready.VideoHeight));
        Assert.Equal("h264", ready.VideoCodec);
        Assert.NotNull(ready.FirstFrameBlobKey);
    }

    [Fact]
    public async Task Cancel_ByAnotherTeam_SaysNotFoundAndChangesNothing()
    {
        var owner = await _studio.RegisterAsync("Ada");
        var stranger = await _studio.RegisterAsync("Eve");
        var projectId = await _studio.CreateProjectAsync(owner);
        var id = await _studio.SubmitAsync(owner, projectId);
        await _studio.WaitForAsync(id, g => g.State == GenerationState.Running, "Running");

        Assert.Equal("Take not found.", await _studio.Generations.CancelAsync(stranger.Id, id));
        Assert.NotEqual(GenerationState.Cancelled, (await _studio.ReadAsync(id)).State);
    }

    [Fact]
    public async Task TeamKey_IsUsedInsteadOfTheServerKey_AndIsStoredEncrypted()
    {
        // This emulator refuses the server's key: a take can only succeed with the team's.
        await using var teamOnly = await TestEmulator.StartAsync(o => o.AcceptedApiKeys = [TeamKey]);
        var dataDirectory = TestPaths.NewDirectory("team-key");
        try
        {
            await using var studio = StudioTestHost.Start(dataDirectory, teamOnly);
            var user = await studio.RegisterAsync("Ada");
            var connections = studio.Services.GetRequiredService<ProviderConnections>();
            await connections.SetTeamKeyAsync(user.TeamId, "runway", TeamKey, null, user.Id);

            var connection = await connections.ForTeamAsync(user.TeamId, "runway");
            Assert.Equal(("team", TeamKey, false), (connection.KeySource, connection.ApiKey, connection.IsSandbox));
            Assert.DoesNotContain(TeamKey, connection.ToString());
            await using (var db = await studio.DbAsync())
            {
                var stored = await db.TeamProviderKeys.SingleAsync(k => k.TeamId == user.TeamId);
                Assert.DoesNotContain(TeamKey, stored.ProtectedApiKey);
                Assert.Equal(TeamKey[^4..], stored.KeyHint);
            }
            Assert.Equal("team", (await connections.StatusAsync(user.TeamId)).Single(s => s.Provider == "runway").KeySource);

            var projectId = await studio.CreateProjectAsync(user);
            var id = await studio.SubmitAsync(user, projectId);
            var ready = await studio.WaitForStateAsync(id, GenerationState.Ready);
            Assert.False(ready.IsSandbox);

            await connections.RemoveTeamKeyAsync(user.TeamId, "runway", user.Id);
            Assert.Equal("server", (await connections.ForTeamAsync(user.TeamId, "runway")).KeySource);
        }
        finally
        {
            TestPaths.TryDelete(dataDirectory);
        }
    }

    [Fact]
    public async Task TeamKey_ThatRunwayRefuses_FailsTheTakeSayingAnAdminMustCheckIt()
    {
        var user = await _studio.RegisterAsync("Ada");
        await _studio.Services.GetRequiredService<ProviderConnections>().SetTeamKeyAsync(user.TeamId, "runway", "key_revoked000000000000", null, user.Id);
        var projectId = await _studio.CreateProjectAsync(user);
        var id = await _studio.SubmitAsync(user, projectId);

        var failed = await _studio.WaitForStateAsync(id, GenerationState.Failed);
        Assert.Equal(nameof(ProviderFailureKind.Unauthorized), failed.FailureCode);
        Assert.Contains("team admin must check it", failed.FailureReason);
    }

    [Fact]
    public async Task TestConnection_ForRunway_ReportsCreditBalanceAndGen45Limits()
    {
        var user = await _studio.RegisterAsync("Ada");
        var connections = _studio.Services.GetRequiredService<ProviderConnections>();
        var runway = _studio.Services.GetRequiredService<ProviderCatalog>().Get("runway");

        var result = await runway.TestConnectionAsync(await connections.ForTeamAsync(user.TeamId, "runway"), CancellationToken.None);

        Assert.True(result.IsSuccess, result.Failure?.Message);
        Assert.NotNull(result.Value!.CreditBalance);
        Assert.NotNull(result.Value.MaxConcurrentGenerations);
        Assert.NotNull(result.Value.MaxDailyGenerations);
    }

    [Fact]
    public async Task Webhook_WithWrongTokenOrProvider_Answers404AndChangesNothing()
    {
        var user = await _studio.RegisterAsync("Ada");
        var projectId = await _studio.CreateProjectAsync(user);
        var id = await _studio.SubmitAsync(user, projectId);
        await _studio.WaitForAsync(id, g => g.State == GenerationState.Running, "Running");
        var farFuture = DateTime.UtcNow.AddHours(1);
        await using (var db = await _studio.DbAsync())
        {
            await db.Generations.Where(g => g.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(g => g.CallbackTokenHash, CallbackLinks.Hash("the-right-token"))
                .SetProperty(g => g.NextAttemptAt, farFuture));
        }
        var before = await _studio.ReadAsync(id);
        var client = _studio.Server.CreateClient();

        var wrongToken = await client.PostAsync($"/webhooks/runway/{id:N}/not-the-token", new StringContent("{}"));
        var wrongProvider = await client.PostAsync($"/webhooks/pixazo/{id:N}/the-right-token", new StringContent("{}"));
        var unknownGeneration = await client.PostAsync($"/webhooks/runway/{Guid.NewGuid():N}/the-right-token", new StringContent("{}"));
        var unknownProvider = await client.PostAsync($"/webhooks/nobody/{id:N}/the-right-token", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.NotFound, wrongToken.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, wrongProvider.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownGeneration.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownProvider.StatusCode);
        var after = await _studio.ReadAsync(id);
        Assert.Equal((before.State, before.Version, before.NextAttemptAt), (after.State, after.Version, after.NextAttemptAt));
    }
}
