using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Studio.Emulator;

namespace Studio.IntegrationTests.Emulator;

public sealed class FastRunwayEmulatorFixture : EmulatorFixture
{
    protected override void Configure(EmulatorOptions options)
    {
        options.PendingSeconds = 0.4;
        options.RunningSeconds = 1.5;
    }
}

/// <summary>The emulated Runway API over real HTTP: its validation, task lifecycle, outputs and organization.</summary>
public sealed class RunwayEmulatorTests : IClassFixture<FastRunwayEmulatorFixture>
{
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromSeconds(60);

    private readonly FastRunwayEmulatorFixture _fixture;

    public RunwayEmulatorTests(FastRunwayEmulatorFixture fixture) => _fixture = fixture;

    private HttpClient Runway => _fixture.Runway;

    [Fact]
    public async Task TextToVideo_WhenPromptTooLong_Returns400NamingPromptText()
    {
        var error = await PostExpectingErrorAsync("v1/text_to_video", RunwayTestRequests.TextToVideo(promptText: new string('a', 1001)), HttpStatusCode.BadRequest);

        Assert.Contains("promptText", error.Message);
        Assert.Contains(error.IssuePaths, path => path == "promptText");
    }

    [Fact]
    public async Task TextToVideo_WhenPromptIsExactly1000Utf16Units_IsAccepted()
    {
        // 500 surrogate pairs = 1000 UTF-16 code units: the limit counts code units, not characters.
        var prompt = string.Concat(Enumerable.Repeat("\U0001F3AC", 500));

        var id = await RunwayTestRequests.CreateAsync(Runway, "v1/text_to_video", RunwayTestRequests.TextToVideo(promptText: prompt));

        Assert.False(string.IsNullOrEmpty(id));
    }

    [Fact]
    public async Task TextToVideo_WhenRatioIsImageToVideoOnly_Returns400NamingRatio()
    {
        var error = await PostExpectingErrorAsync("v1/text_to_video", RunwayTestRequests.TextToVideo(ratio: "960:960"), HttpStatusCode.BadRequest);

        Assert.Contains("ratio", error.Message);
        Assert.Contains(error.IssuePaths, path => path == "ratio");
    }

    [Theory]
    [InlineData(11)]
    [InlineData(1)]
    public async Task TextToVideo_WhenDurationOutside2To10_Returns400NamingDuration(int duration)
    {
        var error = await PostExpectingErrorAsync("v1/text_to_video", RunwayTestRequests.TextToVideo(duration: duration), HttpStatusCode.BadRequest);

        Assert.Contains("duration", error.Message);
        Assert.Contains(error.IssuePaths, path => path == "duration");
    }

    [Fact]
    public async Task TextToVideo_WhenPromptImageGiven_Returns400NamingPromptImage()
    {
        var body = new { model = "gen4.5", promptText = "x", ratio = "1280:720", duration = 5, promptImage = "https://example.com/a.png" };

        var error = await PostExpectingErrorAsync("v1/text_to_video", body, HttpStatusCode.BadRequest);

        Assert.Contains(error.IssuePaths, path => path == "promptImage");
    }

    [Fact]
    public async Task TextToVideo_WhenSeedOutOfRange_Returns400NamingSeed()
    {
        var error = await PostExpectingErrorAsync("v1/text_to_video", RunwayTestRequests.TextToVideo(seed: 4_294_967_296), HttpStatusCode.BadRequest);

        Assert.Contains(error.IssuePaths, path => path == "seed");
    }

    [Fact]
    public async Task TextToVideo_WhenModelNotOffered_Returns400NamingModel()
    {
        var body = new { model = "gen4_turbo", promptText = "x", ratio = "1280:720", duration = 5 };

        var error = await PostExpectingErrorAsync("v1/text_to_video", body, HttpStatusCode.BadRequest);

        Assert.Contains(error.IssuePaths, path => path == "model");
    }

    [Fact]
    public async Task Create_WhenBodyIsMalformedJson_Returns400()
    {
        using var content = new StringContent("{\"model\": \"gen4.5\",", Encoding.UTF8, "application/json");
        using var response = await Runway.PostAsync("v1/text_to_video", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("JSON", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Create_WhenUnknownFieldsPresent_IgnoresThem()
    {
        var body = new { model = "gen4.5", promptText = "x", ratio = "1280:720", duration = 2, somethingNew = new { nested = true } };

        var id = await RunwayTestRequests.CreateAsync(Runway, "v1/text_to_video", body);

        Assert.False(string.IsNullOrEmpty(id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer not-a-key")]
    public async Task Create_WhenBearerKeyMissingOrInvalid_Returns401(string? authorization)
    {
        using var client = _fixture.CreateRunwayClient(apiKey: null, version: EmulatorFixture.RunwayVersion);
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        using var response = await client.PostAsJsonAsync("v1/text_to_video", RunwayTestRequests.TextToVideo());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetString()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("2023-01-01")]
    public async Task Create_WhenVersionHeaderMissingOrWrong_Returns400NamingHeader(string? version)
    {
        using var client = _fixture.CreateRunwayClient(EmulatorFixture.ApiKey, version);

        using var response = await client.PostAsJsonAsync("v1/text_to_video", RunwayTestRequests.TextToVideo());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("X-Runway-Version", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ImageToVideo_WhenPromptImageIsGifDataUri_Returns400NamingPromptImage()
    {
        var gif = "data:image/gif;base64," + Convert.ToBase64String("GIF89a\u0001\u0000\u0001\u0000\u0000\u0000\u0000;"u8.ToArray());
        var body = new { model = "gen4.5", promptText = "x", ratio = "960:960", duration = 5, promptImage = new[] { new { uri = gif, position = "first" } } };

        var error = await PostExpectingErrorAsync("v1/image_to_video", body, HttpStatusCode.BadRequest);

        Assert.Contains("promptImage", error.Message);
        Assert.Contains("GIF", error.Message);
    }

    [Fact]
    public async Task ImageToVideo_WhenPromptImageUrlHasIpHost_Returns400NamingPromptImage()
    {
        var body = new { model = "gen4.5", promptText = "x", ratio = "960:960", duration = 5, promptImage = "https://203.0.113.9/frame.png" };

        var error = await PostExpectingErrorAsync("v1/image_to_video", body, HttpStatusCode.BadRequest);

        Assert.Contains(error.IssuePaths, path => path == "promptImage");
    }

    [Fact]
    public async Task ImageToVideo_WhenPromptImageMissing_Returns400NamingPromptImage()
    {
        var body = new { model = "gen4.5", promptText = "x", ratio = "960:960", duration = 5 };

        var error = await PostExpectingErrorAsync("v1/image_to_video", body, HttpStatusCode.BadRequest);

        Assert.Contains(error.IssuePaths, path => path == "promptImage");
    }

    [Fact]
    public async Task TextToVideo_WhenValid_ProgressesToSucceededWithPlayableH264OfRequestedSizeAndDuration()
    {
        using var create = await Runway.PostAsJsonAsync("v1/text_to_video", RunwayTestRequests.TextToVideo(
            promptText: "A \"quoted\" prompt: 100% real \\ with backslash, colon; and 'apostrophes'", duration: 3, seed: 12345));
        Assert.Equal(HttpStatusCode.OK, create.StatusCode);
        var created = await create.Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetString()!;
        Assert.True(Guid.TryParse(id, out _));
        Assert.Equal(36, created.GetProperty("estimatedCost").GetProperty("credits").GetInt32());

        var (seen, final) = await RunwayTestRequests.WaitForTerminalAsync(Runway, id, TaskTimeout);

        Assert.Equal("PENDING", seen[0].Status);
        Assert.Contains(seen, s => s.Status == "RUNNING" && s.Progress is > 0 and < 1);
        var progress = seen.Where(s => s.Status == "RUNNING").Select(s => s.Progress!.Value).ToList();
        Assert.Equal(progress.Order(), progress);
        Assert.Equal("SUCCEEDED", final.GetProperty("status").GetString());
        Assert.Equal(36, final.GetProperty("cost").GetProperty("credits").GetInt32());
        Assert.EndsWith("Z", final.GetProperty("createdAt").GetString());

        var url = final.GetProperty("output")[0].GetString()!;
        Assert.StartsWith(_fixture.Emulator.BaseAddress.ToString(), url);
        using var download = await _fixture.Anonymous.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("video/mp4", download.Content.Headers.ContentType?.MediaType);
        var bytes = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(download.Content.Headers.ContentLength, bytes.Length);

        var video = await ProbeBytesAsync(bytes);
        Assert.Equal("h264", video.CodecName);
        Assert.Equal((1280, 720), (video.Width, video.Height));
        Assert.InRange(video.DurationSeconds, 2.9, 3.1);
        Assert.Contains("mp4", video.FormatName);
    }

    [Fact]
    public async Task ImageToVideo_WithDataUriFirstFrame_SucceedsWithVideoAtRequestedRatio()
    {
        var png = await MakeImageAsync("png");
        var body = new
        {
            model = "gen4.5",
            promptText = "The still comes alive",
            ratio = "832:1104",
            duration = 2,
            promptImage = new[] { new { uri = "data:image/png;base64," + Convert.ToBase64String(png), position = "first" } },
        };
        var id = await RunwayTestRequests.CreateAsync(Runway, "v1/image_to_video", body);

        var (_, final) = await RunwayTestRequests.WaitForTerminalAsync(Runway, id, TaskTimeout);

        Assert.Equal("SUCCEEDED", final.GetProperty("status").GetString());
        var video = await ProbeBytesAsync(await _fixture.Anonymous.GetByteArrayAsync(final.GetProperty("output")[0].GetString()));
        Assert.Equal((832, 1104), (video.Width, video.Height));
        Assert.Equal("h264", video.CodecName);
    }

    [Fact]
    public async Task ImageToVideo_WhenFirstFrameCannotBeDecoded_TaskFailsWithInternalFailureCode()
    {
        // PNG magic bytes followed by garbage: passes the request checks, breaks the render.
        byte[] broken = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Enumerable.Repeat((byte)0x42, 64)];
        var body = new { model = "gen4.5", promptText = "broken frame", ratio = "960:960", duration = 2, promptImage = "data:image/png;base64," + Convert.ToBase64String(broken) };
        var id = await RunwayTestRequests.CreateAsync(Runway, "v1/image_to_video", body);

        var (_, final) = await RunwayTestRequests.WaitForTerminalAsync(Runway, id, TaskTimeout);

        Assert.Equal("FAILED", final.GetProperty("status").GetString());
        Assert.Equal("INTERNAL", final.GetProperty("failureCode").GetString());
        Assert.False(string.IsNullOrEmpty(final.GetProperty("failure").GetString()));
        Assert.Equal(0, final.GetProperty("cost").GetProperty("credits").GetInt32());
    }

    [Fact]
    public async Task Output_WhenRangeRequested_Returns206WithThatRange()
    {
        var url = await CreateSucceededOutputUrlAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(0, 99);

        using var response = await _fixture.Anonymous.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(100, (await response.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal(0, response.Content.Headers.ContentRange?.From);
        Assert.Equal(99, response.Content.Headers.ContentRange?.To);
        Assert.True(response.Content.Headers.ContentRange?.Length > 100);
    }

    [Fact]
    public async Task Output_WhenSignatureTampered_Returns403()
    {
        var url = await CreateSucceededOutputUrlAsync();
        var signature = url[(url.IndexOf("sig=", StringComparison.Ordinal) + 4)..];
        var tampered = url[..^signature.Length] + (signature[0] == 'A' ? 'B' : 'A') + signature[1..];

        using var response = await _fixture.Anonymous.GetAsync(tampered);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Output_WhenExpiryExtendedWithoutResigning_Returns403()
    {
        var url = await CreateSucceededOutputUrlAsync();
        var exp = url.Split('?')[1].Split('&').Single(p => p.StartsWith("exp=", StringComparison.Ordinal))[4..];
        var extended = url.Replace("exp=" + exp, "exp=" + (long.Parse(exp, System.Globalization.CultureInfo.InvariantCulture) + 3600), StringComparison.Ordinal);

        using var response = await _fixture.Anonymous.GetAsync(extended);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Output_WhenUrlExpired_Returns403AndRefetchingTaskGivesFreshUrl()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "studio-emulator-tests", "expiry-" + Guid.NewGuid().ToString("N"));
        try
        {
            await OutputExpiryScenarioAsync(dataDirectory);
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    private async Task OutputExpiryScenarioAsync(string dataDirectory)
    {
        await using var emulator = await EmulatorHost.StartAsync(options =>
        {
            options.DataDirectory = dataDirectory;
            options.PendingSeconds = 0;
            options.RunningSeconds = 0;
            options.OutputUrlLifetime = TimeSpan.FromSeconds(1);
        });
        using var runway = new HttpClient { BaseAddress = new Uri(emulator.BaseAddress, "runway/") };
        runway.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", EmulatorFixture.ApiKey);
        runway.DefaultRequestHeaders.Add("X-Runway-Version", EmulatorFixture.RunwayVersion);
        var id = await RunwayTestRequests.CreateAsync(runway, "v1/text_to_video", RunwayTestRequests.TextToVideo(duration: 2));
        var (_, final) = await RunwayTestRequests.WaitForTerminalAsync(runway, id, TaskTimeout);
        var url = final.GetProperty("output")[0].GetString()!;

        await Task.Delay(TimeSpan.FromSeconds(2.2));
        using var expired = await _fixture.Anonymous.GetAsync(url);
        var fresh = (await RunwayTestRequests.GetTaskAsync(runway, id)).GetProperty("output")[0].GetString()!;
        using var refreshed = await _fixture.Anonymous.GetAsync(fresh);

        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
    }

    [Fact]
    public async Task DeleteTask_WhenRunning_Returns204AndTaskIsGone()
    {
        var id = await RunwayTestRequests.CreateAsync(Runway, "v1/text_to_video", RunwayTestRequests.TextToVideo(promptText: "to be cancelled", duration: 10));
        await WaitForStatusAsync(id, "RUNNING");

        using var delete = await Runway.DeleteAsync($"v1/tasks/{id}");
        using var get = await Runway.GetAsync($"v1/tasks/{id}");
        using var deleteAgain = await Runway.DeleteAsync($"v1/tasks/{id}");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal("Task not found", (await get.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NotFound, deleteAgain.StatusCode);
    }

    [Fact]
    public async Task DeleteTask_WhenSucceeded_DeletesItAndPurgesItsOutput()
    {
        var id = await RunwayTestRequests.CreateAsync(Runway, "v1/text_to_video", RunwayTestRequests.TextToVideo(promptText: "delete after success", duration: 2));
        var (_, final) = await RunwayTestRequests.WaitForTerminalAsync(Runway, id, TaskTimeout);
        var url = final.GetProperty("output")[0].GetString()!;

        using var delete = await Runway.DeleteAsync($"v1/tasks/{id}");
        using var get = await Runway.GetAsync($"v1/tasks/{id}");
        using var output = await _fixture.Anonymous.GetAsync(url);

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, output.StatusCode);
    }

    [Fact]
    public async Task GetTask_WhenIdUnknown_Returns404()
    {
        using var response = await Runway.GetAsync($"v1/tasks/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Organization_WhenTaskSucceeds_CreditBalanceDropsByItsCostAndUsageCountsIt()
    {
        var before = await Runway.GetFromJsonAsync<JsonElement>("v1/organization");
        Assert.True(before.GetProperty("tier").GetProperty("models").GetProperty("gen4.5").GetProperty("maxConcurrentGenerations").GetInt32() > 0);

        var id = await RunwayTestRequests.CreateAsync(Runway, "v1/text_to_video", RunwayTestRequests.TextToVideo(promptText: "credits", duration: 4));
        var (_, final) = await RunwayTestRequests.WaitForTerminalAsync(Runway, id, TaskTimeout);
        var after = await Runway.GetFromJsonAsync<JsonElement>("v1/organization");

        Assert.Equal("SUCCEEDED", final.GetProperty("status").GetString());
        // Other tests in this class spend credits concurrently, so the drop is at least this task's 48 credits.
        Assert.True(before.GetProperty("creditBalance").GetInt64() - after.GetProperty("creditBalance").GetInt64() >= 48);
        Assert.True(after.GetProperty("usage").GetProperty("models").GetProperty("gen4.5").GetProperty("dailyGenerations").GetInt32() >= 1);
    }

    private async Task<string> CreateSucceededOutputUrlAsync()
    {
        var id = await RunwayTestRequests.CreateAsync(Runway, "v1/text_to_video", RunwayTestRequests.TextToVideo(promptText: "output url", duration: 2));
        var (_, final) = await RunwayTestRequests.WaitForTerminalAsync(Runway, id, TaskTimeout);
        Assert.Equal("SUCCEEDED", final.GetProperty("status").GetString());
        return final.GetProperty("output")[0].GetString()!;
    }

    private async Task WaitForStatusAsync(string id, string status)
    {
        var deadline = DateTime.UtcNow + TaskTimeout;
        while (true)
        {
            var task = await RunwayTestRequests.GetTaskAsync(Runway, id);
            if (task.GetProperty("status").GetString() == status)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Task {id} never reached {status}; last seen {task}");
            await Task.Delay(50);
        }
    }

    private async Task<(string Message, List<string> IssuePaths)> PostExpectingErrorAsync(string endpoint, object body, HttpStatusCode expected)
    {
        using var response = await Runway.PostAsJsonAsync(endpoint, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        var paths = document.RootElement.TryGetProperty("issues", out var issues)
            ? issues.EnumerateArray().Select(i => string.Join('.', i.GetProperty("path").EnumerateArray().Select(p => p.ToString()))).ToList()
            : [];
        return (document.RootElement.GetProperty("error").GetString()!, paths);
    }

    private async Task<ProbedVideo> ProbeBytesAsync(byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"studio-emulator-probe-{Guid.NewGuid():N}.mp4");
        await File.WriteAllBytesAsync(path, bytes);
        try
        {
            return await ProbedVideo.ProbeAsync(_fixture.Ffmpeg, path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private async Task<byte[]> MakeImageAsync(string extension)
    {
        var path = Path.Combine(Path.GetTempPath(), $"studio-emulator-frame-{Guid.NewGuid():N}.{extension}");
        try
        {
            await _fixture.Ffmpeg.RunFfmpegAsync(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=s=640x480", "-frames:v", "1", "-y", path], CancellationToken.None);
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
