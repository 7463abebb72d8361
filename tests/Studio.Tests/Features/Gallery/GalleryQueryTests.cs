using Studio.Web.Features.Gallery;
using Studio.Web.Features.Generations;

namespace Studio.Tests.Features.Gallery;

public sealed class GalleryQueryTests
{
    [Theory]
    [InlineData("neon", "%neon%")]
    [InlineData("  rain  ", "%rain%")]
    [InlineData("100%", @"%100\%%")]
    [InlineData("a_b", @"%a\_b%")]
    [InlineData(@"back\slash", @"%back\\slash%")]
    public void ContainsPattern_EscapesLikeWildcards(string search, string pattern) =>
        Assert.Equal(pattern, GalleryQuery.ContainsPattern(search));

    [Fact]
    public void ContainsPattern_CapsTheSearchLength() =>
        Assert.Equal(GalleryFilter.MaxSearchLength + 2, GalleryQuery.ContainsPattern(new string('x', 5000)).Length);

    [Fact]
    public void Narrows_IsFalseForSortAlone_AndClearedKeepsTheSort()
    {
        Assert.False((GalleryFilter.None with { Sort = GallerySort.Oldest }).Narrows);
        var filter = new GalleryFilter { Search = "rain", FavouritesOnly = true, Sort = GallerySort.Longest };
        Assert.True(filter.Narrows);
        Assert.Equal(GalleryFilter.None with { Sort = GallerySort.Longest }, filter.Cleared());
        Assert.False(new GalleryFilter { Search = "   " }.Narrows);
    }

    [Fact]
    public void StatesOf_WorkingMeansEveryActiveState()
    {
        Assert.Equal(GenerationStateMachine.ActiveStates, GalleryQuery.StatesOf(GalleryStateFilter.Working));
        Assert.Empty(GalleryQuery.StatesOf(GalleryStateFilter.Any));
    }

    [Fact]
    public void Apply_FiltersAndSorts_AsLinq()
    {
        var now = new DateTime(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc);
        var takes = new[]
        {
            new Generation { Id = Guid.NewGuid(), Provider = "runway", Model = "gen4.5", State = GenerationState.Ready, DurationSeconds = 5, CreatedAt = now, CreatedByUserId = "a" },
            new Generation { Id = Guid.NewGuid(), Provider = "kie", Model = "runway-duration", State = GenerationState.Running, DurationSeconds = 10, CreatedAt = now.AddDays(-1), CreatedByUserId = "b" },
            new Generation { Id = Guid.NewGuid(), Provider = "runway", Model = "gen4.5", State = GenerationState.Failed, DurationSeconds = 10, CreatedAt = now.AddDays(-2), CreatedByUserId = "a" },
        }.AsQueryable();
        var stars = new[] { new Favourite { UserId = "a", GenerationId = takes.ElementAt(2).Id } }.AsQueryable();

        Assert.Equal(2, GalleryQuery.Apply(takes, new GalleryFilter { Provider = "runway" }, "a", stars).Count());
        Assert.Single(GalleryQuery.Apply(takes, new GalleryFilter { State = GalleryStateFilter.Working }, "a", stars));
        Assert.Single(GalleryQuery.Apply(takes, new GalleryFilter { CreatorUserId = "b" }, "a", stars));
        Assert.Equal(2, GalleryQuery.Apply(takes, new GalleryFilter { From = DateOnly.FromDateTime(now.AddDays(-1)) }, "a", stars).Count());
        Assert.Single(GalleryQuery.Apply(takes, new GalleryFilter { To = DateOnly.FromDateTime(now.AddDays(-2)) }, "a", stars));
        Assert.Equal([takes.ElementAt(2).Id], GalleryQuery.Apply(takes, new GalleryFilter { FavouritesOnly = true }, "a", stars).Select(g => g.Id));
        Assert.Empty(GalleryQuery.Apply(takes, new GalleryFilter { FavouritesOnly = true }, "b", stars));

        Assert.Equal(now.AddDays(-2), GalleryQuery.Sort(takes, GallerySort.Oldest).First().CreatedAt);
        Assert.Equal(now.AddDays(-1), GalleryQuery.Sort(takes, GallerySort.Longest).First().CreatedAt); // 10 s, newest of the two
        Assert.Equal(5, GalleryQuery.Sort(takes, GallerySort.Shortest).First().DurationSeconds);
    }

    [Theory]
    [InlineData(1, 1, false, "1 take")]
    [InlineData(10000, 10000, false, "10,000 takes")]
    [InlineData(3, 10000, true, "3 of 10,000 takes")]
    public void CountText_SaysHowManyMatch(int matching, int total, bool narrows, string text) =>
        Assert.Equal(text, GalleryQuery.CountText(matching, total, narrows));

    [Fact]
    public void ZipIds_ParseOrRefuse()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        Assert.Equal([a, b], ZipDownload.ParseIds($"{a}, {b},{a}"));
        Assert.Null(ZipDownload.ParseIds($"{a},not-an-id"));
        Assert.Empty(ZipDownload.ParseIds("")!);
    }

    [Fact]
    public void ZipEntryNames_AreAsciiStemsWithTheId_AndNeverCollide()
    {
        var id = Guid.Parse("1a2b3c4d-0000-0000-0000-000000000000");
        var taken = new HashSet<string>();
        Assert.Equal("a-cafe-at-dawn-rain-1a2b3c4d.mp4", ZipDownload.EntryName("A café at dawn — rain!", id, taken));
        Assert.Equal("a-cafe-at-dawn-rain-1a2b3c4d-2.mp4", ZipDownload.EntryName("A café at dawn — rain!", id, taken));
        Assert.Equal("take", ZipDownload.FileStem("日本語", "take"));
    }
}
