using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Providers;

namespace Studio.Web.Features.Webhooks;

/// <param name="Url">The callback URL with the token in it.</param>
/// <param name="TokenHash">What is stored: SHA-256 of the token, hex.</param>
public sealed record CallbackLink(Uri Url, string TokenHash);

/// <summary>
/// The addresses the studio hands to providers: per-generation webhook URLs with an unguessable token (only its hash
/// is stored), and short-lived links to a take's first-frame image for providers that fetch images by URL.
/// Both need an address the provider can reach: <c>Studio:PublicBaseUrl</c>, or the studio itself for the Sandbox emulator.
/// </summary>
public sealed class CallbackLinks(IOptions<StudioOptions> studio, SandboxEndpoint sandbox, ProviderConnections connections, IDataProtectionProvider dataProtection)
{
    public static readonly TimeSpan FirstFrameLinkLifetime = TimeSpan.FromHours(48);

    private readonly ITimeLimitedDataProtector _firstFrames = dataProtection.CreateProtector("Studio.FirstFrameLinks.v1").ToTimeLimitedDataProtector();

    /// <summary>A webhook for this submit, or null when the provider has none or cannot reach the studio (then it polls).</summary>
    public CallbackLink? ForSubmit(Generation generation, IVideoProvider provider, ProviderConnection connection)
    {
        if (!provider.Capabilities.Webhooks || !connections.Options(provider.Name).UseWebhooks || ReachableBase(connection) is not { } baseUri)
        {
            return null;
        }
        // Pixazo only calls https URLs; the emulator takes plain http too.
        if (provider.Capabilities.WebhooksNeedHttps && baseUri.Scheme != Uri.UriSchemeHttps && !connection.IsSandbox)
        {
            return null;
        }
        var token = NewToken();
        return new CallbackLink(new Uri(baseUri, $"webhooks/{provider.Name}/{generation.Id:N}/{token}"), Hash(token));
    }

    /// <summary>True when providers on the internet can reach this studio (Studio:PublicBaseUrl is set).</summary>
    public bool HasPublicAddress => !string.IsNullOrWhiteSpace(studio.Value.PublicBaseUrl);

    public TimeSpan Grace(ProviderConnection connection) => TimeSpan.FromSeconds(connections.Options(connection.Provider).CallbackGraceSeconds);

    /// <summary>A link the provider can fetch the first frame from, valid for two days; null when the studio is not reachable.</summary>
    public Uri? FirstFrameUrl(Generation generation, ProviderConnection connection) =>
        ReachableBase(connection) is { } baseUri
            ? new Uri(baseUri, $"public/first-frames/{generation.Id:N}/{_firstFrames.Protect(generation.Id.ToString("N"), FirstFrameLinkLifetime)}")
            : null;

    /// <summary>True when the token in a first-frame link was made by this studio for this generation and has not expired.</summary>
    public bool FirstFrameTokenValid(Guid generationId, string token)
    {
        try
        {
            return _firstFrames.Unprotect(token) == generationId.ToString("N");
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>An unguessable link token: 256 random bits, base64url. Store only its <see cref="Hash"/>.</summary>
    public static string NewToken() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static bool TokenMatches(string token, string? storedHash) =>
        storedHash is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(storedHash));

    private Uri? ReachableBase(ProviderConnection connection)
    {
        if (!string.IsNullOrWhiteSpace(studio.Value.PublicBaseUrl))
        {
            return new Uri(studio.Value.PublicBaseUrl.TrimEnd('/') + "/");
        }
        return connection.IsSandbox ? sandbox.SelfBaseUri : null;
    }
}
