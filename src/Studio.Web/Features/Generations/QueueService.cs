using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Providers;

namespace Studio.Web.Features.Generations;

/// <summary>One line of the queue page.</summary>
public sealed record QueueEntry(
    Guid Id, Guid ProjectId, string ProjectName, string PromptText, string ProviderName, string CreatedByName, DateTime CreatedAt,
    GenerationState State, double? Progress, int? Position, string Why);

/// <summary>Every unfinished take of a team, where it stands and why it waits.</summary>
public sealed class QueueService(IDbContextFactory<StudioDbContext> dbFactory, FairScheduler scheduler, ProviderCatalog catalog, TimeProvider clock)
{
    public async Task<IReadOnlyList<QueueEntry>> ListAsync(string userId, Guid teamId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.TeamMembers.AnyAsync(m => m.TeamId == teamId && m.UserId == userId, ct))
        {
            return [];
        }
        var rows = await db.Generations.AsNoTracking()
            .Where(g => GenerationStateMachine.ActiveStates.Contains(g.State))
            .Select(g => new
            {
                g.Id, g.TeamId, g.ProjectId, ProjectName = g.Project!.Name, g.PromptText, g.Provider, g.CreatedByUserId,
                CreatedByName = db.Users.Where(u => u.Id == g.CreatedByUserId).Select(u => u.DisplayName).FirstOrDefault() ?? "someone",
                g.CreatedAt, g.State, g.Progress, g.ProviderDetail, g.FailureReason, g.NextAttemptAt,
            })
            .ToListAsync(ct);

        // Positions are computed over every waiting take that shares a pool with this team's, so they are true turns.
        var waiting = rows.Where(r => r.State == GenerationState.Reserved)
            .Select(r => new WaitingTake(r.Id, r.Provider, r.TeamId, r.CreatedByUserId, r.CreatedAt)).ToList();
        var places = await scheduler.PlacesAsync(waiting, ct);
        var now = clock.GetUtcNow().UtcDateTime;

        return rows.Where(r => r.TeamId == teamId)
            .Select(r =>
            {
                var provider = catalog.Get(r.Provider).Capabilities.DisplayName;
                var place = places.GetValueOrDefault(r.Id);
                var why = r.State switch
                {
                    GenerationState.Reserved when place is not null && place.InFlight >= place.Limit =>
                        $"Waiting its turn: {place.InFlight} of {place.Limit} {provider} slots are busy; users take turns.",
                    GenerationState.Reserved => "About to be sent.",
                    GenerationState.Submitting when r.FailureReason is { } retry && r.NextAttemptAt > now =>
                        $"{retry} Next try {Until(r.NextAttemptAt, now)}.",
                    GenerationState.Submitting => $"Being sent to {provider}.",
                    GenerationState.Queued => r.ProviderDetail is { } detail ? $"{provider}: {detail}." : $"Queued at {provider}.",
                    GenerationState.Running => $"Rendering at {provider}.",
                    GenerationState.Archiving => "Copying the finished video into the studio.",
                    _ => r.State.ToString(),
                };
                return new QueueEntry(r.Id, r.ProjectId, r.ProjectName, r.PromptText, provider, r.CreatedByName, r.CreatedAt, r.State, r.Progress, place?.Position, why);
            })
            .OrderBy(e => e.State == GenerationState.Reserved ? 1 : 0)
            .ThenBy(e => e.Position ?? 0)
            .ThenBy(e => e.CreatedAt)
            .ToList();
    }

    private static string Until(DateTime at, DateTime now)
    {
        var seconds = Math.Max(0, (int)Math.Ceiling((at - now).TotalSeconds));
        return seconds < 60 ? $"in {seconds} s" : $"in {seconds / 60} min";
    }
}
