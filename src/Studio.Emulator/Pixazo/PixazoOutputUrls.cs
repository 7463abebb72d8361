using Microsoft.Extensions.Options;
using Studio.Emulator.Shared;

namespace Studio.Emulator.Pixazo;

/// <summary>
/// Output links standing in for Pixazo's public R2 bucket: <c>/pixazo/_output/{request_id}/output.mp4?exp=…&amp;sig=…</c>,
/// valid for <see cref="EmulatorOptions.OutputUrlLifetime"/>, signed with the key in <c>{DataDirectory}/pixazo/url-key</c>.
/// </summary>
internal sealed class PixazoOutputUrls(TimeProvider time, IOptionsMonitor<EmulatorOptions> options, ILogger<PixazoOutputUrls> logger)
    : OutputUrlSigner(PixazoEmulator.BasePath, "pixazo", time, options, logger)
{
    /// <param name="baseUrl"><c>scheme://host[/pathBase]</c> the client reached the emulator on.</param>
    public string Create(string baseUrl, string requestId, int extraSeconds = 0) =>
        SignedUrl(baseUrl, $"/_output/{Uri.EscapeDataString(requestId)}/output.mp4", requestId, extraSeconds: extraSeconds);

    /// <summary>Null when valid, else why not.</summary>
    public string? Check(string requestId, string? exp, string? sig) => Verify(requestId, exp, sig) switch
    {
        OutputUrlCheck.BadSignature => "invalid signature",
        OutputUrlCheck.Expired => "this link has expired",
        _ => null,
    };
}
