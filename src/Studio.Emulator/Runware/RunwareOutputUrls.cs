using Microsoft.Extensions.Options;
using Studio.Emulator.Shared;

namespace Studio.Emulator.Runware;

/// <summary>
/// Output links standing in for vm.runware.ai: <c>/runware/video/{videoUuid}.mp4?exp=&amp;sig=</c>, valid for
/// <see cref="EmulatorOptions.OutputUrlLifetime"/>, signed with the key in <c>{DataDirectory}/runware/url-key</c>.
/// </summary>
internal sealed class RunwareOutputUrls(TimeProvider time, IOptionsMonitor<EmulatorOptions> options, ILogger<RunwareOutputUrls> logger)
    : OutputUrlSigner(RunwareEmulator.BasePath, "runware", time, options, logger)
{
    /// <summary><paramref name="publicBase"/> is the scheme, host and path base the client used (no trailing slash).</summary>
    public string Create(string publicBase, Guid videoUuid, int extraSeconds = 0) =>
        SignedUrl(publicBase, $"/video/{videoUuid:D}.mp4", videoUuid.ToString("D"), extraSeconds: extraSeconds);

    /// <summary>Null when valid, else why not.</summary>
    public string? Check(Guid videoUuid, string? exp, string? sig) => Verify(videoUuid.ToString("D"), exp, sig) switch
    {
        OutputUrlCheck.BadSignature => "Access denied: invalid signature.",
        OutputUrlCheck.Expired => "Access denied: this link has expired.",
        _ => null,
    };
}
