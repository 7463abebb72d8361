using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Studio.Emulator.Media;

namespace Studio.IntegrationTests.Emulator;

/// <summary>The ffmpeg/ffprobe wrapper against the real binaries: output, failures, timeout.</summary>
public sealed class FfmpegProcessTests
{
    private static FfmpegProcess Create(TimeSpan? timeout = null, string ffmpegPath = "ffmpeg") =>
        new(Options.Create(new FfmpegOptions { FfmpegPath = ffmpegPath, Timeout = timeout ?? TimeSpan.FromMinutes(1) }), NullLogger<FfmpegProcess>.Instance);

    [Fact]
    public async Task RunFfprobe_ReturnsStdout()
    {
        var output = await Create().RunFfprobeAsync(["-v", "error", "-version"], CancellationToken.None);

        Assert.StartsWith("ffprobe version", output);
    }

    [Fact]
    public async Task RunFfmpeg_WhenExitCodeNonZero_ThrowsWithExitCodeAndStdErrTail()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"does-not-exist-{Guid.NewGuid():N}.mp4");

        var error = await Assert.ThrowsAsync<FfmpegException>(() => Create().RunFfmpegAsync(["-hide_banner", "-i", missing, "-f", "null", "-"], CancellationToken.None));

        Assert.NotNull(error.ExitCode);
        Assert.NotEqual(0, error.ExitCode);
        Assert.Contains("No such file", error.StdErrTail);
    }

    [Fact]
    public async Task RunFfmpeg_WhenTimeoutPasses_KillsProcessAndThrows()
    {
        var stopwatch = Stopwatch.StartNew();

        // -re paces an endless source in real time, so this would run forever.
        var error = await Assert.ThrowsAsync<FfmpegException>(() => Create(TimeSpan.FromSeconds(1)).RunFfmpegAsync(
            ["-hide_banner", "-re", "-f", "lavfi", "-i", "testsrc=s=64x64", "-f", "null", "-"], CancellationToken.None));

        Assert.Null(error.ExitCode);
        Assert.Contains("timed out", error.Message);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(15), $"Took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task RunFfmpeg_WhenCancelled_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Create().RunFfmpegAsync(
            ["-hide_banner", "-re", "-f", "lavfi", "-i", "testsrc=s=64x64", "-f", "null", "-"], cts.Token));
    }

    [Fact]
    public async Task RunFfmpeg_WhenBinaryMissing_ThrowsFfmpegException()
    {
        var error = await Assert.ThrowsAsync<FfmpegException>(() => Create(ffmpegPath: "/nonexistent/ffmpeg").RunFfmpegAsync(["-version"], CancellationToken.None));

        Assert.Null(error.ExitCode);
        Assert.Contains("Could not start", error.Message);
    }
}
