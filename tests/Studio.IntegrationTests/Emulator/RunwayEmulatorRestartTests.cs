using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Studio.Emulator;
using Studio.Emulator.Media;

namespace Studio.IntegrationTests.Emulator;

/// <summary>
/// Restarting the emulator on the same data directory: its tasks (persisted in <c>runway/tasks.json</c>),
/// credits and output-URL key survive, so a studio that resumes polling after a restart finds its tasks.
/// </summary>
public sealed class RunwayEmulatorRestartTests : IAsyncLifetime
{
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromSeconds(60);

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "studio-emulator-tests", "restart-" + Guid.NewGuid().ToString("N"));
    private readonly HttpClient _anonymous = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _anonymous.Dispose();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task Task_WhenEmulatorRestartsWithSameDataDirectory_IsStillKnownAndSucceeds()
    {
        string id;
        await using (var first = await StartAsync(runningSeconds: 4))
        {
            using var runway = RunwayClient(first);
            id = await RunwayTestRequests.CreateAsync(runway, "v1/text_to_video", RunwayTestRequests.TextToVideo(promptText: "survives a restart", duration: 2, seed: 99));
            await WaitForStatusAsync(runway, id, "RUNNING");
        }

        await using var second = await StartAsync(runningSeconds: 4);
        using var runway2 = RunwayClient(second);
        using var get = await runway2.GetAsync($"v1/tasks/{id}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        var (_, final) = await RunwayTestRequests.WaitForTerminalAsync(runway2, id, TaskTimeout);

        Assert.Equal("SUCCEEDED", final.GetProperty("status").GetString());
        Assert.Equal(24, final.GetProperty("cost").GetProperty("credits").GetInt32());
        var url = final.GetProperty("output")[0].GetString()!;
        Assert.StartsWith(second.BaseAddress.ToString(), url);
        var video = await DownloadAndProbeAsync(second, url);
        Assert.Equal("h264", video.CodecName);
        Assert.Contains("mp4", video.FormatName);
        Assert.Equal((1280, 720), (video.Width, video.Height));
        Assert.InRange(video.DurationSeconds, 1.9, 2.1);
    }

    [Fact]
    public async Task OutputUrl_IssuedBeforeRestart_StillDownloadsAfterRestart()
    {
        string url;
        await using (var first = await StartAsync(runningSeconds: 0))
        {
            using var runway = RunwayClient(first);
            var id = await RunwayTestRequests.CreateAsync(runway, "v1/text_to_video", RunwayTestRequests.TextToVideo(promptText: "link outlives the process", duration: 2));
            var (_, final) = await RunwayTestRequests.WaitForTerminalAsync(runway, id, TaskTimeout);
            Assert.Equal("SUCCEEDED", final.GetProperty("status").GetString());
            url = final.GetProperty("output")[0].GetString()!;
        }

        await using var second = await StartAsync(runningSeconds: 0);
        // The port changes between runs: same path and query (exp + sig) on the new base.
        var moved = new Uri(second.BaseAddress, new Uri(url).PathAndQuery).ToString();

        var video = await DownloadAndProbeAsync(second, moved);

        Assert.Equal("h264", video.CodecName);
        Assert.Equal((1280, 720), (video.Width, video.Height));
    }

    [Fact]
    public async Task ImageToVideoTask_WhenRenderIsMissingAfterRestart_IsRenderedAgainFromItsPersistedFirstFrame()
    {
        string id;
        await using (var first = await StartAsync(runningSeconds: 0))
        {
            using var runway = RunwayClient(first);
            var png = await MakePngAsync(first.Services.GetRequiredService<FfmpegProcess>());
            var body = new
            {
                model = "gen4.5",
                promptText = "first frame kept on disk",
                ratio = "960:960",
                duration = 2,
                promptImage = "data:image/png;base64," + Convert.ToBase64String(png),
            };
            id = await RunwayTestRequests.CreateAsync(runway, "v1/image_to_video", body);
            var (_, final) = await RunwayTestRequests.WaitForTerminalAsync(runway, id, TaskTimeout);
            Assert.Equal("SUCCEEDED", final.GetProperty("status").GetString());
        }

        // The data URI is not inlined in tasks.json; its bytes sit in a file next to it.
        var tasksJson = await File.ReadAllTextAsync(Path.Combine(_dataDirectory, "runway", "tasks.json"));
        Assert.DoesNotContain("base64,iVBOR", tasksJson);
        Assert.Single(Directory.GetFiles(Path.Combine(_dataDirectory, "runway", "images")));
        Directory.Delete(Path.Combine(_dataDirectory, "renders"), recursive: true);

        await using var second = await StartAsync(runningSeconds: 0);
        using var runway2 = RunwayClient(second);
        var (_, after) = await RunwayTestRequests.WaitForTerminalAsync(runway2, id, TaskTimeout);

        Assert.Equal("SUCCEEDED", after.GetProperty("status").GetString());
        var video = await DownloadAndProbeAsync(second, after.GetProperty("output")[0].GetString()!);
        Assert.Equal((960, 960), (video.Width, video.Height));
    }

    [Fact]
    public async Task Organization_AfterRestart_KeepsSpentCreditsAndDailyUsage_AndDeletedTasksStayDeleted()
    {
        long balance;
        int daily;
        string deletedId;
        await using (var first = await StartAsync(runningSeconds: 0))
        {
            using var runway = RunwayClient(first);
            var id = await RunwayTestRequests.CreateAsync(runway, "v1/text_to_video", RunwayTestRequests.TextToVideo(promptText: "charged once", duration: 3));
            await RunwayTestRequests.WaitForTerminalAsync(runway, id, TaskTimeout);
            deletedId = await RunwayTestRequests.CreateAsync(runway, "v1/text_to_video", RunwayTestRequests.TextToVideo(promptText: "deleted before restart", duration: 2));
            await RunwayTestRequests.WaitForTerminalAsync(runway, deletedId, TaskTimeout);
            using var delete = await runway.DeleteAsync($"v1/tasks/{deletedId}");
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
            var organization = await runway.GetFromJsonAsync<JsonElement>("v1/organization");
            balance = organization.GetProperty("creditBalance").GetInt64();
            daily = organization.GetProperty("usage").GetProperty("models").GetProperty("gen4.5").GetProperty("dailyGenerations").GetInt32();
        }

        await using var second = await StartAsync(runningSeconds: 0);
        using var runway2 = RunwayClient(second);
        var after = await runway2.GetFromJsonAsync<JsonElement>("v1/organization");
        using var deleted = await runway2.GetAsync($"v1/tasks/{deletedId}");

        Assert.Equal(100_000 - 36 - 24, balance);
        Assert.Equal(2, daily);
        Assert.Equal(balance, after.GetProperty("creditBalance").GetInt64());
        Assert.Equal(daily, after.GetProperty("usage").GetProperty("models").GetProperty("gen4.5").GetProperty("dailyGenerations").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, deleted.StatusCode);
    }

    [Fact]
    public async Task Task_OlderThanSevenDays_IsPrunedAtLoad()
    {
        string id;
        await using (var first = await StartAsync(runningSeconds: 0))
        {
            using var runway = RunwayClient(first);
            id = await RunwayTestRequests.CreateAsync(runway, "v1/text_to_video", RunwayTestRequests.TextToVideo(promptText: "old news", duration: 2));
        }

        var path = Path.Combine(_dataDirectory, "runway", "tasks.json");
        var document = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        document["tasks"]![0]!["createdAt"] = DateTimeOffset.UtcNow.AddDays(-8);
        await File.WriteAllTextAsync(path, document.ToJsonString());

        await using var second = await StartAsync(runningSeconds: 0);
        using var runway2 = RunwayClient(second);
        using var get = await runway2.GetAsync($"v1/tasks/{id}");

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.DoesNotContain(id, await File.ReadAllTextAsync(path));
    }

    private Task<RunningEmulator> StartAsync(double runningSeconds) =>
        EmulatorHost.StartAsync(options =>
        {
            options.DataDirectory = _dataDirectory;
            options.PendingSeconds = 0.3;
            options.RunningSeconds = runningSeconds;
        });

    private static HttpClient RunwayClient(RunningEmulator emulator)
    {
        var client = new HttpClient { BaseAddress = new Uri(emulator.BaseAddress, "runway/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", EmulatorFixture.ApiKey);
        client.DefaultRequestHeaders.Add("X-Runway-Version", EmulatorFixture.RunwayVersion);
        return client;
    }

    private static async Task WaitForStatusAsync(HttpClient runway, string id, string status)
    {
        var deadline = DateTime.UtcNow + TaskTimeout;
        while (true)
        {
            var task = await RunwayTestRequests.GetTaskAsync(runway, id);
            if (task.GetProperty("status").GetString() == status)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Task {id} never reached {status}; last seen {task}");
            await Task.Delay(50);
        }
    }

    private async Task<ProbedVideo> DownloadAndProbeAsync(RunningEmulator emulator, string url)
    {
        using var response = await _anonymous.GetAsync(url);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(bytes)}");
        Assert.Equal("video/mp4", response.Content.Headers.ContentType?.MediaType);

        var path = Path.Combine(Path.GetTempPath(), $"studio-emulator-probe-{Guid.NewGuid():N}.mp4");
        await File.WriteAllBytesAsync(path, bytes);
        try
        {
            return await ProbedVideo.ProbeAsync(emulator.Services.GetRequiredService<FfmpegProcess>(), path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<byte[]> MakePngAsync(FfmpegProcess ffmpeg)
    {
        var path = Path.Combine(Path.GetTempPath(), $"studio-emulator-frame-{Guid.NewGuid():N}.png");
        try
        {
            await ffmpeg.RunFfmpegAsync(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=s=640x480", "-frames:v", "1", "-y", path], CancellationToken.None);
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
