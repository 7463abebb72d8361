using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;

namespace Studio.Web.Features.Live;

/// <summary>Live events for clients other than Blazor pages. A connection joins the groups of its user's teams only.</summary>
[Authorize]
public sealed class StudioHub(IDbContextFactory<StudioDbContext> dbFactory) : Hub
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
        foreach (var teamId in teamIds)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, TeamGroup(teamId), Context.ConnectionAborted);
        }
        await base.OnConnectedAsync();
    }
}

public static class LiveServiceCollectionExtensions
{
    public static WebApplicationBuilder AddLiveUpdates(this WebApplicationBuilder builder)
    {
        builder.Services.AddSignalR();
        builder.Services.AddSingleton<GenerationNotifier>();
        return builder;
    }

    public static WebApplication MapLiveUpdates(this WebApplication app)
    {
        app.MapHub<StudioHub>(StudioHub.Path);
        return app;
    }
}
