using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Studio.Emulator.Shared;

namespace Studio.Emulator.Kie;

/// <summary>
/// Output URLs standing in for kie's file host: <c>/kie/_output/{taskId}.mp4?exp=&amp;sig=</c>, signed with the key in
/// <c>{DataDirectory}/kie/url-key</c>. They last as long as kie keeps the video: <see cref="KieTaskStore.Retention"/>
/// from the task's creation; past that the store answers 404, so only the signature is checked here.
/// </summary>
internal sealed class KieOutputUrls(TimeProvider time, IOptionsMonitor<EmulatorOptions> options, ILogger<KieOutputUrls> logger)
    : OutputUrlSigner(KieEmulator.BasePath, "kie", time, options, logger)
{
    /// <summary>A stable id for the task's video (kie reports a videoId next to the taskId).</summary>
    public static string VideoId(string taskId) => new Guid(MD5.HashData(Encoding.UTF8.GetBytes("video:" + taskId))).ToString("D");

    public string Create(string publicBase, KieTask task, int extraSeconds = 0) =>
        SignedUrl(publicBase, $"/_output/{task.Id}.mp4", task.Id, task.CreatedAt + KieTaskStore.Retention, extraSeconds);

    public bool Valid(KieTask task, string? exp, string? sig) => Verify(task.Id, exp, sig) != OutputUrlCheck.BadSignature;
}
