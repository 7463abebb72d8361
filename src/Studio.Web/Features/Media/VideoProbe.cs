using System.Globalization;
using System.Text.Json;
using Studio.Emulator.Media;

namespace Studio.Web.Features.Media;

public sealed record VideoProbeResult(string? FormatName, double? DurationSeconds, string? VideoCodec, int? Width, int? Height)
{
    public bool HasVideo => VideoCodec is not null && Width > 0 && Height > 0;
}

/// <summary>Reads what a file really is with ffprobe, and makes poster frames with ffmpeg.</summary>
public sealed class VideoProbe(FfmpegProcess ffmpeg)
{
    public async Task<VideoProbeResult> ProbeAsync(string path, CancellationToken ct)
    {
        var json = await ffmpeg.RunFfprobeAsync(["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path], ct);
        return Parse(json);
    }

    /// <summary>Writes a JPEG poster from a frame a little into the clip (the first frame is often dark).</summary>
    public async Task MakePosterAsync(string videoPath, double? durationSeconds, string posterPath, CancellationToken ct)
    {
        var at = Math.Min(1.0, (durationSeconds ?? 2) / 3);
        await ffmpeg.RunFfmpegAsync(
        [
            "-hide_banner", "-y", "-ss", at.ToString("0.###", CultureInfo.InvariantCulture), "-i", videoPath,
            "-frames:v", "1", "-vf", "scale='min(640,iw)':-2", "-q:v", "4", posterPath,
        ], ct);
    }

    public static VideoProbeResult Parse(string ffprobeJson)
    {
        using var doc = JsonDocument.Parse(ffprobeJson);
        var root = doc.RootElement;
        string? formatName = null;
        double? duration = null;
        if (root.TryGetProperty("format", out var format))
        {
            formatName = format.TryGetProperty("format_name", out var fn) ? fn.GetString() : null;
            duration = ParseDouble(format, "duration");
        }
        if (root.TryGetProperty("streams", out var streams))
        {
            foreach (var stream in streams.EnumerateArray())
            {
                if (stream.TryGetProperty("codec_type", out var type) && type.GetString() == "video")
                {
                    return new VideoProbeResult(
                        formatName,
                        duration ?? ParseDouble(stream, "duration"),
                        stream.TryGetProperty("codec_name", out var codec) ? codec.GetString() : null,
                        stream.TryGetProperty("width", out var w) ? w.GetInt32() : null,
                        stream.TryGetProperty("height", out var h) ? h.GetInt32() : null);
                }
            }
        }
        return new VideoProbeResult(formatName, duration, null, null, null);
    }

    private static double? ParseDouble(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
}
