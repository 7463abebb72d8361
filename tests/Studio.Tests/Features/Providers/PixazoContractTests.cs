using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Providers.Pixazo;

namespace Studio.Tests.Features.Providers;

/// <summary>
/// The Pixazo adapter against every JSON example in the Pixazo page (seed 000) and PROVIDERS.md section 2, verbatim
/// (Fixtures/pixazo, named by document and line), and the requests it builds.
/// </summary>
public class PixazoContractTests
{
    private static readonly ProviderConnection Connection =
        new("pixazo", new Uri("https://gateway.pixazo.ai/"), "pz_secret_key_123", IsSandbox: false, "server");

    private static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Features", "Providers", "Fixtures", "pixazo", name));

    private static ProviderTaskStatus MapFixture(string name) =>
        PixazoProvider.Map(JsonSerializer.Deserialize<PixazoStatusResponse>(Fixture(name), PixazoProvider.Json)!, NullLogger.Instance);

    private static (PixazoProvider Provider, StubHandler Handler) Adapter(HttpStatusCode status, string body)
    {
        var handler = new StubHandler(status, body);
        return (new PixazoProvider(new HttpClient(handler), NullLogger<PixazoProvider>.Instance), handler);
    }

    private static ProviderSubmission Submission(ProviderImage? image = null, string ratio = "1280:720", int duration = 5, long? seed = 42, Uri? callback = null) =>
        new(Guid.NewGuid(), "gen-4.5", "A golden retriever puppy chasing butterflies", ratio, duration, seed, image, null, callback, null);

    private static ProviderImage Image(Uri? url) => new("image/png", 68, "data:image/png;base64,AAAA", url);

    // ---- status and callback payloads ----

    [Theory]
    [InlineData("seed000_L077-091_callback-completed.json", "https://pub-582b7213209642b9b995c96c95a30381.r2.dev/v1/runway-gen-4-5_019dxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx/output.mp4")]
    [InlineData("seed000_L179-193_status-completed-octet-stream.json", "https://pub-582b7213209642b9b995c96c95a30381.r2.dev/v1/runway-gen-4-5_019dxxxx-xxxx/output.ext")]
    [InlineData("providers_L207-209_status-completed.json", "https://pub-….r2.dev/v1/<request_id>/output.mp4")]
    public void Map_Completed_SucceedsWithTheMediaUrlAndNoReportedCost(string fixture, string url)
    {
        var status = MapFixture(fixture);

        Assert.Equal(ProviderTaskPhase.Succeeded, status.Phase);
        Assert.Equal("COMPLETED", status.RawStatus);
        Assert.Equal([url], status.OutputUrls);
        Assert.Null(status.CostCredits); // Pixazo reports no cost: the studio settles its $0.12/s estimate
        Assert.Null(status.Failure);
        Assert.False(status.Retryable);
    }

    [Theory]
    [InlineData("seed000_L093-102_callback-error.json")]
    [InlineData("seed000_L163-169_status-error.json")]
    public void Map_Error_FailsRetryableAndUncharged(string fixture)
    {
        var status = MapFixture(fixture);

        Assert.Equal(ProviderTaskPhase.Failed, status.Phase);
        Assert.Equal("ERROR", status.RawStatus);
        Assert.Equal("Description of the error", status.Failure);
        Assert.Equal("PIXAZO.ERROR", status.FailureCode);
        Assert.True(status.Retryable);
        Assert.Equal(0, status.CostCredits);
        Assert.Null(status.OutputUrls);
    }

    [Theory]
    [InlineData("QUEUED", ProviderTaskPhase.Queued)]
    [InlineData("PROCESSING", ProviderTaskPhase.Running)]
    [InlineData("COMPLETED", ProviderTaskPhase.Succeeded)]
    [InlineData("FAILED", ProviderTaskPhase.Failed)]
    [InlineData("ERROR", ProviderTaskPhase.Failed)]
    [InlineData("processing", ProviderTaskPhase.Running)] // case drift is tolerated
    [InlineData("CANCELLED", ProviderTaskPhase.Queued)] // unknown: a safe non-terminal state (and a warning)
    public void Map_EveryStatus_ToCommonPhase(string raw, ProviderTaskPhase expected)
    {
        var body = $$"""{"request_id":"r1","status":"{{raw}}","model_id":"runway-gen-4-5","error":null,"output":null,"created_at":"2026-05-22T13:17:32.110Z","updated_at":"2026-05-22 13:17:40","completed_at":null}""";
        var status = PixazoProvider.Map(JsonSerializer.Deserialize<PixazoStatusResponse>(body, PixazoProvider.Json)!, NullLogger.Instance);
        Assert.Equal(expected, status.Phase);
        Assert.True(status.Progress is null or 1); // Pixazo has no percentage
    }

    [Fact]
    public void Map_Failed_CarriesTheErrorTextAndIsNotRetryable()
    {
        var body = """{"request_id":"r1","status":"FAILED","model_id":"runway-gen-4-5","error":"Content moderation","output":null,"created_at":"2026-05-22T13:17:32.110Z","updated_at":"2026-05-22 13:19:23","completed_at":"2026-05-22 13:19:23"}""";
        var status = PixazoProvider.Map(JsonSerializer.Deserialize<PixazoStatusResponse>(body, PixazoProvider.Json)!, NullLogger.Instance);

        Assert.Equal(ProviderTaskPhase.Failed, status.Phase);
        Assert.Equal("Content moderation", status.Failure);
        Assert.Equal("PIXAZO.FAILED", status.FailureCode);
        Assert.False(status.Retryable);
        Assert.Null(status.CostCredits); // whether FAILED is charged is undocumented
    }

    [Theory]
    [InlineData("2026-05-22T13:17:32.110Z", "2026-05-22T13:17:32.1100000+00:00")]
    [InlineData("2026-05-22 13:19:23", "2026-05-22T13:19:23.0000000+00:00")] // zone-less: UTC
    [InlineData("2026-03-31T10:00:15.000Z", "2026-03-31T10:00:15.0000000+00:00")]
    public void ParseTimestamp_ReadsBothFormsAsUtc(string raw, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), PixazoProvider.ParseTimestamp(raw));

    [Theory]
    [InlineData("...")] // the seed's failure callback has "..." placeholders
    [InlineData(null)]
    public void ParseTimestamp_WhenUnreadable_IsNull(string? raw) => Assert.Null(PixazoProvider.ParseTimestamp(raw));

    [Theory]
    [InlineData("seed000_L077-091_callback-completed.json")]
    [InlineData("seed000_L093-102_callback-error.json")]
    public void ReadCallback_SeedPayload_YieldsTheRequestId(string fixture)
    {
        var (provider, _) = Adapter(HttpStatusCode.OK, "");
        var callback = provider.ReadCallback(Connection, new ProviderCallbackRequest(new Dictionary<string, string>(), Fixture(fixture)));

        Assert.Null(callback.Rejected);
        Assert.Equal("runway-gen-4-5_019dxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", callback.TaskId);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"status":"COMPLETED"}""")]
    [InlineData("[]")]
    public void ReadCallback_WithoutRequestId_IsRejected(string body)
    {
        var (provider, _) = Adapter(HttpStatusCode.OK, "");
        var callback = provider.ReadCallback(Connection, new ProviderCallbackRequest(new Dictionary<string, string>(), body));
        Assert.Null(callback.TaskId);
        Assert.NotNull(callback.Rejected);
    }

    // ---- submit answers ----

    [Theory]
    [InlineData("seed000_L060-064_submit-accepted.json", "runway-gen-4-5_019dxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")]
    [InlineData("seed000_L127-131_submit-accepted.json", "runway-gen-4-5_019dxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")]
    [InlineData("providers_L202_submit-accepted.json", "runway-gen-4-5_019d…")]
    public async Task Submit_Accepted_ReturnsTheRequestIdAndThePriceEstimate(string fixture, string requestId)
    {
        var (provider, _) = Adapter(HttpStatusCode.Accepted, Fixture(fixture));

        var result = await provider.SubmitAsync(Connection, Submission(duration: 10), CancellationToken.None);

        Assert.True(result.IsSuccess, result.Failure?.Message);
        Assert.Equal(requestId, result.Value!.TaskId);
        Assert.Equal(120, result.Value.EstimatedCredits); // $0.12/s × 10 s = 120 credits
    }

    [Theory]
    [InlineData("seed000_L153-156_error-402-insufficient-balance.json", 402, ProviderFailureKind.InsufficientCredits, "Your wallet does not have enough balance.")]
    [InlineData("providers_L228a_error-402-insufficient-balance.json", 402, ProviderFailureKind.InsufficientCredits, "Insufficient Balance")]
    [InlineData("seed000_L158-161_error-400-model-not-found.json", 400, ProviderFailureKind.Rejected, "Model 'runway-gen-4-5' not found or is disabled")]
    [InlineData("providers_L228b_error-400-model-not-found.json", 400, ProviderFailureKind.Rejected, "Model not found")]
    public async Task Submit_ErrorBody_IsClassifiedWithTheProvidersMessage(string fixture, int code, ProviderFailureKind kind, string inMessage)
    {
        var (provider, _) = Adapter((HttpStatusCode)code, Fixture(fixture));

        var result = await provider.SubmitAsync(Connection, Submission(), CancellationToken.None);

        Assert.False(result.IsSuccess);
        Assert.Equal(kind, result.Failure!.Kind);
        Assert.Contains(inMessage, result.Failure.Message);
    }

    [Theory]
    [InlineData(401, ProviderFailureKind.Unauthorized)]
    [InlineData(403, ProviderFailureKind.Unauthorized)]
    [InlineData(422, ProviderFailureKind.Rejected)]
    [InlineData(429, ProviderFailureKind.RateLimited)]
    [InlineData(503, ProviderFailureKind.Transient)]
    [InlineData(500, ProviderFailureKind.NoAnswer)] // a bare 500 does not say whether the request was queued
    public async Task Submit_HttpStatus_IsClassified(int code, ProviderFailureKind kind)
    {
        var (provider, _) = Adapter((HttpStatusCode)code, """{"statusCode":401,"message":"Access denied due to invalid subscription key."}""");
        var result = await provider.SubmitAsync(Connection, Submission(), CancellationToken.None);
        Assert.Equal(kind, result.Failure!.Kind);
        Assert.DoesNotContain("pz_secret_key_123", result.Failure.Message);
    }

    [Fact]
    public async Task Submit_ErrorInsideA2xxBody_IsRejectedWithItsMessage()
    {
        var (provider, _) = Adapter(HttpStatusCode.OK, """{"error":"Bad Request","message":"duration must be one of 5, 10"}""");
        var result = await provider.SubmitAsync(Connection, Submission(), CancellationToken.None);
        Assert.Equal(ProviderFailureKind.Rejected, result.Failure!.Kind);
        Assert.Contains("duration must be one of 5, 10", result.Failure.Message);
    }

    [Fact]
    public async Task GetTask_Status_IsReadFromTheStatusEndpoint()
    {
        var (provider, handler) = Adapter(HttpStatusCode.OK, Fixture("seed000_L179-193_status-completed-octet-stream.json"));
        var result = await provider.GetTaskAsync(Connection, "runway-gen-4-5_019dxxxx", CancellationToken.None);

        Assert.Equal(ProviderTaskPhase.Succeeded, result.Value!.Phase);
        Assert.Equal("https://gateway.pixazo.ai/v2/requests/status/runway-gen-4-5_019dxxxx", handler.Requests.Single().Url);
        Assert.Equal("pz_secret_key_123", handler.Requests.Single().Headers["Ocp-Apim-Subscription-Key"]);
    }

    [Fact]
    public async Task GetTask_404_IsNotFound()
    {
        var (provider, _) = Adapter(HttpStatusCode.NotFound, """{"error":"Not Found","message":"Request 'x' not found"}""");
        Assert.Equal(ProviderFailureKind.NotFound, (await provider.GetTaskAsync(Connection, "x", CancellationToken.None)).Failure!.Kind);
    }

    [Theory]
    [InlineData(404, true)] // the probe id does not exist: the key was accepted
    [InlineData(401, false)]
    public async Task TestConnection_ProbesTheStatusEndpoint(int code, bool connected)
    {
        var (provider, handler) = Adapter((HttpStatusCode)code, """{"error":"x","message":"y"}""");
        var result = await provider.TestConnectionAsync(Connection, CancellationToken.None);

        Assert.Equal(connected, result.IsSuccess);
        Assert.StartsWith("https://gateway.pixazo.ai/v2/requests/status/", handler.Requests.Single().Url);
        if (!connected)
        {
            Assert.Equal(ProviderFailureKind.Unauthorized, result.Failure!.Kind);
        }
    }

    [Fact]
    public async Task CancelAndExtend_AreNotSupported()
    {
        var (provider, _) = Adapter(HttpStatusCode.OK, "");
        Assert.Equal(ProviderFailureKind.NotSupported, (await provider.CancelAsync(Connection, "x", CancellationToken.None)).Failure!.Kind);
        Assert.Equal(ProviderFailureKind.NotSupported,
            (await provider.ExtendAsync(Connection, new ProviderExtension(Guid.NewGuid(), "x", "p", null, null), CancellationToken.None)).Failure!.Kind);
    }

    [Fact]
    public void Capabilities_AreThoseOfTheGateway()
    {
        var (provider, _) = Adapter(HttpStatusCode.OK, "");
        var c = provider.Capabilities;
        Assert.Equal((true, true, false, false, false, false, false), (c.Webhooks, c.WebhooksNeedHttps, c.SignedWebhooks, c.Cancel, c.Progress, c.Extend, c.ClientTaskIds));
        Assert.Equal(("PIXAZO_API_KEY", "https://gateway.pixazo.ai"), (c.ServerKeyVariable, c.DefaultBaseUrl));
        Assert.Contains("*.r2.dev", c.DefaultOutputHosts);
        Assert.True(ProviderHttp.HostAllowed(new Uri("https://pub-582b7213209642b9b995c96c95a30381.r2.dev/v1/x/output.mp4"), c.DefaultOutputHosts));
    }

    // ---- requests built ----

    [Fact]
    public async Task Submit_TextToVideo_SendsExactlyThePixazoFields()
    {
        using var request = PixazoProvider.BuildSubmitRequest(Connection, Submission(ratio: "720:1280", duration: 10, seed: 7));
        var body = await ReadJsonAsync(request);

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://gateway.pixazo.ai/runway-gen-4-5/v1/gen-4.5/generate", request.RequestUri!.AbsoluteUri);
        Assert.Equal(["aspect_ratio", "duration", "prompt", "seed"], Names(body));
        Assert.Equal("A golden retriever puppy chasing butterflies", body.GetProperty("prompt").GetString());
        Assert.Equal("9:16", body.GetProperty("aspect_ratio").GetString());
        Assert.Equal(10, body.GetProperty("duration").GetInt32());
        Assert.Equal(7, body.GetProperty("seed").GetInt64());
        Assert.Equal("pz_secret_key_123", request.Headers.GetValues("Ocp-Apim-Subscription-Key").Single());
        Assert.True(request.Headers.CacheControl!.NoCache);
        Assert.Equal("application/json", request.Content!.Headers.ContentType!.MediaType);
        Assert.False(request.Headers.Contains("X-Webhook-URL"));
        // The seed's text-only example (lines 21-23) sends only the prompt; every field sent is one its full example (lines 119-125) uses.
        Assert.Subset(Names(body).ToHashSet(), Names(JsonDocument.Parse(Fixture("seed000_L021-023_request-text-only.json")).RootElement).ToHashSet());
        Assert.Subset(Names(JsonDocument.Parse(Fixture("seed000_L119-125_request-with-image.json")).RootElement).ToHashSet(), Names(body).ToHashSet());
    }

    [Theory]
    [InlineData("1280:720", "16:9")]
    [InlineData("720:1280", "9:16")]
    [InlineData("1104:832", "4:3")]
    [InlineData("832:1104", "3:4")]
    [InlineData("960:960", "1:1")]
    [InlineData("1584:672", "21:9")]
    public async Task Submit_ImageToVideo_SendsTheImageUrlAndTheAspectLabel(string ratio, string label)
    {
        var imageUrl = new Uri("https://studio.example.com/public/first-frames/abc/token");
        using var request = PixazoProvider.BuildSubmitRequest(Connection, Submission(Image(imageUrl), ratio: ratio, seed: 42));
        var body = await ReadJsonAsync(request);

        // The same field names as the seed's image-to-video example (lines 119-125).
        var example = JsonDocument.Parse(Fixture("seed000_L119-125_request-with-image.json")).RootElement;
        Assert.Equal(Names(example), Names(body));
        Assert.Equal(imageUrl.AbsoluteUri, body.GetProperty("image").GetString());
        Assert.Equal(label, body.GetProperty("aspect_ratio").GetString());
        Assert.Equal(5, body.GetProperty("duration").GetInt32());
        Assert.Equal(42, body.GetProperty("seed").GetInt64());
    }

    [Fact]
    public async Task Submit_WithoutSeed_OmitsIt()
    {
        using var request = PixazoProvider.BuildSubmitRequest(Connection, Submission(seed: null));
        Assert.Equal(["aspect_ratio", "duration", "prompt"], Names(await ReadJsonAsync(request)));
    }

    [Fact]
    public void Submit_WithCallback_AsksForATerminalWebhook()
    {
        var callback = new Uri("https://studio.example.com/webhooks/pixazo/0123/tok");
        using var request = PixazoProvider.BuildSubmitRequest(Connection, Submission(callback: callback));

        Assert.Equal(callback.AbsoluteUri, request.Headers.GetValues("X-Webhook-URL").Single());
        Assert.Equal("terminal", request.Headers.GetValues("X-Webhook-Mode").Single());
    }

    [Fact]
    public async Task Submit_ImageWithoutAReachableUrl_IsNotConfiguredAndSendsNothing()
    {
        var (provider, handler) = Adapter(HttpStatusCode.Accepted, Fixture("seed000_L060-064_submit-accepted.json"));

        var result = await provider.SubmitAsync(Connection, Submission(Image(url: null)), CancellationToken.None);

        Assert.Equal(ProviderFailureKind.NotConfigured, result.Failure!.Kind);
        Assert.Contains("PublicBaseUrl", result.Failure.Message);
        Assert.Empty(handler.Requests);
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpRequestMessage request) =>
        JsonDocument.Parse(await request.Content!.ReadAsStringAsync()).RootElement;

    private static List<string> Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();

    private sealed record SentRequest(string Method, string Url, Dictionary<string, string> Headers, string? Body);

    private sealed class StubHandler(HttpStatusCode status, string body) : HttpMessageHandler
    {
        public List<SentRequest> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(new SentRequest(request.Method.Method, request.RequestUri!.AbsoluteUri,
                request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase),
                request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken)));
            return new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        }
    }
}
