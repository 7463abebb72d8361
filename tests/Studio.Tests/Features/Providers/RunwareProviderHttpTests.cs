using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Providers.Runware;

namespace Studio.Tests.Features.Providers;

/// <summary>The Runware adapter's HTTP exchange against canned answers: where it sends, how, and how it classifies.</summary>
public class RunwareProviderHttpTests
{
    private static readonly ProviderConnection Connection = new("runware", new Uri("https://api.runware.ai/"), "rw-secret-key", IsSandbox: false, "server");

    private static ProviderSubmission Submission(string taskUuid = "11111111-2222-4333-8444-555555555555") =>
        new(Guid.NewGuid(), "runway:1@2", "A lighthouse", "1280:720", 5, 7, null, null, null, taskUuid);

    [Fact]
    public async Task Submit_PostsOneTaskArrayToV1WithBearerKey_AndReturnsTheClientTaskUuid()
    {
        var handler = new CannedHandler(HttpStatusCode.OK, """{"data":[{"taskType":"videoInference","taskUUID":"11111111-2222-4333-8444-555555555555"}]}""");

        var result = await Provider(handler).SubmitAsync(Connection, Submission(), CancellationToken.None);

        Assert.Equal("11111111-2222-4333-8444-555555555555", result.Value!.TaskId);
        Assert.Equal(HttpMethod.Post, handler.Method);
        Assert.Equal("https://api.runware.ai/v1", handler.Uri!.AbsoluteUri);
        Assert.Equal("Bearer rw-secret-key", handler.Authorization);
        var body = JsonNode.Parse(handler.Body!)!.AsArray();
        Assert.Equal("videoInference", Assert.Single(body)!["taskType"]!.GetValue<string>());
        Assert.DoesNotContain("rw-secret-key", handler.Body);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, ProviderFailureKind.Rejected)]
    [InlineData(HttpStatusCode.UnprocessableEntity, ProviderFailureKind.Rejected)]
    [InlineData(HttpStatusCode.Unauthorized, ProviderFailureKind.Unauthorized)]
    [InlineData(HttpStatusCode.PaymentRequired, ProviderFailureKind.InsufficientCredits)]
    [InlineData(HttpStatusCode.TooManyRequests, ProviderFailureKind.RateLimited)]
    [InlineData(HttpStatusCode.ServiceUnavailable, ProviderFailureKind.Transient)]
    [InlineData(HttpStatusCode.GatewayTimeout, ProviderFailureKind.Transient)]
    public async Task Submit_WhenRunwareAnswersAnErrorStatus_ClassifiesItWithRunwaresMessage(HttpStatusCode status, ProviderFailureKind expected)
    {
        var handler = new CannedHandler(status, """{"errors":[{"code":"someCode","message":"Runware's own words.","taskType":"videoInference","taskUUID":"x"}]}""");

        var failure = (await Provider(handler).SubmitAsync(Connection, Submission(), CancellationToken.None)).Failure!;

        Assert.Equal(expected, failure.Kind);
        Assert.Contains("Runware's own words.", failure.Message);
    }

    [Fact]
    public async Task Submit_WhenInsufficientCreditsInside200_IsInsufficientCredits()
    {
        var handler = new CannedHandler(HttpStatusCode.OK,
            """{"errors":[{"code":"insufficientCredits","message":"Insufficient credits.","taskType":"videoInference","taskUUID":"11111111-2222-4333-8444-555555555555"}]}""");

        var failure = (await Provider(handler).SubmitAsync(Connection, Submission(), CancellationToken.None)).Failure!;

        Assert.Equal(ProviderFailureKind.InsufficientCredits, failure.Kind);
    }

    [Fact]
    public async Task Submit_WhenBodyIsNotJson_IsNoAnswerSoTheEngineChecksByTaskUuid()
    {
        var handler = new CannedHandler(HttpStatusCode.OK, "<html>gateway</html>");

        var failure = (await Provider(handler).SubmitAsync(Connection, Submission(), CancellationToken.None)).Failure!;

        Assert.Equal(ProviderFailureKind.NoAnswer, failure.Kind);
    }

    [Fact]
    public async Task GetTask_SendsGetResponseForTheTaskUuid()
    {
        var handler = new CannedHandler(HttpStatusCode.OK, """{"data":[{"taskType":"videoInference","taskUUID":"t-9","status":"processing"}]}""");

        var result = await Provider(handler).GetTaskAsync(Connection, "t-9", CancellationToken.None);

        Assert.Equal(ProviderTaskPhase.Running, result.Value!.Phase);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"taskType":"getResponse","taskUUID":"t-9"}]"""), JsonNode.Parse(handler.Body!)));
    }

    [Fact]
    public async Task TestConnection_ReadsTheBalanceInUsdAsCredits()
    {
        var handler = new CannedHandler(HttpStatusCode.OK,
            """{"data":[{"taskType":"accountManagement","taskUUID":"x","operation":"getDetails","organizationName":"Acme","balance":2450.75}]}""");

        var info = (await Provider(handler).TestConnectionAsync(Connection, CancellationToken.None)).Value!;

        Assert.Equal(245075, info.CreditBalance!.Value, precision: 6);
        Assert.Contains("2450.75", info.Summary);
        Assert.Equal("getDetails", JsonNode.Parse(handler.Body!)![0]!["operation"]!.GetValue<string>());
    }

    [Fact]
    public async Task CancelAndExtend_AreNotSupported()
    {
        var provider = Provider(new CannedHandler(HttpStatusCode.OK, "{}"));

        Assert.Equal(ProviderFailureKind.NotSupported, (await provider.CancelAsync(Connection, "t", CancellationToken.None)).Failure!.Kind);
        Assert.Equal(ProviderFailureKind.NotSupported,
            (await provider.ExtendAsync(Connection, new ProviderExtension(Guid.NewGuid(), "t", "p", null, null), CancellationToken.None)).Failure!.Kind);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"videoURL":"https://vm.runware.ai/v.mp4"}""")]
    public void ReadCallback_WithoutATaskUuid_IsRejected(string body) =>
        Assert.NotNull(Provider(new CannedHandler(HttpStatusCode.OK, "{}")).ReadCallback(Connection, new ProviderCallbackRequest(new Dictionary<string, string>(), body)).Rejected);

    private static RunwareProvider Provider(CannedHandler handler) => new(new HttpClient(handler), NullLogger<RunwareProvider>.Instance);

    private sealed class CannedHandler(HttpStatusCode status, string body) : HttpMessageHandler
    {
        public HttpMethod? Method { get; private set; }
        public Uri? Uri { get; private set; }
        public string? Authorization { get; private set; }
        public string? Body { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Method = request.Method;
            Uri = request.RequestUri;
            Authorization = request.Headers.Authorization?.ToString();
            Body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            return new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        }
    }
}
