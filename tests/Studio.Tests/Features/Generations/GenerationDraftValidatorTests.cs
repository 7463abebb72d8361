using Studio.Web.Features.Generations;
using F = Studio.Web.Features.Generations.GenerationDraftValidator.Fields;

namespace Studio.Tests.Features.Generations;

public class GenerationDraftValidatorTests
{
    internal static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    internal static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
    internal static readonly byte[] Webp = [.. "RIFF"u8, 0, 0, 0, 0, .. "WEBPVP8 "u8];
    internal static readonly byte[] Gif = [.. "GIF89a"u8, 1, 0, 1, 0];

    private static GenerationDraft Draft(string prompt = "A lighthouse at dawn", string ratio = "1280:720", int duration = 5, long? seed = null, FirstFrameImage? image = null) =>
        new("gen4.5", prompt, ratio, duration, seed, image);

    [Fact]
    public void Validate_WhenDraftIsValid_ReturnsNoErrors() => Assert.True(GenerationDraftValidator.Validate(Draft(seed: 42)).IsValid);

    [Fact]
    public void Validate_WhenPromptIsExactly1000Utf16Units_Accepts() =>
        Assert.True(GenerationDraftValidator.Validate(Draft(prompt: new string('a', 1000))).IsValid);

    [Fact]
    public void Validate_WhenPromptIs1001Units_RejectsAndSaysHowManyToRemove()
    {
        var errors = GenerationDraftValidator.Validate(Draft(prompt: new string('a', 1001)));
        Assert.Contains("Remove 1", errors[F.Prompt]);
    }

    [Fact]
    public void Validate_CountsUtf16CodeUnits_SoAnEmojiCountsTwo()
    {
        // 500 emoji are 1000 UTF-16 code units (accepted); one more character tips it over.
        var fiveHundredEmoji = string.Concat(Enumerable.Repeat("🎬", 500));
        Assert.True(GenerationDraftValidator.Validate(Draft(prompt: fiveHundredEmoji)).IsValid);
        Assert.False(GenerationDraftValidator.Validate(Draft(prompt: fiveHundredEmoji + "x")).IsValid);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_WhenPromptEmpty_AsksForOne(string prompt) =>
        Assert.Contains("Write a prompt", GenerationDraftValidator.Validate(Draft(prompt: prompt))[F.Prompt]);

    [Theory]
    [InlineData("1104:832")]
    [InlineData("960:960")]
    [InlineData("1584:672")]
    public void Validate_TextToVideoWithImageOnlyRatio_RejectsAtRatio(string ratio) =>
        Assert.Contains("text-to-video", GenerationDraftValidator.Validate(Draft(ratio: ratio))[F.Ratio]);

    [Theory]
    [InlineData("1280:720")]
    [InlineData("720:1280")]
    [InlineData("1104:832")]
    [InlineData("960:960")]
    [InlineData("832:1104")]
    [InlineData("1584:672")]
    public void Validate_ImageToVideo_AcceptsAllSixRatios(string ratio) =>
        Assert.True(GenerationDraftValidator.Validate(Draft(ratio: ratio, image: new FirstFrameImage("a.png", "image/png", Png))).IsValid);

    [Fact]
    public void Validate_RemovedRatio672x1584_IsRefusedEvenWithImage() =>
        Assert.False(GenerationDraftValidator.Validate(Draft(ratio: "672:1584", image: new FirstFrameImage("a.png", "image/png", Png))).IsValid);

    [Theory]
    [InlineData(1)]
    [InlineData(11)]
    [InlineData(0)]
    public void Validate_DurationOutside2To10_RejectsAtDuration(int seconds) =>
        Assert.Equal("Duration must be 2–10 seconds.", GenerationDraftValidator.Validate(Draft(duration: seconds))[F.Duration]);

    [Theory]
    [InlineData(-1L)]
    [InlineData(4_294_967_296L)]
    public void Validate_SeedOutOfRange_RejectsAtSeed(long seed) =>
        Assert.True(GenerationDraftValidator.Validate(Draft(seed: seed)).ContainsKey(F.Seed));

    [Fact]
    public void Validate_GifFirstFrame_RejectsEvenWhenNamedPng()
    {
        var errors = GenerationDraftValidator.Validate(Draft(image: new FirstFrameImage("looks-like.png", "image/png", Gif)));
        Assert.Equal("GIF images are not accepted: use JPEG, PNG or WebP.", errors[F.FirstFrame]);
    }

    [Fact]
    public void Validate_OversizedFirstFrame_SaysTheLimit()
    {
        var big = new byte[GenerationDraftValidator.MaxFirstFrameBytes + 1];
        Jpeg.CopyTo(big, 0);
        var errors = GenerationDraftValidator.Validate(Draft(image: new FirstFrameImage("big.jpg", "image/jpeg", big)));
        Assert.Contains("at most 3.3 MB", errors[F.FirstFrame]);
    }

    [Fact]
    public void Validate_NotAnImage_SaysWhichFormatsWork() =>
        Assert.Contains("not a JPEG, PNG or WebP", GenerationDraftValidator.Validate(Draft(image: new FirstFrameImage("notes.txt", "text/plain", "hello"u8.ToArray())))[F.FirstFrame]);

    [Fact]
    public void Validate_UnknownModel_RejectsAtModel() =>
        Assert.True(GenerationDraftValidator.Validate(Draft() with { ModelId = "gen3a_turbo" }).ContainsKey(F.Model));

    [Theory]
    [MemberData(nameof(Signatures))]
    public void Sniff_RecognisesFormatsByTheirFirstBytes(byte[] bytes, string? expected) => Assert.Equal(expected, ImageFormat.Sniff(bytes));

    public static TheoryData<byte[], string?> Signatures() => new()
    {
        { Png, ImageFormat.Png },
        { Jpeg, ImageFormat.Jpeg },
        { Webp, ImageFormat.Webp },
        { Gif, ImageFormat.Gif },
        { "%PDF-1.7"u8.ToArray(), null },
        { Array.Empty<byte>(), null },
    };

    [Theory]
    [InlineData("pixazo", "gen-4.5", 5, null, true)]
    [InlineData("pixazo", "gen-4.5", 7, null, false)]
    [InlineData("kie", "runway", 5, "1080p", true)]
    [InlineData("kie", "runway", 10, "1080p", false)]
    [InlineData("kie", "runway", 10, "720p", true)]
    [InlineData("kie", "runway", 5, null, false)]
    [InlineData("runway", "gen4.5", 5, "720p", false)]
    public void Validate_DurationAndQuality_FollowTheProvidersModel(string provider, string model, int duration, string? quality, bool valid) =>
        Assert.Equal(valid, GenerationDraftValidator.Validate(new GenerationDraft(model, "A harbour", "1280:720", duration, null, null, provider, quality)).IsValid);

    [Fact]
    public void Validate_Kie1080pAtTenSeconds_SaysTheLimit() =>
        Assert.Equal("1080p is only made for videos up to 5 seconds.",
            GenerationDraftValidator.Validate(new GenerationDraft("runway", "A harbour", "1280:720", 10, null, null, "kie", "1080p"))[F.Quality]);

    [Fact]
    public void Validate_SeedForAModelWithoutSeeds_IsRefused() =>
        Assert.True(GenerationDraftValidator.Validate(new GenerationDraft("runway", "A harbour", "1280:720", 5, 42, null, "kie", "720p")).ContainsKey(F.Seed));

    [Fact]
    public void Validate_KieWithImage_TakesNoRatio()
    {
        var image = new FirstFrameImage("a.png", "image/png", Png);
        Assert.True(GenerationDraftValidator.Validate(new GenerationDraft("runway", "A harbour", "", 5, null, image, "kie", "720p")).IsValid);
        Assert.Contains("takes the ratio from the first-frame image",
            GenerationDraftValidator.Validate(new GenerationDraft("runway", "A harbour", "960:960", 5, null, image, "kie", "720p"))[F.Ratio]);
    }

    [Fact]
    public void Validate_KiePromptMayBe1800Characters() =>
        Assert.True(GenerationDraftValidator.Validate(new GenerationDraft("runway", new string('a', 1800), "1280:720", 5, null, null, "kie", "720p")).IsValid);

    [Fact]
    public void Validate_RunwareRefusesCinemaRatio() =>
        Assert.False(GenerationDraftValidator.Validate(new GenerationDraft("runway:1@2", "A harbour", "1584:672", 5, null, new FirstFrameImage("a.png", "image/png", Png), "runware")).IsValid);

    [Fact]
    public void Validate_ModelOfAnotherProvider_IsRefused() =>
        Assert.True(GenerationDraftValidator.Validate(new GenerationDraft("gen4.5", "A harbour", "1280:720", 5, null, null, "kie")).ContainsKey(F.Model));
}
