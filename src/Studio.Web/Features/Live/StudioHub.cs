using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;

namespace Studio.Web.Features.Live;

/// <summary>Live events for clients other than Blazor pages. A connection joins the groups of its user's teams only.</summary>
[Authorize]
public sealed class StudioHub(IDbContextFactory<StudioDbContext> dbFactory, HubConnections connections) : Hub
{
    public const string Path = "/hubs/studio";
    public const string GenerationChangedMethod = "GenerationChanged";

    public static string TeamGroup(Guid teamId) => $"team:{teamId:N}";

    public override async Task OnConnectedAsync()
    {
        var userId = Context.User?.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null)
        {
            Context.Abort();
            return;
        }
        await using var db = await dbFactory.CreateDbContextAsync(Context.ConnectionAborted);
        var teamIds = await db.TeamMembers.Where(m => m.UserId == userId).Select(m => m.TeamId).ToListAsync(Context.ConnectionAborted);
        connections.Add(userId, Context.ConnectionId);
        foreach (var teamId in teamIds)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, TeamGroup(teamId), Context.ConnectionAborted);
        }
        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.User?.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId)
        {
            connections.Remove(userId, Context.ConnectionId);
        }
        return base.OnDisconnectedAsync(exception);
    }
}

/// <summary>
/// Which hub connections belong to which user, so that someone removed from a team (or leaving it) stops
/// receiving its events at once, not only when they reconnect.
/// </summary>
public sealed class HubConnections(IHubContext<StudioHub> hub)
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _byUser = new(StringComparer.Ordinal);

    public void Add(string userId, string connectionId) => _byUser.GetOrAdd(userId, _ => new())[connectionId] = 0;

    public void Remove(string userId, string connectionId)
    {
        if (_byUser.TryGetValue(userId, out var set))
        {
            set.TryRemove(connectionId, out _);
        }
    }

    public IReadOnlyCollection<string> Of(string userId) => _byUser.TryGetValue(userId, out var set) ? set.Keys.ToList() : [];

    /// <summary>Takes the user's open connections out of the team's group.</summary>
    public async Task LeaveTeamAsync(string userId, Guid teamId)
    {
        foreach (var connectionId in Of(userId))
        {
            await hub.Groups.RemoveFromGroupAsync(connectionId, StudioHub.TeamGroup(teamId));
        }
    }
}

public static class LiveServiceCollectionExtensions
{
    public static WebApplicationBuilder AddLiveUpdates(this WebApplicationBuilder builder)
    {
        builder.Services.AddSignalR();
        builder.Services.AddSingleton<GenerationNotifier>();
        builder.Services.AddSingleton<HubConnections>();
        return builder;
    }

    public static WebApplication MapLiveUpdates(this WebApplication app)
    {
        app.MapHub<StudioHub>(StudioHub.Path);
        return app;
    }
}
