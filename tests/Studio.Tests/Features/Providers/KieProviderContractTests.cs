using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Providers.Kie;

namespace Studio.Tests.Features.Providers;

/// <summary>
/// The kie adapter against every example in seed 003 and PROVIDERS.md section 4, copied verbatim into
/// Fixtures/kie (file names say where each comes from), plus the requests it builds and the failures it classifies.
/// </summary>
public class KieProviderContractTests
{
    private const string SigningKey = "whk_test_secret";
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly ProviderConnection Connection = new("kie", new Uri("https://api.kie.ai/"), "kie-secret-key", IsSandbox: false, "server");

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Features", "Providers", "Fixtures", "kie", name));

    // ---- examples from the documents ----

    [Theory]
    [InlineData("seed003_L17-23_submit_response.json", "ee603959-debb-48d1-98c4-a6d1c717eba6")]
    [InlineData("providers_L344_submit_response.json", "ee603959-…")]
    public async Task Submit_DocumentedResponse_YieldsTheTaskId(string fixture, string taskId)
    {
        var (provider, _) = Provider(HttpStatusCode.OK, Fixture(fixture));

        var result = await provider.SubmitAsync(Connection, TextSubmission(), CancellationToken.None);

        Assert.True(result.IsSuccess, result.Failure?.Message);
        Assert.Equal(taskId, result.Value!.TaskId);
        Assert.Null(result.Value.EstimatedCredits); // kie publishes no prices
    }

    [Fact]
    public async Task GetTask_SeedRecordDetailSuccess_IsSucceededWithTheVideoUrlAndNoCost()
    {
        var (provider, handler) = Provider(HttpStatusCode.OK, Fixture("seed003_L24-38_record_detail_success.json"));

        var result = await provider.GetTaskAsync(Connection, "ee603959-debb-48d1-98c4-a6d1c717eba6", CancellationToken.None);

        Assert.True(result.IsSuccess, result.Failure?.Message);
        var status = result.Value!;
        Assert.Equal(ProviderTaskPhase.Succeeded, status.Phase);
        Assert.Equal("success", status.RawStatus);
        Assert.Equal(["https://file.com/k/xxxxxxx.mp4"], status.OutputUrls);
        Assert.Null(status.CostCredits);
        Assert.Null(status.Failure);
        Assert.Equal("https://api.kie.ai/api/v1/runway/record-detail?taskId=ee603959-debb-48d1-98c4-a6d1c717eba6", handler.Requests.Single().Uri);
    }

    [Fact]
    public void ReadCallback_ProvidersCallbackExample_YieldsTheSnakeCaseTaskId()
    {
        var callback = Provider().Provider.ReadCallback(Connection, new ProviderCallbackRequest(new Dictionary<string, string>(), Fixture("providers_L370_callback.json")));

        Assert.Null(callback.Rejected);
        Assert.Equal("…", callback.TaskId);
    }

    [Theory]
    [InlineData("seed003_L41-46_generate_request.json", null)]
    [InlineData("seed003_L73-79_generate_request_callback.json", "https://your-app.com/webhook/runway-callback")]
    public async Task Submit_TextToVideo_SendsExactlyTheSeedsRequestBody(string fixture, string? callbackUrl)
    {
        var expected = JsonNode.Parse(Fixture(fixture))!;
        var (provider, handler) = Provider(HttpStatusCode.OK, Fixture("seed003_L17-23_submit_response.json"));
        var submission = TextSubmission(expected["prompt"]!.GetValue<string>()) with { CallbackUrl = callbackUrl is null ? null : new Uri(callbackUrl) };

        await provider.SubmitAsync(Connection, submission, CancellationToken.None);

        var sent = handler.Requests.Single();
        Assert.Equal("POST https://api.kie.ai/api/v1/runway/generate", $"{sent.Method} {sent.Uri}");
        Assert.Equal("Bearer kie-secret-key", sent.Authorization);
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(sent.Body)), sent.Body);
    }

    // ---- requests ----

    [Fact]
    public async Task Submit_ImageToVideo_SendsImageUrlWithoutAspectRatioAndNoSeed()
    {
        var (provider, handler) = Provider(HttpStatusCode.OK, Fixture("seed003_L17-23_submit_response.json"));
        var image = new ProviderImage("image/png", 68, "data:image/png;base64,AAAA", new Uri("https://studio.example/public/first-frames/abc/tok"));
        var submission = TextSubmission("The lantern swings") with
        {
            Ratio = "", FirstFrame = image, Quality = "1080p", Seed = 7, CallbackUrl = new Uri("https://studio.example/webhooks/kie/g/t"),
        };

        await provider.SubmitAsync(Connection, submission, CancellationToken.None);

        var expected = JsonNode.Parse("""
            {"prompt":"The lantern swings","duration":5,"quality":"1080p","imageUrl":"https://studio.example/public/first-frames/abc/tok","callBackUrl":"https://studio.example/webhooks/kie/g/t"}
            """)!;
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(handler.Requests.Single().Body)), handler.Requests.Single().Body);
    }

    [Theory]
    [InlineData("1280:720", "16:9")]
    [InlineData("720:1280", "9:16")]
    [InlineData("1104:832", "4:3")]
    [InlineData("832:1104", "3:4")]
    [InlineData("960:960", "1:1")]
    public void BuildGenerateRequest_MapsTheStudioRatioToKiesAspectLabel(string ratio, string aspect) =>
        Assert.Equal(aspect, KieProvider.BuildGenerateRequest(TextSubmission() with { Ratio = ratio }).Body!.AspectRatio);

    [Fact]
    public void BuildGenerateRequest_RatioKieDoesNotMake_IsRejectedBeforeSending() =>
        Assert.Equal(ProviderFailureKind.Rejected, KieProvider.BuildGenerateRequest(TextSubmission() with { Ratio = "1584:672" }).Problem!.Kind);

    [Fact]
    public async Task Submit_FirstFrameWithoutAReachableUrl_IsNotConfiguredAndSendsNothing()
    {
        var (provider, handler) = Provider(HttpStatusCode.OK, Fixture("seed003_L17-23_submit_response.json"));
        var submission = TextSubmission() with { Ratio = "", FirstFrame = new ProviderImage("image/png", 68, "data:image/png;base64,AAAA", Url: null) };

        var result = await provider.SubmitAsync(Connection, submission, CancellationToken.None);

        Assert.Equal(ProviderFailureKind.NotConfigured, result.Failure!.Kind);
        Assert.Contains("PublicBaseUrl", result.Failure.Message);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Extend_SendsTheParentTaskIdPromptQualityAndCallback()
    {
        var (provider, handler) = Provider(HttpStatusCode.OK, """{"code":200,"msg":"success","data":{"taskId":"new-task"}}""");

        var result = await provider.ExtendAsync(Connection,
            new ProviderExtension(Guid.NewGuid(), "parent-task", "The camera keeps rising", "720p", new Uri("http://127.0.0.1:5000/webhooks/kie/x/y")), CancellationToken.None);

        Assert.Equal("new-task", result.Value!.TaskId);
        var sent = handler.Requests.Single();
        Assert.Equal("POST https://api.kie.ai/api/v1/runway/extend", $"{sent.Method} {sent.Uri}");
        var expected = JsonNode.Parse("""{"taskId":"parent-task","prompt":"The camera keeps rising","quality":"720p","callBackUrl":"http://127.0.0.1:5000/webhooks/kie/x/y"}""")!;
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(sent.Body)), sent.Body);
    }

    [Fact]
    public async Task Cancel_IsNotSupported() =>
        Assert.Equal(ProviderFailureKind.NotSupported, (await Provider().Provider.CancelAsync(Connection, "t", CancellationToken.None)).Failure!.Kind);

    [Fact]
    public void Capabilities_SayWebhooksSignedExtendNoCancelNoProgress()
    {
        var c = Provider().Provider.Capabilities;
        Assert.Equal((true, true, true, false, false, false), (c.Webhooks, c.SignedWebhooks, c.Extend, c.Cancel, c.Progress, c.ClientTaskIds));
        Assert.Equal(("KIE_API_KEY", "https://api.kie.ai"), (c.ServerKeyVariable, c.DefaultBaseUrl));
    }

    // ---- status mapping ----

    [Theory]
    [InlineData("wait", ProviderTaskPhase.Queued)]
    [InlineData("queueing", ProviderTaskPhase.Queued)]
    [InlineData("generating", ProviderTaskPhase.Running)]
    [InlineData("success", ProviderTaskPhase.Succeeded)]
    [InlineData("fail", ProviderTaskPhase.Failed)]
    [InlineData("paused", ProviderTaskPhase.Queued)] // unknown: a safe non-terminal state, logged
    public void Map_State_ToCommonPhase(string state, ProviderTaskPhase phase) =>
        Assert.Equal(phase, KieProvider.Map(new KieRecord("t", null, null, state, null, new KieVideoInfo("v", "t", "https://x.kie.ai/v.mp4", null), null, null, 0), NullLogger.Instance).Phase);

    [Theory]
    [InlineData("""400""", "Inappropriate content detected", "SAFETY.KIE_400", false)]
    [InlineData("""400""", "Incorrect image format", "ASSET.KIE_400", false)]
    [InlineData(""""451"""", "Failed to fetch the image", "ASSET.KIE_451", false)]
    [InlineData("""500""", "Internal error", "KIE_500", true)]
    [InlineData("""400""", "Concurrent generation limit reached", "KIE_400", false)]
    public void GetTask_Fail_CarriesKiesMessageAndAStudioFailureCode(string failCodeJson, string failMsg, string code, bool retryable)
    {
        var json = $$$"""{"code":200,"msg":"success","data":{"taskId":"t","state":"fail","generateTime":"2026-11-26 12:00:00","failCode":{{{failCodeJson}}},"failMsg":"{{{failMsg}}}","expireFlag":0}}""";

        var (record, failure) = KieProvider.ReadEnvelope<KieRecord>(json, null, NullLogger.Instance);
        var status = KieProvider.Map(record!, NullLogger.Instance);

        Assert.Null(failure);
        Assert.Equal((ProviderTaskPhase.Failed, failMsg, code, retryable), (status.Phase, status.Failure, status.FailureCode, status.Retryable));
    }

    [Fact]
    public void GetTask_SuccessButExpired_IsFailedBecauseTheVideoIsGone()
    {
        var json = Fixture("seed003_L24-38_record_detail_success.json").Replace("\"expireFlag\": 0", "\"expireFlag\": 1");

        var status = KieProvider.Map(KieProvider.ReadEnvelope<KieRecord>(json, null, NullLogger.Instance).Data!, NullLogger.Instance);

        Assert.Equal((ProviderTaskPhase.Failed, "KIE.EXPIRED"), (status.Phase, status.FailureCode));
    }

    // ---- errors: the body's code decides, even under HTTP 200 ----

    [Theory]
    [InlineData(HttpStatusCode.OK, 402, ProviderFailureKind.InsufficientCredits)]
    [InlineData(HttpStatusCode.OK, 422, ProviderFailureKind.Rejected)]
    [InlineData(HttpStatusCode.OK, 400, ProviderFailureKind.Rejected)]
    [InlineData(HttpStatusCode.OK, 451, ProviderFailureKind.Rejected)]
    [InlineData(HttpStatusCode.Unauthorized, 401, ProviderFailureKind.Unauthorized)]
    [InlineData(HttpStatusCode.OK, 401, ProviderFailureKind.Unauthorized)]
    [InlineData(HttpStatusCode.OK, 429, ProviderFailureKind.RateLimited)]
    [InlineData(HttpStatusCode.OK, 455, ProviderFailureKind.Transient)]
    [InlineData(HttpStatusCode.OK, 500, ProviderFailureKind.NoAnswer)] // a bare 500 does not say whether a task was made
    [InlineData(HttpStatusCode.OK, 408, ProviderFailureKind.NoAnswer)]
    public async Task Submit_ErrorCodeInBody_IsClassifiedWithKiesMessage(HttpStatusCode http, int code, ProviderFailureKind kind)
    {
        var (provider, _) = Provider(http, $$"""{"code":{{code}},"msg":"message from kie","data":null}""");

        var result = await provider.SubmitAsync(Connection, TextSubmission(), CancellationToken.None);

        Assert.Equal(kind, result.Failure!.Kind);
        Assert.Equal("kie: message from kie", result.Failure.Message);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadGateway, "<html>bad gateway</html>", ProviderFailureKind.Transient)]
    [InlineData(HttpStatusCode.OK, "<html>maintenance</html>", ProviderFailureKind.NoAnswer)]
    [InlineData(HttpStatusCode.OK, """{"code":200,"msg":"success","data":{}}""", ProviderFailureKind.NoAnswer)] // accepted without a taskId
    public async Task Submit_AnswerThatIsNotKiesEnvelope_IsClassifiedByHttpStatus(HttpStatusCode http, string body, ProviderFailureKind kind)
    {
        var (provider, _) = Provider(http, body);

        Assert.Equal(kind, (await provider.SubmitAsync(Connection, TextSubmission(), CancellationToken.None)).Failure!.Kind);
    }

    [Fact]
    public async Task GetTask_UnknownTask_IsNotFound()
    {
        var (provider, _) = Provider(HttpStatusCode.OK, """{"code":404,"msg":"Task does not exist.","data":null}""");

        Assert.Equal(ProviderFailureKind.NotFound, (await provider.GetTaskAsync(Connection, "nope", CancellationToken.None)).Failure!.Kind);
    }

    [Fact]
    public async Task TestConnection_ReadsTheCreditBalanceInKiesOwnUnit()
    {
        var (provider, handler) = Provider(HttpStatusCode.OK, """{"code":200,"msg":"success","data":100}""");

        var result = await provider.TestConnectionAsync(Connection, CancellationToken.None);

        Assert.Contains("100 kie credits", result.Value!.Summary);
        Assert.Equal("GET https://api.kie.ai/api/v1/chat/credit", $"{handler.Requests.Single().Method} {handler.Requests.Single().Uri}");
    }

    // ---- callbacks and signatures ----

    private static string CallbackBody(string taskId) =>
        $$$"""{"code":200,"msg":"All generated successfully.","data":{"task_id":"{{{taskId}}}","video_id":"v","video_url":"https://x.kie.ai/v.mp4","image_url":"https://x.kie.ai/i.png"}}""";

    private static Dictionary<string, string> Signed(string taskId, DateTimeOffset at, string key = SigningKey)
    {
        var ts = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var sig = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"{taskId}.{ts}")));
        return new Dictionary<string, string> { ["x-webhook-timestamp"] = ts, ["x-webhook-signature"] = sig };
    }

    private static ProviderConnection WithKey => Connection with { WebhookSigningKey = SigningKey };

    [Fact]
    public void ReadCallback_CorrectlySigned_IsAccepted()
    {
        var callback = Provider().Provider.ReadCallback(WithKey, new ProviderCallbackRequest(Signed("task-1", Now.AddSeconds(-30)), CallbackBody("task-1")));

        Assert.Equal(new ProviderCallback("task-1"), callback);
    }

    [Fact]
    public void ReadCallback_SignedWithAnotherKey_IsRejected() =>
        Assert.NotNull(Provider().Provider.ReadCallback(WithKey, new ProviderCallbackRequest(Signed("task-1", Now, "other"), CallbackBody("task-1"))).Rejected);

    [Fact]
    public void ReadCallback_SignatureForAnotherTask_IsRejected() =>
        Assert.NotNull(Provider().Provider.ReadCallback(WithKey, new ProviderCallbackRequest(Signed("task-2", Now), CallbackBody("task-1"))).Rejected);

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void ReadCallback_TimestampMoreThanFiveMinutesOff_IsRejected(int seconds) =>
        Assert.NotNull(Provider().Provider.ReadCallback(WithKey, new ProviderCallbackRequest(Signed("task-1", Now.AddSeconds(seconds)), CallbackBody("task-1"))).Rejected);

    [Fact]
    public void ReadCallback_KeyConfiguredButNoSignatureHeaders_IsRejected() =>
        Assert.NotNull(Provider().Provider.ReadCallback(WithKey, new ProviderCallbackRequest(new Dictionary<string, string>(), CallbackBody("task-1"))).Rejected);

    [Fact]
    public void ReadCallback_SandboxConnectionWithTheServersSigningKey_VerifiesSignatures()
    {
        var sandbox = new ProviderConnection("kie", new Uri("http://127.0.0.1:5000/kie/"), "key_sandbox0000000000000000", IsSandbox: true, "sandbox", SigningKey);
        var provider = Provider().Provider;

        Assert.NotNull(provider.ReadCallback(sandbox, new ProviderCallbackRequest(new Dictionary<string, string>(), CallbackBody("task-1"))).Rejected);
        Assert.Null(provider.ReadCallback(sandbox, new ProviderCallbackRequest(Signed("task-1", Now), CallbackBody("task-1"))).Rejected);
    }

    [Fact]
    public void ReadCallback_FailureCallbackWithoutVideoFields_StillYieldsTheTaskId() =>
        Assert.Equal("task-9", Provider().Provider.ReadCallback(Connection,
            new ProviderCallbackRequest(new Dictionary<string, string>(), """{"code":400,"msg":"Inappropriate content","data":{"task_id":"task-9"}}""")).TaskId);

    [Fact]
    public void ReadCallback_NotKiesJson_IsRejected() =>
        Assert.NotNull(Provider().Provider.ReadCallback(Connection, new ProviderCallbackRequest(new Dictionary<string, string>(), "not json")).Rejected);

    // ---- helpers ----

    private static ProviderSubmission TextSubmission(string prompt = "A majestic eagle soaring through mountain clouds at sunset") =>
        new(Guid.NewGuid(), "runway", prompt, "1280:720", 5, Seed: null, FirstFrame: null, Quality: "720p", CallbackUrl: null, ClientTaskId: null);

    private static (KieProvider Provider, RecordingHandler Handler) Provider(HttpStatusCode status = HttpStatusCode.OK, string body = "{}")
    {
        var handler = new RecordingHandler(status, body);
        return (new KieProvider(new HttpClient(handler), NullLogger<KieProvider>.Instance, new FakeTimeProvider(Now)), handler);
    }

    internal sealed record SentRequest(string Method, string Uri, string? Authorization, string Body);

    internal sealed class RecordingHandler(HttpStatusCode status, string body) : HttpMessageHandler
    {
        public List<SentRequest> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Add(new SentRequest(request.Method.Method, request.RequestUri!.ToString(), request.Headers.Authorization?.ToString(), content));
            return new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        }
    }

}
