using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Studio.Emulator;

namespace Studio.IntegrationTests.Emulator;

/// <summary>A fast emulator for the fault tests, with clients for all four providers and a callback receiver.</summary>
public sealed class FaultEmulatorFixture : EmulatorFixture, IAsyncLifetime
{
    public FaultCallbackReceiver Receiver { get; } = new();

    protected override void Configure(EmulatorOptions options)
    {
        options.PendingSeconds = 0.3;
        options.RunningSeconds = 1;
    }

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        await Receiver.StartAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await Receiver.DisposeAsync();
        await DisposeAsync();
    }

    public HttpClient Pixazo() => Client("pixazo/", c => c.DefaultRequestHeaders.Add("Ocp-Apim-Subscription-Key", ApiKey));

    public HttpClient Runware() => Client("runware/", c => c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey));

    public HttpClient Kie() => Client("kie/", c => c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey));

    /// <summary>A client at the emulator's root, for <c>/_emulator/…</c>.</summary>
    public HttpClient Root() => Client(string.Empty, _ => { });

    public async Task<JsonElement> StatsAsync()
    {
        using var root = Root();
        return await root.GetFromJsonAsync<JsonElement>("_emulator/stats");
    }

    private HttpClient Client(string path, Action<HttpClient> configure)
    {
        var client = new HttpClient { BaseAddress = new Uri(Emulator.BaseAddress, path) };
        configure(client);
        return client;
    }
}

/// <summary>A small Kestrel server that records every webhook POSTed to <c>/hooks/{name}</c>, in arrival order.</summary>
public sealed class FaultCallbackReceiver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(DateTimeOffset At, JsonElement Body)>> _hooks = new();
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    public Uri Hook(string name) => new(BaseAddress, "hooks/" + name);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/hooks/{name}", async (string name, HttpRequest request) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
            _hooks.GetOrAdd(name, _ => new()).Enqueue((DateTimeOffset.UtcNow, body));
            return Results.Ok();
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
    }

    public IReadOnlyList<(DateTimeOffset At, JsonElement Body)> Received(string name) => _hooks.TryGetValue(name, out var queue) ? [.. queue] : [];

    /// <summary>Waits until <paramref name="count"/> deliveries arrived, then a little longer to catch any extra one.</summary>
    public async Task<IReadOnlyList<(DateTimeOffset At, JsonElement Body)>> WaitForAsync(string name, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Received(name).Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Only {Received(name).Count} of {count} callbacks to {name} arrived within {timeout}.");
            await Task.Delay(100);
        }

        await Task.Delay(1500);
        return Received(name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

public static class FaultTestRequests
{
    /// <summary>The prompt every fault test renders (the directive is stripped before drawing, so they share one render per size).</summary>
    public const string Scene = "Harbour at dawn, gulls over the cranes ";

    public static object Runway(string directive, int duration = 2) =>
        new { model = "gen4.5", promptText = Scene + directive, ratio = "1280:720", duration, seed = 11 };

    public static Dictionary<string, object?> Pixazo(string directive) => new()
    {
        ["prompt"] = Scene + directive,
        ["duration"] = 5,
        ["aspect_ratio"] = "16:9",
        ["seed"] = 11,
    };

    public static JsonObject Runware(string directive, Guid taskUuid, Uri? webhook = null)
    {
        var task = new JsonObject
        {
            ["taskType"] = "videoInference",
            ["taskUUID"] = taskUuid.ToString(),
            ["model"] = "runway:1@2",
            ["positivePrompt"] = Scene + directive,
            ["width"] = 1280,
            ["height"] = 720,
            ["duration"] = 2,
            ["seed"] = 11,
            ["deliveryMethod"] = "async",
        };
        if (webhook is not null)
        {
            task["webhookURL"] = webhook.AbsoluteUri;
        }

        return task;
    }

    public static object Kie(string directive, Uri? callBackUrl = null) =>
        KieTestRequests.TextToVideo(prompt: Scene + directive, callBackUrl: callBackUrl?.AbsoluteUri);

    public static async Task<(HttpResponseMessage Response, JsonElement Body)> PostRunwareAsync(HttpClient runware, params JsonNode[] tasks)
    {
        using var content = new StringContent(new JsonArray([.. tasks.Select(t => t.DeepClone())]).ToJsonString(), Encoding.UTF8, "application/json");
        var response = await runware.PostAsync("v1", content);
        return (response, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    public static JsonNode GetResponse(Guid taskUuid) => new JsonObject { ["taskType"] = "getResponse", ["taskUUID"] = taskUuid.ToString() };

    public static async Task<(HttpResponseMessage Response, JsonElement Body)> PostPixazoAsync(HttpClient pixazo, object body, Uri? webhook = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, PixazoTestRequests.GeneratePath) { Content = JsonContent.Create(body) };
        if (webhook is not null)
        {
            request.Headers.Add("X-Webhook-URL", webhook.AbsoluteUri);
        }

        var response = await pixazo.SendAsync(request);
        return (response, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>Polls Runware's getResponse until the task leaves processing; returns the data item or the errors entry.</summary>
    public static async Task<JsonElement> WaitForRunwareAsync(HttpClient runware, Guid taskUuid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var (response, body) = await PostRunwareAsync(runware, GetResponse(taskUuid));
            using (response)
            {
                Assert.True(response.IsSuccessStatusCode, $"getResponse answered {(int)response.StatusCode}: {body}");
            }

            if (body.TryGetProperty("errors", out var errors))
            {
                return errors[0];
            }

            var item = body.GetProperty("data")[0];
            if (item.GetProperty("status").GetString() != "processing")
            {
                return item;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Runware task {taskUuid} still processing after {timeout}.");
            await Task.Delay(150);
        }
    }
}
