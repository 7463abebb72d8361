using Microsoft.Extensions.Options;

namespace Studio.Emulator.Runway;

/// <summary>Runway's request preconditions: a Bearer API key (401) and <c>X-Runway-Version: 2024-11-06</c> (400).</summary>
internal sealed class RunwayApiFilter : IEndpointFilter
{
    public const string VersionHeader = "X-Runway-Version";
    public const string SupportedVersion = "2024-11-06";

    private readonly IOptionsMonitor<EmulatorOptions> _options;

    public RunwayApiFilter(IOptionsMonitor<EmulatorOptions> options) => _options = options;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        var authorization = request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        if (!authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase))
        {
            return RunwayJson.Error(StatusCodes.Status401Unauthorized, "Missing API key. Send 'Authorization: Bearer <your API key>'.");
        }

        if (!IsAccepted(authorization[bearer.Length..].Trim()))
        {
            return RunwayJson.Error(StatusCodes.Status401Unauthorized, "Invalid API key.");
        }

        var version = request.Headers[VersionHeader].ToString();
        if (version.Length == 0)
        {
            return RunwayJson.Error(StatusCodes.Status400BadRequest, $"Missing {VersionHeader} header. Set it to {SupportedVersion}.");
        }

        if (version != SupportedVersion)
        {
            return RunwayJson.Error(StatusCodes.Status400BadRequest, $"Unsupported {VersionHeader} header value '{version}'. Set it to {SupportedVersion}.");
        }

        return await next(context);
    }

    private bool IsAccepted(string key)
    {
        var accepted = _options.CurrentValue.AcceptedApiKeys;
        return accepted.Count == 0
            ? key.StartsWith("key_", StringComparison.Ordinal) && key.Length >= 8
            : accepted.Contains(key, StringComparer.Ordinal);
    }
}
