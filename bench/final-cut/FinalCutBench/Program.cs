// Times a 10-shot final cut (FinalCutRenderer) against a plain `ffmpeg -f concat -c copy` of the same clips.
// Usage: dotnet run -c Release -- [RUNS] (bench/final-cut/run.sh builds and runs it).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Studio.Emulator.Media;
using Studio.Web.Features.Storyboards.Cut;

const int Shots = 10;
const int Seconds = 5;
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var work = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"final-cut-bench-{Guid.NewGuid():N}")).FullName;
var ffmpeg = new FfmpegProcess(Options.Create(new FfmpegOptions()), NullLogger<FfmpegProcess>.Instance);
var renderer = new FinalCutRenderer(ffmpeg, NullLogger<FinalCutRenderer>.Instance);

try
{
    Console.WriteLine($"Making {Shots} clips of {Seconds} s 1280x720@24 (and 720x1280@30 for every other shot of the mixed set) in {work}");
    var wide = new string[Shots];
    var tall = new string[Shots];
    for (var i = 0; i < Shots; i++)
    {
        wide[i] = await MakeClipAsync(i, 1280, 720, 24);
        if (i % 2 == 1)
        {
            tall[i] = await MakeClipAsync(i, 720, 1280, 30);
        }
    }

    var mixed = Enumerable.Range(0, Shots).Select(i => i % 2 == 1 ? tall[i] : wide[i]).ToArray();
    var list = Path.Combine(work, "list.txt");
    await File.WriteAllLinesAsync(list, wide.Select(p => $"file '{p}'"));

    var baseline = new List<double>();
    var probe = new List<double>();
    var same = new List<double>();
    var normalised = new List<double>();
    for (var run = 1; run <= runs; run++)
    {
        var copyPath = Path.Combine(work, "baseline.mp4");
        var stopwatch = Stopwatch.StartNew();
        await ffmpeg.RunFfmpegAsync(
            ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", list, "-c", "copy", "-movflags", "+faststart", copyPath],
            CancellationToken.None);
        baseline.Add(stopwatch.Elapsed.TotalSeconds);
        var baselineDuration = await DurationAsync(copyPath);

        stopwatch.Restart();
        await DurationAsync(wide[0]);
        probe.Add(stopwatch.Elapsed.TotalSeconds);

        var (sameSeconds, sameResult) = await RenderAsync(wide, "same.mp4");
        same.Add(sameSeconds);
        var (mixedSeconds, mixedResult) = await RenderAsync(mixed, "mixed.mp4");
        normalised.Add(mixedSeconds);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"run {run}: concat -c copy {baseline[^1]:0.00} s ({baselineDuration:0.000} s of video), one ffprobe {probe[^1]:0.000} s | "
            + $"(a) same size {sameSeconds:0.00} s ({Describe(sameResult)}) | "
            + $"(b) mixed {mixedSeconds:0.00} s ({Describe(mixedResult)})"));
        foreach (var file in new[] { copyPath, Path.Combine(work, "same.mp4"), Path.Combine(work, "mixed.mp4") })
        {
            File.Delete(file);
        }
    }

    Console.WriteLine();
    Console.WriteLine($"| {Shots} x {Seconds} s clips | median of {runs} | runs |");
    Console.WriteLine("|---|---|---|");
    Console.WriteLine(Row("(a) final cut, all 1280x720@24", same));
    Console.WriteLine(Row("(b) final cut, every other clip 720x1280@30", normalised));
    Console.WriteLine(Row("`ffmpeg -f concat -c copy` (baseline)", baseline));
    Console.WriteLine(Row("one `ffprobe` of one clip (the renderer runs 11: each clip, then the result)", probe, "0.000"));
}
finally
{
    Directory.Delete(work, recursive: true);
}

async Task<(double Seconds, FinalCutRenderResult Result)> RenderAsync(string[] clips, string name)
{
    var stopwatch = Stopwatch.StartNew();
    var result = await renderer.RenderAsync(clips, Path.Combine(work, name), null, CancellationToken.None);
    return (stopwatch.Elapsed.TotalSeconds, result);
}

string Describe(FinalCutRenderResult r) => string.Create(CultureInfo.InvariantCulture,
    $"{r.DurationSeconds:0.000} s{(Math.Abs(r.DurationSeconds - Shots * Seconds) <= 1.0 / 24 ? "" : " NOT THE SUM")}, {r.Width}x{r.Height}@{r.FramesPerSecond:0.##}, {(r.Normalised ? "re-encoded" : "stream copy")}, {r.Bytes / 1e6:0.0} MB");

static string Row(string label, List<double> values, string format = "0.00") => string.Create(CultureInfo.InvariantCulture,
    $"| {label} | **{Median(values).ToString(format, CultureInfo.InvariantCulture)} s** | {string.Join(", ", values.Select(v => v.ToString(format, CultureInfo.InvariantCulture)))} |");

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

// Encoded like the emulator's renders (src/Studio.Emulator/Media/VideoRenderer.cs): libx264 ultrafast, yuv420p, +faststart, no audio.
async Task<string> MakeClipAsync(int index, int width, int height, int fps)
{
    var path = Path.Combine(work, string.Create(CultureInfo.InvariantCulture, $"shot{index + 1:00}-{width}x{height}.mp4"));
    await ffmpeg.RunFfmpegAsync(
    [
        "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"testsrc2=s={width}x{height}:r={fps}"),
        "-vf", string.Create(CultureInfo.InvariantCulture, $"hue=h={index * 36}"),
        "-t", Seconds.ToString(CultureInfo.InvariantCulture), "-r", fps.ToString(CultureInfo.InvariantCulture),
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-an", "-f", "mp4", path,
    ], CancellationToken.None);
    return path;
}

async Task<double> DurationAsync(string path)
{
    using var json = JsonDocument.Parse(await ffmpeg.RunFfprobeAsync(["-v", "error", "-show_entries", "format=duration", "-of", "json", path], CancellationToken.None));
    return double.Parse(json.RootElement.GetProperty("format").GetProperty("duration").GetString()!, CultureInfo.InvariantCulture);
}
