using Studio.Emulator.Runway;

namespace Studio.Emulator;

public static class EmulatorEndpointRouteBuilderExtensions
{
    /// <summary>Maps every emulated provider under its own base path (today: <c>/runway</c>).</summary>
    public static IEndpointRouteBuilder MapProviderEmulator(this IEndpointRouteBuilder app)
    {
        app.MapRunwayEmulator();
        return app;
    }
}
