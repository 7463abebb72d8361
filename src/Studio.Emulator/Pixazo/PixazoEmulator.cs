namespace Studio.Emulator.Pixazo;

/// <summary>The Pixazo surface under <c>/pixazo</c>. Placeholder until it lands.</summary>
internal static class PixazoEmulator
{
    public static IServiceCollection AddPixazoEmulator(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapPixazoEmulator(this IEndpointRouteBuilder app) => app;
}
