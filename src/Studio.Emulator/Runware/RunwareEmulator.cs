using Studio.Emulator.Shared;

namespace Studio.Emulator.Runware;

/// <summary>
/// The Runware REST API (https://api.runware.ai, PROVIDERS.md §3) under <see cref="BasePath"/>: one
/// <c>POST /runware/v1</c> taking a JSON array of tasks, and signed output links standing in for vm.runware.ai.
/// </summary>
internal static class RunwareEmulator
{
    public const string BasePath = "/runware";

    /// <summary>The HttpClient that fetches frame images by URL and delivers webhooks.</summary>
    public const string HttpClientName = "Studio.Emulator.Runware";

    public static IServiceCollection AddRunwareEmulator(this IServiceCollection services)
    {
        services.AddSingleton<RunwareTaskStore>();
        services.AddSingleton<WorkQueue<RunwareTask>>();
        services.AddSingleton<RunwareOutputUrls>();
        services.AddHostedService<RunwareWorker>();
        services.AddHttpClient(HttpClientName, http =>
        {
            // Runware expects a webhook answer within about 5 s; image fetches get a little longer.
            http.Timeout = TimeSpan.FromSeconds(10);
            http.DefaultRequestHeaders.UserAgent.ParseAdd("Runware-Emulator/1.0");
        });
        return services;
    }

    public static IEndpointRouteBuilder MapRunwareEmulator(this IEndpointRouteBuilder app)
    {
        // Anonymous to the host: the emulator checks Runware's own key, and output links carry their own signature.
        var runware = app.MapGroup(BasePath).ExcludeFromDescription().AllowAnonymous();
        runware.MapPost("/v1", RunwareEndpoints.HandleAsync);
        runware.MapMethods("/video/{videoUuid:guid}.mp4", [HttpMethods.Get, HttpMethods.Head], RunwareEndpoints.GetOutput);
        return app;
    }
}
