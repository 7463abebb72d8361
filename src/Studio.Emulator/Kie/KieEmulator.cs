namespace Studio.Emulator.Kie;

/// <summary>
/// Registers and maps the emulated kie-style "Runway API" (https://api.kie.ai, PROVIDERS.md section 4) under
/// <see cref="BasePath"/>: generate, extend, record-detail, the account's credit balance, signed output files,
/// and callbacks to <c>callBackUrl</c> (HMAC-signed when <c>Emulator:Kie:WebhookHmacKey</c> is set).
/// </summary>
internal static class KieEmulator
{
    public const string BasePath = "/kie";
    public const string HttpClientName = "Studio.Emulator.Kie";

    public static IServiceCollection AddKieEmulator(this IServiceCollection services)
    {
        services.AddOptions<KieEmulatorOptions>()
            .BindConfiguration(KieEmulatorOptions.SectionName)
            .Validate(o => o.CallbackTimeoutSeconds > 0, $"{KieEmulatorOptions.SectionName}:{nameof(KieEmulatorOptions.CallbackTimeoutSeconds)} must be positive.")
            .ValidateOnStart();
        // Fetches first frames by URL and delivers callbacks; redirects are not followed (neither does a careful provider).
        services.AddHttpClient(HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(30))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddSingleton<KieTaskStore>();
        services.AddSingleton<KieOutputUrls>();
        services.AddSingleton<KieTaskRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<KieTaskRunner>());
        return services;
    }

    public static IEndpointRouteBuilder MapKieEmulator(this IEndpointRouteBuilder app)
    {
        // Anonymous for the host (a studio's fallback policy must not apply): the API checks kie's Bearer key itself.
        var kie = app.MapGroup(BasePath).ExcludeFromDescription().AllowAnonymous();
        var api = kie.MapGroup("/api/v1").AddEndpointFilter<KieApiKeyFilter>();
        api.MapPost("/runway/generate", KieEndpoints.GenerateAsync);
        api.MapPost("/runway/extend", KieEndpoints.ExtendAsync);
        api.MapGet("/runway/record-detail", KieEndpoints.RecordDetail);
        api.MapGet("/chat/credit", KieEndpoints.Credit);

        // Output files stand in for kie's file host: no API key, a signed URL that lasts as long as kie keeps videos.
        kie.MapMethods("/_output/{taskId}.mp4", [HttpMethods.Get, HttpMethods.Head], KieEndpoints.Output);
        return app;
    }
}

/// <summary>Section "Emulator:Kie": what only the kie emulator needs (EmulatorOptions is shared by all providers).</summary>
internal sealed class KieEmulatorOptions
{
    public const string SectionName = "Emulator:Kie";

    /// <summary>kie's optional webhookHmacKey: when set, every callback carries X-Webhook-Timestamp and X-Webhook-Signature.</summary>
    public string? WebhookHmacKey { get; set; }

    /// <summary>kie waits 15 s for a callback to be answered (PROVIDERS.md 4.5).</summary>
    public double CallbackTimeoutSeconds { get; set; } = 15;

    /// <summary>What GET /api/v1/chat/credit reports. kie's prices are unknown, so the emulator charges nothing.</summary>
    public long CreditBalance { get; set; } = 10_000;
}
