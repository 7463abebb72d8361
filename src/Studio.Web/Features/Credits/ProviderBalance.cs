using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Studio.Web.Data;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Providers.Runware;
using Studio.Web.Features.Providers.Runway;
using Studio.Web.Features.Teams;

namespace Studio.Web.Features.Credits;

/// <summary>
/// One provider account as a team's admins see it beside the team budget: what the account has left, and what the
/// team's open takes with that provider hold (they will be charged to that account when they end).
/// </summary>
/// <param name="KeySource">"team", "server" or "sandbox" (<see cref="ProviderConnection.KeySource"/>); "none" when no key is configured and Sandbox is off.</param>
/// <param name="Balance">The account's balance in millicredits; null for Sandbox or when it could not be read.</param>
/// <param name="Outstanding">What the team's open reservations with this provider hold, in millicredits.</param>
/// <param name="ReadAt">When the balance was read from the provider (reads are kept a minute).</param>
/// <param name="Problem">Why the balance could not be read.</param>
public sealed record ProviderBalanceView(
    string Provider, string DisplayName, string KeySource, long? Balance, long Outstanding, DateTime? ReadAt, string? Problem)
{
    public bool IsSandbox => KeySource == "sandbox";

    /// <summary>True when the account cannot pay for what the team's open takes hold: some may fail when charged.</summary>
    public bool BelowOutstanding => Balance is { } balance && balance < Outstanding;
}

/// <summary>
/// Reads a provider's account balance where its API tells it in credits (Runway's <c>GET /v1/organization</c>
/// <c>creditBalance</c>; Runware's prepaid USD balance, × 100) and compares it with the team's outstanding reservations
/// with that provider. A read is kept a minute per account, so opening the page again does not call the provider each time.
/// </summary>
public sealed class ProviderBalance(
    IDbContextFactory<StudioDbContext> dbFactory,
    ProviderConnections connections,
    ProviderCatalog catalog,
    IOptions<SandboxOptions> sandbox,
    TimeProvider clock,
    ILogger<ProviderBalance> logger)
{
    public static readonly TimeSpan ReadLifetime = TimeSpan.FromMinutes(1);

    /// <summary>The providers whose account endpoint tells a balance in our unit (1 credit = US$0.01).</summary>
    public static readonly IReadOnlyList<string> Providers = [RunwayProvider.ProviderName, RunwareProvider.ProviderName];

    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, AccountRead> _reads = new();

    private sealed record AccountRead(long? Balance, string? Problem, DateTime At);

    /// <summary>Each balance provider's account for the team; null unless the actor is the team's owner or an admin.</summary>
    public async Task<IReadOnlyList<ProviderBalanceView>?> ForTeamAsync(string actorId, Guid teamId, CancellationToken ct = default)
    {
        Dictionary<string, long> outstanding;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var role = await TeamService.RoleAsync(db, actorId, teamId, ct);
            if (role is not { } r || !TeamPermissions.CanManageMembers(r))
            {
                return null;
            }
            outstanding = await OutstandingAsync(db, teamId, ct);
        }
        var keys = await connections.StatusAsync(teamId, ct);
        var views = new List<ProviderBalanceView>();
        foreach (var key in keys.Where(k => Providers.Contains(k.Provider)))
        {
            views.Add(await ReadAsync(teamId, key, outstanding.GetValueOrDefault(key.Provider), ct));
        }
        return views;
    }

    /// <summary>
    /// What the team's takes hold per provider: their Reserve entries that have been neither settled nor released, of any
    /// period (a take reserved last month still holds until it ends).
    /// </summary>
    private static async Task<Dictionary<string, long>> OutstandingAsync(StudioDbContext db, Guid teamId, CancellationToken ct)
    {
        var providers = Providers.ToArray();
        var open = await CreditLedger.OpenHolds(db)
            .Where(e => e.TeamId == teamId && e.Provider != null && providers.Contains(e.Provider))
            .GroupBy(e => e.Provider!).Select(g => new { Provider = g.Key, Held = g.Sum(e => e.HeldDelta) })
            .ToListAsync(ct);
        return open.ToDictionary(o => o.Provider, o => o.Held);
    }

    private async Task<ProviderBalanceView> ReadAsync(Guid teamId, ProviderKeyStatus key, long outstanding, CancellationToken ct)
    {
        var adapter = catalog.Get(key.Provider);
        var name = adapter.Capabilities.DisplayName;
        if (key.KeySource == "sandbox")
        {
            // No key anywhere: the emulator, which has no money to show (or, with Sandbox off, nothing at all).
            return sandbox.Value.Enabled
                ? new ProviderBalanceView(key.Provider, name, "sandbox", null, outstanding, null, null)
                : new ProviderBalanceView(key.Provider, name, "none", null, outstanding, null, new ProviderNotConfiguredException(key.Provider).Message);
        }
        ProviderConnection connection;
        try
        {
            connection = await connections.ForTeamAsync(teamId, key.Provider, ct);
        }
        catch (ProviderNotConfiguredException ex) // the key went meanwhile and Sandbox is off
        {
            return new ProviderBalanceView(key.Provider, name, "none", null, outstanding, null, ex.Message);
        }
        if (connection.IsSandbox)
        {
            return new ProviderBalanceView(key.Provider, name, "sandbox", null, outstanding, null, null);
        }

        // Per account, not per team: teams on the server's key share one read. A new key misses the cache by itself.
        var account = $"{key.Provider}|{connection.BaseUri}|{Webhooks.CallbackLinks.Hash(connection.ApiKey)}";
        var now = clock.GetUtcNow().UtcDateTime;
        if (!_reads.TryGetValue(account, out var read) || now - read.At >= ReadLifetime)
        {
            read = await ReadAccountAsync(adapter, connection, now, ct);
            _reads[account] = read;
        }
        return new ProviderBalanceView(key.Provider, name, connection.KeySource, read.Balance, outstanding, read.At, read.Problem);
    }

    private async Task<AccountRead> ReadAccountAsync(IVideoProvider adapter, ProviderConnection connection, DateTime now, CancellationToken ct)
    {
        var name = adapter.Capabilities.DisplayName;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ReadTimeout);
            var result = await adapter.TestConnectionAsync(connection, timeout.Token);
            if (!result.IsSuccess)
            {
                logger.LogInformation("Could not read the {Provider} balance ({Connection}): {Kind} {Message}", adapter.Name, connection, result.Failure!.Kind, result.Failure.Message);
                return new AccountRead(null, FailureText.ForSubmit(result.Failure, name), now);
            }
            return result.Value!.CreditBalance is { } credits
                ? new AccountRead(Millicredits.FromCredits(credits), null, now)
                : new AccountRead(null, $"{name} did not say the account's balance.", now);
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException && !ct.IsCancellationRequested)
        {
            logger.LogInformation("Could not read the {Provider} balance ({Connection}): {Error}", adapter.Name, connection, ex.Message);
            return new AccountRead(null, $"{name} did not answer in time.", now);
        }
    }
}
