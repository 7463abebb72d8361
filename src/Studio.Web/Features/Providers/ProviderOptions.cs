namespace Studio.Web.Features.Providers;

/// <summary>
/// Section "Providers:{Name}" (named options, one per provider). With no key here, in the provider's
/// environment variable, or in the team's settings, that provider runs in Sandbox mode against the built-in emulator.
/// </summary>
public sealed class ProviderOptions
{
    public const string SectionName = "Providers";

    /// <summary>The server-wide secret key. Never logged or shown.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The provider's host root. Ignored in Sandbox mode.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>kie only: the webhookHmacKey, when signing is enabled in kie's settings.</summary>
    public string? WebhookSigningKey { get; set; }

    /// <summary>Hosts output URLs may come from, besides the API's own host. Empty: the provider's documented CDN hosts.</summary>
    public List<string> OutputHosts { get; set; } = [];

    /// <summary>First poll interval; backs off towards <see cref="PollMaxSeconds"/>.</summary>
    public double PollInitialSeconds { get; set; } = 5;

    public double PollMaxSeconds { get; set; } = 60;

    /// <summary>The emulator is in-process and cheap to ask, so Sandbox looks often and does not back off.</summary>
    public double SandboxPollSeconds { get; set; } = 0.5;

    /// <summary>Ask for webhooks where the provider has them. Off: poll only.</summary>
    public bool UseWebhooks { get; set; } = true;

    /// <summary>With a webhook requested, the first look happens this late: a callback is expected before then.</summary>
    public double CallbackGraceSeconds { get; set; } = 30;

    public double RequestTimeoutSeconds { get; set; } = 60;

    /// <summary>
    /// Takes sent to one provider account at once (a team's key, or the server's key shared by all teams); the rest
    /// wait in the studio's queue, users taking turns. Unset: the provider's own figure where it tells it (Runway's
    /// tier limit for Gen-4.5 from /v1/organization), else <see cref="DefaultMaxConcurrentGenerations"/>.
    /// </summary>
    public int? MaxConcurrentGenerations { get; set; }

    public const int DefaultMaxConcurrentGenerations = 3;
}
