using Microsoft.Extensions.Options;
using Studio.Emulator.Shared;

namespace Studio.Emulator.Runway;

/// <summary>
/// Runway's output URLs, standing in for its CDN: <c>/runway/_output/{taskId}.mp4?exp=&amp;sig=</c>, valid for
/// <see cref="EmulatorOptions.OutputUrlLifetime"/>, signed with the key in <c>{DataDirectory}/runway/url-key</c>.
/// </summary>
internal sealed class RunwayOutputUrls(TimeProvider time, IOptionsMonitor<EmulatorOptions> options, ILogger<RunwayOutputUrls> logger)
    : OutputUrlSigner(RunwayEmulator.BasePath, "runway", time, options, logger)
{
    /// <summary>An absolute URL on the host and port the caller used, so it works wherever the emulator runs.</summary>
    public string Create(HttpRequest request, Guid taskId, int extraSeconds = 0) =>
        SignedUrl(request.PublicBase(), $"/_output/{taskId:D}.mp4", taskId.ToString("D"), extraSeconds: extraSeconds);

    public OutputUrlCheck Check(Guid taskId, string? exp, string? sig) => Verify(taskId.ToString("D"), exp, sig);
}
