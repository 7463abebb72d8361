using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Studio.Emulator;
using Studio.Emulator.Media;

namespace Studio.IntegrationTests.Emulator;

public sealed class KieEmulatorFixture : EmulatorFixture
{
    protected override void Configure(EmulatorOptions options)
    {
        options.PendingSeconds = 0.6;
        options.RunningSeconds = 1.5;
    }

    /// <summary>A client for the emulated kie API: base address <c>…/kie/</c>, Bearer key set.</summary>
    public HttpClient CreateKieClient(string? apiKey = ApiKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(Emulator.BaseAddress, "kie/") };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
        return client;
    }
}

/// <summary>A delivery the receiver got: its headers and JSON body.</summary>
public sealed record ReceivedCallback(IReadOnlyDictionary<string, string> Headers, JsonElement Body, DateTimeOffset At);

/// <summary>
/// A small real HTTP server standing in for the kie customer: it records callbacks POSTed to <c>/hook</c> and serves
/// images (first frames kie fetches by URL) from <c>/images/{name}</c>.
/// </summary>
public sealed class KieTestReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<ReceivedCallback> _callbacks = Channel.CreateUnbounded<ReceivedCallback>();
    private readonly Dictionary<string, byte[]> _images = new(StringComparer.Ordinal);

    private KieTestReceiver(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public Uri HookUrl => new(BaseAddress, "hook");

    public Uri ImageUrl(string name) => new(BaseAddress, "images/" + name);

    public void AddImage(string name, byte[] png) => _images[name] = png;

    public static async Task<KieTestReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new KieTestReceiver(app);
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
            var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            await receiver._callbacks.Writer.WriteAsync(new ReceivedCallback(headers, body, DateTimeOffset.UtcNow));
            return Results.Ok();
        });
        app.MapGet("/images/{name}", (string name) =>
            receiver._images.TryGetValue(name, out var bytes) ? Results.Bytes(bytes, "image/png") : Results.NotFound());
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return receiver;
    }

    public async Task<ReceivedCallback> NextCallbackAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _callbacks.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"No callback arrived within {timeout}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public static class KieTestRequests
{
    public static object TextToVideo(string prompt = "A majestic eagle soaring through mountain clouds at sunset", int duration = 5,
        string quality = "720p", string? aspectRatio = "16:9", string? imageUrl = null, string? callBackUrl = null) =>
        new { prompt, duration, quality, aspectRatio, imageUrl, callBackUrl };

    /// <summary>POSTs and returns kie's envelope, whatever the HTTP status.</summary>
    public static async Task<(int Http, JsonElement Envelope)> PostAsync(HttpClient kie, string path, object body)
    {
        using var response = await kie.PostAsJsonAsync(path, body, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
        return ((int)response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    public static async Task<string> CreateAsync(HttpClient kie, object body, string path = "api/v1/runway/generate")
    {
        var (http, envelope) = await PostAsync(kie, path, body);
        Assert.True(http == 200 && envelope.GetProperty("code").GetInt32() == 200, $"POST {path} answered {http}: {envelope}");
        return envelope.GetProperty("data").GetProperty("taskId").GetString()!;
    }

    public static async Task<JsonElement> DetailAsync(HttpClient kie, string taskId)
    {
        var envelope = await kie.GetFromJsonAsync<JsonElement>($"api/v1/runway/record-detail?taskId={Uri.EscapeDataString(taskId)}");
        Assert.Equal(200, envelope.GetProperty("code").GetInt32());
        return envelope.GetProperty("data");
    }

    /// <summary>Polls until the task is success or fail; returns every state seen and the final data.</summary>
    public static async Task<(List<string> Seen, JsonElement Final)> WaitForTerminalAsync(HttpClient kie, string taskId, TimeSpan timeout)
    {
        var seen = new List<string>();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var data = await DetailAsync(kie, taskId);
            var state = data.GetProperty("state").GetString()!;
            if (seen.Count == 0 || seen[^1] != state)
            {
                seen.Add(state);
            }
            if (state is "success" or "fail")
            {
                return (seen, data);
            }
            Assert.True(DateTime.UtcNow < deadline, $"kie task {taskId} still {state} after {timeout}.");
            await Task.Delay(100);
        }
    }
}

public static class TestImages
{
    /// <summary>A real PNG of the given size, drawn by ffmpeg.</summary>
    public static async Task<byte[]> PngAsync(FfmpegProcess ffmpeg, int width, int height)
    {
        var path = Path.Combine(Path.GetTempPath(), $"kie-test-{Guid.NewGuid():N}.png");
        try
        {
            await ffmpeg.RunFfmpegAsync(["-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc=size={width}x{height}:rate=1", "-frames:v", "1", path], CancellationToken.None);
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
