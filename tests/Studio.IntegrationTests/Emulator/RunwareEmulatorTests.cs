using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Studio.Emulator;
using Studio.Emulator.Media;

namespace Studio.IntegrationTests.Emulator;

public sealed class FastRunwareEmulatorFixture : EmulatorFixture
{
    protected override void Configure(EmulatorOptions options)
    {
        options.PendingSeconds = 0.3;
        options.RunningSeconds = 1;
    }

    /// <summary>A client for <c>…/runware/</c>, with a Bearer key unless <paramref name="apiKey"/> is null.</summary>
    public HttpClient CreateRunwareClient(string? apiKey = ApiKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(Emulator.BaseAddress, "runware/") };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }
}

/// <summary>The emulated Runware API over real HTTP: auth, validation, the processing → success progression, outputs and webhooks.</summary>
public sealed class RunwareEmulatorTests(FastRunwareEmulatorFixture fixture) : IClassFixture<FastRunwareEmulatorFixture>
{
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromSeconds(60);

    private static JsonObject VideoTask(Guid? taskUuid = null, int width = 1280, int height = 720, int duration = 2, long? seed = 4242, string? image = null, string? webhook = null)
    {
        var task = new JsonObject
        {
            ["taskType"] = "videoInference",
            ["taskUUID"] = (taskUuid ?? Guid.NewGuid()).ToString(),
            ["model"] = "runway:1@2",
            ["positivePrompt"] = "A paper boat on a rain-soaked street, slow push in",
            ["width"] = width,
            ["height"] = height,
            ["duration"] = duration,
            ["includeCost"] = true,
            ["deliveryMethod"] = "async",
        };
        if (seed is not null)
        {
            task["seed"] = seed;
        }

        if (image is not null)
        {
            task["inputs"] = new JsonObject { ["frameImages"] = new JsonArray(new JsonObject { ["image"] = image, ["frame"] = "first" }) };
        }

        if (webhook is not null)
        {
            task["webhookURL"] = webhook;
        }

        return task;
    }

    private async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(params JsonNode[] tasks) => await PostAsync(fixture.CreateRunwareClient(), tasks);

    private static async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(HttpClient client, params JsonNode[] tasks)
    {
        using var content = new StringContent(new JsonArray([.. tasks.Select(t => t.DeepClone())]).ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("v1", content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text)!.AsObject());
    }

    private static JsonNode GetResponse(Guid taskUuid) => new JsonObject { ["taskType"] = "getResponse", ["taskUUID"] = taskUuid.ToString() };

    private async Task<(List<string> Seen, JsonObject Final)> WaitForTerminalAsync(Guid taskUuid)
    {
        var seen = new List<string>();
        var deadline = DateTime.UtcNow + TaskTimeout;
        while (true)
        {
            var (status, body) = await PostAsync(GetResponse(taskUuid));
            Assert.Equal(HttpStatusCode.OK, status);
            if (body["errors"] is JsonArray { Count: > 0 } errors)
            {
                seen.Add("error");
                return (seen, errors[0]!.AsObject());
            }

            var item = body["data"]![0]!.AsObject();
            seen.Add(item["status"]!.GetValue<string>());
            if (seen[^1] != "processing")
            {
                return (seen, item);
            }

            Assert.True(DateTime.UtcNow < deadline, $"Task {taskUuid} still processing after {TaskTimeout}.");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Post_WithoutAnyKey_Returns401MissingApiKey()
    {
        var (status, body) = await PostAsync(fixture.CreateRunwareClient(apiKey: null), VideoTask());

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("missingApiKey", body["errors"]![0]!["code"]!.GetValue<string>());
        Assert.Null(body["data"]);
    }

    [Fact]
    public async Task Auth_WithAuthenticationTaskInsteadOfHeader_IsAccepted()
    {
        // PROVIDERS.md line 256: {"taskType":"authentication","apiKey":"<key>"}, with a key in place of <key>.
        var auth = JsonNode.Parse("""{"taskType":"authentication","apiKey":"<key>"}""")!;
        auth["apiKey"] = EmulatorFixture.ApiKey;
        var taskUuid = Guid.NewGuid();

        var (status, body) = await PostAsync(fixture.CreateRunwareClient(apiKey: null), auth, VideoTask(taskUuid));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(taskUuid.ToString(), body["data"]![0]!["taskUUID"]!.GetValue<string>());
    }

    [Fact]
    public async Task Post_WhenBodyIsAnObjectNotAnArray_Returns400()
    {
        using var client = fixture.CreateRunwareClient();
        using var response = await client.PostAsync("v1", new StringContent(VideoTask().ToJsonString(), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("array", (await response.Content.ReadAsStringAsync()), StringComparison.OrdinalIgnoreCase);
    }

    public static TheoryData<string, string, string> InvalidTasks => new()
    {
        { """{"model":"runway:1@1"}""", "invalidModel", "model" },
        { """{"width":1920,"height":1080}""", "invalidWidth", "width" },
        { """{"width":1584,"height":672}""", "invalidWidth", "width" }, // 21:9 is Runway's, not Runware's
        { """{"duration":11}""", "invalidDuration", "duration" },
        { """{"duration":1}""", "invalidDuration", "duration" },
        { """{"deliveryMethod":"sync"}""", "invalidDeliveryMethod", "deliveryMethod" },
        { """{"taskUUID":"not-a-uuid"}""", "invalidTaskUUID", "taskUUID" },
        { """{"positivePrompt":"PROMPT_TOO_LONG"}""", "invalidPositivePrompt", "positivePrompt" },
        { """{"inputs":{"frameImages":[{"image":"data:image/gif;base64,R0lGODlhAQABAAAAACw=","frame":"first"}]}}""", "invalidFrameImages", "inputs.frameImages" },
        { """{"inputs":{"frameImages":[{"image":"https://example.com/a.png","frame":"last"}]}}""", "invalidFrameImages", "inputs.frameImages" },
        { """{"webhookURL":"ftp://example.com/hook"}""", "invalidWebhookURL", "webhookURL" },
    };

    [Theory]
    [MemberData(nameof(InvalidTasks))]
    public async Task VideoInference_WhenInvalid_Returns400WithCodeAndParameter(string overrides, string code, string parameter)
    {
        var task = VideoTask();
        foreach (var (name, value) in JsonNode.Parse(overrides)!.AsObject())
        {
            task[name] = value?.ToJsonString() == "\"PROMPT_TOO_LONG\"" ? new string('a', 1001) : value?.DeepClone();
        }

        var (status, body) = await PostAsync(task);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = body["errors"]![0]!;
        Assert.Equal(code, error["code"]!.GetValue<string>());
        Assert.Equal(parameter, error["parameter"]!.GetValue<string>());
        Assert.Equal("videoInference", error["taskType"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(error["message"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Batch_WithOneValidAndOneInvalidTask_Answers200WithDataAndErrors()
    {
        var good = Guid.NewGuid();
        var bad = VideoTask(duration: 42);

        var (status, body) = await PostAsync(VideoTask(good), bad);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(good.ToString(), body["data"]![0]!["taskUUID"]!.GetValue<string>());
        Assert.Equal(bad["taskUUID"]!.GetValue<string>(), body["errors"]![0]!["taskUUID"]!.GetValue<string>());
    }

    [Fact]
    public async Task VideoInference_WhenTaskUuidReused_IsRefused()
    {
        var taskUuid = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(VideoTask(taskUuid))).Status);

        var (status, body) = await PostAsync(VideoTask(taskUuid));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("duplicateTaskUUID", body["errors"]![0]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetResponse_ForUnknownTaskUuid_Answers200WithTaskNotFoundError()
    {
        var taskUuid = Guid.NewGuid();

        var (status, body) = await PostAsync(GetResponse(taskUuid));

        Assert.Equal(HttpStatusCode.OK, status);
        var error = body["errors"]![0]!;
        Assert.Equal("taskNotFound", error["code"]!.GetValue<string>());
        Assert.Equal(taskUuid.ToString(), error["taskUUID"]!.GetValue<string>());
    }

    [Fact]
    public async Task TextToVideo_ProgressesFromProcessingToSuccess_WithPlayableH264OfRequestedSizeDurationSeedAndCost()
    {
        var taskUuid = Guid.NewGuid();
        var (createStatus, ack) = await PostAsync(VideoTask(taskUuid, width: 832, height: 1104, duration: 3, seed: 97986));
        Assert.Equal(HttpStatusCode.OK, createStatus);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""{"data":[{"taskType":"videoInference","taskUUID":"{{taskUuid}}"}]}"""), ack));

        var (seen, final) = await WaitForTerminalAsync(taskUuid);

        Assert.Equal("processing", seen[0]);
        Assert.Equal("success", seen[^1]);
        Assert.Equal(97986, final["seed"]!.GetValue<long>());
        Assert.Equal(0.36m, final["cost"]!.GetValue<decimal>());
        Assert.True(Guid.TryParse(final["videoUUID"]!.GetValue<string>(), out _));
        var videoUrl = final["videoURL"]!.GetValue<string>();
        Assert.StartsWith(fixture.Emulator.BaseAddress.ToString(), videoUrl);
        var video = await DownloadAndProbeAsync(videoUrl);
        Assert.Equal(("h264", 832, 1104), (video.CodecName, video.Width, video.Height));
        Assert.InRange(video.DurationSeconds, 2.9, 3.2);

        using var tampered = await fixture.Anonymous.GetAsync(videoUrl.Replace("sig=", "sig=x", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
    }

    [Fact]
    public async Task ImageToVideo_WithDataUri_Succeeds()
    {
        var png = await RunwareTestImages.PngAsync(fixture.Ffmpeg, 64, 36);
        var taskUuid = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(VideoTask(taskUuid, image: "data:image/png;base64," + Convert.ToBase64String(png)))).Status);

        var (_, final) = await WaitForTerminalAsync(taskUuid);

        Assert.Equal("success", final["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task ImageToVideo_WhenImageUrlCannotBeFetched_FailsTheTaskInErrors()
    {
        await using var receiver = await RunwareTestReceiver.StartAsync();
        var taskUuid = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(VideoTask(taskUuid, image: new Uri(receiver.BaseAddress, "missing.png").AbsoluteUri))).Status);

        var (seen, final) = await WaitForTerminalAsync(taskUuid);

        Assert.Equal("error", seen[^1]);
        Assert.Equal("invalidFrameImage", final["code"]!.GetValue<string>());
        Assert.Equal(taskUuid.ToString(), final["taskUUID"]!.GetValue<string>());
        Assert.Equal("error", final["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task ImageToVideo_ByUrl_FetchesTheImageAndSucceeds()
    {
        await using var receiver = await RunwareTestReceiver.StartAsync(await RunwareTestImages.PngAsync(fixture.Ffmpeg, 64, 36));
        var taskUuid = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(VideoTask(taskUuid, image: new Uri(receiver.BaseAddress, "frame.png").AbsoluteUri))).Status);

        var (_, final) = await WaitForTerminalAsync(taskUuid);

        Assert.Equal("success", final["status"]!.GetValue<string>());
        Assert.Contains("/frame.png", receiver.ImageRequests);
    }

    [Fact]
    public async Task Webhook_WhenTaskSucceeds_PostsTheFlatTaskObjectWithoutDataWrapper()
    {
        await using var receiver = await RunwareTestReceiver.StartAsync();
        var taskUuid = Guid.NewGuid();
        var hook = new Uri(receiver.BaseAddress, "hook?token=abc").AbsoluteUri;
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(VideoTask(taskUuid, webhook: hook))).Status);

        var delivery = await receiver.NextWebhookAsync(TaskTimeout);

        Assert.Equal("/hook?token=abc", delivery.PathAndQuery);
        Assert.Equal("application/json", delivery.ContentType?.Split(';')[0]);
        var body = JsonNode.Parse(delivery.Body)!.AsObject();
        Assert.Null(body["data"]);
        Assert.Equal(taskUuid.ToString(), body["taskUUID"]!.GetValue<string>());
        Assert.Equal("videoInference", body["taskType"]!.GetValue<string>());
        Assert.Equal("success", body["status"]!.GetValue<string>());
        Assert.Equal(4242, body["seed"]!.GetValue<long>());
        Assert.Equal(0.24m, body["cost"]!.GetValue<decimal>());
        using var video = await fixture.Anonymous.GetAsync(body["videoURL"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, video.StatusCode);
        Assert.Equal("video/mp4", video.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AccountManagement_GetDetails_ReturnsTheBalanceInUsd()
    {
        var (status, body) = await PostAsync(new JsonObject { ["taskType"] = "accountManagement", ["taskUUID"] = Guid.NewGuid().ToString(), ["operation"] = "getDetails" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body["data"]![0]!["balance"]!.GetValue<decimal>() > 0);
    }

    private async Task<ProbedVideo> DownloadAndProbeAsync(string url)
    {
        var path = Path.Combine(Path.GetTempPath(), $"runware-{Guid.NewGuid():N}.mp4");
        try
        {
            await File.WriteAllBytesAsync(path, await fixture.Anonymous.GetByteArrayAsync(url));
            return await ProbedVideo.ProbeAsync(fixture.Ffmpeg, path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>A tiny HTTP server for tests: records webhook POSTs and serves one image at <c>/frame.png</c>.</summary>
public sealed class RunwareTestReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<(string PathAndQuery, string? ContentType, string Body)> _webhooks = Channel.CreateUnbounded<(string, string?, string)>();

    private RunwareTestReceiver(WebApplication app, byte[]? image)
    {
        _app = app;
        app.MapPost("/{**path}", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            await _webhooks.Writer.WriteAsync((request.Path + request.QueryString, request.ContentType, await reader.ReadToEndAsync()));
            return Results.Ok();
        });
        app.MapGet("/frame.png", (HttpRequest request) =>
        {
            ImageRequests.Add(request.Path);
            return image is null ? Results.NotFound() : Results.Bytes(image, "image/png");
        });
    }

    public Uri BaseAddress { get; private set; } = null!;

    public System.Collections.Concurrent.ConcurrentBag<string> ImageRequests { get; } = [];

    public static async Task<RunwareTestReceiver> StartAsync(byte[]? image = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var receiver = new RunwareTestReceiver(builder.Build(), image);
        await receiver._app.StartAsync();
        var address = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return receiver;
    }

    public async Task<(string PathAndQuery, string? ContentType, string Body)> NextWebhookAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await _webhooks.Reader.ReadAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public static class RunwareTestImages
{
    /// <summary>A real PNG made by ffmpeg (a solid colour), for first frames.</summary>
    public static async Task<byte[]> PngAsync(FfmpegProcess ffmpeg, int width, int height)
    {
        var path = Path.Combine(Path.GetTempPath(), $"runware-frame-{Guid.NewGuid():N}.png");
        try
        {
            await ffmpeg.RunFfmpegAsync(["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", $"color=c=orange:s={width}x{height}", "-frames:v", "1", path], CancellationToken.None);
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>The Runware emulator keeps its tasks in its data directory: a restarted one still answers for them.</summary>
public sealed class RunwareEmulatorRestartTests
{
    [Fact]
    public async Task GetResponse_AfterRestartMidTask_StillFindsTheTaskAndItSucceeds()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "studio-emulator-tests", Guid.NewGuid().ToString("N"));
        void Configure(EmulatorOptions o)
        {
            o.DataDirectory = dataDirectory;
            o.PendingSeconds = 0.2;
            o.RunningSeconds = 2;
        }

        try
        {
            var taskUuid = Guid.NewGuid();
            var task = $$"""[{"taskType":"videoInference","taskUUID":"{{taskUuid}}","model":"runway:1@2","positivePrompt":"Lanterns on a river","width":960,"height":960,"duration":2,"seed":5,"includeCost":true}]""";
            await using (var first = await EmulatorHost.StartAsync(Configure))
            {
                using var client = Client(first);
                using var created = await client.PostAsync("v1", new StringContent(task, Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.OK, created.StatusCode);
            }

            Assert.True(File.Exists(Path.Combine(dataDirectory, "runware", "tasks.json")));
            await using var second = await EmulatorHost.StartAsync(Configure);
            using var again = Client(second);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            JsonNode item;
            do
            {
                await Task.Delay(150);
                using var polled = await again.PostAsync("v1", new StringContent($$"""[{"taskType":"getResponse","taskUUID":"{{taskUuid}}"}]""", Encoding.UTF8, "application/json"));
                var body = JsonNode.Parse(await polled.Content.ReadAsStringAsync())!;
                Assert.Null(body["errors"]);
                item = body["data"]![0]!;
            }
            while (item["status"]!.GetValue<string>() == "processing" && DateTime.UtcNow < deadline);

            Assert.Equal("success", item["status"]!.GetValue<string>());
            Assert.StartsWith(second.BaseAddress.ToString(), item["videoURL"]!.GetValue<string>());
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
        var client = new HttpClient { BaseAddress = new Uri(emulator.BaseAddress, "runware/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", EmulatorFixture.ApiKey);
        return client;
    }
}
