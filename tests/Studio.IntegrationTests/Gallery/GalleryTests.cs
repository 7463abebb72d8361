using System.IO.Compression;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Studio.IntegrationTests.Studio;
using Studio.Web.Features.Audit;
using Studio.Web.Features.Gallery;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Media;
using Studio.Web.Features.Storage;
using Studio.Web.Features.Teams;

namespace Studio.IntegrationTests.Gallery;

/// <summary>One studio: Ada (owner) with an Editor, Ed, in her team, and Bo in another team. Ada has two archived takes.</summary>
public sealed class GalleryFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = TestPaths.NewDirectory("gallery");

    public TestEmulator Emulator { get; private set; } = null!;
    public StudioTestHost Studio { get; private set; } = null!;
    public TestUser Ada { get; private set; } = null!;
    public TestUser Ed { get; private set; } = null!;
    public TestUser Bo { get; private set; } = null!;
    public Guid Project { get; private set; }
    public Guid ProjectOfBo { get; private set; }
    public Generation First { get; private set; } = null!;
    public Generation Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await TestEmulator.StartAsync();
        Studio = StudioTestHost.Start(_dataDirectory, Emulator);
        Ada = await Studio.RegisterAsync("Ada");
        Ed = await Studio.RegisterAsync("Ed");
        Bo = await Studio.RegisterAsync("Bo");
        await using (var db = await Studio.DbAsync())
        {
            db.TeamMembers.Add(new TeamMember { TeamId = Ada.TeamId, UserId = Ed.Id, Role = TeamRole.Editor, JoinedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        Project = await Studio.CreateProjectAsync(Ada, "Gallery");
        ProjectOfBo = await Studio.CreateProjectAsync(Bo, "Bo's");
        First = await Studio.WaitForStateAsync(await Studio.SubmitAsync(Ada, Project, StudioTestHost.TextDraft("A harbour at dawn, gulls")), GenerationState.Ready);
        Second = await Studio.WaitForStateAsync(await Studio.SubmitAsync(Ada, Project, StudioTestHost.TextDraft("A desert storm at noon")), GenerationState.Ready);
    }

    /// <summary>A finished take straight in the database (clone of <see cref="First"/>, sharing nothing it could delete).</summary>
    public async Task<Guid> AddRowAsync(Guid projectId, Guid teamId, string userId, string prompt, DateTime createdAt,
        GenerationState state = GenerationState.Ready, int duration = 5, string provider = "runway")
    {
        await using var db = await Studio.DbAsync();
        var row = new Generation
        {
            Id = Guid.CreateVersion7(), TeamId = teamId, ProjectId = projectId, CreatedByUserId = userId, Provider = provider,
            Model = VideoModels.Gen45.Id, PromptText = prompt, Ratio = "1280:720", DurationSeconds = duration, State = state, Version = 3,
            CreatedAt = createdAt, UpdatedAt = createdAt, NextAttemptAt = createdAt.AddYears(10),
        };
        db.Generations.Add(row);
        await db.SaveChangesAsync();
        return row.Id;
    }

    public async Task DisposeAsync()
    {
        await Studio.DisposeAsync();
        await Emulator.DisposeAsync();
        TestPaths.TryDelete(_dataDirectory);
    }
}

public sealed class GalleryTests(GalleryFixture fixture) : IClassFixture<GalleryFixture>
{
    private StudioTestHost Studio => fixture.Studio;

    [Fact]
    public async Task GalleryPage_PagesFiltersAndSearches_InSql()
    {
        var project = await Studio.CreateProjectAsync(fixture.Ada, "Paging");
        var start = new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < 30; i++)
        {
            await fixture.AddRowAsync(project, fixture.Ada.TeamId, i % 3 == 0 ? fixture.Ed.Id : fixture.Ada.Id,
                i == 7 ? "A 100% literal_match in neon" : $"take number {i} by the river", start.AddHours(i),
                i % 5 == 0 ? GenerationState.Failed : GenerationState.Ready, duration: i % 2 == 0 ? 5 : 10);
        }
        var gallery = Studio.Generations;

        var first = (await gallery.GalleryPageAsync(fixture.Ada.Id, project, GalleryFilter.None, 0, 12))!;
        Assert.Equal(30, first.Matching);
        Assert.Equal(12, first.Takes.Count);
        Assert.Equal("take number 29 by the river", first.Takes[0].PromptText);
        var third = (await gallery.GalleryPageAsync(fixture.Ada.Id, project, GalleryFilter.None, 24, 12))!;
        Assert.Equal(6, third.Takes.Count);
        Assert.Equal("take number 0 by the river", third.Takes[^1].PromptText);

        var oldest = (await gallery.GalleryPageAsync(fixture.Ada.Id, project, GalleryFilter.None with { Sort = GallerySort.Oldest }, 0, 1))!;
        Assert.Equal("take number 0 by the river", oldest.Takes[0].PromptText);
        var longest = (await gallery.GalleryPageAsync(fixture.Ada.Id, project, GalleryFilter.None with { Sort = GallerySort.Longest }, 0, 15))!;
        Assert.All(longest.Takes, t => Assert.Equal(10, t.DurationSeconds));

        var failed = (await gallery.GalleryPageAsync(fixture.Ada.Id, project, new GalleryFilter { State = GalleryStateFilter.Failed }, 0, 50))!;
        Assert.Equal(6, failed.Matching);
        Assert.Equal(30, failed.Total);
        Assert.All(failed.Takes, t => Assert.Equal(GenerationState.Failed, t.State));

        var byEd = (await gallery.GalleryPageAsync(fixture.Ada.Id, project, new GalleryFilter { CreatorUserId = fixture.Ed.Id }, 0, 50))!;
        Assert.Equal(10, byEd.Matching);

        var day = (await gallery.GalleryPageAsync(fixture.Ada.Id, project, new GalleryFilter { From = new DateOnly(2026, 1, 2), To = new DateOnly(2026, 1, 2) }, 0, 50))!;
        Assert.Equal(18, day.Matching); // Jan 1 12:00 + i hours: i = 12..29 fall on Jan 2.

        // LIKE is parameterized and the user's % and _ are literal: "100%" finds one take, "%" alone finds only it too.
        Assert.Equal(1, (await gallery.GalleryPageAsync(fixture.Ada.Id, project, new GalleryFilter { Search = "100% LITERAL_match" }, 0, 50))!.Matching);
        Assert.Equal(1, (await gallery.GalleryPageAsync(fixture.Ada.Id, project, new GalleryFilter { Search = "%" }, 0, 50))!.Matching);
        Assert.Equal(0, (await gallery.GalleryPageAsync(fixture.Ada.Id, project, new GalleryFilter { Search = "'; drop table Generations; --" }, 0, 50))!.Matching);
        Assert.Equal(29, (await gallery.GalleryPageAsync(fixture.Ada.Id, project, new GalleryFilter { Search = "RIVER" }, 0, 50))!.Matching);

        // Stars are per user.
        var starred = first.Takes[3].Id;
        Assert.True(await gallery.SetFavouriteAsync(fixture.Ed.Id, starred, true));
        Assert.True(await gallery.SetFavouriteAsync(fixture.Ed.Id, starred, true));
        var edsStars = (await gallery.GalleryPageAsync(fixture.Ed.Id, project, new GalleryFilter { FavouritesOnly = true }, 0, 50))!;
        Assert.Equal([starred], edsStars.Takes.Select(t => t.Id));
        Assert.Contains(starred, edsStars.Favourites);
        Assert.Equal(0, (await gallery.GalleryPageAsync(fixture.Ada.Id, project, new GalleryFilter { FavouritesOnly = true }, 0, 50))!.Matching);
        Assert.False(await gallery.SetFavouriteAsync(fixture.Bo.Id, starred, true));

        // Another team's project is not there at all.
        Assert.Null(await gallery.GalleryPageAsync(fixture.Bo.Id, project, GalleryFilter.None, 0, 12));
    }

    [Fact]
    public async Task DeleteTakes_AdminDeletes_EditorRefused_OtherTeamNotFound_BlobsAuditAndMediaGone()
    {
        var take = await Studio.WaitForStateAsync(await Studio.SubmitAsync(fixture.Ada, fixture.Project, StudioTestHost.TextDraft("To be deleted, a red kite")), GenerationState.Ready);
        var blobs = Studio.Services.GetRequiredService<IBlobStore>();
        Assert.NotNull(await blobs.GetInfoAsync(take.VideoBlobKey!, default));
        var (asAda, _) = await Studio.SignInAsync(fixture.Ada);
        using (asAda)
        {
            using (var before = await asAda.GetAsync(MediaEndpoints.VideoUrl(take.Id)))
            {
                Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            }

            var byEditor = await Studio.Generations.DeleteTakesAsync(fixture.Ed.Id, fixture.Project, [take.Id]);
            Assert.False(byEditor.Succeeded);
            Assert.False(byEditor.IsNotFound);
            var byOtherTeam = await Studio.Generations.DeleteTakesAsync(fixture.Bo.Id, fixture.Project, [take.Id]);
            Assert.True(byOtherTeam.IsNotFound);
            var mixed = await Studio.Generations.DeleteTakesAsync(fixture.Ada.Id, fixture.Project, [take.Id, Guid.NewGuid()]);
            Assert.True(mixed.IsNotFound);
            Assert.Null((await Studio.ReadAsync(take.Id)).DeletedAt);

            var byAdmin = await Studio.Generations.DeleteTakesAsync(fixture.Ada.Id, fixture.Project, [take.Id]);
            Assert.True(byAdmin.Succeeded, byAdmin.Error);
            Assert.Equal(1, byAdmin.Deleted);

            var row = await Studio.ReadAsync(take.Id);
            Assert.NotNull(row.DeletedAt);
            Assert.Equal(fixture.Ada.Id, row.DeletedByUserId);
            Assert.Null(await blobs.GetInfoAsync(take.VideoBlobKey!, default));
            Assert.Null(await blobs.GetInfoAsync(take.PosterBlobKey!, default));
            await using (var db = await Studio.DbAsync())
            {
                var entry = await db.AuditEntries.SingleAsync(a => a.TargetId == take.Id.ToString() && a.Action == AuditActions.GenerationDeleted);
                Assert.Equal(fixture.Ada.TeamId, entry.TeamId);
                Assert.Contains("red kite", entry.Summary);
            }
            Assert.Null(await Studio.Generations.GetAsync(fixture.Ada.Id, take.Id));
            using (var after = await asAda.GetAsync(MediaEndpoints.VideoUrl(take.Id)))
            {
                Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
            }
            using (var poster = await asAda.GetAsync(MediaEndpoints.PosterUrl(take.Id, row.Version)))
            {
                Assert.Equal(HttpStatusCode.NotFound, poster.StatusCode);
            }
        }
    }

    [Fact]
    public async Task Zip_StreamsTheChosenVideos_AndAnotherTeamsIdIsNotFound()
    {
        var (asAda, _) = await Studio.SignInAsync(fixture.Ada);
        var (asBo, _) = await Studio.SignInAsync(fixture.Bo);
        using (asAda)
        using (asBo)
        {
            var url = $"{MediaEndpoints.ZipUrl(fixture.Project)}?ids={fixture.First.Id},{fixture.Second.Id}";
            using var response = await asAda.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
            Assert.Null(response.Content.Headers.ContentLength); // streamed, not built first
            Assert.Contains("attachment", response.Content.Headers.ContentDisposition?.ToString());
            var bytes = await response.Content.ReadAsByteArrayAsync();
            using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
            Assert.Equal(2, zip.Entries.Count);
            var blobs = Studio.Services.GetRequiredService<IBlobStore>();
            foreach (var (take, entry) in new[] { fixture.First, fixture.Second }.Zip(zip.Entries))
            {
                Assert.EndsWith($"-{take.Id.ToString("N")[..8]}.mp4", entry.FullName);
                await using var inZip = entry.Open();
                using var copy = new MemoryStream();
                await inZip.CopyToAsync(copy);
                Assert.Equal(take.VideoBytes, copy.Length);
                Assert.Equal(take.VideoSha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(copy.ToArray())));
            }

            // Many ids go in a form post.
            using var posted = await asAda.PostAsync(MediaEndpoints.ZipUrl(fixture.Project),
                new FormUrlEncodedContent(new Dictionary<string, string> { ["ids"] = $"{fixture.First.Id}" }));
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);

            // Bo is not in Ada's team: 404 for her ids, and for a mix of his project and her take.
            using var forBo = await asBo.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, forBo.StatusCode);
            using var mixed = await asBo.GetAsync($"{MediaEndpoints.ZipUrl(fixture.ProjectOfBo)}?ids={fixture.First.Id}");
            Assert.Equal(HttpStatusCode.NotFound, mixed.StatusCode);
            using var unknown = await asAda.GetAsync($"{MediaEndpoints.ZipUrl(fixture.Project)}?ids={fixture.First.Id},{Guid.NewGuid()}");
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }
    }

    [Fact]
    public async Task VideoWithDownload_IsAnAttachment()
    {
        var (asAda, _) = await Studio.SignInAsync(fixture.Ada);
        using (asAda)
        {
            using var download = await asAda.GetAsync(MediaEndpoints.DownloadUrl(fixture.First.Id), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.StartsWith("attachment", download.Content.Headers.ContentDisposition?.ToString());
            using var play = await asAda.GetAsync(MediaEndpoints.VideoUrl(fixture.First.Id), HttpCompletionOption.ResponseHeadersRead);
            Assert.StartsWith("inline", play.Content.Headers.ContentDisposition?.ToString());
        }
    }
}
