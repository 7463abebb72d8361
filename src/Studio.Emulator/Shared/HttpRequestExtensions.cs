namespace Studio.Emulator.Shared;

internal static class HttpRequestExtensions
{
    /// <summary><c>scheme://host[:port][/pathBase]</c> the client reached the emulator on (no trailing slash).</summary>
    public static string PublicBase(this HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";
}
