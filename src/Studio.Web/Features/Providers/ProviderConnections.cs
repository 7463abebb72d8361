using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Studio.Web.Data;

namespace Studio.Web.Features.Providers;

/// <summary>What a team sees about one provider's key: where it comes from, never the key itself.</summary>
public sealed record ProviderKeyStatus(string Provider, string KeySource, string? KeyHint, bool HasWebhookSigningKey, DateTime? UpdatedAt, DateTime? LastRefusedAt = null);

/// <summary>
/// Decides how a team reaches each provider: the team's own key (encrypted at rest), else the server's key
/// (configuration or the provider's environment variable), else the Sandbox emulator inside the studio.
/// </summary>
public sealed class ProviderConnections(
    IDbContextFactory<StudioDbContext> dbFactory,
    IOptionsMonitor<ProviderOptions> options,
    IOptions<SandboxOptions> sandboxOptions,
    IConfiguration configuration,
    SandboxEndpoint sandbox,
    ProviderCatalog catalog,
    IDataProtectionProvider dataProtection,
    Audit.AuditLog auditLog,
    TimeProvider clock)
{
    /// <summary>A key the emulators accept; it is not a secret.</summary>
    public const string SandboxKey = "key_sandbox0000000000000000";

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Studio.ProviderKeys.v1");

    public ProviderOptions Options(string provider) => options.Get(provider);

    public async Task<ProviderConnection> ForTeamAsync(Guid teamId, string provider, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var teamKey = await db.TeamProviderKeys.AsNoTracking().FirstOrDefaultAsync(k => k.TeamId == teamId && k.Provider == provider, ct);
        if (teamKey is not null)
        {
            return new ProviderConnection(provider, ProductionBaseUri(provider), _protector.Unprotect(teamKey.ProtectedApiKey), IsSandbox: false, "team",
                teamKey.ProtectedWebhookSigningKey is { } signing ? _protector.Unprotect(signing) : ServerSigningKey(provider));
        }
        return ForServer(provider);
    }

    /// <summary>The server's key for the provider, or the Sandbox emulator when there is none.</summary>
    public ProviderConnection ForServer(string provider)
    {
        if (ServerKey(provider) is { } key)
        {
            return new ProviderConnection(provider, ProductionBaseUri(provider), key, IsSandbox: false, "server", ServerSigningKey(provider));
        }
        if (!sandboxOptions.Value.Enabled)
        {
            throw new ProviderNotConfiguredException(provider);
        }
        return new ProviderConnection(provider, new Uri(sandbox.SelfBaseUri, provider + "/"), SandboxKey, IsSandbox: true, "sandbox", ServerSigningKey(provider));
    }

    /// <summary>True when neither a team key nor a server key exists for the provider (it runs on the emulator).</summary>
    public bool IsServerSandbox(string provider) => ServerKey(provider) is null;

    /// <summary>Hosts the archiver may fetch this connection's outputs from (SSRF guard).</summary>
    public IReadOnlyCollection<string> OutputHosts(ProviderConnection connection)
    {
        var configured = Options(connection.Provider).OutputHosts;
        var defaults = configured.Count > 0 ? configured : catalog.Get(connection.Provider).Capabilities.DefaultOutputHosts;
        return [.. defaults, connection.BaseUri.Host];
    }

    public PollCadence Cadence(ProviderConnection connection)
    {
        var o = Options(connection.Provider);
        return connection.IsSandbox
            ? new PollCadence(TimeSpan.FromSeconds(o.SandboxPollSeconds), TimeSpan.FromSeconds(o.SandboxPollSeconds))
            : new PollCadence(TimeSpan.FromSeconds(o.PollInitialSeconds), TimeSpan.FromSeconds(o.PollMaxSeconds));
    }

    public async Task<IReadOnlyList<ProviderKeyStatus>> StatusAsync(Guid teamId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var keys = await db.TeamProviderKeys.AsNoTracking().Where(k => k.TeamId == teamId).ToListAsync(ct);
        return catalog.All.Select(p =>
        {
            var key = keys.FirstOrDefault(k => k.Provider == p.Name);
            return key is not null
                ? new ProviderKeyStatus(p.Name, "team", key.KeyHint, key.ProtectedWebhookSigningKey is not null, key.UpdatedAt, key.LastRefusedAt)
                : new ProviderKeyStatus(p.Name, ServerKey(p.Name) is null ? "sandbox" : "server", null, false, null);
        }).ToList();
    }

    /// <summary>Adds or replaces the team's key. Callers check the user may manage the team.</summary>
    public async Task SetTeamKeyAsync(Guid teamId, string provider, string apiKey, string? webhookSigningKey, string userId, CancellationToken ct = default)
    {
        catalog.Get(provider); // throws for an unknown provider
        apiKey = apiKey.Trim();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.TeamProviderKeys.FirstOrDefaultAsync(k => k.TeamId == teamId && k.Provider == provider, ct);
        if (row is null)
        {
            row = new TeamProviderKey { TeamId = teamId, Provider = provider };
            db.TeamProviderKeys.Add(row);
        }
        row.ProtectedApiKey = _protector.Protect(apiKey);
        row.ProtectedWebhookSigningKey = string.IsNullOrWhiteSpace(webhookSigningKey) ? null : _protector.Protect(webhookSigningKey.Trim());
        row.KeyHint = apiKey.Length >= 8 ? apiKey[^4..] : "";
        row.UpdatedByUserId = userId;
        row.LastRefusedAt = null;
        row.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        // The hint (last four characters) only: a key never goes into the log.
        await auditLog.AddAsync(db, teamId, userId, Audit.AuditActions.ProviderKeyChanged, provider,
            $"set the {catalog.Get(provider).Capabilities.DisplayName} key (…{row.KeyHint}){(row.ProtectedWebhookSigningKey is null ? "" : " with a webhook signing key")}", ct);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Remembers that the provider refused the team's key, for the admins' providers page.</summary>
    public async Task RecordRefusalAsync(ProviderConnection connection, Guid teamId, CancellationToken ct = default)
    {
        if (connection.KeySource != "team")
        {
            return;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.TeamProviderKeys.Where(k => k.TeamId == teamId && k.Provider == connection.Provider)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastRefusedAt, now), ct);
    }

    public async Task RemoveTeamKeyAsync(Guid teamId, string provider, string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.TeamProviderKeys.Where(k => k.TeamId == teamId && k.Provider == provider).ExecuteDeleteAsync(ct) > 0)
        {
            await auditLog.RecordAsync(teamId, userId, Audit.AuditActions.ProviderKeyRemoved, provider,
                $"removed the {catalog.Get(provider).Capabilities.DisplayName} key", ct);
        }
    }

    private string? ServerKey(string provider)
    {
        var key = Options(provider).ApiKey;
        if (string.IsNullOrWhiteSpace(key))
        {
            key = configuration[catalog.Get(provider).Capabilities.ServerKeyVariable];
        }
        return string.IsNullOrWhiteSpace(key) ? null : key.Trim();
    }

    private string? ServerSigningKey(string provider) => Options(provider).WebhookSigningKey is { Length: > 0 } k ? k : null;

    private Uri ProductionBaseUri(string provider)
    {
        var configured = Options(provider).BaseUrl;
        if (string.IsNullOrWhiteSpace(configured) && provider == "runway")
        {
            configured = configuration["RUNWAYML_BASE_URL"]; // the official SDK's variable
        }
        if (string.IsNullOrWhiteSpace(configured))
        {
            configured = catalog.Get(provider).Capabilities.DefaultBaseUrl;
        }
        return new Uri(configured.TrimEnd('/') + "/");
    }
}

/// <summary>Section "Sandbox": whether providers without a key fall back to the built-in emulator.</summary>
public sealed class SandboxOptions
{
    public const string SectionName = "Sandbox";

    /// <summary>On by default so a new studio works offline; a production server with keys may switch it off.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Expose the emulator's test controls (<c>/_emulator/faults</c>, <c>/_emulator/stats</c>). Tests only.</summary>
    public bool TestControls { get; set; }
}

public sealed class ProviderNotConfiguredException(string provider)
    : InvalidOperationException($"No key is configured for {provider} and Sandbox mode is switched off.")
{
    public string Provider { get; } = provider;
}
