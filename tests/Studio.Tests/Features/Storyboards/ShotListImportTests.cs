using Studio.Web.Features.Storyboards;

namespace Studio.Tests.Features.Storyboards;

public class ShotListImportTests
{
    [Fact]
    public void Paragraphs_AreShots_WithTheFirstLineAsTitle_AndTheNumberingLeftOut()
    {
        var result = ShotListImport.Parse("""
            1. Dawn
            A fishing boat leaves a misty harbour,
            slow dolly forward

            Shot 2: Open sea
            The boat cuts through grey waves, tracking shot

            3) Gulls circle the mast against a pale sky, camera tilts up
            """);

        Assert.True(result.CanImport);
        Assert.Equal(
        [
            new ShotListImport.Entry("Dawn", "A fishing boat leaves a misty harbour, slow dolly forward"),
            new ShotListImport.Entry("Open sea", "The boat cuts through grey waves, tracking shot"),
            new ShotListImport.Entry("", "Gulls circle the mast against a pale sky, camera tilts up"),
        ], result.Shots);
    }

    [Fact]
    public void AListWithoutBlankLines_IsOneShotPerLine()
    {
        var result = ShotListImport.Parse("- A lighthouse at dusk, slow pan\r\n* Waves break on rocks, close-up\r\n• Keeper climbs the stairs\r\n\r\n");

        Assert.Equal(["A lighthouse at dusk, slow pan", "Waves break on rocks, close-up", "Keeper climbs the stairs"], result.Shots.Select(s => s.Prompt));
        Assert.All(result.Shots, s => Assert.Equal("", s.Title));
    }

    [Fact]
    public void AHeadingEndingInAColon_LosesTheColon_AndALongFirstLineIsPartOfThePrompt()
    {
        var longLine = new string('a', Shot.TitleMaxLength + 1);
        var result = ShotListImport.Parse($"Scene 4 — Market:\nStalls open at sunrise\n\n{longLine}\nmore words");

        Assert.Equal(new ShotListImport.Entry("Market", "Stalls open at sunrise"), result.Shots[0]);
        Assert.Equal(new ShotListImport.Entry("", longLine + " more words"), result.Shots[1]);
    }

    [Fact]
    public void NothingButSpaces_IsNoShot()
    {
        var result = ShotListImport.Parse("  \n\n \t \n");

        Assert.Empty(result.Shots);
        Assert.False(result.CanImport);
    }

    [Fact]
    public void MoreShotsThanAllowed_IsRefusedWithTheCount()
    {
        var result = ShotListImport.Parse(string.Join("\n", Enumerable.Range(1, ShotListImport.MaxShots + 1).Select(n => $"Shot {n}: a wave")));

        Assert.False(result.CanImport);
        Assert.Equal($"That is {ShotListImport.MaxShots + 1} shots; at most {ShotListImport.MaxShots} come in at once. Paste the list in parts.", Assert.Single(result.Errors));
    }

    [Fact]
    public void APromptLongerThanAShotHolds_IsRefused_NamingTheShot()
    {
        var result = ShotListImport.Parse($"Fine shot\n\nToo long\n{new string('b', Shot.PromptMaxLength + 1)}");

        Assert.False(result.CanImport);
        Assert.Equal($"Shot 2's prompt is {Shot.PromptMaxLength + 1:N0} characters; a shot holds at most {Shot.PromptMaxLength:N0}.", Assert.Single(result.Errors));
    }
}
