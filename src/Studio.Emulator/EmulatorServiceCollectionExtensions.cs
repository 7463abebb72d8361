using Microsoft.Extensions.DependencyInjection.Extensions;
using Studio.Emulator.Faults;
using Studio.Emulator.Media;
using Studio.Emulator.Kie;
using Studio.Emulator.Pixazo;
using Studio.Emulator.Runware;
using Studio.Emulator.Runway;

namespace Studio.Emulator;

public static class EmulatorServiceCollectionExtensions
{
    /// <summary>
    /// Registers the provider emulator: options (the "Emulator" section, then <paramref name="configure"/>),
    /// the ffmpeg wrapper (TryAdd, so a host that registers its own keeps it), the renderer and each provider's
    /// task store and render worker.
    /// </summary>
    public static IServiceCollection AddProviderEmulator(this IServiceCollection services, Action<EmulatorOptions>? configure = null)
    {
        var options = services.AddOptions<EmulatorOptions>().BindConfiguration(EmulatorOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options
            .Validate(o => !string.IsNullOrWhiteSpace(o.DataDirectory), $"{EmulatorOptions.SectionName}:{nameof(EmulatorOptions.DataDirectory)} must be set.")
            .Validate(o => o.PendingSeconds >= 0, $"{EmulatorOptions.SectionName}:{nameof(EmulatorOptions.PendingSeconds)} must not be negative.")
            .Validate(o => o.RunningSeconds >= 0, $"{EmulatorOptions.SectionName}:{nameof(EmulatorOptions.RunningSeconds)} must not be negative.")
            .Validate(o => o.OutputUrlLifetime > TimeSpan.Zero, $"{EmulatorOptions.SectionName}:{nameof(EmulatorOptions.OutputUrlLifetime)} must be positive.")
            .ValidateOnStart();

        services.AddOptions<FfmpegOptions>();
        services.TryAddSingleton<FfmpegProcess>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<VideoRenderer>();
        services.TryAddSingleton<FaultRegistry>();

        services.AddRunwayEmulator();
        services.AddPixazoEmulator();
        services.AddRunwareEmulator();
        services.AddKieEmulator();
        return services;
    }
}
