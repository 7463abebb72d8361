using System.Net.Http.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Studio.Emulator;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Providers.Pixazo;

namespace Studio.IntegrationTests.Emulator;

/// <summary>The studio's Pixazo adapter against the emulated gateway over HTTP: key checks, refusals, and a whole request.</summary>
public sealed class PixazoAdapterEmulatorTests(FastPixazoEmulatorFixture fixture) : IClassFixture<FastPixazoEmulatorFixture>
{
    private PixazoProvider Adapter { get; } = new(new HttpClient(), NullLogger<PixazoProvider>.Instance);

    private ProviderConnection Connection(string key) => new("pixazo", new Uri(fixture.Emulator.BaseAddress, "pixazo/"), key, IsSandbox: true, "sandbox");

    private static ProviderSubmission Submission(int duration = 5, string ratio = "1280:720") =>
        new(Guid.NewGuid(), "gen-4.5", "A paper boat drifting down a rainy gutter", ratio, duration, 3, null, null, null, null);

    [Fact]
    public async Task TestConnection_WithAKey_Connects()
    {
        var result = await Adapter.TestConnectionAsync(Connection("key_sandbox0000000000000000"), CancellationToken.None);
        Assert.True(result.IsSuccess, result.Failure?.Message);
        Assert.Contains("accepted the key", result.Value!.Summary);
    }

    [Fact]
    public async Task TestConnection_WithoutAKey_IsUnauthorized()
    {
        var result = await Adapter.TestConnectionAsync(Connection(""), CancellationToken.None);
        Assert.Equal(ProviderFailureKind.Unauthorized, result.Failure!.Kind);
        Assert.Contains("subscription key", result.Failure.Message);
    }

    [Fact]
    public async Task Submit_WithAnEmptyWallet_IsInsufficientCredits()
    {
        var result = await Adapter.SubmitAsync(Connection("key_broke_wallet"), Submission(), CancellationToken.None);
        Assert.Equal(ProviderFailureKind.InsufficientCredits, result.Failure!.Kind);
        Assert.Contains("Your wallet does not have enough balance.", result.Failure.Message);
    }

    [Fact]
    public async Task Submit_TextOnlyInASquareRatio_IsRejectedWithTheGatewaysMessage()
    {
        var result = await Adapter.SubmitAsync(Connection("key_sandbox0000000000000000"), Submission(ratio: "960:960"), CancellationToken.None);
        Assert.Equal(ProviderFailureKind.Rejected, result.Failure!.Kind);
        Assert.Contains("aspect_ratio", result.Failure.Message);
    }

    [Fact]
    public async Task SubmitThenPoll_ReachesSucceededWithAnOutputUrl()
    {
        var connection = Connection("key_sandbox0000000000000000");
        var accepted = await Adapter.SubmitAsync(connection, Submission(duration: 10), CancellationToken.None);
        Assert.True(accepted.IsSuccess, accepted.Failure?.Message);
        Assert.Equal(120, accepted.Value!.EstimatedCredits);

        var phases = new List<ProviderTaskPhase>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        ProviderTaskStatus status;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "The request never finished.");
            var result = await Adapter.GetTaskAsync(connection, accepted.Value.TaskId, CancellationToken.None);
            Assert.True(result.IsSuccess, result.Failure?.Message);
            status = result.Value!;
            if (phases.Count == 0 || phases[^1] != status.Phase)
            {
                phases.Add(status.Phase);
            }
            await Task.Delay(100);
        }
        while (status.Phase is ProviderTaskPhase.Queued or ProviderTaskPhase.Running);

        // Under load the first look may already see PROCESSING.
        Assert.Equal([ProviderTaskPhase.Running, ProviderTaskPhase.Succeeded], phases.SkipWhile(p => p == ProviderTaskPhase.Queued));
        using var video = await new HttpClient().GetAsync(Assert.Single(status.OutputUrls!));
        Assert.Equal("video/mp4", video.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task GetTask_OfAnUnknownRequest_IsNotFound()
    {
        var result = await Adapter.GetTaskAsync(Connection("key_sandbox0000000000000000"), "runway-gen-4-5_unknown", CancellationToken.None);
        Assert.Equal(ProviderFailureKind.NotFound, result.Failure!.Kind);
    }
}

/// <summary>A restarted emulator on the same data directory still answers for its requests.</summary>
public sealed class PixazoEmulatorRestartTests
{
    [Fact]
    public async Task Restart_KeepsRequestsAndTheirOutputLinks()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "studio-emulator-tests", "pixazo-restart-" + Guid.NewGuid().ToString("N"));
        try
        {
            string id;
            await using (var first = await EmulatorHost.StartAsync(o => (o.DataDirectory, o.PendingSeconds, o.RunningSeconds) = (dataDirectory, 0.2, 0.5)))
            {
                using var client = Client(first);
                id = (await PixazoTestRequests.GenerateAsync(client, PixazoTestRequests.TextOnly())).GetProperty("request_id").GetString()!;
                await PixazoTestRequests.WaitForTerminalAsync(client, id);
            }

            await using var second = await EmulatorHost.StartAsync(o => (o.DataDirectory, o.PendingSeconds, o.RunningSeconds) = (dataDirectory, 0.2, 0.5));
            using var again = Client(second);
            var status = await PixazoTestRequests.StatusAsync(again, id);
            Assert.Equal("COMPLETED", status.GetProperty("status").GetString());
            using var video = await new HttpClient().GetAsync(status.GetProperty("output").GetProperty("media_url")[0].GetString());
            Assert.True(video.IsSuccessStatusCode);
        }
        finally
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    private static HttpClient Client(RunningEmulator emulator)
    {
        var client = new HttpClient { BaseAddress = new Uri(emulator.BaseAddress, "pixazo/") };
        client.DefaultRequestHeaders.Add("Ocp-Apim-Subscription-Key", "any-key");
        return client;
    }
}
