using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Studio.Emulator.Media;

/// <summary>
/// Renders a real, playable H.264 MP4 standing in for a generated video: a background seeded by the
/// prompt and seed (animated gradients, or the first-frame image), an animated Game-of-Life layer seeded
/// by the seed, the prompt and seed as text and a running timecode. Renders are cached on disk by a hash
/// of everything that affects the pixels, so repeating a request is instant.
/// </summary>
internal sealed class VideoRenderer
{
    // Bump when the picture changes so stale cache entries are not served.
    private const string RenderVersion = "r1";
    private const int FramesPerSecond = 24;
    private const int MaxPromptLines = 6;

    private static readonly string[] FontCandidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/Library/Fonts/Arial Unicode.ttf",
        @"C:\Windows\Fonts\arial.ttf",
    ];

    private static readonly Lazy<string?> FontFile = new(() => FontCandidates.FirstOrDefault(File.Exists));

    private readonly FfmpegProcess _ffmpeg;
    private readonly ILogger<VideoRenderer> _logger;
    private readonly string _cacheDirectory;
    private readonly string _workDirectory;

    public VideoRenderer(FfmpegProcess ffmpeg, IOptions<EmulatorOptions> options, ILogger<VideoRenderer> logger)
    {
        _ffmpeg = ffmpeg;
        _logger = logger;
        _cacheDirectory = Path.Combine(options.Value.DataDirectory, "renders");
        _workDirectory = Path.Combine(options.Value.DataDirectory, "work");
    }

    /// <summary>Returns the path of the finished MP4, rendering it first unless it is cached.</summary>
    public async Task<string> RenderAsync(VideoRenderRequest request, CancellationToken ct)
    {
        // A fault directive ([[fault: ...]]) is an instruction to the emulator, not part of the picture.
        request = request with { Prompt = Studio.Emulator.Faults.FaultDirective.Strip(request.Prompt) };
        var key = CacheKey(request);
        var outputPath = Path.Combine(_cacheDirectory, key + ".mp4");
        if (File.Exists(outputPath))
        {
            _logger.LogDebug("Render cache hit {Key}", key);
            return outputPath;
        }

        Directory.CreateDirectory(_cacheDirectory);
        var work = Directory.CreateDirectory(Path.Combine(_workDirectory, Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            var startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            var arguments = await PrepareAsync(request, work, ct);
            var partialPath = Path.Combine(work, "out.mp4");
            arguments.Add(partialPath);
            await _ffmpeg.RunFfmpegAsync(arguments, ct);

            // Published by rename so a reader never sees a half-written file.
            File.Move(partialPath, outputPath, overwrite: true);
            _logger.LogInformation(
                "Rendered {Width}x{Height} {Duration}s clip {Key} in {Elapsed:0} ms",
                request.Width, request.Height, request.DurationSeconds, key,
                System.Diagnostics.Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds);
            return outputPath;
        }
        finally
        {
            TryDeleteDirectory(work);
        }
    }

    private static async Task<List<string>> PrepareAsync(VideoRenderRequest request, string work, CancellationToken ct)
    {
        int width = request.Width, height = request.Height, seconds = request.DurationSeconds;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{request.Prompt}\n{request.Seed}"));
        var patternSeed = request.Seed % 4_294_967_296L;

        // Text goes through files: prompts hold quotes, colons, percent signs and backslashes that the
        // filtergraph syntax would otherwise need escaped.
        var fontSize = Math.Max(16, Math.Min(width, height) / 18);
        var charsPerLine = Math.Max(12, (int)(width * 0.8 / (fontSize * 0.56)));
        var captionFontSize = Math.Clamp((int)(width * 0.9 / (Math.Max(1, request.Caption.Length) * 0.6)), 10, fontSize * 3 / 5);
        var promptFile = Path.Combine(work, "prompt.txt");
        var captionFile = Path.Combine(work, "caption.txt");
        var timecodeFile = Path.Combine(work, "timecode.txt");
        var promptLines = Wrap(request.Prompt, charsPerLine, MaxPromptLines);
        promptLines.Add(string.Create(CultureInfo.InvariantCulture, $"seed {request.Seed}"));
        await File.WriteAllTextAsync(promptFile, string.Join('\n', promptLines), ct);
        await File.WriteAllTextAsync(captionFile, request.Caption, ct);
        await File.WriteAllTextAsync(timecodeFile, "%{pts:hms}", ct);

        var arguments = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "error", "-y" };
        string background;

        // The pattern layers are blended at this size, then scaled to the output before the text is drawn.
        var (compositionWidth, compositionHeight) = (width, height);
        if (request.FirstFrameImage is { } image)
        {
            var imagePath = Path.Combine(work, "first-frame");
            await File.WriteAllBytesAsync(imagePath, image, ct);
            arguments.AddRange(["-i", imagePath]);
            // Scale and crop the still once, then repeat that frame: cheaper than re-decoding it 24 times a second.
            background = Invariant(
                $"[0:v]scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},setsar=1,format=yuv420p,loop=loop=-1:size=1,fps={FramesPerSecond}[bg]");
        }
        else
        {
            // Gradients are computed and blended at quarter size: at full size they cost more than the encode.
            var colours = string.Join(':', Enumerable.Range(0, 3).Select(i => Invariant($"c{i}=0x{hash[i * 3]:x2}{hash[i * 3 + 1]:x2}{hash[i * 3 + 2]:x2}")));
            var speed = 0.01 + hash[9] / 255.0 * 0.04;
            arguments.AddRange(["-f", "lavfi", "-i", Invariant(
                $"gradients=s={width / 4}x{height / 4}:r={FramesPerSecond}:d={seconds}:{colours}:n=3:seed={patternSeed}:speed={speed:0.###}")]);
            background = "[0:v]format=yuv420p[bg]";
            (compositionWidth, compositionHeight) = (width / 4, height / 4);
        }

        arguments.AddRange(["-f", "lavfi", "-i", Invariant(
            $"life=s={width / 8}x{height / 8}:r={FramesPerSecond}:seed={patternSeed}:ratio=0.2:mold=8:life_color=white:death_color=black:mold_color=0x303030")]);

        var font = FontFile.Value is { } fontFile ? "fontfile=" + FilterValue(fontFile) : "font=Sans";
        var graph = string.Join(';',
            background,
            Invariant($"[1:v]scale={compositionWidth}:{compositionHeight}:flags=neighbor,format=yuv420p[life]"),
            "[bg][life]blend=all_mode=screen:all_opacity=0.3:shortest=1," +
            Invariant($"scale={width}:{height}:flags=neighbor,setsar=1,") +
            Invariant($"drawtext={font}:textfile={FilterValue(promptFile)}:expansion=none:fontsize={fontSize}:fontcolor=white:line_spacing={fontSize / 5}:box=1:boxcolor=black@0.55:boxborderw={fontSize / 3}:x=(w-text_w)/2:y=(h-text_h)/2,") +
            Invariant($"drawtext={font}:textfile={FilterValue(captionFile)}:expansion=none:fontsize={captionFontSize}:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw={fontSize / 5}:x={fontSize / 2}:y={fontSize / 2},") +
            Invariant($"drawtext={font}:textfile={FilterValue(timecodeFile)}:fontsize={fontSize * 3 / 5}:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw={fontSize / 5}:x=w-text_w-{fontSize / 2}:y=h-text_h-{fontSize / 2}[v]"));

        arguments.AddRange([
            "-filter_complex", graph,
            "-map", "[v]",
            "-t", seconds.ToString(CultureInfo.InvariantCulture),
            "-r", FramesPerSecond.ToString(CultureInfo.InvariantCulture),
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-movflags", "+faststart",
            "-an",
            "-f", "mp4",
        ]);
        return arguments;
    }

    private static string CacheKey(VideoRenderRequest request)
    {
        var imageHash = request.FirstFrameImage is { } image ? Convert.ToHexString(SHA256.HashData(image)) : "-";
        var canonical = string.Join('\u001f',
            RenderVersion, request.Prompt, request.Seed.ToString(CultureInfo.InvariantCulture),
            Invariant($"{request.Width}x{request.Height}"), request.DurationSeconds.ToString(CultureInfo.InvariantCulture),
            request.Caption, imageHash);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..32].ToLowerInvariant();
    }

    /// <summary>Greedy word wrap; words longer than a line are split; an overflowing tail ends in an ellipsis.</summary>
    internal static List<string> Wrap(string text, int charsPerLine, int maxLines)
    {
        var lines = new List<string>();
        var current = new StringBuilder();
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        foreach (var rawWord in words)
        {
            var word = rawWord;
            while (word.Length > charsPerLine)
            {
                Flush();
                lines.Add(word[..charsPerLine]);
                word = word[charsPerLine..];
            }

            if (current.Length > 0 && current.Length + 1 + word.Length > charsPerLine)
            {
                Flush();
            }

            if (current.Length > 0)
            {
                current.Append(' ');
            }

            current.Append(word);
        }

        Flush();
        if (lines.Count > maxLines)
        {
            lines.RemoveRange(maxLines, lines.Count - maxLines);
            var last = lines[^1];
            lines[^1] = (last.Length >= charsPerLine ? last[..(charsPerLine - 1)] : last) + "…";
        }

        return lines;

        void Flush()
        {
            if (current.Length > 0)
            {
                lines.Add(current.ToString());
                current.Clear();
            }
        }
    }

    /// <summary>
    /// Escapes a filter option value twice: once for the option parser (<c>\ ' :</c>) and once for the
    /// filtergraph parser (<c>\ ' [ ] , ;</c>), per the "Notes on filtergraph escaping" in the ffmpeg docs.
    /// </summary>
    internal static string FilterValue(string value)
    {
        static string Escape(string text, string special)
        {
            var builder = new StringBuilder(text.Length + 8);
            foreach (var c in text)
            {
                if (special.Contains(c, StringComparison.Ordinal))
                {
                    builder.Append('\\');
                }

                builder.Append(c);
            }

            return builder.ToString();
        }

        return Escape(Escape(value, "\\':"), "\\'[],;");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private void TryDeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogDebug(ex, "Could not delete render work directory {Path}", path);
        }
    }
}
