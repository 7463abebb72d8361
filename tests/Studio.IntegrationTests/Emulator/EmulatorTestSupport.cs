using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Studio.Emulator;
using Studio.Emulator.Media;

namespace Studio.IntegrationTests.Emulator;

/// <summary>An emulator on a real port with its own scratch directory, shared by the tests of one class.</summary>
public abstract class EmulatorFixture : IAsyncLifetime
{
    public const string ApiKey = "key_0123456789abcdef";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "studio-emulator-tests", Guid.NewGuid().ToString("N"));

    public RunningEmulator Emulator { get; private set; } = null!;

    /// <summary>A client for the emulated Runway API: base address <c>…/runway/</c>, key and version header set.</summary>
    public HttpClient Runway { get; private set; } = null!;

    /// <summary>A client with no headers, for output URLs (which stand in for a CDN).</summary>
    public HttpClient Anonymous { get; } = new();

    protected abstract void Configure(EmulatorOptions options);

    public async Task InitializeAsync()
    {
        Emulator = await EmulatorHost.StartAsync(options =>
        {
            options.DataDirectory = _dataDirectory;
            Configure(options);
        });
        Runway = CreateRunwayClient(ApiKey, RunwayVersion);
    }

    public const string RunwayVersion = "2024-11-06";

    public HttpClient CreateRunwayClient(string? apiKey, string? version)
    {
        var client = new HttpClient { BaseAddress = new Uri(Emulator.BaseAddress, "runway/") };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        if (version is not null)
        {
            client.DefaultRequestHeaders.Add("X-Runway-Version", version);
        }

        return client;
    }

    public async Task DisposeAsync()
    {
        Runway.Dispose();
        Anonymous.Dispose();
        await Emulator.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    public FfmpegProcess Ffmpeg => Emulator.Services.GetRequiredService<FfmpegProcess>();
}

/// <summary>What ffprobe says about a downloaded video.</summary>
public sealed record ProbedVideo(string CodecName, int Width, int Height, double DurationSeconds, string FormatName)
{
    public static async Task<ProbedVideo> ProbeAsync(FfmpegProcess ffmpeg, string path)
    {
        var json = await ffmpeg.RunFfprobeAsync(
            ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height:format=duration,format_name", "-of", "json", path],
            CancellationToken.None);
        using var document = JsonDocument.Parse(json);
        var stream = document.RootElement.GetProperty("streams")[0];
        var format = document.RootElement.GetProperty("format");
        return new ProbedVideo(
            stream.GetProperty("codec_name").GetString()!,
            stream.GetProperty("width").GetInt32(),
            stream.GetProperty("height").GetInt32(),
            double.Parse(format.GetProperty("duration").GetString()!, CultureInfo.InvariantCulture),
            format.GetProperty("format_name").GetString()!);
    }
}

public static class RunwayTestRequests
{
    public static object TextToVideo(string promptText = "A lighthouse on a cliff at dusk, waves below", string ratio = "1280:720", int duration = 5, long? seed = 7) =>
        new { model = "gen4.5", promptText, ratio, duration, seed };

    /// <summary>Creates a task and returns its id, failing with the response body if the emulator refused.</summary>
    public static async Task<string> CreateAsync(HttpClient runway, string endpoint, object body)
    {
        using var response = await runway.PostAsJsonAsync(endpoint, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {endpoint} answered {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.GetProperty("id").GetString()!;
    }

    public static async Task<JsonElement> GetTaskAsync(HttpClient runway, string id)
    {
        using var response = await runway.GetAsync($"v1/tasks/{id}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET task {id} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Polls until the task leaves PENDING/RUNNING; returns every status seen (with progress) and the final task.</summary>
    public static async Task<(List<(string Status, double? Progress)> Seen, JsonElement Final)> WaitForTerminalAsync(
        HttpClient runway, string id, TimeSpan timeout)
    {
        var seen = new List<(string, double?)>();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var task = await GetTaskAsync(runway, id);
            var status = task.GetProperty("status").GetString()!;
            seen.Add((status, task.TryGetProperty("progress", out var p) ? p.GetDouble() : null));
            if (status is not ("PENDING" or "RUNNING" or "THROTTLED"))
            {
                return (seen, task);
            }

            Assert.True(DateTime.UtcNow < deadline, $"Task {id} still {status} after {timeout}.");
            await Task.Delay(150);
        }
    }
}
