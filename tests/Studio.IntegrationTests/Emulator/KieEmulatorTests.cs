using System.Globalization;
using System.Net;
using System.Text;
using System.Net.Http.Json;
using System.Text.Json;

namespace Studio.IntegrationTests.Emulator;

/// <summary>The emulated kie "Runway API" over real HTTP: auth, validation, states, outputs, image fetch, extend and callbacks.</summary>
public sealed class KieEmulatorTests : IClassFixture<KieEmulatorFixture>, IAsyncLifetime
{
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromSeconds(60);

    private readonly KieEmulatorFixture _fixture;
    private readonly HttpClient _kie;
    private KieTestReceiver _receiver = null!;

    public KieEmulatorTests(KieEmulatorFixture fixture)
    {
        _fixture = fixture;
        _kie = fixture.CreateKieClient();
    }

    public async Task InitializeAsync() => _receiver = await KieTestReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        _kie.Dispose();
        await _receiver.DisposeAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Generate_WithoutApiKey_Returns401WithCode401(string? key)
    {
        using var anonymous = _fixture.CreateKieClient(key);

        var (http, envelope) = await KieTestRequests.PostAsync(anonymous, "api/v1/runway/generate", KieTestRequests.TextToVideo());

        Assert.Equal(401, http);
        Assert.Equal(401, envelope.GetProperty("code").GetInt32());
        Assert.False(string.IsNullOrEmpty(envelope.GetProperty("msg").GetString()));
    }

    [Fact]
    public async Task Generate_WithTheSandboxKey_IsAccepted()
    {
        using var sandbox = _fixture.CreateKieClient("key_sandbox0000000000000000");

        Assert.False(string.IsNullOrEmpty(await KieTestRequests.CreateAsync(sandbox, KieTestRequests.TextToVideo())));
    }

    public static TheoryData<string, object> InvalidRequests => new()
    {
        { "prompt", new { duration = 5, quality = "720p", aspectRatio = "16:9" } },
        { "prompt", KieTestRequests.TextToVideo(prompt: new string('a', 1801)) },
        { "duration", KieTestRequests.TextToVideo(duration: 8) },
        { "quality", KieTestRequests.TextToVideo(quality: "4k") },
        { "1080p", KieTestRequests.TextToVideo(quality: "1080p", duration: 10) },
        { "aspectRatio", KieTestRequests.TextToVideo(aspectRatio: null) },
        { "aspectRatio", KieTestRequests.TextToVideo(aspectRatio: "21:9") },
        { "imageUrl", KieTestRequests.TextToVideo(imageUrl: "ftp://example.com/a.png") },
        { "callBackUrl", KieTestRequests.TextToVideo(callBackUrl: "not a url") },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Generate_InvalidRequest_Answers422InsideHttp200NamingTheField(string field, object body)
    {
        var (http, envelope) = await KieTestRequests.PostAsync(_kie, "api/v1/runway/generate", body);

        Assert.Equal(200, http); // kie's status is the body's code
        Assert.Equal(422, envelope.GetProperty("code").GetInt32());
        Assert.Contains(field, envelope.GetProperty("msg").GetString());
    }

    [Fact]
    public async Task Generate_PromptOfExactly1800Characters_IsAccepted() =>
        Assert.False(string.IsNullOrEmpty(await KieTestRequests.CreateAsync(_kie, KieTestRequests.TextToVideo(prompt: new string('a', 1800)))));

    [Fact]
    public async Task Generate_MalformedJson_Returns400()
    {
        using var content = new StringContent("{\"prompt\":", Encoding.UTF8, "application/json");
        using var response = await _kie.PostAsync("api/v1/runway/generate", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(400, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task RecordDetail_UnknownTask_AnswersCode404()
    {
        var envelope = await _kie.GetFromJsonAsync<JsonElement>("api/v1/runway/record-detail?taskId=" + Guid.NewGuid());

        Assert.Equal(404, envelope.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task TextToVideo_MovesThroughKiesStatesToSuccess_WithARealMp4AtTheRequestedSize()
    {
        var id = await KieTestRequests.CreateAsync(_kie, KieTestRequests.TextToVideo(aspectRatio: "9:16"));

        var (seen, final) = await KieTestRequests.WaitForTerminalAsync(_kie, id, TaskTimeout);

        Assert.Equal("success", seen[^1]);
        Assert.Contains("generating", seen);
        Assert.Contains(seen[0], new[] { "wait", "queueing" });
        Assert.Equal(seen.Distinct().Count(), seen.Count); // never moves back
        Assert.Equal(id, final.GetProperty("taskId").GetString());
        Assert.Equal(0, final.GetProperty("expireFlag").GetInt32());
        Assert.True(DateTime.TryParseExact(final.GetProperty("generateTime").GetString(), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _));
        Assert.Equal("A majestic eagle soaring through mountain clouds at sunset", final.GetProperty("generateParam").GetProperty("prompt").GetString());
        var video = await DownloadAndProbeAsync(final.GetProperty("videoInfo").GetProperty("videoUrl").GetString()!);
        Assert.Equal(("h264", 720, 1280), (video.CodecName, video.Width, video.Height));
        Assert.InRange(video.DurationSeconds, 4.5, 5.5);
    }

    [Fact]
    public async Task Output_WithATamperedSignature_Is403()
    {
        var id = await KieTestRequests.CreateAsync(_kie, KieTestRequests.TextToVideo());
        var (_, final) = await KieTestRequests.WaitForTerminalAsync(_kie, id, TaskTimeout);
        var url = final.GetProperty("videoInfo").GetProperty("videoUrl").GetString()!;

        using var response = await _fixture.Anonymous.GetAsync(url[..^3] + "xyz");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task ImageToVideo_FetchesTheImageAndLetsItDecideTheAspectRatio()
    {
        _receiver.AddImage("portrait.png", await TestImages.PngAsync(_fixture.Ffmpeg, 600, 800));
        var body = KieTestRequests.TextToVideo(aspectRatio: "16:9", imageUrl: _receiver.ImageUrl("portrait.png").ToString());

        var id = await KieTestRequests.CreateAsync(_kie, body);
        var (_, final) = await KieTestRequests.WaitForTerminalAsync(_kie, id, TaskTimeout);

        Assert.Equal("success", final.GetProperty("state").GetString());
        var video = await DownloadAndProbeAsync(final.GetProperty("videoInfo").GetProperty("videoUrl").GetString()!);
        Assert.Equal((720, 960), (video.Width, video.Height)); // 3:4 from the image; the 16:9 asked for is ignored
    }

    [Fact]
    public async Task ImageToVideo_WhenTheImageCannotBeFetched_FailsWith451()
    {
        var id = await KieTestRequests.CreateAsync(_kie, KieTestRequests.TextToVideo(imageUrl: _receiver.ImageUrl("missing.png").ToString()));

        var (_, final) = await KieTestRequests.WaitForTerminalAsync(_kie, id, TaskTimeout);

        Assert.Equal("fail", final.GetProperty("state").GetString());
        Assert.Equal(451, final.GetProperty("failCode").GetInt32());
        Assert.Contains("fetch", final.GetProperty("failMsg").GetString());
        Assert.False(final.TryGetProperty("videoInfo", out _));
    }

    [Fact]
    public async Task Callback_IsPostedOnceTerminal_InKiesSnakeCaseShape_Unsigned()
    {
        var id = await KieTestRequests.CreateAsync(_kie, KieTestRequests.TextToVideo(callBackUrl: _receiver.HookUrl.ToString()));

        var callback = await _receiver.NextCallbackAsync(TaskTimeout);

        Assert.Equal(200, callback.Body.GetProperty("code").GetInt32());
        Assert.Equal("All generated successfully.", callback.Body.GetProperty("msg").GetString());
        var data = callback.Body.GetProperty("data");
        Assert.Equal(id, data.GetProperty("task_id").GetString());
        Assert.False(string.IsNullOrEmpty(data.GetProperty("video_id").GetString()));
        Assert.False(data.TryGetProperty("taskId", out _));
        Assert.StartsWith(_fixture.Emulator.BaseAddress.ToString(), data.GetProperty("video_url").GetString());
        Assert.False(callback.Headers.ContainsKey("X-Webhook-Signature")); // no webhookHmacKey configured
        // By the time it is called, polling says the same.
        Assert.Equal("success", (await KieTestRequests.DetailAsync(_kie, id)).GetProperty("state").GetString());
        var video = await DownloadAndProbeAsync(data.GetProperty("video_url").GetString()!);
        Assert.Equal((1280, 720), (video.Width, video.Height));
    }

    [Fact]
    public async Task Callback_ForAFailedTask_CarriesTheTaskIdAndNoVideo()
    {
        var id = await KieTestRequests.CreateAsync(_kie, KieTestRequests.TextToVideo(imageUrl: _receiver.ImageUrl("gone.png").ToString(), callBackUrl: _receiver.HookUrl.ToString()));

        var callback = await _receiver.NextCallbackAsync(TaskTimeout);

        Assert.Equal(400, callback.Body.GetProperty("code").GetInt32());
        Assert.Equal(id, callback.Body.GetProperty("data").GetProperty("task_id").GetString());
        Assert.False(callback.Body.GetProperty("data").TryGetProperty("video_url", out _));
    }

    [Fact]
    public async Task Extend_AFinishedTask_MakesANewTaskWithTheParentsAspectRatio()
    {
        var parent = await KieTestRequests.CreateAsync(_kie, KieTestRequests.TextToVideo(aspectRatio: "1:1"));
        await KieTestRequests.WaitForTerminalAsync(_kie, parent, TaskTimeout);

        var child = await KieTestRequests.CreateAsync(_kie, new { taskId = parent, prompt = "The eagle lands on a crag", quality = "720p" }, "api/v1/runway/extend");
        var (_, final) = await KieTestRequests.WaitForTerminalAsync(_kie, child, TaskTimeout);

        Assert.NotEqual(parent, child);
        Assert.Equal(parent, final.GetProperty("parentTaskId").GetString());
        var video = await DownloadAndProbeAsync(final.GetProperty("videoInfo").GetProperty("videoUrl").GetString()!);
        Assert.Equal((720, 720), (video.Width, video.Height));
    }

    [Fact]
    public async Task Extend_UnfinishedOrUnknownTask_IsRefused()
    {
        var running = await KieTestRequests.CreateAsync(_kie, KieTestRequests.TextToVideo());

        var (_, notDone) = await KieTestRequests.PostAsync(_kie, "api/v1/runway/extend", new { taskId = running, prompt = "more", quality = "720p" });
        var (_, unknown) = await KieTestRequests.PostAsync(_kie, "api/v1/runway/extend", new { taskId = Guid.NewGuid().ToString(), prompt = "more", quality = "720p" });
        var (_, noPrompt) = await KieTestRequests.PostAsync(_kie, "api/v1/runway/extend", new { taskId = running, quality = "720p" });

        Assert.Equal(422, notDone.GetProperty("code").GetInt32());
        Assert.Equal(404, unknown.GetProperty("code").GetInt32());
        Assert.Equal(422, noPrompt.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Credit_AnswersTheBalanceInTheEnvelope()
    {
        var envelope = await _kie.GetFromJsonAsync<JsonElement>("api/v1/chat/credit");

        Assert.Equal(200, envelope.GetProperty("code").GetInt32());
        Assert.True(envelope.GetProperty("data").GetDouble() > 0);
    }

    private async Task<ProbedVideo> DownloadAndProbeAsync(string url)
    {
        var path = Path.Combine(Path.GetTempPath(), $"kie-video-{Guid.NewGuid():N}.mp4");
        try
        {
            await File.WriteAllBytesAsync(path, await _fixture.Anonymous.GetByteArrayAsync(url));
            return await ProbedVideo.ProbeAsync(_fixture.Ffmpeg, path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
