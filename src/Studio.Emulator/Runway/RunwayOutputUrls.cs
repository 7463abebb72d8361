using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Studio.Emulator.Runway;

/// <summary>
/// Signs output URLs like a CDN: <c>?exp=&lt;unix seconds&gt;&amp;sig=&lt;HMAC&gt;</c>. The key lives only in
/// memory, so a restarted emulator rejects old links, much as Runway's links expire.
/// </summary>
internal sealed class RunwayOutputUrls
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<EmulatorOptions> _options;

    public RunwayOutputUrls(TimeProvider time, IOptionsMonitor<EmulatorOptions> options)
    {
        _time = time;
        _options = options;
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
