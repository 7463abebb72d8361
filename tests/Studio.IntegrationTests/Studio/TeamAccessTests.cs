using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Live;
using Studio.Web.Features.Media;
using Studio.Web.Features.Teams;

namespace Studio.IntegrationTests.Studio;

/// <summary>One studio with two users in separate teams; A has one archived take.</summary>
public sealed class TeamAccessFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = TestPaths.NewDirectory("access");

    public TestEmulator Emulator { get; private set; } = null!;
    public StudioTestHost Studio { get; private set; } = null!;
    public TestUser A { get; private set; } = null!;
    public TestUser B { get; private set; } = null!;
    public Guid ProjectA { get; private set; }
    public Guid ProjectB { get; private set; }
    public Generation ReadyOfA { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await TestEmulator.StartAsync();
        Studio = StudioTestHost.Start(_dataDirectory, Emulator);
        A = await Studio.RegisterAsync("Ada");
        B = await Studio.RegisterAsync("Bo");
        ProjectA = await Studio.CreateProjectAsync(A, "Ada's film");
        ProjectB = await Studio.CreateProjectAsync(B, "Bo's film");
        var id = await Studio.SubmitAsync(A, ProjectA);
        ReadyOfA = await Studio.WaitForStateAsync(id, GenerationState.Ready);
    }

    public async Task DisposeAsync()
    {
        await Studio.DisposeAsync();
        await Emulator.DisposeAsync();
        TestPaths.TryDelete(_dataDirectory);
    }
}

/// <summary>Another team's ids answer 404 everywhere; live events reach only the owning team.</summary>
public sealed class TeamAccessTests(TeamAccessFixture fixture) : IClassFixture<TeamAccessFixture>
{
    private StudioTestHost Studio => fixture.Studio;

    [Fact]
    public async Task Submit_WhenUserNotInProjectTeam_ReturnsNotFound()
    {
        await using var db = await Studio.DbAsync();
        var before = await db.Generations.CountAsync();

        var result = await Studio.Generations.SubmitAsync(fixture.B.Id, fixture.ProjectA, StudioTestHost.TextDraft());

        Assert.False(result.Succeeded);
        Assert.True(result.IsNotFound);
        Assert.Equal("Project not found.", result.Errors[GenerationService.FormError]);
        Assert.Equal(before, await db.Generations.CountAsync());
        Assert.Null(await Studio.Generations.GetAsync(fixture.B.Id, fixture.ReadyOfA.Id));
        Assert.NotNull(await Studio.Generations.GetAsync(fixture.A.Id, fixture.ReadyOfA.Id));
    }

    [Fact]
    public async Task MediaVideo_ForAnotherTeamsGeneration_Returns404()
    {
        var url = MediaEndpoints.VideoUrl(fixture.ReadyOfA.Id);
        var (asA, _) = await Studio.SignInAsync(fixture.A);
        var (asB, _) = await Studio.SignInAsync(fixture.B);
        using (asA)
        using (asB)
        {
            using var forA = await asA.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, forA.StatusCode);
            Assert.Equal("video/mp4", forA.Content.Headers.ContentType?.MediaType);
            Assert.Equal(fixture.ReadyOfA.VideoBytes, (await forA.Content.ReadAsByteArrayAsync()).LongLength);

            foreach (var path in new[] { url, MediaEndpoints.PosterUrl(fixture.ReadyOfA.Id, fixture.ReadyOfA.Version) })
            {
                using var forB = await asB.GetAsync(path);
                Assert.Equal(HttpStatusCode.NotFound, forB.StatusCode);
                Assert.NotEqual("video/mp4", forB.Content.Headers.ContentType?.MediaType);
            }

            // Exactly what an id that does not exist answers.
            using var unknown = await asA.GetAsync(MediaEndpoints.VideoUrl(Guid.CreateVersion7()));
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        var (anonymous, _) = Studio.CreateClient();
        using (anonymous)
        {
            using var response = await anonymous.GetAsync(url);
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
            Assert.NotEqual("video/mp4", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task MediaVideo_WithRangeHeader_Returns206PartialContent()
    {
        var (asA, _) = await Studio.SignInAsync(fixture.A);
        using (asA)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, MediaEndpoints.VideoUrl(fixture.ReadyOfA.Id));
            request.Headers.Range = new RangeHeaderValue(0, 99);
            using var response = await asA.SendAsync(request);

            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(100, body.Length);
            var range = response.Content.Headers.ContentRange;
            Assert.NotNull(range);
            Assert.Equal(0, range.From);
            Assert.Equal(99, range.To);
            Assert.Equal(fixture.ReadyOfA.VideoBytes, range.Length);
            Assert.Equal("bytes", range.Unit);
            var stored = await File.ReadAllBytesAsync(Path.Combine(Studio.BlobsDirectory, fixture.ReadyOfA.VideoBlobKey!));
            Assert.Equal(stored[..100], body);
        }
    }

    [Fact]
    public async Task StudioHub_WhenGenerationChanges_BroadcastsToTeamMembersOnly()
    {
        var (clientA, cookiesA) = await Studio.SignInAsync(fixture.A);
        var (clientB, cookiesB) = await Studio.SignInAsync(fixture.B);
        clientA.Dispose();
        clientB.Dispose();
        var receivedByA = new ConcurrentQueue<GenerationChanged>();
        var receivedByB = new ConcurrentQueue<GenerationChanged>();
        await using var hubA = await ConnectAsync(cookiesA, receivedByA);
        await using var hubB = await ConnectAsync(cookiesB, receivedByB);

        // Each submits one take; B's own take proves B's connection receives events at all.
        var takeOfA = await Studio.SubmitAsync(fixture.A, fixture.ProjectA);
        var takeOfB = await Studio.SubmitAsync(fixture.B, fixture.ProjectB);
        await Studio.WaitForStateAsync(takeOfA, GenerationState.Ready);
        await Studio.WaitForStateAsync(takeOfB, GenerationState.Ready);
        await WaitUntilAsync(() => receivedByA.Any(c => c.GenerationId == takeOfA && c.State == GenerationState.Ready)
            && receivedByB.Any(c => c.GenerationId == takeOfB && c.State == GenerationState.Ready));

        var forA = receivedByA.Where(c => c.GenerationId == takeOfA).ToList();
        Assert.Equal(GenerationState.Reserved, forA.First().State);
        Assert.Contains(forA, c => c.State == GenerationState.Running);
        Assert.All(forA, c => Assert.Equal(fixture.A.TeamId, c.TeamId));
        Assert.All(forA, c => Assert.Equal(fixture.ProjectA, c.ProjectId));

        Assert.DoesNotContain(receivedByB, c => c.GenerationId == takeOfA || c.TeamId == fixture.A.TeamId);
        Assert.DoesNotContain(receivedByA, c => c.GenerationId == takeOfB || c.TeamId == fixture.B.TeamId);
    }

    [Fact]
    public async Task StudioHub_AfterAMemberIsRemoved_TheirOpenConnectionHearsNothingMoreOfTheTeam()
    {
        var members = Studio.Services.GetRequiredService<TeamMembersService>();
        var carol = await Studio.RegisterAsync("Carol");
        var token = (await members.CreateInviteAsync(fixture.A.Id, fixture.A.TeamId, TeamRole.Viewer, 1, TimeSpan.FromDays(1))).Value!;
        Assert.True((await members.AcceptInviteAsync(carol.Id, token)).Succeeded);
        var (client, cookies) = await Studio.SignInAsync(carol);
        client.Dispose();
        var received = new ConcurrentQueue<GenerationChanged>();
        await using var hub = await ConnectAsync(cookies, received);

        var before = await Studio.SubmitAsync(fixture.A, fixture.ProjectA);
        await Studio.WaitForStateAsync(before, GenerationState.Ready);
        await WaitUntilAsync(() => received.Any(c => c.GenerationId == before && c.State == GenerationState.Ready));

        Assert.True((await members.RemoveAsync(fixture.A.Id, fixture.A.TeamId, carol.Id)).Succeeded);
        var after = await Studio.SubmitAsync(fixture.A, fixture.ProjectA);
        await Studio.WaitForStateAsync(after, GenerationState.Ready);
        // A's own connection hears the whole take; by then Carol's would have too, had she stayed in the group.
        var receivedByA = new ConcurrentQueue<GenerationChanged>();
        var (clientA, cookiesA) = await Studio.SignInAsync(fixture.A);
        clientA.Dispose();
        await using var hubA = await ConnectAsync(cookiesA, receivedByA);
        var third = await Studio.SubmitAsync(fixture.A, fixture.ProjectA);
        await Studio.WaitForStateAsync(third, GenerationState.Ready);
        await WaitUntilAsync(() => receivedByA.Any(c => c.GenerationId == third && c.State == GenerationState.Ready));

        Assert.DoesNotContain(received, c => c.GenerationId == after || c.GenerationId == third);
        Assert.Equal(HubConnectionState.Connected, hub.State);
    }

    [Fact]
    public async Task Submit_WhenARemovedMemberResendsAnOldRequest_ReturnsNotFoundNotTheirOldTake()
    {
        var members = Studio.Services.GetRequiredService<TeamMembersService>();
        var dee = await Studio.RegisterAsync("Dee");
        var token = (await members.CreateInviteAsync(fixture.A.Id, fixture.A.TeamId, TeamRole.Editor, 1, TimeSpan.FromDays(1))).Value!;
        Assert.True((await members.AcceptInviteAsync(dee.Id, token)).Succeeded);
        var draft = StudioTestHost.TextDraft() with { RequestId = Guid.NewGuid() };
        var first = await Studio.Generations.SubmitAsync(dee.Id, fixture.ProjectA, draft);
        Assert.True(first.Succeeded);
        Assert.Equal(first.GenerationId, (await Studio.Generations.SubmitAsync(dee.Id, fixture.ProjectA, draft)).GenerationId); // Sent twice: one take.

        Assert.True((await members.RemoveAsync(fixture.A.Id, fixture.A.TeamId, dee.Id)).Succeeded);
        var resent = await Studio.Generations.SubmitAsync(dee.Id, fixture.ProjectA, draft);

        Assert.True(resent.IsNotFound);
        Assert.Null(resent.GenerationId);
    }

    private async Task<HubConnection> ConnectAsync(CookieContainer cookies, ConcurrentQueue<GenerationChanged> received)
    {
        var hubUrl = new Uri(Studio.Server.BaseAddress, StudioHub.Path.TrimStart('/'));
        var connection = new HubConnectionBuilder()
            .WithUrl(hubUrl, HttpTransportType.LongPolling, options =>
            {
                options.HttpMessageHandlerFactory = _ => Studio.Server.CreateHandler();
                options.Headers["Cookie"] = cookies.GetCookieHeader(hubUrl);
            })
            .Build();
        connection.On<GenerationChanged>(StudioHub.GenerationChangedMethod, change => received.Enqueue(change));
        await connection.StartAsync();
        Assert.Equal(HubConnectionState.Connected, connection.State);
        // The handshake completes before the hub's OnConnectedAsync has joined the team groups; invocations are
        // dispatched only after it. So once any invocation is answered (here: "no such method"), the groups are joined.
        await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync("NoSuchMethod"));
        return connection;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the hub events never arrived");
            await Task.Delay(50);
        }
    }
}
