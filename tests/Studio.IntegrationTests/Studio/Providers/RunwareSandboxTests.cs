using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Studio.Emulator.Media;
using Studio.IntegrationTests.Emulator;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Providers.Runware;

namespace Studio.IntegrationTests.Studio.Providers;

/// <summary>
/// The real studio in Sandbox mode with Runware chosen: the Runware adapter, job engine, webhook endpoint and
/// archiver against the in-process Runware emulator, from submit to Ready, with and without webhooks.
/// </summary>
public sealed class RunwareSandboxTests
{
    /// <summary>So long that, with a webhook requested, only the webhook can bring the first look forward.</summary>
    private const int GraceSeconds = 120;

    private const int ReadyWithinSeconds = 60;

    [Theory]
    [InlineData(false, true)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(true, false)]
    public async Task Submit_ToRunwareInSandbox_ReachesReadyWithTheRequestedVideo(bool withFirstFrame, bool webhooks)
    {
        var dataDirectory = TestPaths.NewDirectory($"runware-{(withFirstFrame ? "i2v" : "t2v")}-{(webhooks ? "webhook" : "poll")}");
        try
        {
            await using var studio = StudioTestHost.StartSandbox(dataDirectory, settings: new Dictionary<string, string>
            {
                ["Providers:runware:UseWebhooks"] = webhooks ? "true" : "false",
                ["Providers:runware:CallbackGraceSeconds"] = GraceSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Providers:runware:SandboxPollSeconds"] = "0.2",
            });
            var user = await studio.RegisterAsync("Lin");
            var projectId = await studio.CreateProjectAsync(user);
            FirstFrameImage? image = withFirstFrame
                ? new FirstFrameImage("frame.png", "image/png", await RunwareTestImages.PngAsync(studio.Services.GetRequiredService<FfmpegProcess>(), 96, 96))
                : null;
            var ratio = withFirstFrame ? "960:960" : "720:1280";
            var draft = new GenerationDraft(VideoModels.RunwareGen45.Id, "A tram crossing a bridge at dawn, slow pan", ratio, 2, 1554, image,
                Provider: RunwareProvider.ProviderName, Quality: null);

            var clock = Stopwatch.StartNew();
            var id = await studio.SubmitAsync(user, projectId, draft);
            var row = await studio.WaitForStateAsync(id, GenerationState.Ready, timeoutSeconds: ReadyWithinSeconds);
            clock.Stop();

            Assert.True(row.IsSandbox);
            Assert.Equal("runware", row.Provider);
            Assert.True(Guid.TryParse(row.ProviderTaskId, out _), $"taskUUID {row.ProviderTaskId}");
            Assert.Equal(VideoModels.Size(ratio), (row.VideoWidth!.Value, row.VideoHeight!.Value));
            Assert.InRange(row.VideoDurationSeconds!.Value, 1.9, 2.2);
            Assert.Equal(1554, row.Seed);
            Assert.Equal(24, row.CostCredits!.Value, precision: 6); // US$0.24 for 2 s
            Assert.True(File.Exists(Path.Combine(studio.BlobsDirectory, row.VideoBlobKey!)));
            if (webhooks)
            {
                // A webhook was asked for, so the first look was put off by the grace: reaching Ready this soon took the callback.
                Assert.NotNull(row.CallbackTokenHash);
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(GraceSeconds / 2), $"Ready after {clock.Elapsed}");
            }
            else
            {
                Assert.Null(row.CallbackTokenHash);
            }
        }
        finally
        {
            TestPaths.TryDelete(dataDirectory);
        }
    }

    [Fact]
    public async Task Poll_ForATaskUuidRunwareNeverReceived_IsNotFound()
    {
        var dataDirectory = TestPaths.NewDirectory("runware-notfound");
        try
        {
            await using var studio = StudioTestHost.StartSandbox(dataDirectory);
            var connection = studio.Services.GetRequiredService<ProviderConnections>().ForServer(RunwareProvider.ProviderName);
            var provider = studio.Services.GetRequiredService<ProviderCatalog>().Get(RunwareProvider.ProviderName);

            var result = await provider.GetTaskAsync(connection, Guid.NewGuid().ToString(), CancellationToken.None);

            Assert.Equal(ProviderFailureKind.NotFound, result.Failure?.Kind);
            var account = await provider.TestConnectionAsync(connection, CancellationToken.None);
            Assert.True(account.IsSuccess, account.Failure?.Message);
            Assert.True(account.Value!.CreditBalance > 0);
        }
        finally
        {
            TestPaths.TryDelete(dataDirectory);
        }
    }
}
