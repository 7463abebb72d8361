using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Studio.IntegrationTests.Emulator;
using Studio.Web.Features.Generations;

namespace Studio.IntegrationTests.Studio.Providers;

/// <summary>
/// The Pixazo adapter end to end in Sandbox mode: the real studio on Kestrel submits through its Pixazo adapter to the
/// in-process gateway emulator, learns the outcome by webhook (grace so long that only the callback can finish early)
/// or by polling alone, and archives the video. Image-to-video sends the studio's own first-frame link as the URL.
/// </summary>
public sealed class PixazoSandboxTests
{
    /// <summary>Long enough that, with a webhook requested, the first poll would come only after the test had failed.</summary>
    private const int GraceSeconds = 300;

    private static Dictionary<string, string> Settings(bool webhooks) => new()
    {
        ["Providers:pixazo:SandboxPollSeconds"] = "0.2",
        ["Providers:pixazo:UseWebhooks"] = webhooks ? "true" : "false",
        ["Providers:pixazo:CallbackGraceSeconds"] = GraceSeconds.ToString(CultureInfo.InvariantCulture),
    };

    private static GenerationDraft TextDraft() =>
        new(VideoModels.PixazoGen45.Id, "A golden retriever puppy chasing butterflies through a lavender field", "720:1280", 5, 42, null,
            Provider: "pixazo", Quality: null);

    private static GenerationDraft ImageDraft() =>
        new(VideoModels.PixazoGen45.Id, "The orange sky slowly darkens into night", "960:960", 5, 7,
            new FirstFrameImage("frame.png", "image/png", PixazoReceiver.Png), Provider: "pixazo", Quality: null);

    [Fact]
    public Task TextToVideo_WithWebhook_ReachesReadyBeforeAnyPoll() => RunAsync(webhooks: true, TextDraft(), (720, 1280));

    [Fact]
    public Task TextToVideo_PollingOnly_ReachesReady() => RunAsync(webhooks: false, TextDraft(), (720, 1280));

    [Fact]
    public Task ImageToVideo_WithWebhook_ReachesReadyBeforeAnyPoll() => RunAsync(webhooks: true, ImageDraft(), (960, 960));

    [Fact]
    public Task ImageToVideo_PollingOnly_ReachesReady() => RunAsync(webhooks: false, ImageDraft(), (960, 960));

    private static async Task RunAsync(bool webhooks, GenerationDraft draft, (int Width, int Height) size)
    {
        var dataDirectory = TestPaths.NewDirectory("pixazo-sandbox");
        try
        {
            await using var studio = StudioTestHost.StartSandbox(dataDirectory, settings: Settings(webhooks));
            var user = await studio.RegisterAsync("Ada");
            var projectId = await studio.CreateProjectAsync(user);

            var started = Stopwatch.StartNew();
            var result = await studio.Generations.SubmitAsync(user.Id, projectId, draft);
            Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => $"{e.Key}: {e.Value}")));
            var id = result.GenerationId!.Value;

            var row = await studio.WaitForStateAsync(id, GenerationState.Ready, timeoutSeconds: 90);
            var elapsed = started.Elapsed;

            Assert.Equal("pixazo", row.Provider);
            Assert.True(row.IsSandbox);
            Assert.StartsWith("runway-gen-4-5_", row.ProviderTaskId);
            Assert.Contains("/pixazo/_output/", row.ProviderOutputUrl);
            Assert.Equal(60, row.EstimatedCredits); // $0.12/s × 5 s
            Assert.Equal(size, (row.VideoWidth!.Value, row.VideoHeight!.Value));
            Assert.InRange(row.VideoDurationSeconds!.Value, 4.5, 5.5);
            var bytes = await File.ReadAllBytesAsync(Path.Combine(studio.BlobsDirectory, row.VideoBlobKey!));
            Assert.Equal(row.VideoSha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));

            if (webhooks)
            {
                // A webhook was asked for, and the take finished long before the first poll was due: the callback did it.
                Assert.NotNull(row.CallbackTokenHash);
                Assert.True(elapsed < TimeSpan.FromSeconds(GraceSeconds / 3), $"Ready after {elapsed}; the webhook should have ended it long before the {GraceSeconds} s grace.");
                Assert.Null(row.CallbackExpectedBy); // cleared by the webhook endpoint
            }
            else
            {
                Assert.Null(row.CallbackTokenHash);
                Assert.Null(row.CallbackExpectedBy);
            }
        }
        finally
        {
            TestPaths.TryDelete(dataDirectory);
        }
    }
}
