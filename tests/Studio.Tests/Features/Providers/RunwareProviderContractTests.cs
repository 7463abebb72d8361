using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Providers.Runware;

namespace Studio.Tests.Features.Providers;

/// <summary>
/// The Runware adapter against the documents' own examples (Fixtures/runware, copied verbatim; SOURCES.md there
/// names the document and lines of each): what it reads from every response example, and that what it sends
/// carries exactly the fields and values of every request example.
/// </summary>
public class RunwareProviderContractTests
{
    private static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "Features", "Providers", "Fixtures", "runware");

    private static JsonNode Fixture(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, name)))!;

    public static TheoryData<int> SeedExamples => new() { 1, 2, 3, 4, 5 };

    [Theory]
    [MemberData(nameof(SeedExamples))]
    public void SeedResponse_AsFlatTask_MapsToSucceededWithVideoCostAndSeed(int example)
    {
        var item = Fixture($"seed001-example{example}-response.json");

        var status = RunwareProvider.MapTask(item, NullLogger.Instance);

        Assert.Equal(ProviderTaskPhase.Succeeded, status.Phase);
        Assert.Equal([item["videoURL"]!.GetValue<string>()], status.OutputUrls);
        Assert.StartsWith("https://vm.runware.ai/video/", status.OutputUrls![0]);
        Assert.Equal(96.5, status.CostCredits!.Value, precision: 6); // $0.965 = 96.5 credits
        Assert.Equal(item["seed"]!.GetValue<long>(), status.Seed);
        Assert.False(status.Retryable);
    }

    [Theory]
    [MemberData(nameof(SeedExamples))]
    public void SeedResponse_InsidePollingEnvelope_MapsForItsTaskUuid(int example)
    {
        var item = Fixture($"seed001-example{example}-response.json");
        var taskUuid = item["taskUUID"]!.GetValue<string>();
        var body = new JsonObject { ["data"] = new JsonArray(item.DeepClone()) };

        var result = RunwareProvider.MapResponse(body, taskUuid, NullLogger.Instance);

        Assert.True(result.IsSuccess);
        Assert.Equal(ProviderTaskPhase.Succeeded, result.Value!.Phase);
        Assert.Equal(item["videoURL"]!.GetValue<string>(), result.Value.OutputUrls![0]);
    }

    [Theory]
    [MemberData(nameof(SeedExamples))]
    public void SeedResponse_AsWebhookBody_YieldsItsTaskUuid(int example)
    {
        var text = File.ReadAllText(Path.Combine(FixtureDirectory, $"seed001-example{example}-response.json"));

        var callback = new RunwareProvider(new HttpClient(), NullLogger<RunwareProvider>.Instance)
            .ReadCallback(Connection, new ProviderCallbackRequest(new Dictionary<string, string>(), text));

        Assert.Null(callback.Rejected);
        Assert.Equal(JsonNode.Parse(text)!["taskUUID"]!.GetValue<string>(), callback.TaskId);
    }

    [Theory]
    [MemberData(nameof(SeedExamples))]
    public void SeedRequest_RebuiltFromItsValues_SendsEveryFieldWithTheSameValue(int example)
    {
        var seed = Fixture($"seed001-example{example}-request.json").AsObject();
        var frame = seed["inputs"]?["frameImages"]?[0]?["image"]?.GetValue<string>();
        var submission = new ProviderSubmission(Guid.NewGuid(), seed["model"]!.GetValue<string>(), seed["positivePrompt"]!.GetValue<string>(),
            $"{seed["width"]}:{seed["height"]}", seed["duration"]!.GetValue<int>(), seed["seed"]!.GetValue<long>(),
            frame is null ? null : new ProviderImage("image/jpeg", 1000, "data:image/jpeg;base64,AAAA", new Uri(frame)),
            Quality: null, CallbackUrl: null, ClientTaskId: seed["taskUUID"]!.GetValue<string>());

        var (request, problem) = RunwareProvider.BuildVideoTask(submission, submission.ClientTaskId!);

        Assert.Null(problem);
        var sent = Assert.Single(request!)!.AsObject();
        foreach (var (name, value) in seed)
        {
            Assert.True(sent.ContainsKey(name), $"The adapter does not send \"{name}\".");
            Assert.True(JsonNode.DeepEquals(value, sent[name]), $"\"{name}\": example {value?.ToJsonString()}, sent {sent[name]?.ToJsonString()}.");
        }

        // Beyond the example: what the studio needs (a URL, the cost, async delivery).
        Assert.Equal(["outputType", "outputFormat", "includeCost", "deliveryMethod"], sent.Select(p => p.Key).Except(seed.Select(p => p.Key)));
    }

    [Fact]
    public void ProvidersAcknowledgement_ForOurTaskUuid_IsAccepted()
    {
        var ack = Fixture("providers-3.2-acknowledgement.json"); // its taskUUID is the document's "…"

        var result = RunwareProvider.ReadAcknowledgement(ack, "…", NullLogger.Instance);

        Assert.True(result.IsSuccess);
        Assert.Equal("…", result.Value!.TaskId);
        Assert.Null(result.Value.EstimatedCredits);
    }

    [Fact]
    public void ProvidersAcknowledgement_ForAnotherTaskUuid_IsNoAnswer()
    {
        var result = RunwareProvider.ReadAcknowledgement(Fixture("providers-3.2-acknowledgement.json"), Guid.NewGuid().ToString(), NullLogger.Instance);

        Assert.Equal(ProviderFailureKind.NoAnswer, result.Failure!.Kind);
    }

    [Fact]
    public void ProvidersGetResponseRequest_IsExactlyWhatThePollSends() =>
        Assert.True(JsonNode.DeepEquals(Fixture("providers-3.3-getresponse-request.json"), RunwareProvider.BuildGetResponse("<uuid>")));

    [Fact]
    public void ProvidersProcessing_MapsToRunningWithoutProgress()
    {
        var result = RunwareProvider.MapResponse(Fixture("providers-3.3-processing.json"), "…", NullLogger.Instance);

        Assert.Equal(ProviderTaskPhase.Running, result.Value!.Phase);
        Assert.Null(result.Value.Progress);
        Assert.Equal("processing", result.Value.RawStatus);
    }

    // The bodies below are constructed (PROVIDERS.md gives the errors[] entry only as shorthand, line 289).

    [Fact]
    public void ErrorEntry_TimeoutProvider_IsAFailedTaskWorthSendingAgain()
    {
        var body = JsonNode.Parse("""{"errors":[{"code":"timeoutProvider","message":"The provider timed out.","taskType":"videoInference","taskUUID":"t-1"}]}""")!;

        var status = RunwareProvider.MapResponse(body, "t-1", NullLogger.Instance).Value!;

        Assert.Equal(ProviderTaskPhase.Failed, status.Phase);
        Assert.True(status.Retryable);
        Assert.Equal("timeoutProvider", status.FailureCode);
        Assert.Equal("The provider timed out.", status.Failure);
    }

    [Fact]
    public void ErrorEntry_WithStatusError_IsAFailedTaskNotRetried()
    {
        var body = JsonNode.Parse("""{"errors":[{"code":"invalidFrameImage","message":"Failed to fetch.","parameter":"inputs.frameImages","taskType":"videoInference","taskUUID":"t-1","status":"error"}]}""")!;

        var status = RunwareProvider.MapResponse(body, "t-1", NullLogger.Instance).Value!;

        Assert.Equal(ProviderTaskPhase.Failed, status.Phase);
        Assert.False(status.Retryable);
    }

    [Fact]
    public void ErrorEntry_ForAnotherTask_IsIgnored()
    {
        var body = JsonNode.Parse("""{"data":[{"taskType":"videoInference","taskUUID":"mine","status":"processing"}],"errors":[{"code":"timeoutProvider","message":"x","taskType":"videoInference","taskUUID":"theirs"}]}""")!;

        Assert.Equal(ProviderTaskPhase.Running, RunwareProvider.MapResponse(body, "mine", NullLogger.Instance).Value!.Phase);
    }

    [Fact]
    public void ErrorEntry_TaskNotFound_IsNotFound()
    {
        var body = JsonNode.Parse("""{"errors":[{"code":"taskNotFound","message":"No task found.","parameter":"taskUUID","taskType":"getResponse","taskUUID":"t-1"}]}""")!;

        Assert.Equal(ProviderFailureKind.NotFound, RunwareProvider.MapResponse(body, "t-1", NullLogger.Instance).Failure!.Kind);
    }

    [Fact]
    public void ErrorEntry_InvalidApiKeyInside200_IsUnauthorized()
    {
        var body = JsonNode.Parse("""{"errors":[{"code":"invalidApiKey","message":"Invalid API key.","parameter":"apiKey","taskType":"authentication"}]}""")!;

        Assert.Equal(ProviderFailureKind.Unauthorized, RunwareProvider.MapResponse(body, "t-1", NullLogger.Instance).Failure!.Kind);
        Assert.Equal(ProviderFailureKind.Unauthorized, RunwareProvider.ReadAcknowledgement(body, "t-1", NullLogger.Instance).Failure!.Kind);
    }

    [Fact]
    public void ErrorEntry_OnCreate_IsRejectedWithRunwaresMessage()
    {
        var body = JsonNode.Parse("""{"errors":[{"code":"invalidDuration","message":"Invalid value for 'duration' parameter.","parameter":"duration","taskType":"videoInference","taskUUID":"t-1"}]}""")!;

        var failure = RunwareProvider.ReadAcknowledgement(body, "t-1", NullLogger.Instance).Failure!;

        Assert.Equal(ProviderFailureKind.Rejected, failure.Kind);
        Assert.Contains("Invalid value for 'duration' parameter.", failure.Message);
    }

    [Theory]
    [InlineData("pending", ProviderTaskPhase.Queued)] // older docs
    [InlineData("processing", ProviderTaskPhase.Running)]
    [InlineData("something-new", ProviderTaskPhase.Queued)] // unknown: a safe non-terminal state
    public void Status_MapsToCommonPhase(string status, ProviderTaskPhase expected) =>
        Assert.Equal(expected, RunwareProvider.MapTask(new JsonObject { ["taskUUID"] = "t", ["status"] = status }, NullLogger.Instance).Phase);

    [Fact]
    public void Status_SuccessWithoutVideoUrl_IsFailed() =>
        Assert.Equal(ProviderTaskPhase.Failed, RunwareProvider.MapTask(new JsonObject { ["taskUUID"] = "t", ["status"] = "success" }, NullLogger.Instance).Phase);

    [Fact]
    public void Status_NothingForOurTask_IsQueued() =>
        Assert.Equal(ProviderTaskPhase.Queued, RunwareProvider.MapResponse(new JsonObject(), "t", NullLogger.Instance).Value!.Phase);

    [Fact]
    public void Request_TextToVideo_HasExactlyRunwaresFieldNamesAndValues()
    {
        var callback = new Uri("https://studio.example/webhooks/runware/abc/token");

        var (request, _) = RunwareProvider.BuildVideoTask(Submission("1104:832", image: null, callback), "5f0e3f5c-7d38-4c4b-9a2e-0e9f7b7d1a11");

        var expected = JsonNode.Parse("""
            [{"taskType":"videoInference","taskUUID":"5f0e3f5c-7d38-4c4b-9a2e-0e9f7b7d1a11","model":"runway:1@2","positivePrompt":"A lighthouse at dusk",
              "width":1104,"height":832,"duration":6,"seed":99,
              "providerSettings":{"runway":{"contentModeration":{"publicFigureThreshold":"auto"}}},
              "outputType":"URL","outputFormat":"MP4","includeCost":true,"deliveryMethod":"async",
              "webhookURL":"https://studio.example/webhooks/runware/abc/token"}]
            """);
        Assert.True(JsonNode.DeepEquals(expected, request), request!.ToJsonString());
    }

    [Fact]
    public void Request_ImageToVideo_SendsTheFirstFrameUrlAsInputsFrameImages()
    {
        var image = new ProviderImage("image/png", 3, "data:image/png;base64,AAAA", new Uri("https://studio.example/public/first-frames/x/tok"));

        var (request, _) = RunwareProvider.BuildVideoTask(Submission("720:1280", image, callback: null), "t-2");

        var task = request![0]!;
        Assert.Equal(720, task["width"]!.GetValue<int>());
        Assert.Equal(1280, task["height"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"frameImages":[{"image":"https://studio.example/public/first-frames/x/tok","frame":"first"}]}"""), task["inputs"]));
        Assert.Null(task["webhookURL"]);
    }

    [Fact]
    public void Request_ImageWithoutUrl_SendsTheDataUri()
    {
        var image = new ProviderImage("image/png", 3, "data:image/png;base64,AAAA", Url: null);

        var (request, problem) = RunwareProvider.BuildVideoTask(Submission("960:960", image, callback: null), "t-3");

        Assert.Null(problem);
        Assert.Equal("data:image/png;base64,AAAA", request![0]!["inputs"]!["frameImages"]![0]!["image"]!.GetValue<string>());
    }

    [Fact]
    public void Request_LargeImageWithoutUrl_IsNotConfiguredWithAClearMessage()
    {
        var image = new ProviderImage("image/png", RunwareProvider.MaxInlineImageBytes + 1, "data:image/png;base64,AAAA", Url: null);

        var (_, problem) = RunwareProvider.BuildVideoTask(Submission("960:960", image, callback: null), "t-4");

        Assert.Equal(ProviderFailureKind.NotConfigured, problem!.Kind);
        Assert.Contains("Studio:PublicBaseUrl", problem.Message);
    }

    [Fact]
    public void Capabilities_DescribeRunware()
    {
        var capabilities = new RunwareProvider(new HttpClient(), NullLogger<RunwareProvider>.Instance).Capabilities;

        Assert.True(capabilities.Webhooks);
        Assert.True(capabilities.ClientTaskIds);
        Assert.False(capabilities.SignedWebhooks || capabilities.Cancel || capabilities.Progress || capabilities.Extend);
        Assert.Equal("RUNWARE_API_KEY", capabilities.ServerKeyVariable);
        Assert.Equal("https://api.runware.ai", capabilities.DefaultBaseUrl);
        Assert.Equal([VideoModels.RunwareGen45], capabilities.Models);
    }

    private static readonly ProviderConnection Connection = new("runware", new Uri("https://api.runware.ai/"), "k", IsSandbox: false, "server");

    private static ProviderSubmission Submission(string ratio, ProviderImage? image, Uri? callback) =>
        new(Guid.NewGuid(), "runway:1@2", "A lighthouse at dusk", ratio, 6, 99, image, null, callback, "unused");
}
