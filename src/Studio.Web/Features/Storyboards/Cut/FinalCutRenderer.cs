using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Studio.Emulator.Media;

namespace Studio.Web.Features.Storyboards.Cut;

/// <summary>What a finished final cut is, as ffprobe reads it back.</summary>
/// <param name="Normalised">True when the clips were re-encoded (scaled, padded and retimed to the first clip's
/// size and frame rate); false when they were joined by stream copy.</param>
public sealed record FinalCutRenderResult(double DurationSeconds, int Width, int Height, double FramesPerSecond, long Bytes, bool Normalised);

/// <summary>One of the clips handed to <see cref="FinalCutRenderer"/> cannot be read as a video.</summary>
public sealed class FinalCutClipException(int clipNumber, Exception? innerException = null)
    : Exception($"Clip {clipNumber} is not a readable video.", innerException)
{
    /// <summary>1-based position of the bad clip in the list passed to <see cref="FinalCutRenderer.RenderAsync"/>.</summary>
    public int ClipNumber { get; } = clipNumber;
}

/// <summary>
/// Joins a storyboard's clips, in order, into one H.264 MP4 (yuv420p, <c>+faststart</c>) the size and frame rate
/// of the first clip.
/// <para>
/// When every clip already matches (H.264, yuv420p, square pixels, same size, frame rate and codec parameters)
/// the clips are joined by stream copy with the concat demuxer, which takes a fraction of a second; the result's
/// duration is then measured and, if it is not the sum of the clips' within one frame, thrown away and the slow
/// path taken. Otherwise each clip is scaled to fit (aspect ratio kept), padded with black, retimed to the
/// target frame rate and trimmed to its exact share of frames, then all are encoded once.
/// </para>
/// <para>
/// The cut has no audio track (<c>-an</c>): Runway Gen-4.5 outputs are silent, and any audio another clip
/// carries is dropped rather than leaving gaps of silence between the clips that have none.
/// </para>
/// </summary>
public sealed class FinalCutRenderer(FfmpegProcess ffmpeg, ILogger<FinalCutRenderer> logger)
{
    private const double FallbackFramesPerSecond = 24;

    // veryfast at CRF 18: visually lossless against already-compressed clips, about twice as fast as medium,
    // which matters on a small server where a cut holds one of FfmpegOptions.MaxConcurrency slots.
    private static readonly string[] EncodeArguments =
        ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-profile:v", "high", "-pix_fmt", "yuv420p"];

    /// <summary>
    /// Renders <paramref name="clipPaths"/> into <paramref name="outputPath"/>, which only appears once the cut is
    /// complete (written under a temporary name beside it, then renamed over it); on failure nothing is left there.
    /// </summary>
    /// <param name="progress">Receives 0..1 as ffmpeg works, never decreasing, and 1 once the file is in place.
    /// Reports come from a pool thread in order; <see cref="Progress{T}"/> re-posts each one, so with it a
    /// listener may see them out of order.</param>
    /// <exception cref="FinalCutClipException">A clip is missing, not a video, or has no usable duration.</exception>
    /// <exception cref="FfmpegException">ffmpeg failed or ran past its time limit while encoding.</exception>
    public async Task<FinalCutRenderResult> RenderAsync(IReadOnlyList<string> clipPaths, string outputPath, IProgress<double>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(clipPaths);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPath);
        if (clipPaths.Count == 0)
        {
            throw new ArgumentException("A final cut needs at least one clip.", nameof(clipPaths));
        }

        var startedAt = Stopwatch.GetTimestamp();
        // Probed side by side (FfmpegProcess caps how many at once): each ffprobe is ~75 ms of start-up, most of
        // a stream-copied cut's time. Results are taken in clip order, so a failure names the first bad clip.
        var probes = clipPaths.Select((path, i) => ProbeClipAsync(path, i + 1, ct)).ToList();
        try
        {
            await Task.WhenAll(probes);
        }
        catch (Exception)
        {
            // Rethrown below, from the first failed probe in clip order.
        }

        var clips = new List<ClipInfo>(probes.Count);
        foreach (var probe in probes)
        {
            clips.Add(await probe);
        }

        var target = Target.From(clips[0]);
        var totalSeconds = clips.Sum(c => c.DurationSeconds);
        // FfmpegOptions.Timeout (2 min by default) is sized for one clip; a cut's encode grows with its length.
        var timeLimit = TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(5 * totalSeconds);

        outputPath = Path.GetFullPath(outputPath);
        var folder = Path.GetDirectoryName(outputPath)!;
        Directory.CreateDirectory(folder);
        var partialPath = Path.Combine(folder, $".{Path.GetFileName(outputPath)}.{Guid.NewGuid():N}.partial");
        var listPath = partialPath + ".concat.txt";
        var reporter = new ProgressReporter(progress);
        try
        {
            var normalised = !(CanStreamCopy(clips, target)
                && await TryStreamCopyAsync(clips, listPath, partialPath, totalSeconds, target, reporter, timeLimit, ct));
            if (normalised)
            {
                reporter.StartNextStage();
                await ffmpeg.RunFfmpegAsync(NormaliseArguments(clips, target, partialPath), reporter.ListenTo(totalSeconds), timeLimit, ct);
            }

            var output = await ProbeAsync(partialPath, ct)
                ?? throw new FfmpegException("ffprobe cannot read the final cut ffmpeg just wrote.", null, string.Empty);
            if (Math.Abs(output.DurationSeconds - totalSeconds) > target.FrameSeconds)
            {
                logger.LogWarning(
                    "Final cut lasts {Actual} s, not the clips' {Expected} s (more than one frame at {Fps} fps)",
                    output.DurationSeconds, totalSeconds, target.FramesPerSecond);
            }

            File.Move(partialPath, outputPath, overwrite: true);
            var result = new FinalCutRenderResult(
                output.DurationSeconds, output.Width, output.Height,
                output.FrameRate?.Value ?? target.FramesPerSecond, new FileInfo(outputPath).Length, normalised);
            reporter.Complete();
            logger.LogInformation(
                "Rendered a final cut of {Count} clips ({Duration:0.###} s, {Width}x{Height} at {Fps:0.###} fps, {Mode}) in {Elapsed:0} ms",
                clips.Count, result.DurationSeconds, result.Width, result.Height, result.FramesPerSecond,
                normalised ? "re-encoded" : "stream copy", Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds);
            return result;
        }
        catch
        {
            TryDelete(partialPath);
            throw;
        }
        finally
        {
            TryDelete(listPath);
        }
    }

    /// <summary>Joins the clips without re-encoding; false (and nothing left behind) unless the result measures right.</summary>
    private async Task<bool> TryStreamCopyAsync(
        IReadOnlyList<ClipInfo> clips, string listPath, string partialPath, double totalSeconds, Target target,
        ProgressReporter reporter, TimeSpan timeLimit, CancellationToken ct)
    {
        await File.WriteAllTextAsync(listPath, ConcatList(clips), ct);
        ClipInfo? copied;
        try
        {
            await ffmpeg.RunFfmpegAsync(
                [
                    "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                    "-f", "concat", "-safe", "0", "-i", "file:" + listPath,
                    "-map", "0:v:0", "-c", "copy", "-an", "-sn", "-dn",
                    "-movflags", "+faststart", "-f", "mp4",
                    "-progress", "pipe:1", "-nostats",
                    "file:" + partialPath,
                ],
                reporter.ListenTo(totalSeconds), timeLimit, ct);
            copied = await ProbeAsync(partialPath, ct);
        }
        catch (FfmpegException ex)
        {
            logger.LogInformation("Stream copy of {Count} clips failed ({Error}); re-encoding instead", clips.Count, ex.Message);
            TryDelete(partialPath);
            return false;
        }

        if (copied is not null && Math.Abs(copied.DurationSeconds - totalSeconds) <= target.FrameSeconds)
        {
            return true;
        }

        logger.LogInformation(
            "Stream copy of {Count} clips gave {Actual} s instead of {Expected} s; re-encoding instead",
            clips.Count, copied?.DurationSeconds, totalSeconds);
        TryDelete(partialPath);
        return false;
    }

    private async Task<ClipInfo> ProbeClipAsync(string path, int clipNumber, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
        {
            logger.LogWarning("Clip {Clip} of a final cut does not exist: {Path}", clipNumber, path);
            throw new FinalCutClipException(clipNumber);
        }

        ClipInfo? clip;
        try
        {
            clip = await ProbeAsync(Path.GetFullPath(path), ct);
        }
        catch (FfmpegException ex)
        {
            logger.LogWarning("Clip {Clip} of a final cut ({Path}) cannot be probed: {Error}", clipNumber, path, ex.Message);
            throw new FinalCutClipException(clipNumber, ex);
        }

        if (clip is null)
        {
            logger.LogWarning("Clip {Clip} of a final cut ({Path}) has no video stream with a size and a duration", clipNumber, path);
            throw new FinalCutClipException(clipNumber);
        }

        return clip;
    }

    private async Task<ClipInfo?> ProbeAsync(string path, CancellationToken ct)
    {
        var json = await ffmpeg.RunFfprobeAsync(
            ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-show_data_hash", "sha256", "file:" + path], ct);
        return ClipInfo.Parse(path, json);
    }

    private static bool CanStreamCopy(IReadOnlyList<ClipInfo> clips, Target target) =>
        clips.All(c =>
            c.Codec == "h264" && c.PixelFormat == "yuv420p" && c.SquarePixels && c.Rotation == 0
            && c.Width == target.Width && c.Height == target.Height
            && c.FrameRate == clips[0].FrameRate && c.FrameRate is not null
            && c.ExtradataHash is not null && c.ExtradataHash == clips[0].ExtradataHash
            && !c.Path.Contains('\n') && !c.Path.Contains('\r'));

    /// <summary>The concat demuxer's list: single-quoted paths, a quote written as <c>'\''</c>.</summary>
    private static string ConcatList(IEnumerable<ClipInfo> clips)
    {
        var builder = new StringBuilder("ffconcat version 1.0\n");
        foreach (var clip in clips)
        {
            builder.Append("file 'file:").Append(clip.Path.Replace("'", @"'\''", StringComparison.Ordinal)).Append("'\n");
        }

        return builder.ToString();
    }

    private static List<string> NormaliseArguments(IReadOnlyList<ClipInfo> clips, Target target, string partialPath)
    {
        var arguments = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "error", "-y" };
        foreach (var clip in clips)
        {
            arguments.AddRange(["-i", "file:" + clip.Path]);
        }

        // Each clip gets exactly its share of frames, counted on the running total so rounding never adds up:
        // the cut lasts the clips' total to within half a frame, and every cut lands where the storyboard says.
        var graph = new StringBuilder();
        var elapsed = 0.0;
        for (var i = 0; i < clips.Count; i++)
        {
            var firstFrame = (long)Math.Round(elapsed * target.FramesPerSecond, MidpointRounding.AwayFromZero);
            elapsed += clips[i].DurationSeconds;
            var frames = Math.Max(1, (long)Math.Round(elapsed * target.FramesPerSecond, MidpointRounding.AwayFromZero) - firstFrame);
            graph.Append(Invariant($"[{i}:v]setpts=PTS-STARTPTS,"));
            if (!clips[i].SquarePixels)
            {
                graph.Append("scale='trunc(iw*sar/2)*2':ih,");
            }

            graph.Append(Invariant($"scale={target.Width}:{target.Height}:force_original_aspect_ratio=decrease:force_divisible_by=2,"))
                .Append(Invariant($"pad={target.Width}:{target.Height}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,"))
                .Append(Invariant($"fps={target.FrameRateText},format=yuv420p,"))
                // A clip whose last frame falls short is held rather than left a frame shy; then cut to the exact count.
                .Append(Invariant($"tpad=stop_mode=clone:stop=2,trim=end_frame={frames},setpts=PTS-STARTPTS[v{i}];"));
        }

        for (var i = 0; i < clips.Count; i++)
        {
            graph.Append(Invariant($"[v{i}]"));
        }

        graph.Append(Invariant($"concat=n={clips.Count}:v=1:a=0[cut]"));
        arguments.AddRange(["-filter_complex", graph.ToString(), "-map", "[cut]", "-an", "-sn", "-dn"]);
        arguments.AddRange(EncodeArguments);
        arguments.AddRange([
            "-r", target.FrameRateText,
            "-movflags", "+faststart", "-f", "mp4",
            "-progress", "pipe:1", "-nostats",
            "file:" + partialPath,
        ]);
        return arguments;
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(ex, "Could not delete {Path}", path);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The cut's picture: the first clip's displayed size (made even) and frame rate.</summary>
    private sealed record Target(int Width, int Height, FrameRate Rate)
    {
        public double FramesPerSecond => Rate.Value;

        public double FrameSeconds => 1 / Rate.Value;

        public string FrameRateText => Rate.ToString();

        public static Target From(ClipInfo first)
        {
            var width = first.SquarePixels ? first.Width : (int)Math.Round(first.Width * first.SampleAspect);
            var height = first.Height;
            if (Math.Abs(first.Rotation) % 180 == 90)
            {
                (width, height) = (height, width);
            }

            var rate = first.FrameRate is { Value: > 0 and <= 240 } r ? r : new FrameRate((int)FallbackFramesPerSecond, 1);
            return new Target(Math.Max(2, width & ~1), Math.Max(2, height & ~1), rate);
        }
    }

    internal sealed record FrameRate(int Numerator, int Denominator)
    {
        public double Value => (double)Numerator / Denominator;

        public static FrameRate? Parse(string? text)
        {
            var parts = text?.Split('/');
            return parts is [var n, var d]
                && int.TryParse(n, NumberStyles.Integer, CultureInfo.InvariantCulture, out var numerator)
                && int.TryParse(d, NumberStyles.Integer, CultureInfo.InvariantCulture, out var denominator)
                && numerator > 0 && denominator > 0
                    ? new FrameRate(numerator, denominator)
                    : null;
        }

        public override string ToString() => Invariant($"{Numerator}/{Denominator}");
    }

    /// <summary>What the cut needs to know about a clip, from <c>ffprobe -show_format -show_streams -show_data_hash</c>.</summary>
    internal sealed record ClipInfo(
        string Path, int Width, int Height, FrameRate? FrameRate, double DurationSeconds, string Codec,
        string? PixelFormat, double SampleAspect, int Rotation, string? ExtradataHash, bool HasAudio)
    {
        public bool SquarePixels => Math.Abs(SampleAspect - 1) < 1e-6;

        /// <summary>Null when there is no video stream with a size and a positive duration.</summary>
        public static ClipInfo? Parse(string path, string ffprobeJson)
        {
            using var document = JsonDocument.Parse(ffprobeJson);
            var root = document.RootElement;
            JsonElement? video = null;
            var hasAudio = false;
            if (root.TryGetProperty("streams", out var streams) && streams.ValueKind == JsonValueKind.Array)
            {
                foreach (var stream in streams.EnumerateArray())
                {
                    var type = String(stream, "codec_type");
                    var attachedPicture = stream.TryGetProperty("disposition", out var disposition)
                        && disposition.TryGetProperty("attached_pic", out var attached) && attached.ValueKind == JsonValueKind.Number
                        && attached.GetInt32() == 1;
                    if (type == "video" && video is null && !attachedPicture)
                    {
                        video = stream;
                    }
                    else if (type == "audio")
                    {
                        hasAudio = true;
                    }
                }
            }

            if (video is not { } v)
            {
                return null;
            }

            var width = Int(v, "width");
            var height = Int(v, "height");
            var duration = Double(v, "duration")
                ?? (root.TryGetProperty("format", out var format) ? Double(format, "duration") : null);
            if (width is not > 0 || height is not > 0 || duration is not > 0 || String(v, "codec_name") is not { } codec)
            {
                return null;
            }

            return new ClipInfo(
                path, width.Value, height.Value,
                FrameRate.Parse(String(v, "avg_frame_rate")) ?? FrameRate.Parse(String(v, "r_frame_rate")),
                duration.Value, codec, String(v, "pix_fmt"), ParseSampleAspect(String(v, "sample_aspect_ratio")),
                ParseRotation(v), String(v, "extradata_hash"), hasAudio);
        }

        private static double ParseSampleAspect(string? text) =>
            // "0:1" and a missing value both mean "unknown", which players take as square.
            text?.Split(':') is [var n, var d]
            && double.TryParse(n, NumberStyles.Float, CultureInfo.InvariantCulture, out var num)
            && double.TryParse(d, NumberStyles.Float, CultureInfo.InvariantCulture, out var den)
            && num > 0 && den > 0
                ? num / den
                : 1;

        private static int ParseRotation(JsonElement stream)
        {
            if (stream.TryGetProperty("side_data_list", out var sideData) && sideData.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in sideData.EnumerateArray())
                {
                    if (Int(item, "rotation") is { } rotation)
                    {
                        return rotation;
                    }
                }
            }

            return stream.TryGetProperty("tags", out var tags) && String(tags, "rotate") is { } rotate
                && int.TryParse(rotate, NumberStyles.Integer, CultureInfo.InvariantCulture, out var degrees)
                    ? degrees
                    : 0;
        }

        private static string? String(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static int? Int(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i) ? i : null;

        private static double? Double(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
    }

    /// <summary>
    /// Turns ffmpeg's <c>-progress</c> lines (<c>out_time_us=…</c>) into a never-decreasing 0..1. A stream copy that
    /// is thrown away does not send the bar back: the re-encode fills what is left from where the copy stopped.
    /// Held below 1 until <see cref="Complete"/>, so 1 means the file is in place.
    /// </summary>
    private sealed class ProgressReporter(IProgress<double>? target)
    {
        private const double BeforeComplete = 0.99;
        private double _stageStart;
        private double _last;

        public Action<string>? ListenTo(double totalSeconds)
        {
            if (target is null)
            {
                return null;
            }

            var totalMicroseconds = totalSeconds * 1_000_000;
            return line =>
            {
                const string key = "out_time_us=";
                if (line.StartsWith(key, StringComparison.Ordinal)
                    && long.TryParse(line.AsSpan(key.Length), NumberStyles.Integer, CultureInfo.InvariantCulture, out var microseconds)
                    && microseconds > 0)
                {
                    Report(_stageStart + (1 - _stageStart) * Math.Min(1, microseconds / totalMicroseconds));
                }
            };
        }

        public void StartNextStage() => _stageStart = _last;

        public void Complete()
        {
            _last = 1;
            target?.Report(1);
        }

        private void Report(double value)
        {
            value = Math.Min(value, BeforeComplete);
            if (value > _last)
            {
                _last = value;
                target?.Report(value);
            }
        }
    }
}
