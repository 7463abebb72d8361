using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Studio.Emulator.Runway;

namespace Studio.Emulator.Pixazo;

/// <summary>
/// Output links standing in for Pixazo's public R2 bucket: <c>/pixazo/_output/{request_id}/output.mp4?exp=…&amp;sig=…</c>,
/// an HMAC over the id and expiry with a key kept in <c>{DataDirectory}/pixazo/url-key</c> so links survive a restart.
/// (The same scheme as <see cref="RunwayOutputUrls"/>; the two could share one signer parameterised by base path.)
/// </summary>
internal sealed class PixazoOutputUrls
{
    private const int KeyLength = 32;

    private readonly byte[] _key;
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<EmulatorOptions> _options;

    public PixazoOutputUrls(TimeProvider time, IOptionsMonitor<EmulatorOptions> options, ILogger<PixazoOutputUrls> logger)
    {
        _time = time;
        _options = options;
        var path = Path.Combine(options.CurrentValue.DataDirectory, "pixazo", "url-key");
        try
        {
            _key = File.Exists(path) && File.ReadAllBytes(path) is { Length: KeyLength } existing ? existing : CreateKey(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogError(ex, "Could not read or create {Path}; Pixazo output links will not survive a restart", path);
            _key = RandomNumberGenerator.GetBytes(KeyLength);
        }
    }

    /// <param name="baseUrl"><c>scheme://host[/pathBase]</c> the client reached the emulator on.</param>
    public string Create(string baseUrl, string requestId)
    {
        var exp = _time.GetUtcNow().Add(_options.CurrentValue.OutputUrlLifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"{baseUrl}{PixazoEmulator.BasePath}/_output/{Uri.EscapeDataString(requestId)}/output.mp4?exp={exp}&sig={Sign(requestId, exp)}";
    }

    /// <summary>Null when valid, else why not.</summary>
    public string? Check(string requestId, string? exp, string? sig)
    {
        if (string.IsNullOrEmpty(exp) || string.IsNullOrEmpty(sig) || !long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(requestId, exp)), Encoding.ASCII.GetBytes(sig)))
        {
            return "invalid signature";
        }
        return _time.GetUtcNow().ToUnixTimeSeconds() > expires ? "this link has expired" : null;
    }

    private static byte[] CreateKey(string path)
    {
        var key = RandomNumberGenerator.GetBytes(KeyLength);
        RunwayTaskFile.WriteAtomically(path, key, unixMode: UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return key;
    }

    private string Sign(string requestId, string exp) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{requestId}.{exp}")));
}
