using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Studio.Web.Features.Providers;

/// <summary>
/// Where the in-process emulator answers: the studio's own address, under each provider's base path.
/// Resolved lazily because the server's port is known only once Kestrel has started.
/// </summary>
public sealed class SandboxEndpoint(IServer server, IOptions<StudioOptions> studio)
{
    public Uri RunwayBaseUri => new(SelfBaseUri, "runway/");

    public Uri SelfBaseUri
    {
        get
        {
            if (!string.IsNullOrWhiteSpace(studio.Value.PublicBaseUrl))
            {
                return new Uri(studio.Value.PublicBaseUrl.TrimEnd('/') + "/");
            }
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses
                .FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
                ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? throw new InvalidOperationException("The studio has no server address yet, so the Sandbox emulator cannot be reached.");
            var uri = new UriBuilder(address.Replace("://+", "://localhost").Replace("://*", "://localhost"));
            if (uri.Host is "0.0.0.0" or "[::]" or "::")
            {
                uri.Host = "localhost";
            }
            uri.Path = "/";
            return uri.Uri;
        }
    }
}
