using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Studio.IntegrationTests.Emulator;
using Studio.IntegrationTests.Studio;
using Studio.Web.Data;
using Studio.Web.Features.Gallery;
using Studio.Web.Features.Comments;
using Studio.Web.Features.Credits;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Live;
using Studio.Web.Features.Projects;
using Studio.Web.Features.Sharing;
using Studio.Web.Features.Storyboards;
using Studio.Web.Features.Teams;
using Studio.Web.Features.Webhooks;
using static Studio.IntegrationTests.Teams.AuthorizationMatrixFixture;
using Fx = Studio.IntegrationTests.Teams.AuthorizationMatrixFixture;

namespace Studio.IntegrationTests.Teams;

/// <summary>
/// Issue 6's authorization matrix: every page, endpoint, hub behaviour and service action the pages call, as each of
/// six callers (anonymous; Owner, Admin, Editor and Viewer of team T; a member of another team). Each cell is one test
/// named for what it expects, e.g. (surfaceName: "GET /team/audit", caller: Viewer, expected: "200, lock message").
/// The rules are TeamPermissions': Viewer watches and comments; Editor also composes, generates, shares; Admin also
/// manages members, invites, keys, deletes takes and reads the audit log; Owner also hands the team over (and deletes
/// it). Someone outside the team gets "not found", never "forbidden" and never the data; anonymous is sent to sign in.
/// </summary>
public sealed class AuthorizationMatrixTests(Fx fx) : IClassFixture<Fx>
{
    private static readonly Caller[] Everyone = Enum.GetValues<Caller>();

    // ============================================================================================================
    // 1 and 2. Pages (server prerender, as a browser asks for them) and endpoints, over real HTTP.
    // ============================================================================================================

    private const string ShareButton = "data-testid=\"share-button\"";
    private const string AuditRow = "data-testid=\"audit-row\"";
    private const string SharedVideo = "data-testid=\"shared-video\"";
    private const string InviteSection = "Create invite link";
    private const string KeysLock = "Only the team's owner and admins can manage provider keys.";
    private const string AuditLock = "Only the team's owner and admins can read its audit log.";
    /// <summary>An entry only T's audit log has ("Violet joined as Viewer through an invite link").</summary>
    private const string AuditOfT = "joined as Viewer";

    private static readonly HttpSurface[] Pages =
    [
        Page("/", c => c == Caller.Anonymous
            ? Html("the landing page", shows: ["Make short films together."])
            : Redirect("/projects")),
        Page("/projects", c => c switch
        {
            Caller.Anonymous => ToLogin,
            Caller.Outsider => Html("its own team's projects, nothing of T", shows: [OutsiderTeamName, OutsiderProjectName], hides: [TeamName, ProjectName]),
            _ => Html("T's projects", shows: [TeamName, ProjectName]),
        }),
        Page("/projects/{P}", c => c switch
        {
            Caller.Anonymous => ToLogin,
            Caller.Outsider => NotFoundPage(shows: ["There is nothing here, or it belongs to a team you are not in."], hides: [ProjectName, TeamName]),
            Caller.Viewer => Html("the project without a Share button", shows: [ProjectName], hides: [ShareButton]),
            _ => Html("the project with its Share button", shows: [ProjectName, ShareButton]),
        }),
        // Storyboards (issue 8): every member reads the editor (a Viewer read-only); the outsider is told nothing exists.
        Page("/projects/{P}/storyboards/{S}", c => c switch
        {
            Caller.Anonymous => ToLogin,
            Caller.Outsider => NotFoundPage(shows: ["There is nothing here, or it belongs to a team you are not in."], hides: [StoryboardTitle, ProjectName, TeamName]),
            _ => Html("the storyboard", shows: [StoryboardTitle]),
        }),
        Page("/queue", c => c switch
        {
            Caller.Anonymous => ToLogin,
            Caller.Outsider => Html("its own team's queue, nothing of T", shows: [OutsiderTeamName], hides: [TeamName, QueueMarker]),
            _ => Html("T's queue", shows: [TeamName, QueueMarker]),
        }),
        Page("/team", c => c switch
        {
            Caller.Anonymous => ToLogin,
            Caller.Outsider => Html("its own team, nothing of T", shows: [OutsiderTeamName], hides: [TeamName, "{viewer-email}"]),
            Caller.Owner or Caller.Admin => Html("members and invite links", shows: [TeamName, "{viewer-email}", InviteSection]),
            _ => Html("members, no invite links", shows: [TeamName, "{viewer-email}"], hides: [InviteSection]),
        }),
        Page("/team/providers", c => c switch
        {
            Caller.Anonymous => ToLogin,
            Caller.Outsider => Html("its own team's keys, nothing of T", shows: [OutsiderTeamName, "Test connection"], hides: [TeamName]),
            Caller.Owner or Caller.Admin => Html("T's provider keys", shows: [TeamName, "Test connection"], hides: [KeysLock]),
            _ => Html("lock message", shows: [KeysLock], hides: ["Test connection", "Add key"]),
        }),
        Page("/team/audit", c => c switch
        {
            Caller.Anonymous => ToLogin,
            Caller.Outsider => Html("its own team's log, nothing of T", shows: [OutsiderTeamName, AuditRow], hides: [TeamName, AuditOfT]),
            Caller.Owner or Caller.Admin => Html("T's audit rows", shows: [TeamName, AuditRow, AuditOfT], hides: [AuditLock]),
            _ => Html("lock message", shows: [AuditLock], hides: [AuditRow, AuditOfT]),
        }),
        // An invite link is a capability: whoever holds it may see which team it opens, and nobody joins by looking.
        Page("/invite/{invite}", c => c switch
        {
            Caller.Anonymous => Html("the team and Sign in to join", shows: [TeamName, "Sign in to join"]),
            Caller.Outsider => Html("the team and a Join button", shows: [TeamName], hides: ["already a member", "Sign in to join"]),
            _ => Html("already a member", shows: [TeamName, "You are already a member"]),
        }),
        // A share link is a capability too: the same page for everyone, signed in or not, and never the prompt or the team.
        Page("/s/{project-share}", _ => Html("the shared project", shows: [ProjectName, SharedVideo], hides: [PromptMarker, TeamName])),
        Page("/s/{revoked-share}", _ => NotFoundPage(shows: ["This link has expired or was revoked"], hides: [ProjectName, SharedVideo])),
        // Credits (issue 7): the admin page works on the caller's current team like /team/audit; usage is every member's.
        Page("/team/credits", c => c switch
        {
            Caller.Anonymous => ToLogin,
            Caller.Outsider => Html("its own team's credits, nothing of T", shows: [OutsiderTeamName, "Top up"], hides: [TeamName]),
            // Members' names are in the quota table; the lock page names nobody but the caller (in the user menu).
            Caller.Owner or Caller.Admin => Html("T's budgets and quotas", shows: [TeamName, "Top up", "Violet", "Eddie"], hides: [CreditsLock]),
            Caller.Editor => Html("lock message", shows: [CreditsLock], hides: ["Top up", "Violet"]),
            _ => Html("lock message", shows: [CreditsLock], hides: ["Top up", "Eddie"]),
        }),
        Page("/usage", c => c switch
        {
            Caller.Anonymous => ToLogin,
            Caller.Outsider => Html("its own team's usage, nothing of T", shows: [OutsiderTeamName, "Usage"], hides: [TeamName]),
            _ => Html("T's usage", shows: [TeamName, "Usage"]),
        }),
        // Site administration: the first account of the studio (the owner here) is its site administrator; for
        // everyone else the page does not exist.
        Page("/admin/prices", c => c switch
        {
            Caller.Anonymous => ToLogin,
            Caller.Owner => Html("the price table", shows: ["Prices", "Gen-4.5"]),
            _ => NotFoundPage(shows: ["There is nothing here"], hides: ["Gen-4.5"]),
        }),
    ];

    private const string CreditsLock = "Only the team's owner and admins can set budgets and quotas and grant top-ups.";

    private static readonly string ThisPeriod = CreditPeriods.StartOf(DateTime.UtcNow, 1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly HttpSurface[] Endpoints =
    [
        Get("/media/generations/{R}/video", c => Members(c, Media("video/mp4"))),
        Get("/media/generations/{R}/poster", c => Members(c, Media("image/"))),
        Get("/media/generations/{R}/first-frame", c => Members(c, Media("image/png"))),
        Get("/media/projects/{P}/zip?ids={R}", c => Members(c, Media("application/zip"))),
        new("POST", "/media/projects/{P}/zip", c => Members(c, Media("application/zip")), Form: ("ids", "{R}")),
        Get("/usage/export.csv?team={T}&period=" + ThisPeriod, c => Members(c, Media("text/csv"))),
        Get("/storyboards/{S}/export.zip", c => Members(c, Media("application/zip"))),
        Get("/storyboards/{S}/contact-sheet.pdf", c => Members(c, Media("application/pdf"))),
        Get("/media/shots/{SH}/first-frame", c => Members(c, Media("image/png"))),
        Get("/s/{video-share}/media/{R}/video", _ => Media("video/mp4")),
        Get("/s/{video-share}/media/{R}/poster", _ => Media("image/")),
        Get("/s/{project-share}/media/{K}/video", _ => Media("video/mp4")),
        Get("/s/{revoked-share}/media/{R}/video", _ => NotFound()),
        Get("/public/first-frames/{R}/{first-frame-token}", _ => Media("image/png")),
        Get("/public/first-frames/{R}/{other-take-token}", _ => NotFound()),
        // Webhooks answer to the token in their URL, whoever sends them; a wrong one changes nothing and says nothing.
        new("POST", "/webhooks/kie/{W}/{wrong-token}", _ => NotFound() with { Effect = false }, Body: KieCallback, Arrange: WebhookTargetAsync),
        new("POST", "/webhooks/kie/{W}/{W-token}", _ => new HttpExpect("200, the take is marked", HttpStatusCode.OK, Effect: true), Body: KieCallback, Arrange: WebhookTargetAsync),
        new("POST", "/account/logout", _ => Redirect("/") with { Label = "302 to /, signed out", Effect = true }, Arrange: SignOutTargetAsync),
    ];

    private const string KieCallback = """{"code":200,"data":{"task_id":"matrix-task"}}""";

    /// <summary>A take of T waiting for its provider's callback, whose token only this row knows.</summary>
    private static async Task<RowSetup> WebhookTargetAsync(Fx fx, Caller caller)
    {
        var token = CallbackLinks.NewToken();
        var id = await fx.AddTakeAsync(GenerationState.Reserved, provider: "kie", callbackTokenHash: CallbackLinks.Hash(token));
        return new RowSetup(
            new Dictionary<string, string> { ["{W}"] = id.ToString(), ["{W-token}"] = token, ["{wrong-token}"] = CallbackLinks.NewToken() },
            Effect: async () => (await fx.Studio.ReadAsync(id)).CallbackReceivedAt is not null);
    }

    /// <summary>A session of the row's own; afterwards, does /projects send it to sign in?</summary>
    private static async Task<RowSetup> SignOutTargetAsync(Fx fx, Caller caller)
    {
        var client = await fx.FreshSessionAsync(caller);
        return new RowSetup(new Dictionary<string, string>(), Client: client, Effect: async () =>
        {
            using var after = await client.GetAsync("/projects");
            return after.StatusCode == HttpStatusCode.Found && LocationPath(client, after) == "/account/login";
        });
    }

    public static IEnumerable<object[]> HttpCells =>
        Pages.Concat(Endpoints).SelectMany(surface => Everyone.Select(caller => new object[] { surface.Name, caller, surface.Expect(caller).Label }));

    [Theory]
    [MemberData(nameof(HttpCells))]
    public async Task Pages_and_endpoints_answer_each_caller_as_the_matrix_says(string surfaceName, Caller caller, string expected)
    {
        var surface = Pages.Concat(Endpoints).Single(s => s.Name == surfaceName);
        var expect = surface.Expect(caller);
        Assert.Equal(expected, expect.Label);
        var cell = $"{surfaceName} as {caller} → {expected}";
        var setup = surface.Arrange is null ? new RowSetup(new Dictionary<string, string>()) : await surface.Arrange(fx, caller);
        var client = setup.Client ?? (await fx.SessionAsync(caller)).Client;

        using var request = new HttpRequestMessage(new HttpMethod(surface.Method), fx.Resolve(surface.Path, setup.Values));
        if (surface.IsPage)
        {
            request.Headers.Accept.ParseAdd("text/html"); // as a browser asks for a page (status pages answer only those)
        }
        if (surface.Form is { } form)
        {
            request.Content = new FormUrlEncodedContent([new(form.Field, fx.Resolve(form.Value, setup.Values))]);
        }
        if (surface.Body is { } body)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        using var response = await client.SendAsync(request);
        var contentType = response.Content.Headers.ContentType?.MediaType ?? "";
        var text = IsMedia(contentType) ? "" : WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.True(expect.Status == response.StatusCode, $"{cell}: answered {(int)response.StatusCode} {contentType}. {Excerpt(text)}");
        if (expect.RedirectPath is { } target)
        {
            Assert.Equal(target, LocationPath(client, response));
        }
        if (expect.ContentType is { } wanted)
        {
            Assert.StartsWith(wanted, contentType);
            Assert.True(response.Content.Headers.ContentLength is null or > 0);
        }
        else
        {
            Assert.False(IsMedia(contentType), $"{cell}: answered with {contentType}");
        }
        foreach (var shown in expect.Shows)
        {
            Assert.True(text.Contains(fx.Resolve(shown), StringComparison.Ordinal), $"{cell}: the answer does not show \"{fx.Resolve(shown)}\". {Excerpt(text)}");
        }
        foreach (var hidden in expect.Hides)
        {
            Assert.False(text.Contains(fx.Resolve(hidden), StringComparison.Ordinal), $"{cell}: the answer shows \"{fx.Resolve(hidden)}\".");
        }
        if (expect.Effect is { } effect)
        {
            Assert.True(effect == await setup.Effect!(), $"{cell}: the call {(effect ? "had no" : "had an")} effect.");
        }
    }

    // ============================================================================================================
    // 3. The hub /hubs/studio: live GenerationChanged events, grouped by team. It has no client-callable methods.
    // ============================================================================================================

    public enum HubExpect { NegotiateRefused, HearsTheTeam, HearsOnlyItsOwnTeam, UnknownMethodRefused }

    private static readonly (Caller Caller, HubExpect Expect)[] HubRows =
    [
        .. Everyone.Select(c => (c, c switch
        {
            Caller.Anonymous => HubExpect.NegotiateRefused,
            Caller.Outsider => HubExpect.HearsOnlyItsOwnTeam,
            _ => HubExpect.HearsTheTeam,
        })),
        .. Everyone.Where(c => c != Caller.Anonymous).Select(c => (c, HubExpect.UnknownMethodRefused)),
    ];

    private static string Describe(HubExpect expect) => expect switch
    {
        HubExpect.NegotiateRefused => "negotiate 401",
        HubExpect.HearsTheTeam => "hears T's GenerationChanged",
        HubExpect.HearsOnlyItsOwnTeam => "hears its own team's events, none of T's",
        _ => "invoking any method fails (NoSuchMethod, OnConnectedAsync)",
    };

    public static IEnumerable<object[]> HubCells => HubRows.Select(row => new object[] { row.Caller, row.Expect });

    [Theory]
    [MemberData(nameof(HubCells))]
    public async Task The_hub_answers_each_caller_as_the_matrix_says(Caller caller, HubExpect expect)
    {
        var cell = $"HUB {StudioHub.Path} as {caller} → {Describe(expect)}";
        var (client, cookies) = await fx.SessionAsync(caller);
        var url = new Uri(client.BaseAddress!, StudioHub.Path.TrimStart('/'));
        var received = new ConcurrentQueue<GenerationChanged>();
        await using var connection = new HubConnectionBuilder()
            .WithUrl(url, HttpTransportType.LongPolling, options => options.Cookies = cookies)
            .Build();
        connection.On<GenerationChanged>(StudioHub.GenerationChangedMethod, received.Enqueue);

        if (expect == HubExpect.NegotiateRefused)
        {
            var refused = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync());
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            return;
        }
        await connection.StartAsync();
        // Invocations are dispatched only after OnConnectedAsync has joined the team groups, so once one is answered
        // (here: refused, the hub has no methods), the connection hears what its groups hear.
        var unknown = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync("NoSuchMethod"));
        Assert.Contains("Method does not exist", unknown.Message, StringComparison.Ordinal);
        if (expect == HubExpect.UnknownMethodRefused)
        {
            await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync(nameof(StudioHub.OnConnectedAsync)));
            Assert.Equal(HubConnectionState.Connected, connection.State);
            return;
        }

        // A real change of T: its owner dismisses an uncertain take (the service publishes it).
        var ofTeam = await fx.AddTakeAsync(GenerationState.Uncertain);
        Assert.Null(await fx.Service<GenerationService>().CancelAsync(fx.Owner.Id, ofTeam));
        if (expect == HubExpect.HearsTheTeam)
        {
            await WaitUntilAsync(() => received.Any(c => c.GenerationId == ofTeam && c.State == GenerationState.Cancelled), cell);
            Assert.All(received.Where(c => c.GenerationId == ofTeam), c => Assert.Equal(fx.TeamId, c.TeamId));
            return;
        }
        // Then one of the outsider's own team. A connection's messages arrive in order, so once this one is in, T's
        // (sent first) would be too, had this connection been in T's group.
        var own = await fx.AddTakeAsync(GenerationState.Uncertain, projectId: fx.OutsiderProjectId, teamId: fx.Outsider.TeamId, createdBy: fx.Outsider.Id);
        Assert.Null(await fx.Service<GenerationService>().CancelAsync(fx.Outsider.Id, own));
        await WaitUntilAsync(() => received.Any(c => c.GenerationId == own), cell);
        Assert.DoesNotContain(received, c => c.GenerationId == ofTeam || c.TeamId == fx.TeamId);
    }

    // ============================================================================================================
    // 4. Service actions the interactive pages call (a Blazor Server button has no HTTP endpoint: the authorization
    //    is in these services). Each row acts on T's resources, or on ones it makes for itself when it destroys, and
    //    checks the outcome and the effect: allowed ⇔ the database changed (or T's data came back); refused and
    //    not-found change nothing and return nothing. Anonymous: the pages that call these are [Authorize]d, so an
    //    anonymous caller never gets here (the page rows show the redirect); called anyway with an id no account
    //    has, every service still answers "not found".
    //    Not here, because the page checks the role itself and the service trusts its caller with a bare team id:
    //    ProviderConnections.SetTeamKeyAsync/RemoveTeamKeyAsync (TeamProvidersPage) and AuditLog.ReadAsync
    //    (AuditPage); the page rows for /team/providers and /team/audit cover them.
    // ============================================================================================================

    public enum Outcome { Allowed, Refused, NotFound }

    private static readonly ServiceSurface[] Actions =
    [
        // ---- Generations and the gallery ----
        new("GenerationService.SubmitAsync", "in T's project", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var user = fx.UserId(caller);
            var before = await CountAsync(fx, db => db.Generations.CountAsync(g => g.ProjectId == fx.ProjectId && g.CreatedByUserId == user));
            var result = await fx.Service<GenerationService>().SubmitAsync(user, fx.ProjectId, StudioTestHost.TextDraft($"{PromptMarker} submitted by the matrix"));
            var after = await CountAsync(fx, db => db.Generations.CountAsync(g => g.ProjectId == fx.ProjectId && g.CreatedByUserId == user));
            return new(Of(result), after > before, string.Join("; ", result.Errors.Values));
        }),
        new("GenerationService.CancelAsync", "of an uncertain take of T", AtLeast(Caller.Editor, below: Outcome.NotFound), async (fx, caller) =>
        {
            var take = await fx.AddTakeAsync(GenerationState.Uncertain);
            var error = await fx.Service<GenerationService>().CancelAsync(fx.UserId(caller), take);
            var outcome = error is null ? Outcome.Allowed : error == "Take not found." ? Outcome.NotFound : Outcome.Refused;
            return new(outcome, (await fx.Studio.ReadAsync(take)).State == GenerationState.Cancelled, error);
        }),
        new("GenerationService.RetryUncertainAsync", "of an uncertain take of T", AtLeast(Caller.Editor, below: Outcome.NotFound), async (fx, caller) =>
        {
            var take = await fx.AddTakeAsync(GenerationState.Uncertain);
            var result = await fx.Service<GenerationService>().RetryUncertainAsync(fx.UserId(caller), take);
            return new(Of(result), (await fx.Studio.ReadAsync(take)).State == GenerationState.Cancelled, string.Join("; ", result.Errors.Values));
        }),
        new("GenerationService.ExtendAsync", "of T's ready kie take", AtLeast(Caller.Editor, below: Outcome.NotFound), async (fx, caller) =>
        {
            var user = fx.UserId(caller);
            var before = await CountAsync(fx, db => db.Generations.CountAsync(g => g.ParentGenerationId == fx.ReadyKie.Id && g.CreatedByUserId == user));
            var result = await fx.Service<GenerationService>().ExtendAsync(user, fx.ReadyKie.Id, "The boats drift under a bridge", "720p");
            var after = await CountAsync(fx, db => db.Generations.CountAsync(g => g.ParentGenerationId == fx.ReadyKie.Id && g.CreatedByUserId == user));
            return new(Of(result), after > before, string.Join("; ", result.Errors.Values));
        }),
        new("GenerationService.GetAsync", "of T's take", AtLeast(Caller.Viewer), async (fx, caller) =>
            Read(await fx.Service<GenerationService>().GetAsync(fx.UserId(caller), fx.Ready.Id) is { } view && view.PromptText.Contains(PromptMarker))),
        new("GenerationService.ListForProjectAsync", "of T's project", AtLeast(Caller.Viewer), async (fx, caller) =>
            Read((await fx.Service<GenerationService>().ListForProjectAsync(fx.UserId(caller), fx.ProjectId)).Any(t => t.Id == fx.Ready.Id))),
        new("GenerationService.GalleryPageAsync", "of T's project", AtLeast(Caller.Viewer), async (fx, caller) =>
        {
            var page = await fx.Service<GenerationService>().GalleryPageAsync(fx.UserId(caller), fx.ProjectId, GalleryFilter.None with { Search = PromptMarker }, 0, 500);
            return new(page is null ? Outcome.NotFound : Outcome.Allowed, page?.Takes.Any(t => t.Id == fx.Ready.Id) == true);
        }),
        new("GenerationService.GalleryFacetsAsync", "of T's project", AtLeast(Caller.Viewer), async (fx, caller) =>
        {
            var facets = await fx.Service<GenerationService>().GalleryFacetsAsync(fx.UserId(caller), fx.ProjectId);
            return Read(facets.Providers.Count + facets.Models.Count + facets.Creators.Count > 0);
        }),
        new("GenerationService.SetFavouriteAsync", "on T's take", AtLeast(Caller.Viewer), async (fx, caller) =>
        {
            var user = fx.UserId(caller);
            await CountAsync(fx, db => db.Favourites.Where(f => f.UserId == user && f.GenerationId == fx.Ready.Id).ExecuteDeleteAsync());
            var done = await fx.Service<GenerationService>().SetFavouriteAsync(user, fx.Ready.Id, favourite: true);
            var starred = await CountAsync(fx, db => db.Favourites.CountAsync(f => f.UserId == user && f.GenerationId == fx.Ready.Id));
            return new(done ? Outcome.Allowed : Outcome.NotFound, starred == 1);
        }),
        new("GenerationService.DeleteTakesAsync", "of a finished take of T", AtLeast(Caller.Admin), async (fx, caller) =>
        {
            var take = await fx.AddTakeAsync(GenerationState.Ready);
            var result = await fx.Service<GenerationService>().DeleteTakesAsync(fx.UserId(caller), fx.ProjectId, [take]);
            var outcome = result.Succeeded ? Outcome.Allowed : result.IsNotFound ? Outcome.NotFound : Outcome.Refused;
            return new(outcome, (await fx.Studio.ReadAsync(take)).DeletedAt is not null, result.Error);
        }),
        // A bare yes or no: "no" to everyone else alike (a stranger learns nothing from it), so "Refused" here means false.
        new("GenerationService.CanDeleteTakesAsync", "in T's project", c => c is Caller.Owner or Caller.Admin ? Outcome.Allowed : Outcome.Refused, async (fx, caller) =>
        {
            var yes = await fx.Service<GenerationService>().CanDeleteTakesAsync(fx.UserId(caller), fx.ProjectId);
            return new(yes ? Outcome.Allowed : Outcome.Refused, yes);
        }),

        // ---- Projects ----
        new("ProjectService.ListAsync", "of T", AtLeast(Caller.Viewer), async (fx, caller) =>
            Read((await fx.Service<ProjectService>().ListAsync(fx.UserId(caller), fx.TeamId)).Any(p => p.Id == fx.ProjectId))),
        new("ProjectService.GetAsync", "of T's project", AtLeast(Caller.Viewer), async (fx, caller) =>
            Read(await fx.Service<ProjectService>().GetAsync(fx.UserId(caller), fx.ProjectId) is { Name: ProjectName })),
        new("ProjectService.CreateAsync", "in T", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var name = $"Matrix {caller} {Guid.NewGuid():N}"[..40];
            var result = await fx.Service<ProjectService>().CreateAsync(fx.UserId(caller), fx.TeamId, name);
            return new(Of(result), await CountAsync(fx, db => db.Projects.CountAsync(p => p.TeamId == fx.TeamId && p.Name == name)) == 1, result.Error);
        }),
        new("ProjectService.RenameAsync", "of a project of T", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var project = await fx.Studio.CreateProjectAsync(fx.Owner, "Before");
            var result = await fx.Service<ProjectService>().RenameAsync(fx.UserId(caller), project, "After");
            return new(Of(result), await CountAsync(fx, db => db.Projects.CountAsync(p => p.Id == project && p.Name == "After")) == 1, result.Error);
        }),

        // ---- Share links (a Viewer is told "not found": the service does not say the take exists) ----
        new("ShareService.CreateAsync", "for T's take", AtLeast(Caller.Editor, below: Outcome.NotFound), async (fx, caller) =>
        {
            var user = fx.UserId(caller);
            var result = await fx.Service<ShareService>().CreateAsync(user, ShareTarget.Video(fx.Ready.Id), TimeSpan.FromHours(1));
            var outcome = result.Succeeded ? Outcome.Allowed : result.Error == ShareService.NotFoundError ? Outcome.NotFound : Outcome.Refused;
            var made = await CountAsync(fx, db => db.ShareLinks.CountAsync(s => s.CreatedByUserId == user && s.GenerationId == fx.Ready.Id));
            return new(outcome, made > 0 && result.Token is not null, result.Error);
        }),
        new("ShareService.ListLiveAsync", "for T's project", AtLeast(Caller.Editor, below: Outcome.NotFound), async (fx, caller) =>
            Read((await fx.Service<ShareService>().ListLiveAsync(fx.UserId(caller), ShareTarget.Project(fx.ProjectId))).Any(l => l.Id == fx.ProjectShareLinkId))),
        new("ShareService.RevokeAsync", "of a link of T", AtLeast(Caller.Editor, below: Outcome.NotFound), async (fx, caller) =>
        {
            var link = (await fx.Service<ShareService>().CreateAsync(fx.Owner.Id, ShareTarget.Video(fx.Ready.Id), TimeSpan.FromHours(1))).Link!;
            var error = await fx.Service<ShareService>().RevokeAsync(fx.UserId(caller), link.Id);
            var outcome = error is null ? Outcome.Allowed : error == "There is no such link." ? Outcome.NotFound : Outcome.Refused;
            return new(outcome, await CountAsync(fx, db => db.ShareLinks.CountAsync(s => s.Id == link.Id && s.RevokedAt != null)) == 1, error);
        }),

        // ---- Members, roles and invites ----
        new("TeamMembersService.MembersAsync", "of T", AtLeast(Caller.Viewer), async (fx, caller) =>
            Read((await fx.Service<TeamMembersService>().MembersAsync(fx.UserId(caller), fx.TeamId))?.Any(m => m.UserId == fx.Viewer.Id) == true)),
        new("TeamMembersService.RenameAsync", "of a team", AtLeast(Caller.Admin), async (fx, caller) =>
        {
            var team = await fx.ScratchTeamAsync();
            var result = await fx.Service<TeamMembersService>().RenameAsync(fx.UserId(caller), team, "Renamed by the matrix");
            return new(Of(result), await CountAsync(fx, db => db.Teams.CountAsync(t => t.Id == team && t.Name == "Renamed by the matrix")) == 1, result.Error);
        }),
        new("TeamMembersService.ChangeRoleAsync", "of a viewer of T to editor", AtLeast(Caller.Admin), async (fx, caller) =>
        {
            var member = await fx.AddMemberAsync(fx.TeamId, TeamRole.Viewer);
            var result = await fx.Service<TeamMembersService>().ChangeRoleAsync(fx.UserId(caller), fx.TeamId, member, TeamRole.Editor);
            return new(Of(result), await RoleAsync(fx, fx.TeamId, member) == TeamRole.Editor, result.Error);
        }),
        new("TeamMembersService.RemoveAsync", "of a viewer of T", AtLeast(Caller.Admin), async (fx, caller) =>
        {
            var member = await fx.AddMemberAsync(fx.TeamId, TeamRole.Viewer);
            var result = await fx.Service<TeamMembersService>().RemoveAsync(fx.UserId(caller), fx.TeamId, member);
            return new(Of(result), await RoleAsync(fx, fx.TeamId, member) is null, result.Error);
        }),
        // Leaving acts on the caller: an Admin, Editor or Viewer of T made for the row leaves, not Adele, Eddie or Violet.
        new("TeamMembersService.LeaveAsync", "of T", c => c switch
        {
            Caller.Owner => Outcome.Refused, // hands the team over first
            Caller.Anonymous or Caller.Outsider => Outcome.NotFound,
            _ => Outcome.Allowed,
        }, async (fx, caller) =>
        {
            var user = caller is Caller.Admin or Caller.Editor or Caller.Viewer
                ? await fx.AddMemberAsync(fx.TeamId, Enum.Parse<TeamRole>(caller.ToString()))
                : fx.UserId(caller);
            var wasMember = await RoleAsync(fx, fx.TeamId, user) is not null;
            var result = await fx.Service<TeamMembersService>().LeaveAsync(user, fx.TeamId);
            return new(Of(result), wasMember && await RoleAsync(fx, fx.TeamId, user) is null, result.Error);
        }),
        new("TeamMembersService.TransferOwnershipAsync", "of a team to its viewer", AtLeast(Caller.Owner), async (fx, caller) =>
        {
            var team = await fx.ScratchTeamAsync();
            var result = await fx.Service<TeamMembersService>().TransferOwnershipAsync(fx.UserId(caller), team, fx.Viewer.Id);
            return new(Of(result), await RoleAsync(fx, team, fx.Viewer.Id) == TeamRole.Owner, result.Error);
        }),
        new("TeamMembersService.CreateInviteAsync", "to T as viewer", AtLeast(Caller.Admin), async (fx, caller) =>
        {
            var user = fx.UserId(caller);
            var before = await CountAsync(fx, db => db.TeamInvites.CountAsync(i => i.TeamId == fx.TeamId && i.CreatedByUserId == user));
            var result = await fx.Service<TeamMembersService>().CreateInviteAsync(user, fx.TeamId, TeamRole.Viewer, 1, TimeSpan.FromHours(1));
            var after = await CountAsync(fx, db => db.TeamInvites.CountAsync(i => i.TeamId == fx.TeamId && i.CreatedByUserId == user));
            return new(Of(result), after > before, result.Error);
        }),
        new("TeamMembersService.InvitesAsync", "of T", AtLeast(Caller.Admin, below: Outcome.NotFound), async (fx, caller) =>
            Read((await fx.Service<TeamMembersService>().InvitesAsync(fx.UserId(caller), fx.TeamId))?.Count > 0)),
        new("TeamMembersService.RevokeInviteAsync", "of an invite of T", AtLeast(Caller.Admin), async (fx, caller) =>
        {
            var token = (await fx.Service<TeamMembersService>().CreateInviteAsync(fx.Owner.Id, fx.TeamId, TeamRole.Viewer, 1, TimeSpan.FromHours(1))).Value!;
            var hash = CallbackLinks.Hash(token);
            var invite = await CountAsync(fx, db => db.TeamInvites.Where(i => i.TokenHash == hash).Select(i => i.Id).SingleAsync());
            var result = await fx.Service<TeamMembersService>().RevokeInviteAsync(fx.UserId(caller), fx.TeamId, invite);
            return new(Of(result), await CountAsync(fx, db => db.TeamInvites.CountAsync(i => i.Id == invite && i.RevokedAt != null)) == 1, result.Error);
        }),
        new("TeamDeletionService.DeleteTeamAsync", "of a team, its name typed", AtLeast(Caller.Owner), async (fx, caller) =>
        {
            var team = await fx.ScratchTeamAsync();
            var name = await CountAsync(fx, db => db.Teams.Where(t => t.Id == team).Select(t => t.Name).SingleAsync());
            var result = await fx.Service<TeamDeletionService>().DeleteTeamAsync(fx.UserId(caller), team, name);
            return new(Of(result), await CountAsync(fx, db => db.Teams.CountAsync(t => t.Id == team)) == 0, result.Error);
        }),

        // ---- Queue and team settings ----
        new("QueueService.ListAsync", "of T", AtLeast(Caller.Viewer), async (fx, caller) =>
            Read((await fx.Service<QueueService>().ListAsync(fx.UserId(caller), fx.TeamId)).Any(e => e.Id == fx.QueuedTakeId && e.PromptText.Contains(QueueMarker)))),
        new("TeamService.GetRoleAsync", "in T", AtLeast(Caller.Viewer), async (fx, caller) =>
        {
            var role = await fx.Service<TeamService>().GetRoleAsync(fx.UserId(caller), fx.TeamId);
            if (role is not null)
            {
                Assert.Equal(caller.ToString(), role.ToString());
            }
            return Read(role is not null);
        }),
        new("TeamService.SetDefaultProviderAsync", "of a team", AtLeast(Caller.Admin), async (fx, caller) =>
        {
            var team = await fx.ScratchTeamAsync();
            var error = await fx.Service<TeamService>().SetDefaultProviderAsync(fx.UserId(caller), team, "kie");
            var outcome = error is null ? Outcome.Allowed : error == TeamMembersService.NotFound ? Outcome.NotFound : Outcome.Refused;
            return new(outcome, await CountAsync(fx, db => db.Teams.CountAsync(t => t.Id == team && t.DefaultProvider == "kie")) == 1, error);
        }),

        // ---- Comments on a take (Viewer and up) and the notices they leave (each user reads only their own) ----
        new("CommentService.ThreadAsync", "of T's take", AtLeast(Caller.Viewer), async (fx, caller) =>
        {
            await fx.Service<CommentService>().AddAsync(fx.Owner.Id, fx.Ready.Id, $"{PromptMarker} a note to read");
            var thread = await fx.Service<CommentService>().ThreadAsync(fx.UserId(caller), fx.Ready.Id);
            return Read(thread is not null && thread.Comments.Any(c => c.Text.Contains(PromptMarker)) && thread.Teammates.Count >= 4);
        }),
        new("CommentService.AddAsync", "on T's take", AtLeast(Caller.Viewer), async (fx, caller) =>
        {
            var text = $"Comment by {caller} {Guid.NewGuid():N}";
            var result = await fx.Service<CommentService>().AddAsync(fx.UserId(caller), fx.Ready.Id, text);
            var outcome = result.Succeeded ? Outcome.Allowed : result.IsNotFound ? Outcome.NotFound : Outcome.Refused;
            return new(outcome, await CountAsync(fx, db => db.Comments.CountAsync(c => c.Text == text)) == 1, result.Error);
        }),
        // Authors delete their own; of someone else's comment (here a fresh member's), only admins and the owner.
        new("CommentService.DeleteAsync", "of a member's comment on T's take", AtLeast(Caller.Admin), async (fx, caller) =>
        {
            var author = await fx.AddMemberAsync(fx.TeamId, TeamRole.Viewer);
            var comment = (await fx.Service<CommentService>().AddAsync(author, fx.Ready.Id, "Delete me")).Comment!;
            var error = await fx.Service<CommentService>().DeleteAsync(fx.UserId(caller), comment.Id);
            var outcome = error is null ? Outcome.Allowed : error.StartsWith("This comment does not exist") ? Outcome.NotFound : Outcome.Refused;
            return new(outcome, await CountAsync(fx, db => db.Comments.CountAsync(c => c.Id == comment.Id && c.DeletedAt != null)) == 1, error);
        }),
        new("NotificationService.InboxAsync", "holding a notice for the viewer", c => c == Caller.Viewer ? Outcome.Allowed : Outcome.NotFound, async (fx, caller) =>
        {
            var marker = $"{PromptMarker} inbox {Guid.NewGuid():N}";
            await fx.Service<CommentService>().AddAsync(fx.Owner.Id, fx.Ready.Id, $"@Violet {marker}");
            var inbox = await fx.Service<NotificationService>().InboxAsync(fx.UserId(caller));
            return Read(inbox.Recent.Any(n => n.Text.Contains(marker)));
        }),
        new("NotificationService.MarkReadAsync", "of the viewer's notice", c => c == Caller.Viewer ? Outcome.Allowed : Outcome.NotFound, async (fx, caller) =>
        {
            var comment = (await fx.Service<CommentService>().AddAsync(fx.Owner.Id, fx.Ready.Id, $"@Violet read this {Guid.NewGuid():N}")).Comment!;
            var notice = await CountAsync(fx, db => db.Notifications.Where(n => n.CommentId == comment.Id && n.UserId == fx.Viewer.Id).Select(n => n.Id).SingleAsync());
            var found = await fx.Service<NotificationService>().MarkReadAsync(fx.UserId(caller), notice);
            return new(found ? Outcome.Allowed : Outcome.NotFound, await CountAsync(fx, db => db.Notifications.CountAsync(n => n.Id == notice && n.ReadAt != null)) == 1);
        }),

        // ---- Storyboards (issue 8): members read; Editors and up change; only Admins and the owner delete a storyboard ----
        new("StoryboardService.ListAsync", "of T's project", AtLeast(Caller.Viewer), async (fx, caller) =>
            Read((await fx.Service<StoryboardService>().ListAsync(fx.UserId(caller), fx.ProjectId))?.Any(b => b.Id == fx.StoryboardId && b.ShotsSelected == 1) == true)),
        new("StoryboardService.GetAsync", "of Storyboard Sorrel", AtLeast(Caller.Viewer), async (fx, caller) =>
            Read(await fx.Service<StoryboardService>().GetAsync(fx.UserId(caller), fx.StoryboardId) is { Title: StoryboardTitle, ProjectName: ProjectName } view
                && view.Shots[0].HasFirstFrame && view.Shots[0].SelectedGenerationId is not null)),
        new("StoryboardService.CreateAsync", "in T's project", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var title = $"Matrix {caller} {Guid.NewGuid():N}";
            var result = await fx.Service<StoryboardService>().CreateAsync(fx.UserId(caller), fx.ProjectId, title);
            return new(Of(result), await CountAsync(fx, db => db.Storyboards.CountAsync(b => b.ProjectId == fx.ProjectId && b.Title == title)) == 1, result.Error);
        }),
        new("StoryboardService.RenameAsync", "of a storyboard of T", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var (board, _) = await fx.ScratchStoryboardAsync();
            var result = await fx.Service<StoryboardService>().RenameAsync(fx.UserId(caller), board, "Renamed by the matrix");
            return new(Of(result), await CountAsync(fx, db => db.Storyboards.CountAsync(b => b.Id == board && b.Title == "Renamed by the matrix")) == 1, result.Error);
        }),
        new("StoryboardService.SetStyleAsync", "a style of T on a storyboard of T", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var (board, _) = await fx.ScratchStoryboardAsync();
            var preset = await PresetAsync(fx);
            var result = await fx.Service<StoryboardService>().SetStyleAsync(fx.UserId(caller), board, preset);
            return new(Of(result), await CountAsync(fx, db => db.Storyboards.CountAsync(b => b.Id == board && b.StylePresetId == preset)) == 1, result.Error);
        }),
        new("StoryboardService.AddShotAsync", "to a storyboard of T", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var (board, _) = await fx.ScratchStoryboardAsync();
            var result = await fx.Service<StoryboardService>().AddShotAsync(fx.UserId(caller), board);
            return new(Of(result), await LiveShotsAsync(fx, board) == 2, result.Error);
        }),
        new("StoryboardService.DuplicateAsync", "a storyboard of T", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var (board, _) = await fx.ScratchStoryboardAsync();
            var result = await fx.Service<StoryboardService>().DuplicateAsync(fx.UserId(caller), board);
            // Scratch titles are unique, so "<title> (copy)" is this row's copy and no other's.
            return new(Of(result), await CountAsync(fx, db => db.Storyboards.CountAsync(b => b.TeamId == fx.TeamId
                && b.Title == db.Storyboards.Where(o => o.Id == board).Select(o => o.Title).First() + " (copy)")) == 1, result.Error);
        }),
        new("StoryboardService.ImportShotsAsync", "a pasted shot list into a storyboard of T", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var (board, _) = await fx.ScratchStoryboardAsync();
            var result = await fx.Service<StoryboardService>().ImportShotsAsync(fx.UserId(caller), board, "A wave breaks\nA gull lands");
            return new(Of(result), await CountAsync(fx, db => db.Shots.CountAsync(s => s.StoryboardId == board && s.DeletedAt == null && s.PromptText == "A gull lands")) == 1, result.Error);
        }),
        new("StoryboardService.DuplicateShotAsync", "of a shot of T", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var (board, shots) = await fx.ScratchStoryboardAsync();
            var result = await fx.Service<StoryboardService>().DuplicateShotAsync(fx.UserId(caller), shots[0]);
            return new(Of(result), await LiveShotsAsync(fx, board) == 2, result.Error);
        }),
        new("StoryboardService.MoveShotAsync", "of a shot of T, second to first", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var (_, shots) = await fx.ScratchStoryboardAsync(shots: 2);
            var result = await fx.Service<StoryboardService>().MoveShotAsync(fx.UserId(caller), shots[1], 0);
            return new(Of(result), await CountAsync(fx, db => db.Shots.CountAsync(s => s.Id == shots[1] && s.Position == 0)) == 1, result.Error);
        }),
        new("StoryboardService.UpdateShotAsync", "of a shot of T", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var (_, shots) = await fx.ScratchStoryboardAsync();
            var title = $"Edited by {caller}";
            var result = await fx.Service<StoryboardService>().UpdateShotAsync(fx.UserId(caller), shots[0], TextShot(title, $"{PromptMarker} a heron lands"));
            return new(Of(result), await CountAsync(fx, db => db.Shots.CountAsync(s => s.Id == shots[0] && s.Title == title)) == 1, result.Error);
        }),
        new("StoryboardService.DeleteShotAsync", "of a shot of T", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var (_, shots) = await fx.ScratchStoryboardAsync(shots: 2);
            var result = await fx.Service<StoryboardService>().DeleteShotAsync(fx.UserId(caller), shots[1]);
            return new(Of(result), await CountAsync(fx, db => db.Shots.CountAsync(s => s.Id == shots[1] && s.DeletedAt != null)) == 1, result.Error);
        }),
        new("StoryboardService.RestoreShotAsync", "of a deleted shot of T", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var (_, shots) = await fx.ScratchStoryboardAsync(shots: 2);
            Assert.True((await fx.Service<StoryboardService>().DeleteShotAsync(fx.Owner.Id, shots[1])).Succeeded);
            var result = await fx.Service<StoryboardService>().RestoreShotAsync(fx.UserId(caller), shots[1]);
            return new(Of(result), await CountAsync(fx, db => db.Shots.CountAsync(s => s.Id == shots[1] && s.DeletedAt == null)) == 1, result.Error);
        }),
        new("StoryboardService.SetFirstFrameAsync", "of a shot of T", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var (_, shots) = await fx.ScratchStoryboardAsync();
            var image = new FirstFrameImage("frame.png", "image/png", PixazoReceiver.Png);
            var result = await fx.Service<StoryboardService>().SetFirstFrameAsync(fx.UserId(caller), shots[0], image);
            return new(Of(result), await CountAsync(fx, db => db.Shots.CountAsync(s => s.Id == shots[0] && s.FirstFrameBlobKey != null)) == 1, result.Error);
        }),
        // The shot already has a choice (the owner's), so the worker's "first finished take" never picks for it.
        new("StoryboardService.SelectTakeAsync", "of a shot of T, its other take", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var (_, shots) = await fx.ScratchStoryboardAsync();
            var first = await fx.AddShotTakeAsync(shots[0]);
            var other = await fx.AddShotTakeAsync(shots[0]);
            Assert.True((await fx.Service<StoryboardService>().SelectTakeAsync(fx.Owner.Id, shots[0], first)).Succeeded);
            var result = await fx.Service<StoryboardService>().SelectTakeAsync(fx.UserId(caller), shots[0], other);
            return new(Of(result), await CountAsync(fx, db => db.Shots.CountAsync(s => s.Id == shots[0] && s.SelectedGenerationId == other)) == 1, result.Error);
        }),
        new("StoryboardService.SavePresetAsync", "a new style of T", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var name = $"Matrix {caller} {Guid.NewGuid():N}";
            var result = await fx.Service<StoryboardService>().SavePresetAsync(fx.UserId(caller), fx.TeamId, null, name, "35mm film grain, muted palette");
            return new(Of(result), await CountAsync(fx, db => db.StylePresets.CountAsync(p => p.TeamId == fx.TeamId && p.Name == name)) == 1, result.Error);
        }),
        new("StoryboardService.DeletePresetAsync", "of a style of T", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var preset = await PresetAsync(fx);
            var result = await fx.Service<StoryboardService>().DeletePresetAsync(fx.UserId(caller), preset);
            return new(Of(result), await CountAsync(fx, db => db.StylePresets.CountAsync(p => p.Id == preset)) == 0, result.Error);
        }),
        new("StoryboardService.DeleteAsync", "of a storyboard of T", AtLeast(Caller.Admin), async (fx, caller) =>
        {
            var (board, _) = await fx.ScratchStoryboardAsync();
            var result = await fx.Service<StoryboardService>().DeleteAsync(fx.UserId(caller), board);
            return new(Of(result), await CountAsync(fx, db => db.Storyboards.CountAsync(b => b.Id == board)) == 0, result.Error);
        }),
        // Generating goes through GenerationService.SubmitAsync on the Sandbox studio: the take is a row with the shot's id.
        new("ShotGeneration.GenerateShotAsync", "of a shot of T", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var (_, shots) = await fx.ScratchStoryboardAsync();
            var result = await fx.Service<ShotGeneration>().GenerateShotAsync(fx.UserId(caller), shots[0]);
            return new(Of(result), await CountAsync(fx, db => db.Generations.CountAsync(g => g.ShotId == shots[0])) > 0, result.Error);
        }),
        new("ShotGeneration.PreviewAsync", "of Storyboard Sorrel", AtLeast(Caller.Viewer), async (fx, caller) =>
            Read(await fx.Service<ShotGeneration>().PreviewAsync(fx.UserId(caller), fx.StoryboardId, takesPerShot: 1, everyShot: true) is { Lines.Count: 2 })),
        new("ShotGeneration.GenerateAllAsync", "of a storyboard of T", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var (board, shots) = await fx.ScratchStoryboardAsync();
            var result = await fx.Service<ShotGeneration>().GenerateAllAsync(fx.UserId(caller), board, takesPerShot: 1, everyShot: true);
            return new(Of(result), await CountAsync(fx, db => db.Generations.CountAsync(g => g.ShotId == shots[0])) > 0, result.Error);
        }),
        new("FinalCuts.RequestAsync", "of a storyboard of T with a chosen take", AtLeast(Caller.Editor), async (fx, caller) =>
        {
            var (board, shots) = await fx.ScratchStoryboardAsync();
            Assert.True((await fx.Service<StoryboardService>().SelectTakeAsync(fx.Owner.Id, shots[0], await fx.AddShotTakeAsync(shots[0]))).Succeeded);
            var result = await fx.Service<FinalCuts>().RequestAsync(fx.UserId(caller), board);
            return new(Of(result), await CountAsync(fx, db => db.FinalCuts.CountAsync(c => c.StoryboardId == board)) == 1, result.Error);
        }),
    ];

    public static IEnumerable<object[]> ActionCells =>
        Actions.SelectMany(action => Everyone.Select(caller => new object[] { action.Name, caller, action.Expect(caller) }));

    [Theory]
    [MemberData(nameof(ActionCells))]
    public async Task Service_actions_answer_each_caller_as_the_matrix_says(string actionName, Caller caller, Outcome expected)
    {
        var action = Actions.Single(a => a.Name == actionName);
        Assert.Equal(expected, action.Expect(caller));
        var cell = $"{actionName} ({action.Target}) as {caller} → {expected}";

        var observed = await action.Run(fx, caller);

        Assert.True(expected == observed.Outcome, $"{cell}: was {observed.Outcome} ({observed.Detail}).");
        Assert.True(observed.Effect == (expected == Outcome.Allowed),
            expected == Outcome.Allowed ? $"{cell}: allowed, but nothing changed or came back." : $"{cell}: {expected}, yet it changed something or returned T's data.");
    }

    /// <summary>xunit shows at most 50 characters of each argument: a longer name would hide which cell failed.</summary>
    [Fact]
    public void Every_cell_is_named_uniquely_and_in_full()
    {
        var surfaces = Pages.Concat(Endpoints).Select(s => s.Name).Concat(Actions.Select(a => a.Name)).ToList();
        Assert.Equal(surfaces.Count, surfaces.Distinct().Count());
        var labels = Pages.Concat(Endpoints).SelectMany(s => Everyone.Select(c => s.Expect(c).Label));
        Assert.All(surfaces.Concat(labels), name => Assert.True(name.Length <= 50, $"\"{name}\" is longer than the 50 characters xunit shows."));
    }

    // ============================================================================================================
    // The tables' vocabulary.
    // ============================================================================================================

    private sealed record HttpSurface(string Method, string Path, Func<Caller, HttpExpect> Expect, bool IsPage = false,
        (string Field, string Value)? Form = null, string? Body = null, Func<Fx, Caller, Task<RowSetup>>? Arrange = null)
    {
        public string Name => Form is { } form ? $"{Method} {Path} {form.Field}={form.Value}" : $"{Method} {Path}";
    }

    /// <param name="Effect">When set, what the row's setup probe must say afterwards (the call changed something).</param>
    private sealed record HttpExpect(string Label, HttpStatusCode Status, string? RedirectPath = null, string? ContentType = null,
        string[]? ShowsText = null, string[]? HidesText = null, bool? Effect = null)
    {
        public string[] Shows => ShowsText ?? [];
        public string[] Hides => HidesText ?? [];
    }

    /// <summary>What a row made for itself: placeholder values, its own client (else the caller's session), and an effect probe.</summary>
    private sealed record RowSetup(IReadOnlyDictionary<string, string> Values, HttpClient? Client = null, Func<Task<bool>>? Effect = null);

    /// <param name="Target">What the row acts on, for messages ("an uncertain take of T").</param>
    private sealed record ServiceSurface(string Name, string Target, Func<Caller, Outcome> Expect, Func<Fx, Caller, Task<Observed>> Run);

    /// <param name="Effect">Whether the call changed the database or returned T's data.</param>
    private sealed record Observed(Outcome Outcome, bool Effect, string? Detail = null);

    private static HttpSurface Page(string path, Func<Caller, HttpExpect> expect) => new("GET", path, expect, IsPage: true);

    private static HttpSurface Get(string path, Func<Caller, HttpExpect> expect) => new("GET", path, expect);

    private static HttpExpect ToLogin => new("302 to login", HttpStatusCode.Found, RedirectPath: "/account/login", HidesText: [TeamName, ProjectName, PromptMarker, StoryboardTitle]);

    private static HttpExpect Redirect(string path) => new($"302 to {path}", HttpStatusCode.Found, RedirectPath: path);

    private static HttpExpect Html(string label, string[] shows, string[]? hides = null) =>
        new($"200, {label}", HttpStatusCode.OK, ContentType: "text/html", ShowsText: shows, HidesText: hides);

    private static HttpExpect NotFoundPage(string[]? shows = null, string[]? hides = null) =>
        new("404 page", HttpStatusCode.NotFound, ContentType: "text/html", ShowsText: shows, HidesText: hides);

    private static HttpExpect NotFound() => new("404", HttpStatusCode.NotFound);

    private static HttpExpect Media(string contentType) => new($"200 {contentType.TrimEnd('/')}", HttpStatusCode.OK, ContentType: contentType);

    /// <summary>Media of T: members get it, the outsider a 404, anonymous the sign-in redirect.</summary>
    private static HttpExpect Members(Caller caller, HttpExpect forMembers) => caller switch
    {
        Caller.Anonymous => ToLogin,
        Caller.Outsider => NotFound(),
        _ => forMembers,
    };

    /// <summary>Members of T from <paramref name="least"/> up may; members below get <paramref name="below"/>; everyone else "not found".</summary>
    private static Func<Caller, Outcome> AtLeast(Caller least, Outcome below = Outcome.Refused) => caller => caller switch
    {
        Caller.Anonymous or Caller.Outsider => Outcome.NotFound,
        _ => Rank(caller) <= Rank(least) ? Outcome.Allowed : below,
    };

    private static int Rank(Caller caller) => (int)Enum.Parse<TeamRole>(caller.ToString());

    private static Observed Read(bool gotData) => new(gotData ? Outcome.Allowed : Outcome.NotFound, gotData);

    private static Outcome Of(SubmitResult result) => result.Succeeded ? Outcome.Allowed : result.IsNotFound ? Outcome.NotFound : Outcome.Refused;

    private static Outcome Of(ProjectResult result) => result.Succeeded ? Outcome.Allowed : result.IsNotFound ? Outcome.NotFound : Outcome.Refused;

    private static Outcome Of(StoryboardResult result) => result.Succeeded ? Outcome.Allowed : result.IsNotFound ? Outcome.NotFound : Outcome.Refused;

    private static Outcome Of<T>(TeamResult<T> result) =>
        result.Succeeded ? Outcome.Allowed : result.Error == TeamMembersService.NotFound ? Outcome.NotFound : Outcome.Refused;

    private static async Task<T> CountAsync<T>(Fx fx, Func<StudioDbContext, Task<T>> query)
    {
        await using var db = await fx.Studio.DbAsync();
        return await query(db);
    }

    private static Task<int> LiveShotsAsync(Fx fx, Guid storyboardId) =>
        CountAsync(fx, db => db.Shots.CountAsync(s => s.StoryboardId == storyboardId && s.DeletedAt == null));

    /// <summary>A style preset of T, made by its owner for the row.</summary>
    private static async Task<Guid> PresetAsync(Fx fx)
    {
        var made = await fx.Service<StoryboardService>().SavePresetAsync(fx.Owner.Id, fx.TeamId, null, $"Style {Guid.NewGuid():N}", "Soft morning light, pastel palette");
        Assert.True(made.Succeeded, made.Error);
        return made.Id!.Value;
    }

    private static Task<TeamRole?> RoleAsync(Fx fx, Guid teamId, string userId) =>
        CountAsync(fx, db => db.TeamMembers.Where(m => m.TeamId == teamId && m.UserId == userId).Select(m => (TeamRole?)m.Role).FirstOrDefaultAsync());

    private static bool IsMedia(string contentType) =>
        contentType.StartsWith("video/", StringComparison.Ordinal) || contentType.StartsWith("image/", StringComparison.Ordinal)
        || contentType is "application/zip" or "application/pdf";

    private static string? LocationPath(HttpClient client, HttpResponseMessage response) =>
        response.Headers.Location is { } location ? new Uri(client.BaseAddress!, location).AbsolutePath : null;

    private static string Excerpt(string text) => text.Length > 300 ? text[..300] + "…" : text;

    private static async Task WaitUntilAsync(Func<bool> condition, string cell)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30); // only guards against a hang
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{cell}: the hub events never arrived.");
            await Task.Delay(20);
        }
    }
}
