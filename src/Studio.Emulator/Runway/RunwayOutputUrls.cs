using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Studio.Emulator.Runway;

/// <summary>
/// Signs output URLs like a CDN: <c>?exp=&lt;unix seconds&gt;&amp;sig=&lt;HMAC&gt;</c>. The key is created once
/// in <c>{DataDirectory}/runway/url-key</c> (32 random bytes), so links handed out before a restart still work
/// after it, until they expire.
/// </summary>
internal sealed class RunwayOutputUrls
{
    public const string KeyFileName = "url-key";
    private const int KeyLength = 32;

    private readonly byte[] _key;
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<EmulatorOptions> _options;

    public RunwayOutputUrls(TimeProvider time, IOptionsMonitor<EmulatorOptions> options, ILogger<RunwayOutputUrls> logger)
    {
        _time = time;
        _options = options;
        var path = Path.Combine(options.CurrentValue.DataDirectory, "runway", KeyFileName);
        try
        {
            _key = LoadOrCreateKey(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogError(ex, "Could not read or create the output URL key {Path}; output links will not survive a restart", path);
            _key = RandomNumberGenerator.GetBytes(KeyLength);
        }
    }

    /// <summary>An absolute URL on the host and port the caller used, so it works wherever the emulator runs.</summary>
    public string Create(HttpRequest request, Guid taskId)
    {
        var expires = _time.GetUtcNow().Add(_options.CurrentValue.OutputUrlLifetime).ToUnixTimeSeconds();
        var exp = expires.ToString(CultureInfo.InvariantCulture);
        return $"{request.Scheme}://{request.Host}{request.PathBase}{RunwayEmulator.BasePath}/_output/{taskId:D}.mp4?exp={exp}&sig={Sign(taskId, exp)}";
    }

    public OutputUrlCheck Check(Guid taskId, string? exp, string? sig)
    {
        if (string.IsNullOrEmpty(exp) || string.IsNullOrEmpty(sig) || !long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return OutputUrlCheck.BadSignature;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(taskId, exp));
        var actual = Encoding.ASCII.GetBytes(sig);
        if (!CryptographicOperations.FixedTimeEquals(expected, actual))
        {
            return OutputUrlCheck.BadSignature;
        }

        return _time.GetUtcNow().ToUnixTimeSeconds() > expires ? OutputUrlCheck.Expired : OutputUrlCheck.Valid;
    }

    private static byte[] LoadOrCreateKey(string path)
    {
        if (TryReadKey(path) is { } existing)
        {
            return existing;
        }

        var key = RandomNumberGenerator.GetBytes(KeyLength);
        var replace = File.Exists(path); // there, but not a key: replace it
        try
        {
            RunwayTaskFile.WriteAtomically(path, key, overwrite: replace, unixMode: UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return key;
        }
        catch (IOException) when (!replace && TryReadKey(path) is { } theirs)
        {
            // Another emulator on the same data directory created it first: use theirs.
            return theirs;
        }
    }

    private static byte[]? TryReadKey(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            return bytes.Length == KeyLength ? bytes : null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private string Sign(Guid taskId, string exp)
    {
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{taskId:D}.{exp}"));
        return Base64Url.EncodeToString(mac);
    }
}

internal enum OutputUrlCheck
{
    Valid,
    BadSignature,
    Expired,
}
