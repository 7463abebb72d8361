using Studio.Web.Features.Media;

namespace Studio.Tests.Features.Media;

/// <summary>Parses output recorded from Debian's ffprobe (see Fixtures/).</summary>
public class VideoProbeTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Features", "Media", "Fixtures", name));

    [Fact]
    public void Parse_H264Mp4_ReadsCodecSizeAndDuration()
    {
        var result = VideoProbe.Parse(Fixture("ffprobe-h264-1280x720.json"));
        Assert.True(result.HasVideo);
        Assert.Equal("h264", result.VideoCodec);
        Assert.Equal(1280, result.Width);
        Assert.Equal(720, result.Height);
        Assert.InRange(result.DurationSeconds!.Value, 4.9, 5.1);
        Assert.Contains("mp4", result.FormatName);
    }

    [Fact]
    public void Parse_AudioOnlyFile_HasNoVideo()
    {
        var result = VideoProbe.Parse(Fixture("ffprobe-audio-only.json"));
        Assert.False(result.HasVideo);
        Assert.Null(result.VideoCodec);
    }

    [Fact]
    public void Parse_EmptyObject_HasNoVideo() => Assert.False(VideoProbe.Parse("{}").HasVideo);
}
