using Microsoft.Extensions.Options;

namespace Studio.Emulator.Pixazo;

/// <summary>
/// The Pixazo gateway (https://gateway.pixazo.ai) for Runway Gen-4.5 under <see cref="BasePath"/> (PROVIDERS.md §2):
/// <c>POST /pixazo/runway-gen-4-5/v1/gen-4.5/generate</c> (202 with request_id), <c>GET /pixazo/v2/requests/status/{id}</c>,
/// webhooks from the <c>X-Webhook-URL</c>/<c>X-Webhook-Mode</c> headers, and signed output links standing in for R2.
/// Any key starting with <see cref="EmptyWalletKeyPrefix"/> has an empty wallet: generate answers 402.
/// </summary>
internal static class PixazoEmulator
{
    public const string BasePath = "/pixazo";
    public const string KeyHeader = "Ocp-Apim-Subscription-Key";
    public const string WebhookUrlHeader = "X-Webhook-URL";
    public const string WebhookModeHeader = "X-Webhook-Mode";
    public const string TerminalMode = "terminal";
    public const string SyncMode = "sync";
    public const string EmptyWalletKeyPrefix = "key_broke";

    public static IServiceCollection AddPixazoEmulator(this IServiceCollection services)
    {
        services.AddSingleton<PixazoTaskStore>();
        services.AddSingleton<PixazoOutputUrls>();
        services.AddHttpClient(PixazoRenderWorker.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(20));
        services.AddHostedService<PixazoRenderWorker>();
        services.AddHostedService<PixazoWebhookSender>();
        return services;
    }

    public static IEndpointRouteBuilder MapPixazoEmulator(this IEndpointRouteBuilder app)
    {
        // Anonymous for the host (a studio's fallback policy must not apply): the gateway checks its own key header.
        var pixazo = app.MapGroup(BasePath).ExcludeFromDescription().AllowAnonymous();
        var api = pixazo.MapGroup("").AddEndpointFilter<PixazoKeyFilter>();
        api.MapPost("/{model}/v1/{version}/generate", PixazoEndpoints.GenerateAsync);
        api.MapGet("/v2/requests/status/{requestId}", PixazoEndpoints.GetStatus);

        // Output files stand in for the public R2 bucket: no key, a signed expiring link instead.
        pixazo.MapMethods("/_output/{requestId}/output.mp4", [HttpMethods.Get, HttpMethods.Head], PixazoEndpoints.GetOutput);
        return app;
    }
}

/// <summary>The gateway's key check. The header name points at Azure API Management, so its 401 bodies are APIM's.</summary>
internal sealed class PixazoKeyFilter(IOptionsMonitor<EmulatorOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var key = context.HttpContext.Request.Headers[PixazoEmulator.KeyHeader].ToString().Trim();
        if (key.Length == 0)
        {
            return Results.Json(new { statusCode = 401, message = "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API." }, statusCode: 401);
        }
        var accepted = options.CurrentValue.AcceptedApiKeys;
        if (accepted.Count > 0 && !accepted.Contains(key, StringComparer.Ordinal))
        {
            return Results.Json(new { statusCode = 401, message = "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription." }, statusCode: 401);
        }
        return await next(context);
    }
}
