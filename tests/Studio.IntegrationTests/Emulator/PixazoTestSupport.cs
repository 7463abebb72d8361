using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Studio.Emulator;

namespace Studio.IntegrationTests.Emulator;

public sealed class FastPixazoEmulatorFixture : IAsyncLifetime
{
    public const string ApiKey = "pz_0123456789abcdef";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "studio-emulator-tests", "pixazo-" + Guid.NewGuid().ToString("N"));

    public RunningEmulator Emulator { get; private set; } = null!;

    /// <summary>A client for the emulated gateway: base address <c>…/pixazo/</c>, key header set.</summary>
    public HttpClient Pixazo { get; private set; } = null!;

    public PixazoReceiver Receiver { get; } = new();

    public async Task InitializeAsync()
    {
        Emulator = await EmulatorHost.StartAsync(options =>
        {
            options.DataDirectory = _dataDirectory;
            options.PendingSeconds = 1; // long enough for a look while QUEUED
            options.RunningSeconds = 1.5;
        });
        Pixazo = CreateClient(ApiKey);
        await Receiver.StartAsync();
    }

    public HttpClient CreateClient(string? apiKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(Emulator.BaseAddress, "pixazo/") };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("Ocp-Apim-Subscription-Key", apiKey);
        }
        return client;
    }

    public async Task DisposeAsync()
    {
        Pixazo.Dispose();
        await Receiver.DisposeAsync();
        await Emulator.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

/// <summary>
/// A small server on a real port standing in for a client of the gateway: it records webhook POSTs at
/// <c>/hooks/{name}</c> and serves a first-frame PNG at <c>/frame.png</c> (anything else: 404).
/// </summary>
public sealed class PixazoReceiver : IAsyncDisposable
{
    /// <summary>A valid 64×36 orange PNG.</summary>
    public static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAEAAAAAkCAIAAAC2bqvFAAAAOElEQVR42u3PQQkAAAgEsOuPnb0MPoXBCiw7eS0CAgICAgICAgICAgICAgICAgICAgICAgICAjcFk/7jxBavNYkAAAAASUVORK5CYII=");

    private readonly ConcurrentDictionary<string, ConcurrentQueue<(string ContentType, JsonElement Body)>> _hooks = new();
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/hooks/{name}", async (string name, HttpRequest request) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
            _hooks.GetOrAdd(name, _ => new()).Enqueue((request.ContentType ?? "", body));
            return Results.Ok();
        });
        _app.MapGet("/frame.png", () => Results.Bytes(Png, "image/png"));
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
    }

    public Uri Hook(string name) => new(BaseAddress, "hooks/" + name);

    public IReadOnlyList<(string ContentType, JsonElement Body)> Received(string name) =>
        _hooks.TryGetValue(name, out var queue) ? [.. queue] : [];

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

public static class PixazoTestRequests
{
    public const string GeneratePath = "runway-gen-4-5/v1/gen-4.5/generate";

    public static Dictionary<string, object?> TextOnly(string aspectRatio = "16:9", int duration = 5) => new()
    {
        ["prompt"] = "A golden retriever puppy chasing butterflies through a lavender field",
        ["duration"] = duration,
        ["aspect_ratio"] = aspectRatio,
        ["seed"] = 42,
    };

    public static async Task<JsonElement> GenerateAsync(HttpClient pixazo, object body, Uri? webhook = null, string? mode = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, GeneratePath) { Content = JsonContent.Create(body) };
        if (webhook is not null)
        {
            request.Headers.Add("X-Webhook-URL", webhook.AbsoluteUri);
        }
        if (mode is not null)
        {
            request.Headers.Add("X-Webhook-Mode", mode);
        }
        using var response = await pixazo.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 202, $"generate answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> StatusAsync(HttpClient pixazo, string requestId)
    {
        using var response = await pixazo.GetAsync("v2/requests/status/" + requestId);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"status {requestId} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Polls until the request is terminal; returns the statuses seen in order and the final body.</summary>
    public static async Task<(List<string> Seen, JsonElement Final)> WaitForTerminalAsync(HttpClient pixazo, string requestId, int timeoutSeconds = 60)
    {
        var seen = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var body = await StatusAsync(pixazo, requestId);
            var status = body.GetProperty("status").GetString()!;
            if (seen.Count == 0 || seen[^1] != status)
            {
                seen.Add(status);
            }
            if (status is "COMPLETED" or "FAILED" or "ERROR")
            {
                return (seen, body);
            }
            Assert.True(DateTime.UtcNow < deadline, $"{requestId} still {status} after {timeoutSeconds} s.");
            await Task.Delay(100);
        }
    }
}
