namespace Studio.Emulator.Media;

/// <summary>Where ffmpeg/ffprobe live and how hard they may be driven. Shared by the emulator and the studio.</summary>
public sealed class FfmpegOptions
{
    public const string SectionName = "Ffmpeg";

    public string FfmpegPath { get; set; } = "ffmpeg";

    public string FfprobePath { get; set; } = "ffprobe";

    public int MaxConcurrency { get; set; } = 2;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);
}
