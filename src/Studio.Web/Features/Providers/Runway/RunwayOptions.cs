namespace Studio.Web.Features.Providers.Runway;

/// <summary>Section "Providers:Runway". With no API key the studio runs in Sandbox mode against the built-in emulator.</summary>
public sealed class RunwayOptions
{
    public const string SectionName = "Providers:Runway";
    public const string ProductionBaseUrl = "https://api.dev.runwayml.com";

    /// <summary>The secret key; also read from RUNWAYML_API_SECRET. Never logged or shown.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Also read from RUNWAYML_BASE_URL. Ignored in Sandbox mode.</summary>
    public string BaseUrl { get; set; } = ProductionBaseUrl;

    public string ApiVersion { get; set; } = "2024-11-06";

    /// <summary>Hosts output URLs may come from, besides the API's own host.</summary>
    public List<string> OutputHosts { get; set; } = ["*.cloudfront.net", "*.runwayml.com", "*.amazonaws.com"];

    /// <summary>Runway asks for no more than one look every 5 s; back off towards a minute.</summary>
    public double PollInitialSeconds { get; set; } = 5;

    public double PollMaxSeconds { get; set; } = 60;

    /// <summary>The emulator is in-process and cheap to ask, so Sandbox looks often and does not back off.</summary>
    public double SandboxPollSeconds { get; set; } = 0.5;

    public double RequestTimeoutSeconds { get; set; } = 60;

    public bool IsSandbox => string.IsNullOrWhiteSpace(ApiKey);
}
