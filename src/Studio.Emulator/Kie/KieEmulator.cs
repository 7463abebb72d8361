namespace Studio.Emulator.Kie;

/// <summary>The Kie surface under <c>/kie</c>. Placeholder until it lands.</summary>
internal static class KieEmulator
{
    public static IServiceCollection AddKieEmulator(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapKieEmulator(this IEndpointRouteBuilder app) => app;
}
