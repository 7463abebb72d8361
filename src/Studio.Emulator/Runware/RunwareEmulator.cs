namespace Studio.Emulator.Runware;

/// <summary>The Runware surface under <c>/runware</c>. Placeholder until it lands.</summary>
internal static class RunwareEmulator
{
    public static IServiceCollection AddRunwareEmulator(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapRunwareEmulator(this IEndpointRouteBuilder app) => app;
}
