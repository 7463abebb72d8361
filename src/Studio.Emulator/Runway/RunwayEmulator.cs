using Studio.Emulator.Faults;
using Studio.Emulator.Shared;

namespace Studio.Emulator.Runway;

/// <summary>Registers and maps the emulated Runway API (https://api.dev.runwayml.com) under <see cref="BasePath"/>.</summary>
internal static class RunwayEmulator
{
    public const string BasePath = "/runway";

    public static IServiceCollection AddRunwayEmulator(this IServiceCollection services)
    {
        services.AddSingleton<RunwayTaskStore>();
        services.AddSingleton<WorkQueue<RunwayTask>>();
        services.AddSingleton<RunwayOutputUrls>();
        services.AddHostedService<RunwayRenderWorker>();
        return services;
    }

    public static IEndpointRouteBuilder MapRunwayEmulator(this IEndpointRouteBuilder app)
    {
        // Anonymous as far as the host is concerned (a studio's fallback policy must not apply here):
        // the emulator checks Runway's own Bearer key itself, and output URLs carry their own signature.
        var runway = app.MapGroup(BasePath).ExcludeFromDescription().AllowAnonymous();

        var api = runway.MapGroup("/v1").AddEndpointFilter<RunwayApiFilter>();
        api.MapPost("/text_to_video", (HttpRequest request, RunwayTaskStore store, WorkQueue<RunwayTask> queue, FaultRegistry faults) =>
            RunwayEndpoints.CreateAsync(request, RunwayEndpointKind.TextToVideo, store, queue, faults));
        api.MapPost("/image_to_video", (HttpRequest request, RunwayTaskStore store, WorkQueue<RunwayTask> queue, FaultRegistry faults) =>
            RunwayEndpoints.CreateAsync(request, RunwayEndpointKind.ImageToVideo, store, queue, faults));
        api.MapGet("/tasks/{id}", RunwayEndpoints.GetTask);
        api.MapDelete("/tasks/{id}", RunwayEndpoints.DeleteTask);
        api.MapGet("/organization", RunwayEndpoints.GetOrganization);

        // Output files stand in for Runway's CDN: no API key, a signed expiring URL instead.
        runway.MapMethods("/_output/{taskId:guid}.mp4", [HttpMethods.Get, HttpMethods.Head], RunwayEndpoints.GetOutput);
        return app;
    }
}
