using Microsoft.Extensions.Logging.Abstractions;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Providers.Runway;

namespace Studio.Tests.Features.Providers;

public class RunwayProviderMappingTests
{
    private static ProviderTaskStatus Map(string status, double? progress = null, string? failureCode = null) =>
        RunwayProvider.Map(new RunwayTask("t1", status, progress, status == "SUCCEEDED" ? ["https://x.cloudfront.net/v.mp4"] : null, new RunwayCredits(60), "raw failure", failureCode), NullLogger.Instance);

    [Theory]
    [InlineData("PENDING", ProviderTaskPhase.Queued)]
    [InlineData("THROTTLED", ProviderTaskPhase.Queued)] // waiting for a concurrency slot is not an error
    [InlineData("RUNNING", ProviderTaskPhase.Running)]
    [InlineData("SUCCEEDED", ProviderTaskPhase.Succeeded)]
    [InlineData("FAILED", ProviderTaskPhase.Failed)]
    [InlineData("CANCELLED", ProviderTaskPhase.Cancelled)]
    [InlineData("CANCELED", ProviderTaskPhase.Cancelled)] // both spellings occur in Runway's material
    [InlineData("SOMETHING_NEW", ProviderTaskPhase.Queued)] // unknown: a safe non-terminal state
    public void Map_Status_ToCommonPhase(string status, ProviderTaskPhase expected) => Assert.Equal(expected, Map(status).Phase);

    [Theory]
    [InlineData(0.42, 0.42)]
    [InlineData(42.0, 0.42)] // a percentage is read as one
    [InlineData(-0.5, 0.0)]
    public void Map_RunningProgress_IsAFractionBetweenZeroAndOne(double reported, double expected) =>
        Assert.Equal(expected, Map("RUNNING", reported).Progress!.Value, precision: 6);

    [Fact]
    public void Map_Succeeded_CarriesOutputAndCost()
    {
        var status = Map("SUCCEEDED");
        Assert.Equal(["https://x.cloudfront.net/v.mp4"], status.OutputUrls);
        Assert.Equal(60, status.CostCredits);
    }

    [Fact]
    public void Map_Throttled_IsQueuedAtProviderNotAnError()
    {
        var status = Map("THROTTLED");
        Assert.Equal((ProviderTaskPhase.Queued, "queued at provider"), (status.Phase, status.Detail));
    }

    [Theory]
    [InlineData("INTERNAL.BAD_OUTPUT.CODE01", true)]
    [InlineData("SAFETY.INPUT.TEXT", false)]
    public void Map_Failed_OnlyInternalFailuresAreRetryable(string code, bool retryable) =>
        Assert.Equal(retryable, Map("FAILED", failureCode: code).Retryable);

    [Fact]
    public void Map_Failed_CarriesFailureCode() => Assert.Equal("SAFETY.INPUT.TEXT", Map("FAILED", failureCode: "SAFETY.INPUT.TEXT").FailureCode);
}

public class ProviderHttpTests
{
    [Theory]
    [InlineData(400, ProviderFailureKind.Rejected)]
    [InlineData(401, ProviderFailureKind.Unauthorized)]
    [InlineData(402, ProviderFailureKind.InsufficientCredits)]
    [InlineData(404, ProviderFailureKind.NotFound)]
    [InlineData(429, ProviderFailureKind.RateLimited)]
    [InlineData(502, ProviderFailureKind.Transient)]
    [InlineData(503, ProviderFailureKind.Transient)]
    [InlineData(504, ProviderFailureKind.Transient)]
    [InlineData(500, ProviderFailureKind.NoAnswer)] // a bare 500 does not say whether a task was made
    public void Classify_StatusCode(int status, ProviderFailureKind expected)
    {
        using var response = new HttpResponseMessage((System.Net.HttpStatusCode)status);
        Assert.Equal(expected, ProviderHttp.Classify(response, "m").Kind);
    }

    [Fact]
    public void Classify_429WithRetryAfterSeconds_CarriesTheDelay()
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(17));
        Assert.Equal(TimeSpan.FromSeconds(17), ProviderHttp.Classify(response, "busy").RetryAfter);
    }

    [Fact]
    public void RetryAfter_PrefersRetryAfterMs()
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.TooManyRequests);
        response.Headers.Add("retry-after-ms", "1500");
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(17));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), ProviderHttp.RetryAfter(response));
    }

    [Fact]
    public void Classify_Timeout_IsNoAnswerBecauseTheCreateMayHaveLanded() =>
        Assert.Equal(ProviderFailureKind.NoAnswer, ProviderHttp.Classify(new TaskCanceledException(), "Runway").Kind);

    [Fact]
    public void Classify_ConnectionRefused_IsTransientBecauseNothingArrived()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "refused", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));
        Assert.Equal(ProviderFailureKind.Transient, ProviderHttp.Classify(refused, "Runway").Kind);
    }

    [Theory]
    [InlineData("https://d1.cloudfront.net/a.mp4", true)]
    [InlineData("https://cloudfront.net.evil.com/a.mp4", false)]
    [InlineData("https://evilcloudfront.net/a.mp4", false)]
    [InlineData("https://api.dev.runwayml.com/a.mp4", true)]
    [InlineData("https://169.254.169.254/latest/meta-data", false)]
    public void HostAllowed_MatchesOnlyListedHostsAndTheirSubdomains(string url, bool allowed) =>
        Assert.Equal(allowed, ProviderHttp.HostAllowed(new Uri(url), ["*.cloudfront.net", "api.dev.runwayml.com"]));
}
