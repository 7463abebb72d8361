using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Studio.IntegrationTests.Emulator;
using Studio.IntegrationTests.Studio;
using Studio.Web.Features.Accounts;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Sharing;
using Studio.Web.Features.Storyboards;
using Studio.Web.Features.Teams;
using Studio.Web.Features.Webhooks;

namespace Studio.IntegrationTests.Teams;

/// <summary>Who makes a call: nobody signed in, each role of team T, or a member of another team only.</summary>
public enum Caller { Anonymous, Owner, Admin, Editor, Viewer, Outsider }

/// <summary>
/// One Sandbox studio for the whole authorization matrix. Team T ("Team Tangerine"): Olive owns it; Adele (Admin),
/// Eddie (Editor) and Violet (Viewer) joined through invite links. Project "Project Persimmon" holds two archived
/// takes, a runway one with a first frame (<see cref="Ready"/>) and a kie one (<see cref="ReadyKie"/>), and a take
/// parked in the queue, and "Storyboard Sorrel": two shots, the first with a first-frame image and a selected ready take.
/// Oscar is the outsider: he owns "Team Quince" with its own project and is in no other team.
/// Everything a row may change it makes for itself (<see cref="AddTakeAsync"/>, <see cref="AddMemberAsync"/>,
/// <see cref="ScratchTeamAsync"/>, <see cref="ScratchStoryboardAsync"/>), so rows run in any order.
/// </summary>
public sealed class AuthorizationMatrixFixture : IAsyncLifetime
{
    public const string TeamName = "Team Tangerine";
    public const string ProjectName = "Project Persimmon";
    public const string OutsiderTeamName = "Team Quince";
    public const string OutsiderProjectName = "Quince reel";
    /// <summary>In the prompts of T's takes: pages and answers that must not show T's takes must not contain it.</summary>
    public const string PromptMarker = "PROMPT-RASPBERRY";
    /// <summary>The prompt of the take parked in T's queue.</summary>
    public const string QueueMarker = "QUEUE-MARKER-MANGO";
    public const string StoryboardTitle = "Storyboard Sorrel";

    /// <summary>The user id the services see for an anonymous caller: no account has it.</summary>
    public static readonly string NoAccount = "no-account-" + Guid.NewGuid().ToString("N");

    private readonly string _dataDirectory = TestPaths.NewDirectory("authz-matrix");
    private readonly Dictionary<Caller, (HttpClient Client, CookieContainer Cookies)> _sessions = [];
    private int _scratch;

    public StudioTestHost Studio { get; private set; } = null!;
    public TestUser Owner { get; private set; } = null!;
    public TestUser Admin { get; private set; } = null!;
    public TestUser Editor { get; private set; } = null!;
    public TestUser Viewer { get; private set; } = null!;
    public TestUser Outsider { get; private set; } = null!;
    public Guid TeamId => Owner.TeamId;
    public Guid ProjectId { get; private set; }
    public Guid OutsiderProjectId { get; private set; }
    public Generation Ready { get; private set; } = null!;
    public Generation ReadyKie { get; private set; } = null!;
    public Guid QueuedTakeId { get; private set; }
    public Guid ProjectShareLinkId { get; private set; }
    public Guid StoryboardId { get; private set; }
    /// <summary>Shot 1 of <see cref="StoryboardTitle"/>: it has a first-frame image and a selected ready take.</summary>
    public Guid FramedShotId { get; private set; }

    /// <summary>Values for the placeholders in the matrix's paths and texts ("{P}", "{R}", "{invite}", ...).</summary>
    public IReadOnlyDictionary<string, string> Values { get; private set; } = new Dictionary<string, string>();

    public T Service<T>() where T : notnull => Studio.Services.GetRequiredService<T>();

    public async Task InitializeAsync()
    {
        Studio = StudioTestHost.StartSandbox(_dataDirectory, emulatorRunningSeconds: 0.3);
        var members = Service<TeamMembersService>();
        Owner = await Studio.RegisterAsync("Olive");
        Admin = await Studio.RegisterAsync("Adele");
        Editor = await Studio.RegisterAsync("Eddie");
        Viewer = await Studio.RegisterAsync("Violet");
        Outsider = await Studio.RegisterAsync("Oscar");
        Assert.True((await members.RenameAsync(Owner.Id, TeamId, TeamName)).Succeeded);
        Assert.True((await members.RenameAsync(Outsider.Id, Outsider.TeamId, OutsiderTeamName)).Succeeded);
        foreach (var (user, role) in new[] { (Admin, TeamRole.Admin), (Editor, TeamRole.Editor), (Viewer, TeamRole.Viewer) })
        {
            var invite = await members.CreateInviteAsync(Owner.Id, TeamId, role, 1, TimeSpan.FromDays(1));
            Assert.True(invite.Succeeded, invite.Error);
            Assert.True((await members.AcceptInviteAsync(user.Id, invite.Value!)).Succeeded); // makes T their current team
        }

        ProjectId = await Studio.CreateProjectAsync(Owner, ProjectName);
        OutsiderProjectId = await Studio.CreateProjectAsync(Outsider, OutsiderProjectName);
        var withFrame = StudioTestHost.TextDraft($"{PromptMarker} a lantern-lit night market in the rain") with
        {
            FirstFrame = new FirstFrameImage("frame.png", "image/png", PixazoReceiver.Png),
        };
        var ready = await Studio.SubmitAsync(Owner, ProjectId, withFrame);
        var kie = await Studio.SubmitAsync(Owner, ProjectId, new GenerationDraft(VideoModels.KieRunway.Id, $"{PromptMarker} paper boats on a canal",
            "1280:720", 5, Seed: null, FirstFrame: null, Provider: "kie", Quality: "720p"));
        Ready = await Studio.WaitForStateAsync(ready, GenerationState.Ready);
        ReadyKie = await Studio.WaitForStateAsync(kie, GenerationState.Ready);
        Assert.NotNull(Ready.FirstFrameBlobKey);
        QueuedTakeId = await AddTakeAsync(GenerationState.Reserved, prompt: $"{QueueMarker} waiting its turn");

        var boards = Service<StoryboardService>();
        var storyboard = await boards.CreateAsync(Owner.Id, ProjectId, StoryboardTitle);
        Assert.True(storyboard.Succeeded, storyboard.Error);
        StoryboardId = storyboard.Id!.Value;
        FramedShotId = (await boards.GetAsync(Owner.Id, StoryboardId))!.Shots.Single().Id;
        Assert.True((await boards.AddShotAsync(Owner.Id, StoryboardId)).Succeeded);
        var frame = await boards.SetFirstFrameAsync(Owner.Id, FramedShotId, new FirstFrameImage("frame.png", "image/png", PixazoReceiver.Png));
        Assert.True(frame.Succeeded, frame.Error);
        var chosen = await boards.SelectTakeAsync(Owner.Id, FramedShotId, await AddShotTakeAsync(FramedShotId));
        Assert.True(chosen.Succeeded, chosen.Error);

        var shares = Service<ShareService>();
        var projectLink = await shares.CreateAsync(Owner.Id, ShareTarget.Project(ProjectId), TimeSpan.FromDays(7));
        var videoLink = await shares.CreateAsync(Owner.Id, ShareTarget.Video(Ready.Id), TimeSpan.FromDays(7));
        var revokedLink = await shares.CreateAsync(Owner.Id, ShareTarget.Video(Ready.Id), TimeSpan.FromDays(7));
        Assert.True(projectLink.Succeeded && videoLink.Succeeded && revokedLink.Succeeded);
        Assert.Null(await shares.RevokeAsync(Owner.Id, revokedLink.Link!.Id));
        ProjectShareLinkId = projectLink.Link!.Id;
        var openInvite = await members.CreateInviteAsync(Owner.Id, TeamId, TeamRole.Viewer, maxUses: null, TimeSpan.FromDays(7));
        Assert.True(openInvite.Succeeded, openInvite.Error);

        // The links the studio hands to providers for a take's first frame (see WebhookEndpoints).
        var links = Service<CallbackLinks>();
        var sandbox = Service<ProviderConnections>().ForServer("runway");
        Values = new Dictionary<string, string>
        {
            ["{T}"] = TeamId.ToString(),
            ["{P}"] = ProjectId.ToString(),
            ["{R}"] = Ready.Id.ToString(),
            ["{K}"] = ReadyKie.Id.ToString(),
            ["{S}"] = StoryboardId.ToString(),
            ["{SH}"] = FramedShotId.ToString(),
            ["{invite}"] = openInvite.Value!,
            ["{project-share}"] = projectLink.Token!,
            ["{video-share}"] = videoLink.Token!,
            ["{revoked-share}"] = revokedLink.Token!,
            ["{first-frame-token}"] = links.FirstFrameUrl(Ready, sandbox)!.Segments[^1],
            ["{other-take-token}"] = links.FirstFrameUrl(ReadyKie, sandbox)!.Segments[^1],
            ["{viewer-email}"] = Viewer.Email,
        };
    }

    public async Task DisposeAsync()
    {
        foreach (var (client, _) in _sessions.Values)
        {
            client.Dispose();
        }
        await Studio.DisposeAsync();
        TestPaths.TryDelete(_dataDirectory);
    }

    public string UserId(Caller caller) => caller switch
    {
        Caller.Anonymous => NoAccount,
        _ => User(caller).Id,
    };

    public TestUser User(Caller caller) => caller switch
    {
        Caller.Owner => Owner,
        Caller.Admin => Admin,
        Caller.Editor => Editor,
        Caller.Viewer => Viewer,
        Caller.Outsider => Outsider,
        _ => throw new ArgumentOutOfRangeException(nameof(caller), "Anonymous has no account."),
    };

    /// <summary>The caller's session (signed in once through the real login form and kept), or a cookie-less client.</summary>
    public async Task<(HttpClient Client, CookieContainer Cookies)> SessionAsync(Caller caller)
    {
        if (!_sessions.TryGetValue(caller, out var session))
        {
            session = caller == Caller.Anonymous ? Studio.CreateClient() : await Studio.SignInAsync(User(caller));
            _sessions[caller] = session;
        }
        return session;
    }

    /// <summary>A session of its own, for a row that ends it (sign-out).</summary>
    public async Task<HttpClient> FreshSessionAsync(Caller caller) =>
        caller == Caller.Anonymous ? Studio.CreateClient().Client : (await Studio.SignInAsync(User(caller))).Client;

    public string Resolve(string text, IReadOnlyDictionary<string, string>? extra = null)
    {
        foreach (var (key, value) in (extra ?? new Dictionary<string, string>()).Concat(Values))
        {
            text = text.Replace(key, value, StringComparison.Ordinal);
        }
        return text;
    }

    /// <summary>A take of T straight in the database, in project P, that the worker leaves alone (its next attempt is years away).</summary>
    public async Task<Guid> AddTakeAsync(GenerationState state, string provider = "runway", string? prompt = null, string? callbackTokenHash = null,
        Guid? projectId = null, Guid? teamId = null, string? createdBy = null)
    {
        var now = DateTime.UtcNow;
        await using var db = await Studio.DbAsync();
        var row = new Generation
        {
            Id = Guid.CreateVersion7(),
            TeamId = teamId ?? TeamId,
            ProjectId = projectId ?? ProjectId,
            CreatedByUserId = createdBy ?? Owner.Id,
            Provider = provider,
            Model = provider == "kie" ? VideoModels.KieRunway.Id : VideoModels.Gen45.Id,
            PromptText = prompt ?? $"{PromptMarker} a throwaway take",
            Ratio = "1280:720",
            DurationSeconds = 5,
            IsSandbox = true,
            State = state,
            Version = 1,
            CallbackTokenHash = callbackTokenHash,
            CreatedAt = now,
            UpdatedAt = now,
            NextAttemptAt = now.AddYears(10),
        };
        db.Generations.Add(row);
        await db.SaveChangesAsync();
        return row.Id;
    }

    /// <summary>
    /// A ready take of a storyboard shot that plays <see cref="Ready"/>'s video and poster (the blobs are shared, and no
    /// row deletes this take), so a final cut can be asked of it.
    /// </summary>
    public async Task<Guid> AddShotTakeAsync(Guid shotId)
    {
        var id = await AddTakeAsync(GenerationState.Ready);
        await using var db = await Studio.DbAsync();
        await db.Generations.Where(g => g.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(g => g.ShotId, shotId)
            .SetProperty(g => g.VideoBlobKey, Ready.VideoBlobKey)
            .SetProperty(g => g.PosterBlobKey, Ready.PosterBlobKey)
            .SetProperty(g => g.CompletedAt, DateTime.UtcNow));
        return id;
    }

    /// <summary>
    /// A storyboard of T's project (made by its owner) for a row that changes or destroys one: <paramref name="shots"/>
    /// shots in order, each with a prompt Gen-4.5 accepts, no first frame, no takes.
    /// </summary>
    public async Task<(Guid Board, IReadOnlyList<Guid> Shots)> ScratchStoryboardAsync(int shots = 1)
    {
        var boards = Service<StoryboardService>();
        var created = await boards.CreateAsync(Owner.Id, ProjectId, $"Scratch storyboard {Interlocked.Increment(ref _scratch)}");
        Assert.True(created.Succeeded, created.Error);
        var board = created.Id!.Value;
        for (var i = 1; i < shots; i++)
        {
            Assert.True((await boards.AddShotAsync(Owner.Id, board)).Succeeded);
        }
        var ids = (await boards.GetAsync(Owner.Id, board))!.Shots.Select(s => s.Id).ToList();
        foreach (var shot in ids)
        {
            var saved = await boards.UpdateShotAsync(Owner.Id, shot, TextShot("Scratch shot", $"{PromptMarker} a heron lifts off a misty pond"));
            Assert.True(saved.Succeeded, saved.Error);
        }
        return (board, ids);
    }

    /// <summary>What a shot card saves: a 2-second Gen-4.5 text-to-video shot.</summary>
    public static ShotEdit TextShot(string title, string prompt) => new(title, prompt, "runway", VideoModels.Gen45.Id, "1280:720", 2, null, null, "", false);

    /// <summary>A new account (no password, no team of its own) put straight into a team with a role.</summary>
    public async Task<string> AddMemberAsync(Guid teamId, TeamRole role)
    {
        var email = $"member-{Guid.NewGuid():N}@example.test";
        var user = new StudioUser { UserName = email, Email = email, DisplayName = $"Temp {role}", CreatedAt = DateTime.UtcNow };
        await using (var scope = Studio.Services.CreateAsyncScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<UserManager<StudioUser>>().CreateAsync(user);
            Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        }
        await using var db = await Studio.DbAsync();
        db.TeamMembers.Add(new TeamMember { TeamId = teamId, UserId = user.Id, Role = role, JoinedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
        return user.Id;
    }

    /// <summary>
    /// A throwaway team with the same four people in the same roles as T, for a row that renames, hands over or
    /// reconfigures a whole team. Joined after T, so T stays everyone's current team.
    /// </summary>
    public async Task<Guid> ScratchTeamAsync()
    {
        var now = DateTime.UtcNow;
        await using var db = await Studio.DbAsync();
        var team = new Team { Id = Guid.CreateVersion7(), Name = $"Scratch {Interlocked.Increment(ref _scratch)}", CreatedAt = now };
        db.Teams.Add(team);
        foreach (var (user, role) in new[] { (Owner, TeamRole.Owner), (Admin, TeamRole.Admin), (Editor, TeamRole.Editor), (Viewer, TeamRole.Viewer) })
        {
            db.TeamMembers.Add(new TeamMember { TeamId = team.Id, UserId = user.Id, Role = role, JoinedAt = now });
        }
        await db.SaveChangesAsync();
        return team.Id;
    }
}
