using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Studio.Emulator.Media;

namespace Studio.IntegrationTests.Emulator;

/// <summary>The emulated Pixazo gateway over real HTTP: key check, validation, status progression, outputs and webhooks.</summary>
public sealed class PixazoEmulatorTests(FastPixazoEmulatorFixture fixture) : IClassFixture<FastPixazoEmulatorFixture>
{
    private HttpClient Pixazo => fixture.Pixazo;

    [Fact]
    public async Task Generate_WithoutKey_Returns401InApiManagementShape()
    {
        using var client = fixture.CreateClient(apiKey: null);
        using var response = await client.PostAsJsonAsync(PixazoTestRequests.GeneratePath, PixazoTestRequests.TextOnly());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(401, body.GetProperty("statusCode").GetInt32());
        Assert.Contains("subscription key", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Status_WithoutKey_Returns401()
    {
        using var client = fixture.CreateClient(apiKey: null);
        using var response = await client.GetAsync("v2/requests/status/runway-gen-4-5_x");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Generate_ForAnotherModel_Returns400ModelNotFound()
    {
        using var response = await Pixazo.PostAsJsonAsync("runway-gen-9/v1/gen-9/generate", PixazoTestRequests.TextOnly());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Model not found", body.GetProperty("error").GetString());
        Assert.Equal("Model 'runway-gen-9' not found or is disabled", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Generate_WithEmptyWallet_Returns402WithTheDocumentedBody()
    {
        using var client = fixture.CreateClient("key_broke_0000");
        using var response = await client.PostAsJsonAsync(PixazoTestRequests.GeneratePath, PixazoTestRequests.TextOnly());

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        Assert.Equal("""{"error":"Insufficient Balance","message":"Your wallet does not have enough balance."}""", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("""{"duration":5}""", "prompt")]
    [InlineData("""{"prompt":"  "}""", "prompt")]
    [InlineData("""{"prompt":"x","duration":7}""", "duration")]
    [InlineData("""{"prompt":"x","duration":"5"}""", "duration")]
    [InlineData("""{"prompt":"x","aspect_ratio":"1280:720"}""", "aspect_ratio")]
    [InlineData("""{"prompt":"x","aspect_ratio":"1:1"}""", "aspect_ratio")] // text-only: 16:9 and 9:16, as upstream Runway
    [InlineData("""{"prompt":"x","seed":-1}""", "seed")]
    [InlineData("""{"prompt":"x","image":"ftp://example.com/a.png"}""", "image")]
    [InlineData("""{"prompt":"x","image":"data:image/png;base64,AAAA"}""", "image")]
    [InlineData("""[1,2]""", "JSON object")]
    [InlineData("""{"prompt":""", "JSON")]
    public async Task Generate_WhenInvalid_Returns400NamingTheField(string json, string named)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Pixazo.PostAsync(PixazoTestRequests.GeneratePath, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Bad Request", body.GetProperty("error").GetString());
        Assert.Contains(named, body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Generate_WhenPromptOver1000_Returns400()
    {
        using var response = await Pixazo.PostAsJsonAsync(PixazoTestRequests.GeneratePath, new { prompt = new string('a', 1001) });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Generate_WithBadWebhookMode_Returns400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, PixazoTestRequests.GeneratePath) { Content = JsonContent.Create(PixazoTestRequests.TextOnly()) };
        request.Headers.Add("X-Webhook-URL", "https://example.com/hook");
        request.Headers.Add("X-Webhook-Mode", "always");
        using var response = await Pixazo.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("X-Webhook-Mode", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Status_OfUnknownRequest_Returns404()
    {
        using var response = await Pixazo.GetAsync("v2/requests/status/runway-gen-4-5_nope");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Not Found", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task TextToVideo_ProgressesQueuedProcessingCompleted_WithAPlayableVideoOfTheRequestedSize()
    {
        var accepted = await PixazoTestRequests.GenerateAsync(Pixazo, PixazoTestRequests.TextOnly("9:16", duration: 5));
        var id = accepted.GetProperty("request_id").GetString()!;
        Assert.StartsWith("runway-gen-4-5_", id);
        Assert.Equal(7, Guid.Parse(id["runway-gen-4-5_".Length..]).Version); // "<model>_<UUIDv7>", like "runway-gen-4-5_019d…"
        Assert.Equal("QUEUED", accepted.GetProperty("status").GetString());
        Assert.Equal(new Uri(Pixazo.BaseAddress!, "v2/requests/status/" + id).AbsoluteUri, accepted.GetProperty("polling_url").GetString());

        var (seen, final) = await PixazoTestRequests.WaitForTerminalAsync(Pixazo, id);

        Assert.Equal(["PROCESSING", "COMPLETED"], seen.SkipWhile(s => s == "QUEUED")); // the first look is usually still QUEUED
        Assert.Equal(id, final.GetProperty("request_id").GetString());
        Assert.Equal("runway-gen-4-5", final.GetProperty("model_id").GetString());
        Assert.Equal(JsonValueKind.Null, final.GetProperty("error").ValueKind);
        Assert.Equal("video/mp4", final.GetProperty("output").GetProperty("media_type").GetString());
        // The documented timestamp mix: ISO-8601 with Z, and zone-less "YYYY-MM-DD HH:MM:SS".
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", final.GetProperty("created_at").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", final.GetProperty("completed_at").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", final.GetProperty("updated_at").GetString());

        var url = final.GetProperty("output").GetProperty("media_url")[0].GetString()!;
        var video = await DownloadAndProbeAsync(url);
        Assert.Equal(("h264", 720, 1280), (video.CodecName, video.Width, video.Height));
        Assert.InRange(video.DurationSeconds, 4.5, 5.5);
    }

    [Fact]
    public async Task Status_WhileQueued_HasNoOutputAndNoCompletedAt()
    {
        var id = (await PixazoTestRequests.GenerateAsync(Pixazo, PixazoTestRequests.TextOnly())).GetProperty("request_id").GetString()!;
        var status = await PixazoTestRequests.StatusAsync(Pixazo, id);

        Assert.Equal("QUEUED", status.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("output").ValueKind);
        Assert.Equal(JsonValueKind.Null, status.GetProperty("completed_at").ValueKind);
    }

    [Fact]
    public async Task ImageToVideo_FetchesTheImageUrl_AndRendersAtTheRequestedAspect()
    {
        var body = new { prompt = "An orange sky slowly darkening", image = new Uri(fixture.Receiver.BaseAddress, "frame.png").AbsoluteUri, duration = 5, aspect_ratio = "21:9", seed = 9 };
        var id = (await PixazoTestRequests.GenerateAsync(Pixazo, body)).GetProperty("request_id").GetString()!;

        var (_, final) = await PixazoTestRequests.WaitForTerminalAsync(Pixazo, id);

        Assert.Equal("COMPLETED", final.GetProperty("status").GetString());
        var video = await DownloadAndProbeAsync(final.GetProperty("output").GetProperty("media_url")[0].GetString()!);
        Assert.Equal((1584, 672), (video.Width, video.Height));
    }

    [Fact]
    public async Task ImageToVideo_WhenTheImageCannotBeFetched_FailsWithTheReason()
    {
        var body = new { prompt = "x", image = new Uri(fixture.Receiver.BaseAddress, "missing.png").AbsoluteUri, aspect_ratio = "1:1" };
        var id = (await PixazoTestRequests.GenerateAsync(Pixazo, body)).GetProperty("request_id").GetString()!;

        var (_, final) = await PixazoTestRequests.WaitForTerminalAsync(Pixazo, id);

        Assert.Equal("FAILED", final.GetProperty("status").GetString());
        Assert.Contains("404", final.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, final.GetProperty("output").ValueKind);
        Assert.Equal(JsonValueKind.String, final.GetProperty("completed_at").ValueKind);
    }

    [Fact]
    public async Task Webhook_TerminalMode_PostsTheStatusShapeOnceWhenCompleted()
    {
        var hook = "terminal-" + Guid.NewGuid().ToString("N");
        var id = (await PixazoTestRequests.GenerateAsync(Pixazo, PixazoTestRequests.TextOnly(), fixture.Receiver.Hook(hook))).GetProperty("request_id").GetString()!;

        var (_, final) = await PixazoTestRequests.WaitForTerminalAsync(Pixazo, id);
        var delivered = await WaitForDeliveriesAsync(hook, d => d.Any(x => x.Body.GetProperty("status").GetString() == "COMPLETED"));
        await Task.Delay(500); // nothing more may follow

        var (contentType, payload) = Assert.Single(fixture.Receiver.Received(hook));
        Assert.StartsWith("application/json", contentType);
        Assert.Equal(id, payload.GetProperty("request_id").GetString());
        Assert.Equal("COMPLETED", payload.GetProperty("status").GetString());
        // The same shape (the same members) as the status response.
        Assert.Equal(Names(final), Names(payload));
        Assert.Single(delivered);
        Assert.Equal(HttpStatusCode.OK, (await HeadAsync(payload.GetProperty("output").GetProperty("media_url")[0].GetString()!)));
    }

    [Fact]
    public async Task Webhook_SyncMode_PostsEveryStatusChangeThenTheTerminalOne()
    {
        var hook = "sync-" + Guid.NewGuid().ToString("N");
        await PixazoTestRequests.GenerateAsync(Pixazo, PixazoTestRequests.TextOnly(), fixture.Receiver.Hook(hook), mode: "sync");

        var delivered = await WaitForDeliveriesAsync(hook, d => d.Any(x => x.Body.GetProperty("status").GetString() == "COMPLETED"));

        var statuses = delivered.Select(d => d.Body.GetProperty("status").GetString()).ToList();
        Assert.Equal("COMPLETED", statuses[^1]);
        Assert.Contains("PROCESSING", statuses);
        Assert.Equal(statuses.Distinct().Count(), statuses.Count);
    }

    [Fact]
    public async Task Webhook_WhenTheImageFetchFails_PostsTheFailure()
    {
        var hook = "failed-" + Guid.NewGuid().ToString("N");
        var body = new { prompt = "x", image = new Uri(fixture.Receiver.BaseAddress, "missing.png").AbsoluteUri, aspect_ratio = "16:9" };
        await PixazoTestRequests.GenerateAsync(Pixazo, body, fixture.Receiver.Hook(hook));

        var delivered = await WaitForDeliveriesAsync(hook, d => d.Count > 0);

        var payload = Assert.Single(delivered).Body;
        Assert.Equal("FAILED", payload.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, payload.GetProperty("output").ValueKind);
        Assert.False(string.IsNullOrEmpty(payload.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task Webhook_WhenTheReceiverIsDown_TheRequestStillCompletes()
    {
        var id = (await PixazoTestRequests.GenerateAsync(Pixazo, PixazoTestRequests.TextOnly(), new Uri("http://127.0.0.1:9/unreachable"))).GetProperty("request_id").GetString()!;
        var (_, final) = await PixazoTestRequests.WaitForTerminalAsync(Pixazo, id);
        Assert.Equal("COMPLETED", final.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Output_WithATamperedSignature_Returns403()
    {
        var id = (await PixazoTestRequests.GenerateAsync(Pixazo, PixazoTestRequests.TextOnly())).GetProperty("request_id").GetString()!;
        var (_, final) = await PixazoTestRequests.WaitForTerminalAsync(Pixazo, id);
        var url = final.GetProperty("output").GetProperty("media_url")[0].GetString()!;

        Assert.Equal(HttpStatusCode.Forbidden, await HeadAsync(url[..^3] + "AAA"));
        Assert.Equal(HttpStatusCode.Forbidden, await HeadAsync(url.Split('?')[0]));
    }

    private async Task<IReadOnlyList<(string ContentType, JsonElement Body)>> WaitForDeliveriesAsync(
        string hook, Func<IReadOnlyList<(string ContentType, JsonElement Body)>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var received = fixture.Receiver.Received(hook);
            if (done(received))
            {
                return received;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Webhook {hook} received only {received.Count} deliveries.");
            await Task.Delay(100);
        }
    }

    private static List<string> Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();

    private static async Task<HttpStatusCode> HeadAsync(string url)
    {
        using var anonymous = new HttpClient();
        using var response = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        return response.StatusCode;
    }

    private async Task<ProbedVideo> DownloadAndProbeAsync(string url)
    {
        using var anonymous = new HttpClient(); // output links need no key, like R2's public bucket
        var bytes = await anonymous.GetByteArrayAsync(url);
        var path = Path.Combine(Path.GetTempPath(), $"pixazo-{Guid.NewGuid():N}.mp4");
        await File.WriteAllBytesAsync(path, bytes);
        try
        {
            return await ProbedVideo.ProbeAsync(fixture.Emulator.Services.GetRequiredService<FfmpegProcess>(), path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
