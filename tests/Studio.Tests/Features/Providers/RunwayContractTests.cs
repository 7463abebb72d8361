using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Providers.Runway;

namespace Studio.Tests.Features.Providers;

/// <summary>
/// The Runway adapter against the examples in the seed document and PROVIDERS.md, verbatim (Fixtures/runway).
/// HTTP is answered by a recording handler in memory (no network here): the adapter's real request is compared.
/// </summary>
public class RunwayContractTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Features", "Providers", "Fixtures", "runway", name));

    private sealed class RecordingHandler(HttpStatusCode status, string body) : HttpMessageHandler
    {
        public List<(HttpMethod Method, Uri Uri, Dictionary<string, string> Headers, string? Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value));
            Requests.Add((request.Method, request.RequestUri!, headers, request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken)));
            return new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        }
    }

    private static readonly ProviderConnection Connection = new("runway", new Uri("https://api.dev.runwayml.com/"), "key_test", IsSandbox: false, "server");

    private static (RunwayProvider Provider, RecordingHandler Handler) Adapter(HttpStatusCode status, string body)
    {
        var handler = new RecordingHandler(status, body);
        return (new RunwayProvider(new HttpClient(handler), NullLogger<RunwayProvider>.Instance), handler);
    }

    private static ProviderSubmission Submission(JsonElement seed, ProviderImage? image) => new(
        Guid.NewGuid(), seed.GetProperty("model").GetString()!, seed.GetProperty("promptText").GetString()!, seed.GetProperty("ratio").GetString()!,
        seed.GetProperty("duration").GetInt32(), Seed: null, image, Quality: null, CallbackUrl: null, ClientTaskId: null);

    [Fact]
    public async Task ImageToVideo_SeedExample_IsSentWithTheSameFieldsAndRunwaysHeaders()
    {
        var seed = JsonDocument.Parse(Fixture("seed002-image-to-video.json")).RootElement;
        var (provider, handler) = Adapter(HttpStatusCode.OK, """{"id":"task_1","estimatedCost":{"credits":120}}""");
        var image = new ProviderImage("image/jpeg", 1000, "data:image/jpeg;base64,AAAA", new Uri(seed.GetProperty("promptImage").GetString()!));

        var result = await provider.SubmitAsync(Connection, Submission(seed, image), CancellationToken.None);

        Assert.Equal(("task_1", 120), (result.Value!.TaskId, result.Value.EstimatedCredits));
        var (method, uri, headers, body) = Assert.Single(handler.Requests);
        Assert.Equal((HttpMethod.Post, "https://api.dev.runwayml.com/v1/image_to_video"), (method, uri.ToString()));
        Assert.Equal("Bearer key_test", headers["Authorization"]);
        Assert.Equal("2024-11-06", headers["X-Runway-Version"]);
        var sent = JsonDocument.Parse(body!).RootElement;
        foreach (var field in new[] { "model", "promptText", "ratio" })
        {
            Assert.Equal(seed.GetProperty(field).GetString(), sent.GetProperty(field).GetString());
        }
        Assert.Equal(seed.GetProperty("duration").GetInt32(), sent.GetProperty("duration").GetInt32());
        // The SDK's array form of promptImage (first frame), carrying the image inline.
        var promptImage = Assert.Single(sent.GetProperty("promptImage").EnumerateArray());
        Assert.Equal(("data:image/jpeg;base64,AAAA", "first"), (promptImage.GetProperty("uri").GetString(), promptImage.GetProperty("position").GetString()));
    }

    [Fact]
    public async Task TextToVideo_SeedExample_GoesToTextToVideoNotImageToVideo()
    {
        var seed = JsonDocument.Parse(Fixture("seed002-text-to-video.json")).RootElement;
        var (provider, handler) = Adapter(HttpStatusCode.OK, """{"id":"task_2"}""");

        var result = await provider.SubmitAsync(Connection, Submission(seed, null), CancellationToken.None);

        Assert.Equal("task_2", result.Value!.TaskId);
        Assert.Null(result.Value.EstimatedCredits); // older answers carry only the id
        var (_, uri, _, body) = Assert.Single(handler.Requests);
        Assert.EndsWith("/v1/text_to_video", uri.AbsolutePath);
        var sent = JsonDocument.Parse(body!).RootElement;
        Assert.False(sent.TryGetProperty("promptImage", out _));
        Assert.Equal(seed.GetProperty("promptText").GetString(), sent.GetProperty("promptText").GetString());
    }

    [Fact]
    public async Task TestConnection_OrganizationExample_ReportsBalanceLimitsAndUsage()
    {
        var (provider, handler) = Adapter(HttpStatusCode.OK, Fixture("providers-organization.json"));

        var result = await provider.TestConnectionAsync(Connection, CancellationToken.None);

        var info = result.Value!;
        Assert.Equal((1234.0, 3, 500, 17, 10000.0), (info.CreditBalance, info.MaxConcurrentGenerations, info.MaxDailyGenerations, info.DailyGenerationsUsed, info.MaxMonthlyCreditSpend));
        Assert.EndsWith("/v1/organization", Assert.Single(handler.Requests).Uri.AbsolutePath);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, """{"error":"promptText: too long"}""", ProviderFailureKind.Rejected, "Runway: promptText: too long")]
    [InlineData(HttpStatusCode.Unauthorized, """{"error":"Invalid API key"}""", ProviderFailureKind.Unauthorized, "Runway: Invalid API key")]
    [InlineData(HttpStatusCode.TooManyRequests, """{"error":"Daily limit reached"}""", ProviderFailureKind.RateLimited, "Runway: Daily limit reached")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "<html>busy</html>", ProviderFailureKind.Transient, "Runway answered 503 Service Unavailable.")]
    public async Task Submit_ErrorAnswers_AreClassifiedWithRunwaysOwnMessage(HttpStatusCode status, string body, ProviderFailureKind kind, string message)
    {
        var seed = JsonDocument.Parse(Fixture("seed002-text-to-video.json")).RootElement;
        var (provider, _) = Adapter(status, body);

        var result = await provider.SubmitAsync(Connection, Submission(seed, null), CancellationToken.None);

        Assert.Equal((kind, message), (result.Failure!.Kind, result.Failure.Message));
    }

    [Fact]
    public async Task Cancel_SendsDeleteForTheTask()
    {
        var (provider, handler) = Adapter(HttpStatusCode.NoContent, "");
        var result = await provider.CancelAsync(Connection, "task_9", CancellationToken.None);
        Assert.True(result.IsSuccess);
        var (method, uri, _, _) = Assert.Single(handler.Requests);
        Assert.Equal((HttpMethod.Delete, "/v1/tasks/task_9"), (method, uri.AbsolutePath));
    }
}
