using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Studio.Emulator.Media;
using Studio.Web.Features.Storyboards.Cut;

namespace Studio.IntegrationTests.Storyboards;

/// <summary>Clips made once with ffmpeg for every test in <see cref="FinalCutRendererTests"/>.</summary>
public sealed class FinalCutClips : IAsyncLifetime
{
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), $"final-cut-tests-{Guid.NewGuid():N}");

    public FfmpegProcess Ffmpeg { get; } = new(
        Options.Create(new FfmpegOptions { Timeout = TimeSpan.FromMinutes(2), MaxConcurrency = 2 }), NullLogger<FfmpegProcess>.Instance);

    /// <summary>2 s 1280x720 at 24 fps.</summary>
    public string Wide2s => Path.Combine(Folder, "wide-2s.mp4");

    /// <summary>3 s 1280x720 at 24 fps, encoded like <see cref="Wide2s"/>.</summary>
    public string Wide3s => Path.Combine(Folder, "wide-3s.mp4");

    /// <summary>2 s 720x1280 at 30 fps.</summary>
    public string Tall2s30 => Path.Combine(Folder, "tall-2s-30fps.mp4");

    /// <summary>2 s 1280x720 at 24 fps but another x264 preset, so its codec parameters differ from <see cref="Wide2s"/>'s.</summary>
    public string Wide2sOtherEncoder => Path.Combine(Folder, "wide-2s-medium.mp4");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folder);
        await Task.WhenAll(
            MakeClipAsync(Wide2s, "testsrc2", 1280, 720, 24, 2),
            MakeClipAsync(Wide3s, "testsrc2", 1280, 720, 24, 3),
            MakeClipAsync(Tall2s30, "testsrc2", 720, 1280, 30, 2));
        await MakeClipAsync(Wide2sOtherEncoder, "testsrc", 1280, 720, 24, 2, preset: "medium");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }

    public string NewOutputFolder() => Directory.CreateDirectory(Path.Combine(Folder, "out-" + Guid.NewGuid().ToString("N"))).FullName;

    private Task MakeClipAsync(string path, string source, int width, int height, int fps, int seconds, string preset = "ultrafast") =>
        Ffmpeg.RunFfmpegAsync(
        [
            "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"{source}=s={width}x{height}:r={fps}"),
            "-t", seconds.ToString(CultureInfo.InvariantCulture), "-r", fps.ToString(CultureInfo.InvariantCulture),
            "-c:v", "libx264", "-preset", preset, "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-an", path,
        ], CancellationToken.None);
}

/// <summary>The final cut against the real ffmpeg: durations add up, sizes and rates follow the first clip, failures name the clip.</summary>
public sealed class FinalCutRendererTests(FinalCutClips clips) : IClassFixture<FinalCutClips>
{
    private readonly FinalCutRenderer _renderer = new(clips.Ffmpeg, NullLogger<FinalCutRenderer>.Instance);

    [Fact]
    public async Task Render_MixedSizesAndFrameRates_NormalisesToFirstClipAndKeepsTotalDuration()
    {
        var output = Path.Combine(clips.NewOutputFolder(), "cut.mp4");
        string[] inputs = [clips.Wide2s, clips.Wide3s, clips.Tall2s30];

        var result = await _renderer.RenderAsync(inputs, output, null, CancellationToken.None);

        var probed = await ProbeAsync(output, countFrames: true);
        var expected = await SumOfDurationsAsync(inputs);
        Assert.Equal(7.0, expected, 3);
        Assert.True(Math.Abs(probed.DurationSeconds - expected) <= 1.0 / 24, $"cut lasts {probed.DurationSeconds} s, clips {expected} s");
        Assert.Equal((1280, 720), (probed.Width, probed.Height));
        Assert.Equal("24/1", probed.AverageFrameRate);
        Assert.Equal(("h264", "yuv420p"), (probed.Codec, probed.PixelFormat));
        Assert.False(probed.HasAudio);
        // Every frame decodes: the cut plays from end to end.
        Assert.InRange(probed.FramesDecoded, 7 * 24 - 1, 7 * 24 + 1);
        Assert.True(result.Normalised);
        Assert.Equal((1280, 720, 24.0), (result.Width, result.Height, result.FramesPerSecond));
        Assert.Equal(probed.DurationSeconds, result.DurationSeconds, 3);
        Assert.Equal(new FileInfo(output).Length, result.Bytes);
        Assert.Equal(["cut.mp4"], Directory.GetFiles(Path.GetDirectoryName(output)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Render_WhenFirstClipIsVertical_TakesItsSizeAndFrameRate()
    {
        var output = Path.Combine(clips.NewOutputFolder(), "cut.mp4");
        string[] inputs = [clips.Tall2s30, clips.Wide3s];

        var result = await _renderer.RenderAsync(inputs, output, null, CancellationToken.None);

        var probed = await ProbeAsync(output, countFrames: true);
        Assert.Equal((720, 1280), (probed.Width, probed.Height));
        Assert.Equal("30/1", probed.AverageFrameRate);
        Assert.True(Math.Abs(probed.DurationSeconds - 5.0) <= 1.0 / 30, $"cut lasts {probed.DurationSeconds} s");
        Assert.Equal(5 * 30, probed.FramesDecoded);
        Assert.True(result.Normalised);
    }

    [Fact]
    public async Task Render_SameSizeRateAndEncoder_StreamCopiesAndKeepsTotalDuration()
    {
        var output = Path.Combine(clips.NewOutputFolder(), "cut.mp4");
        string[] inputs = [clips.Wide2s, clips.Wide3s, clips.Wide2s];

        var result = await _renderer.RenderAsync(inputs, output, null, CancellationToken.None);

        var probed = await ProbeAsync(output, countFrames: true);
        Assert.False(result.Normalised);
        Assert.True(Math.Abs(probed.DurationSeconds - 7.0) <= 1.0 / 24, $"cut lasts {probed.DurationSeconds} s");
        Assert.Equal((1280, 720, "24/1"), (probed.Width, probed.Height, probed.AverageFrameRate));
        Assert.Equal(7 * 24, probed.FramesDecoded);
        Assert.Equal(["cut.mp4"], Directory.GetFiles(Path.GetDirectoryName(output)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Render_SameSizeButOtherCodecParameters_ReEncodesInsteadOfCopying()
    {
        var output = Path.Combine(clips.NewOutputFolder(), "cut.mp4");

        var result = await _renderer.RenderAsync([clips.Wide2s, clips.Wide2sOtherEncoder], output, null, CancellationToken.None);

        var probed = await ProbeAsync(output, countFrames: true);
        Assert.True(result.Normalised);
        Assert.Equal(4 * 24, probed.FramesDecoded);
        Assert.True(Math.Abs(probed.DurationSeconds - 4.0) <= 1.0 / 24, $"cut lasts {probed.DurationSeconds} s");
    }

    [Fact]
    public async Task Render_WhenAClipIsNotAVideo_NamesTheClipAndLeavesNoOutput()
    {
        var folder = clips.NewOutputFolder();
        var notAVideo = Path.Combine(folder, "notes.mp4");
        await File.WriteAllTextAsync(notAVideo, "this is not a video");
        var output = Path.Combine(folder, "cut.mp4");

        var error = await Assert.ThrowsAsync<FinalCutClipException>(() =>
            _renderer.RenderAsync([clips.Wide2s, clips.Wide3s, notAVideo], output, null, CancellationToken.None));

        Assert.Equal("Clip 3 is not a readable video.", error.Message);
        Assert.Equal(3, error.ClipNumber);
        Assert.Equal(["notes.mp4"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Render_WhenAClipIsMissing_NamesTheClip()
    {
        var output = Path.Combine(clips.NewOutputFolder(), "cut.mp4");

        var error = await Assert.ThrowsAsync<FinalCutClipException>(() =>
            _renderer.RenderAsync([Path.Combine(clips.Folder, "gone.mp4"), clips.Wide2s], output, null, CancellationToken.None));

        Assert.Equal("Clip 1 is not a readable video.", error.Message);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Render_WhenSeveralClipsAreBad_NamesTheFirst()
    {
        var folder = clips.NewOutputFolder();
        var notAVideo = Path.Combine(folder, "notes.txt");
        await File.WriteAllTextAsync(notAVideo, "this is not a video either");

        var error = await Assert.ThrowsAsync<FinalCutClipException>(() =>
            _renderer.RenderAsync([clips.Wide2s, notAVideo, Path.Combine(folder, "gone.mp4"), clips.Wide3s], Path.Combine(folder, "cut.mp4"), null, CancellationToken.None));

        Assert.Equal("Clip 2 is not a readable video.", error.Message);
    }

    [Fact]
    public async Task Render_ReportsProgressThatRisesAndEndsAtOne()
    {
        var output = Path.Combine(clips.NewOutputFolder(), "cut.mp4");
        var progress = new RecordingProgress();

        await _renderer.RenderAsync([clips.Wide3s, clips.Tall2s30, clips.Wide3s, clips.Tall2s30], output, progress, CancellationToken.None);

        var values = progress.Values;
        Assert.True(values.Count >= 2, $"only {values.Count} reports: {string.Join(", ", values)}");
        Assert.All(values, v => Assert.InRange(v, 0.0, 1.0));
        Assert.All(values.Zip(values.Skip(1)), pair => Assert.True(pair.Second > pair.First, $"{pair.Second} after {pair.First}"));
        Assert.Contains(values, v => v is > 0 and < 1);
        Assert.Equal(1.0, values[^1]);
    }

    [Fact]
    public async Task Render_WhenCancelled_ThrowsAndLeavesNothing()
    {
        var folder = clips.NewOutputFolder();
        using var cts = new CancellationTokenSource();
        var progress = new RecordingProgress(onReport: _ => cts.Cancel());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _renderer.RenderAsync([clips.Wide3s, clips.Tall2s30, clips.Wide3s, clips.Tall2s30], Path.Combine(folder, "cut.mp4"), progress, cts.Token));

        Assert.Empty(Directory.GetFiles(folder));
    }

    private async Task<double> SumOfDurationsAsync(IEnumerable<string> paths)
    {
        var sum = 0.0;
        foreach (var path in paths)
        {
            sum += (await ProbeAsync(path, countFrames: false)).DurationSeconds;
        }

        return sum;
    }

    private async Task<Probed> ProbeAsync(string path, bool countFrames)
    {
        List<string> arguments = ["-v", "error", "-show_entries", "format=duration:stream=codec_type,codec_name,width,height,avg_frame_rate,pix_fmt,nb_read_frames", "-of", "json"];
        if (countFrames)
        {
            arguments.Add("-count_frames");
        }

        arguments.Add(path);
        using var document = JsonDocument.Parse(await clips.Ffmpeg.RunFfprobeAsync(arguments, CancellationToken.None));
        var streams = document.RootElement.GetProperty("streams").EnumerateArray().ToList();
        var video = streams.Single(s => s.GetProperty("codec_type").GetString() == "video");
        return new Probed(
            double.Parse(document.RootElement.GetProperty("format").GetProperty("duration").GetString()!, CultureInfo.InvariantCulture),
            video.GetProperty("width").GetInt32(),
            video.GetProperty("height").GetInt32(),
            video.GetProperty("avg_frame_rate").GetString()!,
            video.GetProperty("codec_name").GetString()!,
            video.GetProperty("pix_fmt").GetString()!,
            countFrames ? int.Parse(video.GetProperty("nb_read_frames").GetString()!, CultureInfo.InvariantCulture) : -1,
            streams.Any(s => s.GetProperty("codec_type").GetString() == "audio"));
    }

    private sealed record Probed(
        double DurationSeconds, int Width, int Height, string AverageFrameRate, string Codec, string PixelFormat, int FramesDecoded, bool HasAudio);

    /// <summary>Records reports as they are made (unlike <see cref="Progress{T}"/>, which re-posts them to the pool).</summary>
    private sealed class RecordingProgress(Action<double>? onReport = null) : IProgress<double>
    {
        private readonly List<double> _values = [];

        public List<double> Values
        {
            get
            {
                lock (_values)
                {
                    return [.. _values];
                }
            }
        }

        public void Report(double value)
        {
            lock (_values)
            {
                _values.Add(value);
            }

            onReport?.Invoke(value);
        }
    }
}
