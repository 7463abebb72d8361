using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Studio.Emulator.Media;
using Studio.IntegrationTests.Emulator;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Webhooks;

namespace Studio.IntegrationTests.Studio.Providers;

/// <summary>
/// The real studio in Sandbox mode with kie as the provider: the kie adapter, webhook endpoint, worker and archiver
/// against the kie emulator the studio hosts itself, from submit to an archived video, by callback and by polling.
/// </summary>
public sealed class KieSandboxTests
{
    /// <summary>With webhooks, the first poll waits this long: reaching Ready much sooner proves the callback did it.</summary>
    private const int GraceSeconds = 120;

    private const string SigningKey = "whk_kie_sandbox_test_key";

    private static readonly Dictionary<string, string> Webhooks = new()
    {
        ["Providers:kie:SandboxPollSeconds"] = "0.2",
        ["Providers:kie:CallbackGraceSeconds"] = GraceSeconds.ToString(CultureInfo.InvariantCulture),
    };

    private static readonly Dictionary<string, string> PollingOnly = new()
    {
        ["Providers:kie:SandboxPollSeconds"] = "0.2",
        ["Providers:kie:UseWebhooks"] = "false",
    };

    private static Dictionary<string, string> Signed => new(Webhooks)
    {
        ["Providers:kie:WebhookSigningKey"] = SigningKey,
        ["Emulator:Kie:WebhookHmacKey"] = SigningKey,
    };

    private static GenerationDraft TextDraft(string quality = "720p") =>
        new(VideoModels.KieRunway.Id, "A paper boat drifting down a rain-filled gutter, close tracking shot", "1280:720", 5, null, null, Provider: "kie", Quality: quality);

    private static async Task<GenerationDraft> ImageDraftAsync(StudioTestHost studio) =>
        new(VideoModels.KieRunway.Id, "The street comes alive, neon flickers on", "", 5, null,
            new FirstFrameImage("frame.png", "image/png", await TestImages.PngAsync(studio.Services.GetRequiredService<FfmpegProcess>(), 720, 1280)),
            Provider: "kie", Quality: "720p");

    [Fact]
    public async Task TextToVideo_WithWebhook_ReachesReadyByTheCallbackLongBeforeTheFirstPoll()
    {
        await using var run = await SandboxRun.StartAsync(Webhooks);

        var row = await run.GenerateAsync(TextDraft());

        AssertFinishedByCallback(row);
        Assert.Equal((1280, 720), (row.VideoWidth, row.VideoHeight));
    }

    [Fact]
    public async Task ImageToVideo_WithWebhook_ReachesReadyInTheImagesShape()
    {
        await using var run = await SandboxRun.StartAsync(Webhooks);

        var row = await run.GenerateAsync(await ImageDraftAsync(run.Studio));

        AssertFinishedByCallback(row);
        Assert.Equal((720, 1280), (row.VideoWidth, row.VideoHeight)); // kie takes the ratio from the first frame
    }

    [Fact]
    public async Task TextToVideo_PollingOnly_ReachesReady()
    {
        await using var run = await SandboxRun.StartAsync(PollingOnly);

        var row = await run.GenerateAsync(TextDraft());

        Assert.Null(row.CallbackTokenHash); // no webhook was asked for
        Assert.Equal((1280, 720), (row.VideoWidth, row.VideoHeight));
        Assert.True(row.IsSandbox);
    }

    [Fact]
    public async Task ImageToVideo_PollingOnly_ReachesReady()
    {
        await using var run = await SandboxRun.StartAsync(PollingOnly);

        var row = await run.GenerateAsync(await ImageDraftAsync(run.Studio));

        Assert.Null(row.CallbackTokenHash);
        Assert.Equal((720, 1280), (row.VideoWidth, row.VideoHeight));
    }

    [Fact]
    public async Task Extend_AReadyTake_ReachesReadyAsItsChild()
    {
        await using var run = await SandboxRun.StartAsync(Webhooks);
        var parent = await run.GenerateAsync(TextDraft());

        var result = await run.Studio.Generations.ExtendAsync(run.User.Id, parent.Id, "The boat slips into a storm drain", "720p");
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => $"{e.Key}: {e.Value}")));
        var child = await run.Studio.WaitForStateAsync(result.GenerationId!.Value, GenerationState.Ready);

        Assert.Equal(parent.Id, child.ParentGenerationId);
        Assert.NotEqual(parent.ProviderTaskId, child.ProviderTaskId);
        Assert.Equal((1280, 720), (child.VideoWidth, child.VideoHeight)); // the parent's aspect ratio
        AssertFinishedByCallback(child);
    }

    [Fact]
    public async Task Submit_WhenTheKieAccountHasNoCredits_FailsAsInsufficientCreditsWithoutRetrying()
    {
        await using var run = await SandboxRun.StartAsync(new Dictionary<string, string>(PollingOnly) { ["Emulator:Kie:CreditBalance"] = "0" });

        var id = await run.Studio.SubmitAsync(run.User, run.ProjectId, TextDraft());
        var row = await run.Studio.WaitForStateAsync(id, GenerationState.Failed);

        Assert.Equal(nameof(ProviderFailureKind.InsufficientCredits), row.FailureCode);
        Assert.Null(row.ProviderTaskId);
    }

    [Fact]
    public async Task SignedCallbacks_TheEmulatorsAreAccepted_ForgedOnesAreRefusedWith401AndChangeNothing()
    {
        await using var run = await SandboxRun.StartAsync(Signed, emulatorRunningSeconds: 4);

        // The emulator signs with the same key the studio verifies with: its callback finishes the take.
        var genuine = await run.GenerateAsync(TextDraft());
        AssertFinishedByCallback(genuine);

        // A second take whose callback URL the test knows (the studio stores only the token's hash, so swap it).
        var id = await run.Studio.SubmitAsync(run.User, run.ProjectId, TextDraft());
        var queued = await run.Studio.WaitForAsync(id, g => g.ProviderTaskId is not null && g.State is GenerationState.Queued or GenerationState.Running, "queued");
        var token = "test-token-" + Guid.NewGuid().ToString("N");
        await using (var db = await run.Studio.DbAsync())
        {
            await db.Generations.Where(g => g.Id == id).ExecuteUpdateAsync(s => s.SetProperty(g => g.CallbackTokenHash, CallbackLinks.Hash(token)));
        }
        var taskId = queued.ProviderTaskId!;
        await run.WaitForEmulatorSuccessAsync(taskId); // finished at kie: only a callback (or the poll in 120 s) can tell the studio
        var before = await run.Studio.ReadAsync(id);
        var url = new Uri(run.SelfBase, $"webhooks/kie/{id:N}/{token}");
        var now = DateTimeOffset.UtcNow;

        Assert.Equal(HttpStatusCode.Unauthorized, await run.PostCallbackAsync(url, taskId, Signature(taskId, now, "not-the-key")));
        Assert.Equal(HttpStatusCode.Unauthorized, await run.PostCallbackAsync(url, taskId, headers: null));
        Assert.Equal(HttpStatusCode.Unauthorized, await run.PostCallbackAsync(url, taskId, Signature(taskId, now.AddMinutes(-6), SigningKey))); // stale
        Assert.Equal(HttpStatusCode.Unauthorized, await run.PostCallbackAsync(url, taskId, Signature("another-task", now, SigningKey)));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var after = await run.Studio.ReadAsync(id);
        Assert.Equal((before.State, before.Version, before.NextAttemptAt, before.CallbackExpectedBy), (after.State, after.Version, after.NextAttemptAt, after.CallbackExpectedBy));
        Assert.True(after.State is GenerationState.Queued or GenerationState.Running);

        // The same URL with a valid signature is accepted, so the refusals above were the signature's, not the token's.
        Assert.Equal(HttpStatusCode.OK, await run.PostCallbackAsync(url, taskId, Signature(taskId, DateTimeOffset.UtcNow, SigningKey)));
        var ready = await run.Studio.WaitForStateAsync(id, GenerationState.Ready);
        AssertFinishedByCallback(ready);
    }

    private static void AssertFinishedByCallback(Generation row)
    {
        Assert.NotNull(row.CallbackTokenHash); // a webhook was asked for
        var took = row.CompletedAt!.Value - row.CreatedAt;
        Assert.True(took < TimeSpan.FromSeconds(GraceSeconds / 2.0), $"Ready after {took.TotalSeconds:0.0} s: the first poll was due only after {GraceSeconds} s.");
    }

    private static Dictionary<string, string> Signature(string taskId, DateTimeOffset at, string key)
    {
        var ts = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var sig = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"{taskId}.{ts}")));
        return new() { ["X-Webhook-Timestamp"] = ts, ["X-Webhook-Signature"] = sig };
    }

    /// <summary>One Sandbox studio with a registered user and a project, deleted afterwards.</summary>
    private sealed class SandboxRun : IAsyncDisposable
    {
        private readonly string _dataDirectory;
        private readonly HttpClient _http = new();

        private SandboxRun(string dataDirectory, StudioTestHost studio, TestUser user, Guid projectId)
        {
            _dataDirectory = dataDirectory;
            Studio = studio;
            User = user;
            ProjectId = projectId;
        }

        public StudioTestHost Studio { get; }

        public TestUser User { get; }

        public Guid ProjectId { get; }

        public Uri SelfBase => Studio.Services.GetRequiredService<SandboxEndpoint>().SelfBaseUri;

        public static async Task<SandboxRun> StartAsync(IReadOnlyDictionary<string, string> settings, double emulatorRunningSeconds = 1.5)
        {
            var directory = TestPaths.NewDirectory("kie-sandbox");
            var studio = StudioTestHost.StartSandbox(directory, emulatorRunningSeconds, settings);
            var user = await studio.RegisterAsync("Kiko");
            return new SandboxRun(directory, studio, user, await studio.CreateProjectAsync(user));
        }

        public async Task<Generation> GenerateAsync(GenerationDraft draft)
        {
            var id = await Studio.SubmitAsync(User, ProjectId, draft);
            var row = await Studio.WaitForStateAsync(id, GenerationState.Ready);
            Assert.Equal("kie", row.Provider);
            Assert.True(File.Exists(Path.Combine(Studio.BlobsDirectory, row.VideoBlobKey!)));
            Assert.Equal("h264", row.VideoCodec);
            return row;
        }

        public async Task WaitForEmulatorSuccessAsync(string taskId)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(SelfBase, $"kie/api/v1/runway/record-detail?taskId={taskId}"));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                using var message = new HttpRequestMessage(HttpMethod.Get, request.RequestUri);
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ProviderConnections.SandboxKey);
                using var response = await _http.SendAsync(message);
                var state = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetProperty("state").GetString();
                if (state == "success")
                {
                    return;
                }
                Assert.True(DateTime.UtcNow < deadline, $"kie task {taskId} still {state}.");
                await Task.Delay(100);
            }
        }

        public async Task<HttpStatusCode> PostCallbackAsync(Uri url, string taskId, IReadOnlyDictionary<string, string>? headers)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new StringContent(
                    $$$"""{"code":200,"msg":"All generated successfully.","data":{"task_id":"{{{taskId}}}","video_id":"v","video_url":"http://forged.example/v.mp4","image_url":""}}""",
                    Encoding.UTF8, "application/json"),
            };
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                request.Headers.Add(name, value);
            }
            using var response = await _http.SendAsync(request);
            return response.StatusCode;
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await Studio.DisposeAsync();
            TestPaths.TryDelete(_dataDirectory);
        }
    }
}
