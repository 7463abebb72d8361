using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Studio.Emulator.Media;

namespace Studio.Emulator;

/// <summary>The emulator as a host of its own: <c>dotnet run</c> for manual use, <see cref="StartAsync"/> for tests.</summary>
public static class EmulatorHost
{
    private const string Description =
        """
        Studio provider emulator. Every task renders a real H.264 MP4, served from a signed, expiring output URL.

        Runway API (https://api.dev.runwayml.com) under /runway: POST /runway/v1/text_to_video,
        POST /runway/v1/image_to_video, GET|DELETE /runway/v1/tasks/{id}, GET /runway/v1/organization.
        Send Authorization: Bearer key_... and X-Runway-Version: 2024-11-06.

        Pixazo gateway (https://gateway.pixazo.ai) under /pixazo: POST /pixazo/runway-gen-4-5/v1/gen-4.5/generate,
        GET /pixazo/v2/requests/status/{request_id}. Send Ocp-Apim-Subscription-Key; optional webhooks via
        X-Webhook-URL and X-Webhook-Mode (terminal or sync). Keys starting with key_broke have an empty wallet (402).

        Runware API (https://api.runware.ai) under /runware: POST /runware/v1 with a JSON array of tasks
        (authentication, videoInference, getResponse, accountManagement, ping). Send Authorization: Bearer <key>
        or an authentication task; optional webhookURL per task.

        kie API (https://api.kie.ai) under /kie: POST /kie/api/v1/runway/generate, POST /kie/api/v1/runway/extend,
        GET /kie/api/v1/runway/record-detail?taskId=..., GET /kie/api/v1/chat/credit. Send Authorization: Bearer <key>;
        optional callBackUrl.

        Faults for testing: put [[fault: mode; mode(key=value,...)]] anywhere in a prompt (it is not drawn), or set a
        default for prompts without one with POST /_emulator/faults {"directive":"[[fault: ...]]"} (DELETE clears it).
        Modes: create-429(retryAfter,count), create-5xx(count,status), create-402, create-reset, create-timeout(seconds),
        status-5xx(count,status), status-429(retryAfter,count), throttled(seconds) (Runway), moderation,
        output-403(count), output-stall(seconds,count), output-truncate(count), output-size(mb) (every download of
        the output weighs mb MiB, fractions allowed, at most 4096: the MP4 then one streamed MP4 free box, still the same
        video), callback-duplicate(times), callback-delay(seconds), callback-out-of-order. GET /_emulator/stats counts the creates that made a task
        (in total, by normalised body hash, by prompt and by provider); DELETE /_emulator/stats resets the counts.

        """;

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddOptions<FfmpegOptions>().BindConfiguration("Ffmpeg");
        return Compose(builder, configure: null);
    }

    /// <summary>Starts the emulator on real Kestrel (a free port by default) and returns once it listens.</summary>
    public static async Task<RunningEmulator> StartAsync(
        Action<EmulatorOptions>? configure = null,
        string url = "http://127.0.0.1:0",
        CancellationToken ct = default)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(EmulatorHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls(url);
        var app = Compose(builder, configure);
        await app.StartAsync(ct);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The emulator started but reported no listening address.");
        return new RunningEmulator(app, new Uri(address.TrimEnd('/') + "/"));
    }

    private static WebApplication Compose(WebApplicationBuilder builder, Action<EmulatorOptions>? configure)
    {
        builder.Services.AddProviderEmulator(configure);
        var app = builder.Build();
        app.MapGet("/", () => Results.Text(Description, "text/plain; charset=utf-8"));
        app.MapProviderEmulator();
        return app;
    }
}

/// <summary>An emulator started by <see cref="EmulatorHost.StartAsync"/>; dispose to stop it.</summary>
public sealed class RunningEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;

    internal RunningEmulator(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>Where it listens, with a trailing slash, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
