using System.Diagnostics;
using System.Text.Json;
using Studio.Emulator;

namespace Studio.IntegrationTests.Emulator;

public sealed class SdkRunwayEmulatorFixture : EmulatorFixture
{
    protected override void Configure(EmulatorOptions options)
    {
        // The SDK waits ~6 s before its first poll; the task should be done by then.
        options.PendingSeconds = 0.5;
        options.RunningSeconds = 1;
    }
}

/// <summary>The official Runway Node SDK (tests/sdk-client) against the emulator: proof that it speaks the real contract.</summary>
public sealed class RunwaySdkTests : IClassFixture<SdkRunwayEmulatorFixture>
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(2);

    private readonly SdkRunwayEmulatorFixture _fixture;

    public RunwaySdkTests(SdkRunwayEmulatorFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task OfficialSdk_TextToVideoWaitForTaskOutput_SucceedsWithPlayableH264Mp4()
    {
        var sdkClient = Path.Combine(FindRepositoryRoot(), "tests", "sdk-client");
        Assert.True(
            Directory.Exists(Path.Combine(sdkClient, "node_modules", "@runwayml", "sdk")),
            $"The Runway SDK is not installed in {sdkClient}. Run `npm ci --prefix tests/sdk-client` from the repository root.");

        var (exitCode, stdOut, stdErr) = await RunNodeAsync(
            sdkClient,
            ["text-to-video.mjs", "SDK check: a kite over the dunes, 100% \"wind\""],
            new Dictionary<string, string>
            {
                ["RUNWAYML_API_SECRET"] = EmulatorFixture.ApiKey,
                ["RUNWAYML_BASE_URL"] = new Uri(_fixture.Emulator.BaseAddress, "runway").ToString(),
            });

        Assert.True(exitCode == 0, $"node exited with {exitCode}.\nstdout:\n{stdOut}\nstderr:\n{stdErr}");
        using var task = JsonDocument.Parse(stdOut.Trim().Split('\n')[^1]);
        Assert.Equal("SUCCEEDED", task.RootElement.GetProperty("status").GetString());
        Assert.Equal(60, task.RootElement.GetProperty("cost").GetProperty("credits").GetInt32());

        var path = Path.Combine(Path.GetTempPath(), $"studio-emulator-sdk-{Guid.NewGuid():N}.mp4");
        try
        {
            await File.WriteAllBytesAsync(path, await _fixture.Anonymous.GetByteArrayAsync(task.RootElement.GetProperty("output")[0].GetString()));
            var video = await ProbedVideo.ProbeAsync(_fixture.Ffmpeg, path);
            Assert.Equal("h264", video.CodecName);
            Assert.Equal((1280, 720), (video.Width, video.Height));
            Assert.InRange(video.DurationSeconds, 4.9, 5.1);

            // Decoding every frame proves the file plays, not just that its header parses.
            await _fixture.Ffmpeg.RunFfmpegAsync(["-hide_banner", "-v", "error", "-xerror", "-i", path, "-f", "null", "-"], CancellationToken.None);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Studio.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Could not find Studio.sln above {AppContext.BaseDirectory}.");
    }

    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunNodeAsync(
        string workingDirectory, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start node.");
        var stdOut = process.StandardOutput.ReadToEndAsync();
        var stdErr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ScriptTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"node did not finish within {ScriptTimeout}.\nstdout:\n{await stdOut}\nstderr:\n{await stdErr}");
        }

        return (process.ExitCode, await stdOut, await stdErr);
    }
}
