using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Studio.Emulator;

namespace Studio.IntegrationTests.Emulator;

/// <summary>The Runway emulator takes the seed document's request bodies as Runway does (verbatim copies in Studio.Tests fixtures).</summary>
public sealed class RunwaySeedContractTests : IAsyncLifetime
{
    private const string SeedImageToVideo = """
        {
        "model": "gen4.5",
        "promptImage": "https://example.com/image.jpg",
        "promptText": "A timelapse on a sunny day",
        "ratio": "1280:720",
        "duration": 10
        }
        """;

    private const string SeedTextToVideo = """
        {
        "model": "gen4.5",
        "promptText": "A serene mountain landscape at sunset",
        "ratio": "1280:720",
        "duration": 10
        }
        """;

    private RunningEmulator _emulator = null!;
    private readonly string _data = Path.Combine(Path.GetTempPath(), "studio-seed-contract-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync() => _emulator = await EmulatorHost.StartAsync(o => { o.DataDirectory = _data; o.PendingSeconds = 0.2; o.RunningSeconds = 0.5; });

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string json)
    {
        using var http = new HttpClient { BaseAddress = new Uri(_emulator.BaseAddress, "runway/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "key_seed00000000");
        http.DefaultRequestHeaders.Add("X-Runway-Version", "2024-11-06");
        using var response = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task SeedImageToVideoBody_IsAcceptedWithAnEstimateOf12CreditsPerSecond()
    {
        var (status, body) = await PostAsync("v1/image_to_video", SeedImageToVideo);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("id").GetString()));
        Assert.Equal(120, body.GetProperty("estimatedCost").GetProperty("credits").GetInt32());
    }

    [Fact]
    public async Task SeedTextToVideoBody_OnImageToVideo_IsRefusedForMissingPromptImage_AsSdk4201Says()
    {
        var (status, body) = await PostAsync("v1/image_to_video", SeedTextToVideo);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("promptImage", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task SeedTextToVideoBody_OnTextToVideo_IsAccepted()
    {
        var (status, _) = await PostAsync("v1/text_to_video", SeedTextToVideo);
        Assert.Equal(HttpStatusCode.OK, status);
    }
}
