using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Providers;

namespace Studio.Web.Features.Generations;

/// <summary>A take waiting to be sent, as the scheduler sees it.</summary>
public sealed record WaitingTake(Guid Id, string Provider, Guid TeamId, string UserId, DateTime CreatedAt);

/// <summary>Why a waiting take waits, for the queue page.</summary>
public sealed record WaitingPlace(int Position, string Pool, int InFlight, int Limit);

/// <summary>
/// Decides which waiting takes may be sent now. Each provider account (a team's own key, or the server's/Sandbox
/// key shared by everyone) has a concurrency limit; within it, users take turns — everyone's oldest waiting take
/// goes before anyone's second — so one member's batch of 50 cannot starve a teammate.
/// </summary>
public sealed class FairScheduler(
    IDbContextFactory<StudioDbContext> dbFactory,
    ProviderConnections connections,
    ProviderCatalog catalog,
    TimeProvider clock,
    ILogger<FairScheduler> logger)
{
    private static readonly TimeSpan LimitLifetime = TimeSpan.FromMinutes(10);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (int Limit, DateTimeOffset At)> _accountLimits = new();
    private static readonly GenerationState[] InFlightStates = [GenerationState.Submitting, GenerationState.Queued, GenerationState.Running];

    /// <summary>
    /// Orders waiting takes by turn: round-robin between users, oldest first within each user; among equal turns the
    /// user served least recently goes first (so a batch that has just had a take sent waits for a teammate).
    /// </summary>
    public static IReadOnlyList<WaitingTake> TakeTurns(IEnumerable<WaitingTake> waiting, IReadOnlyDictionary<string, DateTime>? lastServed = null) =>
        waiting.GroupBy(w => w.UserId)
            .SelectMany(user => user.OrderBy(w => w.CreatedAt).Select((w, turn) => (w, turn)))
            .OrderBy(x => x.turn)
            .ThenBy(x => lastServed?.GetValueOrDefault(x.w.UserId) ?? DateTime.MinValue)
            .ThenBy(x => x.w.CreatedAt)
            .Select(x => x.w)
            .ToList();

    /// <summary>The waiting takes that may be sent now, in turn order.</summary>
    public async Task<IReadOnlyList<Guid>> AdmitAsync(IReadOnlyList<WaitingTake> waiting, CancellationToken ct)
    {
        if (waiting.Count == 0)
        {
            return [];
        }
        var (inFlight, teamKeys, lastServed) = await LoadAsync(ct);
        var admitted = new List<Guid>();
        foreach (var take in TakeTurns(waiting, lastServed))
        {
            var pool = Pool(take.Provider, take.TeamId, teamKeys);
            var busy = inFlight.GetValueOrDefault(pool);
            if (busy < await LimitAsync(take.Provider, take.TeamId, pool, ct))
            {
                inFlight[pool] = busy + 1;
                admitted.Add(take.Id);
            }
        }
        return admitted;
    }

    /// <summary>Where each waiting take stands: its turn among all waiting takes in its pool, and how full the pool is.</summary>
    public async Task<IReadOnlyDictionary<Guid, WaitingPlace>> PlacesAsync(IReadOnlyList<WaitingTake> waiting, CancellationToken ct)
    {
        var (inFlight, teamKeys, lastServed) = await LoadAsync(ct);
        var places = new Dictionary<Guid, WaitingPlace>();
        foreach (var pool in TakeTurns(waiting, lastServed).GroupBy(t => Pool(t.Provider, t.TeamId, teamKeys)))
        {
            var position = 0;
            foreach (var take in pool)
            {
                places[take.Id] = new WaitingPlace(++position, pool.Key, inFlight.GetValueOrDefault(pool.Key), await LimitAsync(take.Provider, take.TeamId, pool.Key, ct));
            }
        }
        return places;
    }

    /// <summary>
    /// The account's concurrency limit: configured, else what the provider says (Runway's tier limit for Gen-4.5,
    /// read from /v1/organization and kept ten minutes), else the default.
    /// </summary>
    private async Task<int> LimitAsync(string provider, Guid teamId, string pool, CancellationToken ct)
    {
        if (connections.Options(provider).MaxConcurrentGenerations is { } configured)
        {
            return Math.Max(1, configured);
        }
        if (provider != Providers.Runway.RunwayProvider.ProviderName) // only Runway's API tells its limits
        {
            return ProviderOptions.DefaultMaxConcurrentGenerations;
        }
        var now = clock.GetUtcNow();
        if (_accountLimits.TryGetValue(pool, out var cached) && now - cached.At < LimitLifetime)
        {
            return cached.Limit;
        }
        var limit = ProviderOptions.DefaultMaxConcurrentGenerations;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var connection = await connections.ForTeamAsync(teamId, provider, timeout.Token);
            var info = await catalog.Get(provider).TestConnectionAsync(connection, timeout.Token);
            if (info.IsSuccess && info.Value!.MaxConcurrentGenerations is { } told)
            {
                limit = Math.Max(1, told);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or ProviderNotConfiguredException && !ct.IsCancellationRequested)
        {
            logger.LogInformation("Could not read {Provider}'s concurrency limit for {Pool}; using {Limit}: {Error}", provider, pool, limit, ex.Message);
        }
        _accountLimits[pool] = (limit, now);
        return limit;
    }

    private static string Pool(string provider, Guid teamId, HashSet<(Guid, string)> teamKeys) =>
        teamKeys.Contains((teamId, provider)) ? $"{provider}:{teamId:N}" : provider;

    private async Task<(Dictionary<string, int> InFlight, HashSet<(Guid, string)> TeamKeys, Dictionary<string, DateTime> LastServed)> LoadAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var keys = (await db.TeamProviderKeys.Select(k => new { k.TeamId, k.Provider }).ToListAsync(ct))
            .Select(k => (k.TeamId, k.Provider)).ToHashSet();
        // A waiting take claimed by a live worker counts too: it is about to be sent. A lease left behind by a
        // worker that died is expired and must not hold a slot.
        var now = clock.GetUtcNow().UtcDateTime;
        var busy = await db.Generations.Where(g => InFlightStates.Contains(g.State)
                || (g.State == GenerationState.Reserved && g.LeaseOwner != null && g.LeaseExpiresAt > now))
            .GroupBy(g => new { g.Provider, g.TeamId }).Select(g => new { g.Key.Provider, g.Key.TeamId, Count = g.Count() }).ToListAsync(ct);
        var inFlight = new Dictionary<string, int>();
        foreach (var b in busy)
        {
            var pool = Pool(b.Provider, b.TeamId, keys);
            inFlight[pool] = inFlight.GetValueOrDefault(pool) + b.Count;
        }
        var since = now.AddHours(-1);
        var lastServed = await db.Generations.Where(g => g.SubmitStartedAt != null && g.SubmitStartedAt > since)
            .GroupBy(g => g.CreatedByUserId).Select(g => new { User = g.Key, At = g.Max(x => x.SubmitStartedAt)!.Value })
            .ToDictionaryAsync(x => x.User, x => x.At, ct);
        return (inFlight, keys, lastServed);
    }
}
