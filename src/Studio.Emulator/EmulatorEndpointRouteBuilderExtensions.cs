using Studio.Emulator.Faults;
using Studio.Emulator.Kie;
using Studio.Emulator.Pixazo;
using Studio.Emulator.Runware;
using Studio.Emulator.Runway;

namespace Studio.Emulator;

public static class EmulatorEndpointRouteBuilderExtensions
{
    /// <summary>Maps every emulated provider under its own base path (<c>/runway</c>, <c>/pixazo</c>, <c>/runware</c>, <c>/kie</c>),
    /// and the fault-injection controls and create counts under <c>/_emulator</c>.</summary>
    public static IEndpointRouteBuilder MapProviderEmulator(this IEndpointRouteBuilder app)
    {
        app.MapRunwayEmulator();
        app.MapPixazoEmulator();
        app.MapRunwareEmulator();
        app.MapKieEmulator();
        app.MapFaultEndpoints();
        return app;
    }
}
