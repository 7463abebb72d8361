using Studio.Emulator.Media;
using Studio.Web.Features.Generations;

namespace Studio.Web.Features.Storyboards.Cut;

/// <summary>
/// Continuity: the last frame of a take, as an image a provider takes as a first frame. PNG (lossless, so the next
/// shot starts on exactly that picture) when it fits the model's limit, else a high-quality JPEG.
/// </summary>
public sealed class LastFrame(FfmpegProcess ffmpeg)
{
    /// <summary>Reads the video at <paramref name="videoPath"/> and returns its last frame, no larger than <paramref name="maxBytes"/>.</summary>
    public async Task<FirstFrameImage> ExtractAsync(string videoPath, int maxBytes, CancellationToken ct)
    {
        var folder = Path.GetDirectoryName(videoPath)!;
        var png = Path.Combine(folder, "last-frame.png");
        // Seek near the end, then decode to the end writing every frame over the same file: what stays is the last one.
        await ffmpeg.RunFfmpegAsync(["-hide_banner", "-y", "-sseof", "-1.5", "-i", videoPath, "-an", "-update", "1", "-pix_fmt", "rgb24", png], ct);
        var bytes = await File.ReadAllBytesAsync(png, ct);
        if (bytes.Length <= maxBytes)
        {
            return new FirstFrameImage("last-frame.png", ImageFormat.Png, bytes);
        }
        var jpeg = Path.Combine(folder, "last-frame.jpg");
        foreach (var quality in new[] { 2, 4, 8 })
        {
            await ffmpeg.RunFfmpegAsync(["-hide_banner", "-y", "-i", png, "-q:v", quality.ToString(System.Globalization.CultureInfo.InvariantCulture), jpeg], ct);
            bytes = await File.ReadAllBytesAsync(jpeg, ct);
            if (bytes.Length <= maxBytes)
            {
                return new FirstFrameImage("last-frame.jpg", ImageFormat.Jpeg, bytes);
            }
        }
        throw new InvalidOperationException($"The last frame does not fit the model's {maxBytes / 1_000_000.0:0.#} MB image limit even as a JPEG.");
    }
}
