using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Providers;

namespace Studio.IntegrationTests.Studio;

/// <summary>
/// Issue 4's fault table, through the whole studio in Sandbox mode: each take carries a fault directive in its prompt
/// (<c>[[fault: ...]]</c>), which the in-process emulator obeys; the emulator's create counts prove nothing was sent twice.
/// </summary>
public sealed class FaultTableTests : IAsyncLifetime
{
    private readonly string _dataDirectory = TestPaths.NewDirectory("faults");
    private StudioTestHost _studio = null!;
    private TestUser _user = null!;
    private Guid _projectId;

    public async Task InitializeAsync()
    {
        _studio = StudioTestHost.StartSandbox(_dataDirectory, emulatorRunningSeconds: 1, new Dictionary<string, string>
        {
            ["Archive:IdleTimeoutSeconds"] = "2",
            ["Sandbox:TestControls"] = "true",
            ["Providers:runway:MaxConcurrentGenerations"] = "10",
        });
        _user = await _studio.RegisterAsync("Ada");
        _projectId = await _studio.CreateProjectAsync(_user);
    }

    public async Task DisposeAsync()
    {
        await _studio.DisposeAsync();
        TestPaths.TryDelete(_dataDirectory);
    }

    private Uri BaseAddress => new(_studio.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("127.0.0.1", "localhost") + "/");

    private async Task<int> CreatesForAsync(string prompt)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress };
        using var doc = JsonDocument.Parse(await http.GetStringAsync("_emulator/stats"));
        return doc.RootElement.GetProperty("createsByPrompt").TryGetProperty(prompt, out var count) ? count.GetInt32() : 0;
    }

    private Task<Guid> SubmitAsync(string prompt, string provider = "runway", int duration = 2) =>
        _studio.SubmitAsync(_user, _projectId, provider switch
        {
            "runway" => new GenerationDraft(VideoModels.Gen45.Id, prompt, "1280:720", duration, 1, null),
            "runware" => new GenerationDraft(VideoModels.RunwareGen45.Id, prompt, "1280:720", duration, 1, null, Provider: "runware"),
            "pixazo" => new GenerationDraft(VideoModels.PixazoGen45.Id, prompt, "1280:720", 5, 1, null, Provider: "pixazo"),
            _ => new GenerationDraft(VideoModels.KieRunway.Id, prompt, "1280:720", 5, null, null, Provider: "kie", Quality: "720p"),
        });

    [Fact]
    public async Task Create429WithRetryAfter3_WaitsAtLeastThreeSecondsThenCompletes_WithOneCreate()
    {
        const string prompt = "Harbour [[fault: create-429(retryAfter=3)]]";
        var id = await SubmitAsync(prompt);
        var ready = await _studio.WaitForStateAsync(id, GenerationState.Ready, 90);
        Assert.True(ready.SubmitStartedAt!.Value - ready.CreatedAt >= TimeSpan.FromSeconds(3), $"sent again after {(ready.SubmitStartedAt.Value - ready.CreatedAt).TotalSeconds:0.0} s");
        Assert.Equal(1, await CreatesForAsync(prompt));
    }

    [Fact]
    public async Task Status5xxTwiceThenOk_Completes()
    {
        var id = await SubmitAsync("Market [[fault: status-5xx(count=2)]]");
        await _studio.WaitForStateAsync(id, GenerationState.Ready, 90);
    }

    [Fact]
    public async Task ConnectionResetAfterCreateReceived_AtRunway_IsUncertainAndNotSentAgain()
    {
        const string prompt = "Cliffs [[fault: create-reset]]";
        var id = await SubmitAsync(prompt);
        var uncertain = await _studio.WaitForStateAsync(id, GenerationState.Uncertain, 60);
        Assert.Contains("not sent again", uncertain.FailureReason);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(GenerationState.Uncertain, (await _studio.ReadAsync(id)).State);
        Assert.Equal(1, await CreatesForAsync(prompt));
    }

    [Fact]
    public async Task ConnectionResetAfterCreateReceived_AtRunware_IsRecoveredByTaskUuid_WithOneCreate()
    {
        const string prompt = "Cliffs by Runware [[fault: create-reset]]";
        var id = await SubmitAsync(prompt, "runware");
        var ready = await _studio.WaitForStateAsync(id, GenerationState.Ready, 90);
        Assert.NotNull(ready.VideoBlobKey);
        Assert.Equal(1, await CreatesForAsync(prompt));
    }

    [Fact]
    public async Task ThrottledForTenMinutes_IsShownQueuedAtProviderAndDoesNotFail()
    {
        var id = await SubmitAsync("Long wait [[fault: throttled(seconds=600)]]");
        var queued = await _studio.WaitForAsync(id, g => g.State == GenerationState.Queued && g.ProviderDetail == "queued at provider", "queued at provider");
        await Task.Delay(TimeSpan.FromSeconds(4));
        var later = await _studio.ReadAsync(id);
        Assert.Equal((GenerationState.Queued, "queued at provider"), (later.State, later.ProviderDetail));
        Assert.Contains("queued at provider", (await _studio.Services.GetRequiredService<QueueService>().ListAsync(_user.Id, _user.TeamId)).Single(e => e.Id == id).Why);
        Assert.Null(await _studio.Generations.CancelAsync(_user.Id, id)); // tidy: Runway cancels throttled tasks
        _ = queued;
    }

    [Fact]
    public async Task OutputAnswers403_TaskIsReReadForAFreshUrlAndArchived()
    {
        var id = await SubmitAsync("Expired link [[fault: output-403]]");
        var ready = await _studio.WaitForStateAsync(id, GenerationState.Ready, 90);
        Assert.NotNull(ready.VideoSha256);
    }

    [Theory]
    [InlineData("Stalled [[fault: output-stall(seconds=8)]]")]
    [InlineData("Truncated [[fault: output-truncate]]")]
    public async Task DownloadStallsOrIsTruncated_IsRetriedFromZero_AndOnlyTheWholeVideoIsStored(string prompt)
    {
        var id = await SubmitAsync(prompt);
        var ready = await _studio.WaitForStateAsync(id, GenerationState.Ready, 90);
        var bytes = await File.ReadAllBytesAsync(Path.Combine(_studio.BlobsDirectory, ready.VideoBlobKey!));
        Assert.Equal(ready.VideoBytes, bytes.LongLength);
        Assert.Equal(ready.VideoSha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
        Assert.Empty(Directory.EnumerateFiles(_studio.BlobsDirectory, "*.partial", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("pixazo")]
    [InlineData("kie")]
    [InlineData("runware")]
    public async Task DuplicateAndOutOfOrderCallbacks_HaveNoEffect(string provider)
    {
        var prompt = $"Echoes at {provider} [[fault: callback-duplicate(times=3); callback-out-of-order]]";
        var seen = new List<GenerationState>();
        using var _ = _studio.Services.GetRequiredService<global::Studio.Web.Features.Live.GenerationNotifier>().Subscribe(change =>
        {
            lock (seen) { seen.Add(change.State); }
            return Task.CompletedTask;
        });
        var id = await SubmitAsync(prompt, provider);
        var ready = await _studio.WaitForStateAsync(id, GenerationState.Ready, 90);
        await Task.Delay(TimeSpan.FromSeconds(2)); // let the late, duplicated and stale deliveries arrive

        var after = await _studio.ReadAsync(id);
        Assert.Equal((GenerationState.Ready, ready.Version, ready.VideoSha256), (after.State, after.Version, after.VideoSha256));
        lock (seen)
        {
            Assert.Equal(seen.OrderBy(s => (int)s), seen.Where(s => s is not GenerationState.Failed)); // only ever forward
        }
        Assert.Equal(1, await CreatesForAsync(prompt));
    }

    [Fact]
    public async Task ModerationFailure_FailsWithASanitizedMessage_AndIsNotRetried()
    {
        const string prompt = "Forbidden [[fault: moderation]]";
        var id = await SubmitAsync(prompt);
        var failed = await _studio.WaitForStateAsync(id, GenerationState.Failed, 60);
        Assert.Contains("content moderation declined", failed.FailureReason);
        Assert.StartsWith("SAFETY", failed.FailureCode);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await CreatesForAsync(prompt));
    }

    [Fact]
    public async Task InsufficientBalance402_FailsSayingTheBalanceIsExhausted_AndIsNotRetried()
    {
        const string prompt = "Broke [[fault: create-402]]";
        var id = await SubmitAsync(prompt);
        var failed = await _studio.WaitForStateAsync(id, GenerationState.Failed, 60);
        Assert.Equal(nameof(ProviderFailureKind.InsufficientCredits), failed.FailureCode);
        Assert.Contains("balance is exhausted", failed.FailureReason);
        Assert.Contains("team admin", failed.FailureReason);
        Assert.Equal(0, failed.AttemptCount);
        Assert.Equal(0, await CreatesForAsync(prompt));
    }
}
