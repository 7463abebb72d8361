using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Studio.IntegrationTests.Studio;
using Studio.Web.Features.Audit;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Sharing;
using Studio.Web.Features.Teams;

namespace Studio.IntegrationTests.Sharing;

/// <summary>
/// A Sandbox studio on a real port with two teams. Ada's team: Ada (owner) and Vi (viewer); project "Harbour" with a
/// Ready take and a deleted Ready take, project "Backstage" with one Ready take. Bo has a team of his own.
/// </summary>
public sealed class ShareLinkFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = TestPaths.NewDirectory("sharing");

    public StudioTestHost Studio { get; private set; } = null!;
    public TestUser Ada { get; private set; } = null!;
    public TestUser Vi { get; private set; } = null!;
    public TestUser Bo { get; private set; } = null!;
    public Guid Harbour { get; private set; }
    public Guid Backstage { get; private set; }
    public Generation Shown { get; private set; } = null!;
    public Generation Deleted { get; private set; } = null!;
    public Generation OtherProject { get; private set; } = null!;
    /// <summary>A link to <see cref="Deleted"/>, made while the take still existed.</summary>
    public string TokenOfDeletedTake { get; private set; } = "";

    public ShareService Shares => Studio.Services.GetRequiredService<ShareService>();

    public async Task InitializeAsync()
    {
        Studio = StudioTestHost.StartSandbox(_dataDirectory, emulatorRunningSeconds: 0.5);
        Ada = await Studio.RegisterAsync("Ada");
        Vi = await Studio.RegisterAsync("Vi");
        Bo = await Studio.RegisterAsync("Bo");
        await using (var db = await Studio.DbAsync())
        {
            db.TeamMembers.Add(new TeamMember { TeamId = Ada.TeamId, UserId = Vi.Id, Role = TeamRole.Viewer, JoinedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        Harbour = await Studio.CreateProjectAsync(Ada, "Harbour at dawn");
        Backstage = await Studio.CreateProjectAsync(Ada, "Backstage");
        var shown = await Studio.SubmitAsync(Ada, Harbour, StudioTestHost.TextDraft("SECRET-PROMPT-SHOWN fishing boats in mist"));
        var deleted = await Studio.SubmitAsync(Ada, Harbour, StudioTestHost.TextDraft("SECRET-PROMPT-DELETED gulls"));
        var other = await Studio.SubmitAsync(Ada, Backstage, StudioTestHost.TextDraft("SECRET-PROMPT-OTHER lights"));
        Shown = await Studio.WaitForStateAsync(shown, GenerationState.Ready);
        Deleted = await Studio.WaitForStateAsync(deleted, GenerationState.Ready);
        OtherProject = await Studio.WaitForStateAsync(other, GenerationState.Ready);

        var link = await Shares.CreateAsync(Ada.Id, ShareTarget.Video(Deleted.Id), TimeSpan.FromDays(1));
        Assert.True(link.Succeeded, link.Error);
        TokenOfDeletedTake = link.Token!;
        // Deleted as an admin's delete leaves it: the row (and here even the blobs) still there, marked deleted.
        await using (var db = await Studio.DbAsync())
        {
            await db.Generations.Where(g => g.Id == deleted).ExecuteUpdateAsync(s => s.SetProperty(g => g.DeletedAt, DateTime.UtcNow));
        }
    }

    public async Task DisposeAsync()
    {
        await Studio.DisposeAsync();
        TestPaths.TryDelete(_dataDirectory);
    }
}

/// <summary>Share links work signed out, only for what they share, and stop after expiry and after revoke.</summary>
public sealed class ShareLinkTests(ShareLinkFixture fixture) : IClassFixture<ShareLinkFixture>
{
    private const string GoneText = "This link has expired or was revoked";

    private StudioTestHost Studio => fixture.Studio;
    private ShareService Shares => fixture.Shares;

    [Fact]
    public async Task VideoLink_WorksSignedOut_WithRanges_ThenAnswers404AfterRevoke()
    {
        var created = await Shares.CreateAsync(fixture.Ada.Id, ShareTarget.Video(fixture.Shown.Id), TimeSpan.FromDays(7));
        Assert.True(created.Succeeded, created.Error);
        var token = created.Token!;
        using var anonymous = SignedOut();

        using (var page = await GetPageAsync(anonymous, token))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            AssertPrivacyHeaders(page);
            var html = WithoutComponentState(await page.Content.ReadAsStringAsync());
            Assert.Contains("Harbour at dawn", html);
            Assert.Contains("16:9 landscape", html);
            Assert.Contains(ShareService.VideoPath(token, fixture.Shown.Id), html);
            // Nothing of the team beyond the video: no prompt, no maker, no other take.
            Assert.DoesNotContain("SECRET-PROMPT", html);
            Assert.DoesNotContain("Ada", html);
            Assert.DoesNotContain(fixture.Ada.Email, html);
            Assert.DoesNotContain(fixture.Deleted.Id.ToString(), html);
            Assert.DoesNotContain(fixture.OtherProject.Id.ToString(), html);
        }

        using (var whole = await anonymous.GetAsync(ShareService.VideoPath(token, fixture.Shown.Id)))
        {
            Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
            Assert.Equal("video/mp4", whole.Content.Headers.ContentType?.MediaType);
            Assert.Equal(fixture.Shown.VideoBytes, (await whole.Content.ReadAsByteArrayAsync()).LongLength);
            AssertPrivacyHeaders(whole);
            Assert.Equal("bytes", string.Join(",", whole.Headers.AcceptRanges));
        }
        using (var range = new HttpRequestMessage(HttpMethod.Get, ShareService.VideoPath(token, fixture.Shown.Id)))
        {
            range.Headers.Range = new RangeHeaderValue(100, 199);
            using var partial = await anonymous.SendAsync(range);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal(100, (await partial.Content.ReadAsByteArrayAsync()).Length);
            Assert.Equal(100, partial.Content.Headers.ContentRange?.From);
            Assert.Equal(fixture.Shown.VideoBytes, partial.Content.Headers.ContentRange?.Length);
        }
        using (var poster = await anonymous.GetAsync(ShareService.PosterPath(token, fixture.Shown.Id, fixture.Shown.Version)))
        {
            Assert.Equal(HttpStatusCode.OK, poster.StatusCode);
            Assert.Equal("image/jpeg", poster.Content.Headers.ContentType?.MediaType);
        }

        Assert.Null(await Shares.RevokeAsync(fixture.Ada.Id, created.Link!.Id));

        using (var page = await GetPageAsync(anonymous, token))
        {
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
            AssertPrivacyHeaders(page);
            var html = await page.Content.ReadAsStringAsync();
            Assert.Contains(GoneText, html);
            Assert.DoesNotContain("Harbour at dawn", html);
        }
        using (var video = await anonymous.GetAsync(ShareService.VideoPath(token, fixture.Shown.Id)))
        {
            Assert.Equal(HttpStatusCode.NotFound, video.StatusCode);
        }
        using (var poster = await anonymous.GetAsync(ShareService.PosterPath(token, fixture.Shown.Id, fixture.Shown.Version)))
        {
            Assert.Equal(HttpStatusCode.NotFound, poster.StatusCode);
        }
        Assert.DoesNotContain(await Shares.ListLiveAsync(fixture.Ada.Id, ShareTarget.Video(fixture.Shown.Id)), l => l.Id == created.Link.Id);

        await using var db = await Studio.DbAsync();
        var audit = await db.AuditEntries.AsNoTracking().Where(a => a.TargetId == created.Link.Id.ToString()).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal([AuditActions.ShareCreated, AuditActions.ShareRevoked], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal(fixture.Ada.TeamId, a.TeamId));
        Assert.All(audit, a => Assert.Equal(fixture.Ada.Id, a.ActorUserId));
    }

    [Fact]
    public async Task VideoLink_AfterItExpires_Answers404WithTheSamePageAsAnUnknownLink()
    {
        // Real time (the share page reads the studio's clock): long enough that the first look comes before the expiry
        // even on a loaded CI machine, where 3 s was a close call.
        var created = await Shares.CreateAsync(fixture.Ada.Id, ShareTarget.Video(fixture.Shown.Id), TimeSpan.FromSeconds(8));
        Assert.True(created.Succeeded, created.Error);
        using var anonymous = SignedOut();

        using (var page = await GetPageAsync(anonymous, created.Token!))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        var deadline = created.Link!.ExpiresAt.AddSeconds(30);
        HttpStatusCode status;
        string expiredHtml;
        while (true)
        {
            using var page = await GetPageAsync(anonymous, created.Token!);
            status = page.StatusCode;
            expiredHtml = await page.Content.ReadAsStringAsync();
            if (status == HttpStatusCode.NotFound || DateTime.UtcNow > deadline)
            {
                break;
            }
            Assert.Equal(HttpStatusCode.OK, status);
            await Task.Delay(250);
        }
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.True(DateTime.UtcNow >= created.Link.ExpiresAt, "the link stopped before its expiry");
        using (var video = await anonymous.GetAsync(ShareService.VideoPath(created.Token!, fixture.Shown.Id)))
        {
            Assert.Equal(HttpStatusCode.NotFound, video.StatusCode);
        }

        // Expired, revoked and never-issued look the same: the page does not say which.
        var unknownToken = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        using var unknown = await GetPageAsync(anonymous, unknownToken);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(VisibleMain(await unknown.Content.ReadAsStringAsync()), VisibleMain(expiredHtml));
        Assert.Contains(GoneText, VisibleMain(expiredHtml));
        using var malformed = await GetPageAsync(anonymous, "not-a-token");
        Assert.Equal(HttpStatusCode.NotFound, malformed.StatusCode);
        Assert.Equal(VisibleMain(await malformed.Content.ReadAsStringAsync()), VisibleMain(expiredHtml));
    }

    [Fact]
    public async Task Create_TokenIs32RandomBytes_AndOnlyItsHashIsStored()
    {
        var first = await Shares.CreateAsync(fixture.Ada.Id, ShareTarget.Video(fixture.Shown.Id), TimeSpan.FromHours(1));
        var second = await Shares.CreateAsync(fixture.Ada.Id, ShareTarget.Video(fixture.Shown.Id), TimeSpan.FromHours(1));
        Assert.True(first.Succeeded && second.Succeeded);

        Assert.Equal(32, WebEncoders.Base64UrlDecode(first.Token!).Length);
        Assert.Equal(32, WebEncoders.Base64UrlDecode(second.Token!).Length);
        Assert.NotEqual(first.Token, second.Token);
        await using var db = await Studio.DbAsync();
        var row = await db.ShareLinks.AsNoTracking().SingleAsync(s => s.Id == first.Link!.Id);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(first.Token!))), row.TokenHash);
        Assert.Equal(fixture.Ada.TeamId, row.TeamId);
        Assert.Equal(fixture.Shown.Id, row.GenerationId);
        Assert.Null(row.ProjectId);
        // The token itself is nowhere in the database: not in the link, not in the audit entry.
        Assert.False(await db.ShareLinks.AnyAsync(s => s.TokenHash == first.Token));
        Assert.False(await db.AuditEntries.AnyAsync(a => a.Summary.Contains(first.Token!)));
        Assert.Equal(new Uri($"https://studio.example/s/{first.Token}"), Shares.LinkUrl(first.Token!, new Uri("https://studio.example/")));
    }

    [Fact]
    public async Task Create_ForAnotherTeamsTakeOrProject_IsNotFound_AndStoresNothing()
    {
        await using var db = await Studio.DbAsync();
        var links = await db.ShareLinks.CountAsync();
        var audit = await db.AuditEntries.CountAsync();

        var video = await Shares.CreateAsync(fixture.Bo.Id, ShareTarget.Video(fixture.Shown.Id), TimeSpan.FromDays(1));
        var project = await Shares.CreateAsync(fixture.Bo.Id, ShareTarget.Project(fixture.Harbour), TimeSpan.FromDays(1));
        var missing = await Shares.CreateAsync(fixture.Ada.Id, ShareTarget.Video(Guid.NewGuid()), TimeSpan.FromDays(1));

        Assert.All([video, project, missing], r =>
        {
            Assert.False(r.Succeeded);
            Assert.Null(r.Token);
            Assert.Equal(ShareService.NotFoundError, r.Error);
        });
        Assert.Equal(links, await db.ShareLinks.CountAsync());
        Assert.Equal(audit, await db.AuditEntries.CountAsync());
        Assert.Empty(await Shares.ListLiveAsync(fixture.Bo.Id, ShareTarget.Project(fixture.Harbour)));
    }

    [Fact]
    public async Task Create_AsViewer_IsNotFound_AndViewerCannotListOrRevoke()
    {
        var asViewer = await Shares.CreateAsync(fixture.Vi.Id, ShareTarget.Video(fixture.Shown.Id), TimeSpan.FromDays(1));
        Assert.False(asViewer.Succeeded);
        Assert.Equal(ShareService.NotFoundError, asViewer.Error);

        var byAda = await Shares.CreateAsync(fixture.Ada.Id, ShareTarget.Project(fixture.Harbour), TimeSpan.FromDays(1));
        Assert.True(byAda.Succeeded, byAda.Error);
        Assert.Empty(await Shares.ListLiveAsync(fixture.Vi.Id, ShareTarget.Project(fixture.Harbour)));
        Assert.NotNull(await Shares.RevokeAsync(fixture.Vi.Id, byAda.Link!.Id));
        Assert.NotNull(await Shares.RevokeAsync(fixture.Bo.Id, byAda.Link.Id));
        Assert.Contains(await Shares.ListLiveAsync(fixture.Ada.Id, ShareTarget.Project(fixture.Harbour)), l => l.Id == byAda.Link.Id);
        Assert.NotNull(await Shares.ResolveAsync(byAda.Token!));
    }

    [Fact]
    public async Task Create_LongerThan90Days_IsRefused()
    {
        var result = await Shares.CreateAsync(fixture.Ada.Id, ShareTarget.Video(fixture.Shown.Id), TimeSpan.FromDays(91));

        Assert.False(result.Succeeded);
        Assert.Contains("90 days", result.Error);
    }

    [Fact]
    public async Task ProjectLink_ShowsOnlyThatProjectsLiveTakes_AndServesNothingElse()
    {
        var created = await Shares.CreateAsync(fixture.Ada.Id, ShareTarget.Project(fixture.Harbour), TimeSpan.FromDays(1));
        Assert.True(created.Succeeded, created.Error);
        var token = created.Token!;
        using var anonymous = SignedOut();

        using (var page = await GetPageAsync(anonymous, token))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var html = WithoutComponentState(await page.Content.ReadAsStringAsync());
            Assert.Contains("Harbour at dawn", html);
            Assert.Contains(ShareService.VideoPath(token, fixture.Shown.Id), html);
            Assert.DoesNotContain(fixture.Deleted.Id.ToString(), html);
            Assert.DoesNotContain(fixture.OtherProject.Id.ToString(), html);
            Assert.DoesNotContain("SECRET-PROMPT", html);
            Assert.DoesNotContain("Backstage", html);
        }

        using (var shown = await anonymous.GetAsync(ShareService.VideoPath(token, fixture.Shown.Id)))
        {
            Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        }
        foreach (var notShared in new[] { fixture.Deleted.Id, fixture.OtherProject.Id, Guid.NewGuid() })
        {
            using var video = await anonymous.GetAsync(ShareService.VideoPath(token, notShared));
            Assert.Equal(HttpStatusCode.NotFound, video.StatusCode);
            using var poster = await anonymous.GetAsync(ShareService.PosterPath(token, notShared, 1));
            Assert.Equal(HttpStatusCode.NotFound, poster.StatusCode);
        }
    }

    [Fact]
    public async Task VideoLink_OpensOnlyItsOwnTake_AndNothingOnceTheTakeIsDeleted()
    {
        var created = await Shares.CreateAsync(fixture.Ada.Id, ShareTarget.Video(fixture.Shown.Id), TimeSpan.FromDays(1));
        Assert.True(created.Succeeded, created.Error);
        using var anonymous = SignedOut();

        using (var sibling = await anonymous.GetAsync(ShareService.VideoPath(created.Token!, fixture.OtherProject.Id)))
        {
            Assert.Equal(HttpStatusCode.NotFound, sibling.StatusCode);
        }

        using (var page = await GetPageAsync(anonymous, fixture.TokenOfDeletedTake))
        {
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
            Assert.Contains(GoneText, await page.Content.ReadAsStringAsync());
        }
        using (var video = await anonymous.GetAsync(ShareService.VideoPath(fixture.TokenOfDeletedTake, fixture.Deleted.Id)))
        {
            Assert.Equal(HttpStatusCode.NotFound, video.StatusCode);
        }
        var again = await Shares.CreateAsync(fixture.Ada.Id, ShareTarget.Video(fixture.Deleted.Id), TimeSpan.FromDays(1));
        Assert.False(again.Succeeded);
    }

    private HttpClient SignedOut() => Studio.CreateClient().Client;

    private static async Task<HttpResponseMessage> GetPageAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/" + ShareService.PagePath(token));
        request.Headers.Accept.ParseAdd("text/html");
        return await client.SendAsync(request);
    }

    private static void AssertPrivacyHeaders(HttpResponseMessage response)
    {
        Assert.Contains("noindex", string.Join(",", response.Headers.GetValues("X-Robots-Tag")));
        Assert.Equal("no-referrer", string.Join(",", response.Headers.GetValues("Referrer-Policy")));
    }

    /// <summary>The page without Blazor's protected component-state comment (random base64 could hold any short word).</summary>
    private static string WithoutComponentState(string html)
    {
        var start = html.IndexOf("<!--Blazor-", StringComparison.Ordinal);
        return start < 0 ? html : html[..start] + html[(html.IndexOf("-->", start, StringComparison.Ordinal) + 3)..];
    }

    /// <summary>The page's main content, without the per-request antiforgery and component-state bits.</summary>
    private static string VisibleMain(string html)
    {
        var start = html.IndexOf("<main", StringComparison.Ordinal);
        var end = html.IndexOf("</main>", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "the page has a <main>");
        return html[start..end];
    }
}
