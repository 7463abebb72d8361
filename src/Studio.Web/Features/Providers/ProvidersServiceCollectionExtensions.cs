using Studio.Emulator;
using Studio.Web.Data;
using Studio.Web.Features.Providers.Runway;

namespace Studio.Web.Features.Providers;

public static class ProvidersServiceCollectionExtensions
{
    public static WebApplicationBuilder AddProviders(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        builder.Services.AddOptions<RunwayOptions>()
            .BindConfiguration(RunwayOptions.SectionName)
            .PostConfigure(o =>
            {
                // The official SDK's environment variables work here too.
                if (string.IsNullOrWhiteSpace(o.ApiKey) && !string.IsNullOrWhiteSpace(config["RUNWAYML_API_SECRET"]))
                {
                    o.ApiKey = config["RUNWAYML_API_SECRET"];
                }
                if (!string.IsNullOrWhiteSpace(config["RUNWAYML_BASE_URL"]) && string.IsNullOrWhiteSpace(config[$"{RunwayOptions.SectionName}:BaseUrl"]))
                {
                    o.BaseUrl = config["RUNWAYML_BASE_URL"]!;
                }
            })
            .Validate(o => Uri.TryCreate(o.BaseUrl, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp),
                "Providers:Runway:BaseUrl must be an absolute http(s) URL.")
            .Validate(o => o.PollInitialSeconds > 0 && o.PollMaxSeconds >= o.PollInitialSeconds && o.SandboxPollSeconds > 0,
                "Providers:Runway:PollInitialSeconds, PollMaxSeconds and SandboxPollSeconds must be positive, with PollMaxSeconds >= PollInitialSeconds.")
            .ValidateOnStart();

        builder.Services.AddSingleton<SandboxEndpoint>();
        builder.Services.AddHttpClient<RunwayProvider>((sp, http) =>
        {
            var options = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<RunwayOptions>>().Value;
            http.Timeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds);
            http.DefaultRequestHeaders.UserAgent.ParseAdd("Studio/1.0");
        });
        builder.Services.AddTransient<IVideoProvider>(sp => sp.GetRequiredService<RunwayProvider>());
        builder.Services.AddSingleton<ProviderCatalog>();

        if (IsSandbox(config))
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
        if (IsSandbox(app.Configuration))
        {
            app.MapProviderEmulator();
        }
        return app;
    }

    public static bool IsSandbox(IConfiguration config) =>
        string.IsNullOrWhiteSpace(config[$"{RunwayOptions.SectionName}:ApiKey"]) && string.IsNullOrWhiteSpace(config["RUNWAYML_API_SECRET"]);
}

/// <summary>The providers this server can use, by name.</summary>
/// <remarks>Resolved per call so each adapter gets a fresh HttpClient from the factory.</remarks>
public sealed class ProviderCatalog(IServiceProvider services)
{
    public IVideoProvider Get(string name) =>
        services.GetServices<IVideoProvider>().FirstOrDefault(p => p.Name == name) ?? throw new InvalidOperationException($"No provider named \"{name}\" is configured.");

    public IVideoProvider Default => Get(RunwayProvider.ProviderName);
}
