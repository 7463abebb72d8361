using Microsoft.Extensions.Options;
using Studio.Emulator;
using Studio.Web.Data;
using Studio.Web.Features.Providers.Kie;
using Studio.Web.Features.Providers.Pixazo;
using Studio.Web.Features.Providers.Runware;
using Studio.Web.Features.Providers.Runway;

namespace Studio.Web.Features.Providers;

public static class ProvidersServiceCollectionExtensions
{
    public static WebApplicationBuilder AddProviders(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        builder.Services.AddOptions<SandboxOptions>().BindConfiguration(SandboxOptions.SectionName);
        foreach (var name in ProviderCatalog.Names)
        {
            builder.Services.AddOptions<ProviderOptions>(name)
                .BindConfiguration($"{ProviderOptions.SectionName}:{name}")
                .Validate(o => o.BaseUrl is null || (Uri.TryCreate(o.BaseUrl, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp)),
                    $"{ProviderOptions.SectionName}:{name}:BaseUrl must be an absolute http(s) URL.")
                .Validate(o => o.PollInitialSeconds > 0 && o.PollMaxSeconds >= o.PollInitialSeconds && o.SandboxPollSeconds > 0 && o.CallbackGraceSeconds > 0,
                    $"{ProviderOptions.SectionName}:{name}: PollInitialSeconds, PollMaxSeconds, SandboxPollSeconds and CallbackGraceSeconds must be positive, with PollMaxSeconds >= PollInitialSeconds.")
                .ValidateOnStart();
        }

        builder.Services.AddSingleton<SandboxEndpoint>();
        builder.Services.AddSingleton<ProviderCatalog>();
        builder.Services.AddSingleton<ProviderConnections>();
        AddAdapter<RunwayProvider>(builder.Services, RunwayProvider.ProviderName);
        AddAdapter<PixazoProvider>(builder.Services, PixazoProvider.ProviderName);
        AddAdapter<RunwareProvider>(builder.Services, RunwareProvider.ProviderName);
        AddAdapter<KieProvider>(builder.Services, KieProvider.ProviderName);

        if (SandboxEnabled(config))
        {
            // Sandbox renders and tasks live with the studio's data, so a restart finds them again.
            var emulatorData = Path.Combine(DataServiceCollectionExtensions.ResolveDataDirectory(config, builder.Environment.ContentRootPath), "emulator");
            builder.Services.AddProviderEmulator(o =>
            {
                if (string.IsNullOrWhiteSpace(config[$"{EmulatorOptions.SectionName}:{nameof(EmulatorOptions.DataDirectory)}"]))
                {
                    o.DataDirectory = emulatorData;
                }
            });
        }
        return builder;
    }

    public static WebApplication MapProviders(this WebApplication app)
    {
        if (SandboxEnabled(app.Configuration))
        {
            // The emulator's test controls (fault injection, create counts) are for test runs only: anyone reaching
            // the studio could otherwise break everybody's Sandbox takes.
            if (!app.Configuration.GetValue<bool>($"{SandboxOptions.SectionName}:{nameof(SandboxOptions.TestControls)}"))
            {
                app.UseWhen(http => http.Request.Path.StartsWithSegments("/_emulator"), blocked => blocked.Run(http =>
                {
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }));
            }
            app.MapProviderEmulator();
        }
        return app;
    }

    private static void AddAdapter<TProvider>(IServiceCollection services, string name) where TProvider : class, IVideoProvider
    {
        services.AddHttpClient<TProvider>((sp, http) =>
        {
            http.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptionsMonitor<ProviderOptions>>().Get(name).RequestTimeoutSeconds);
            http.DefaultRequestHeaders.UserAgent.ParseAdd("Studio/1.0");
        });
        services.AddTransient<IVideoProvider>(sp => sp.GetRequiredService<TProvider>());
    }

    private static bool SandboxEnabled(IConfiguration config) =>
        !bool.TryParse(config[$"{SandboxOptions.SectionName}:{nameof(SandboxOptions.Enabled)}"], out var enabled) || enabled;
}

/// <summary>The providers this server speaks, by name.</summary>
/// <remarks>Resolved per call so each adapter gets a fresh HttpClient from the factory.</remarks>
public sealed class ProviderCatalog(IServiceProvider services)
{
    public const string DefaultProvider = RunwayProvider.ProviderName;

    public static readonly string[] Names = [RunwayProvider.ProviderName, PixazoProvider.ProviderName, RunwareProvider.ProviderName, KieProvider.ProviderName];

    public IReadOnlyList<IVideoProvider> All => [.. Names.Select(Get)];

    public IVideoProvider Get(string name) =>
        services.GetServices<IVideoProvider>().FirstOrDefault(p => p.Name == name) ?? throw new InvalidOperationException($"No provider named \"{name}\" is configured.");

    public static bool IsKnown(string name) => Names.Contains(name);
}
