using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Studio.Emulator.Shared;

/// <summary>
/// Signs a provider's output URLs like a CDN: <c>{publicBase}{basePath}{path}?exp=&lt;unix seconds&gt;&amp;sig=&lt;HMAC&gt;</c>,
/// an HMAC-SHA256 over <c>{id}.{exp}</c>. The key (32 random bytes) is created once in
/// <c>{DataDirectory}/{providerDirectory}/url-key</c>, so links handed out before a restart still work after it,
/// until they expire. Each provider derives from this only to name its URL shape.
/// </summary>
internal abstract class OutputUrlSigner
{
    public const string KeyFileName = "url-key";
    private const int KeyLength = 32;

    private readonly byte[] _key;
    private readonly string _basePath;
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<EmulatorOptions> _options;

    /// <param name="basePath">The provider's base path, e.g. <c>/runway</c>.</param>
    /// <param name="providerDirectory">The provider's folder under the data directory, where the key file is kept.</param>
    protected OutputUrlSigner(
        string basePath, string providerDirectory, TimeProvider time, IOptionsMonitor<EmulatorOptions> options, ILogger logger)
    {
        _basePath = basePath;
        _time = time;
        _options = options;
        var path = Path.Combine(options.CurrentValue.DataDirectory, providerDirectory, KeyFileName);
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

    /// <summary>
    /// A signed absolute URL for <paramref name="path"/> (below the base path) that proves <paramref name="id"/>;
    /// it expires at <paramref name="expiresAt"/>, by default <see cref="EmulatorOptions.OutputUrlLifetime"/> from now,
    /// plus <paramref name="extraSeconds"/> (a fault's way to make a re-read hand out a link that differs from an expired one).
    /// </summary>
    protected string SignedUrl(string publicBase, string path, string id, DateTimeOffset? expiresAt = null, int extraSeconds = 0)
    {
        var expires = (expiresAt ?? _time.GetUtcNow().Add(_options.CurrentValue.OutputUrlLifetime)).AddSeconds(extraSeconds);
        var exp = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"{publicBase}{_basePath}{path}?exp={exp}&sig={Sign(id, exp)}";
    }

    protected OutputUrlCheck Verify(string id, string? exp, string? sig)
    {
        if (string.IsNullOrEmpty(exp) || string.IsNullOrEmpty(sig) || !long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return OutputUrlCheck.BadSignature;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(id, exp));
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
            AtomicFile.Write(path, key, overwrite: replace, unixMode: UnixFileMode.UserRead | UnixFileMode.UserWrite);
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

    private string Sign(string id, string exp) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{id}.{exp}")));
}

internal enum OutputUrlCheck
{
    Valid,
    BadSignature,
    Expired,
}
