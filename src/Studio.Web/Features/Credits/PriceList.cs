using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Generations;

namespace Studio.Web.Features.Credits;

public sealed record PriceRow(string Provider, string Model, string DisplayName, long MillicreditsPerSecond, bool IsDefault, string Source);

/// <summary>
/// What a second of output costs, per provider and model (PROVIDERS.md): Runway Gen-4.5 12 credits/s, Pixazo US$0.12/s,
/// Runware US$0.60 per 5 s; kie's price is not published, so it starts at 12 credits/s as an assumption for the site
/// administrator to set. Site administrators change prices; every estimate and reservation reads them here.
/// </summary>
public sealed class PriceList(IDbContextFactory<StudioDbContext> dbFactory, TimeProvider clock)
{
    public const long MaxMillicreditsPerSecond = 10_000_000; // 10,000 credits (US$100) a second: a typo guard.

    private static readonly Dictionary<(string, string), (long PerSecond, string Source)> Defaults = new()
    {
        [("runway", VideoModels.Gen45.Id)] = (12_000, "Runway: 12 credits a second"),
        [("pixazo", VideoModels.PixazoGen45.Id)] = (12_000, "Pixazo: US$0.12 a second"),
        [("runware", VideoModels.RunwareGen45.Id)] = (12_000, "Runware: US$0.60 per 5 s"),
        [("kie", VideoModels.KieRunway.Id)] = (12_000, "kie: not published; assumed 12 credits a second until set"),
    };

    private volatile IReadOnlyDictionary<(string, string), long>? _overrides;
    private DateTime _loadedAt;

    public async Task<long> PerSecondAsync(string provider, string model, CancellationToken ct = default)
    {
        var overrides = await OverridesAsync(ct);
        return overrides.TryGetValue((provider, model), out var set) ? set
            : Defaults.TryGetValue((provider, model), out var d) ? d.PerSecond
            : 12_000;
    }

    /// <summary>The estimate of a take: the price of a second times its seconds.</summary>
    public async Task<long> EstimateAsync(string provider, string model, int seconds, CancellationToken ct = default) =>
        await PerSecondAsync(provider, model, ct) * seconds;

    public async Task<IReadOnlyList<PriceRow>> AllAsync(CancellationToken ct = default)
    {
        var overrides = await OverridesAsync(ct, fresh: true);
        return VideoModels.All.Select(m =>
        {
            var (perSecond, source) = Defaults.TryGetValue((m.Provider, m.Id), out var d) ? d : (12_000, "assumed");
            return overrides.TryGetValue((m.Provider, m.Id), out var set)
                ? new PriceRow(m.Provider, m.Id, m.DisplayName, set, false, "set by a site administrator")
                : new PriceRow(m.Provider, m.Id, m.DisplayName, perSecond, true, source);
        }).ToList();
    }

    /// <summary>Sets a price (site administrators only). Null when done, else why not.</summary>
    public async Task<string?> SetAsync(string userId, string provider, string model, long millicreditsPerSecond, CancellationToken ct = default)
    {
        if (VideoModels.Find(provider, model) is null)
        {
            return "There is no such model.";
        }
        if (millicreditsPerSecond is < 0 or > MaxMillicreditsPerSecond)
        {
            return $"A price is 0–{MaxMillicreditsPerSecond / Millicredits.PerCredit:N0} credits a second.";
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Users.AnyAsync(u => u.Id == userId && u.IsSiteAdmin, ct))
        {
            return "Only a site administrator can change prices.";
        }
        var row = await db.ProviderPrices.FirstOrDefaultAsync(p => p.Provider == provider && p.Model == model, ct);
        if (row is null)
        {
            row = new ProviderPrice { Provider = provider, Model = model };
            db.ProviderPrices.Add(row);
        }
        row.MillicreditsPerSecond = millicreditsPerSecond;
        row.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        row.UpdatedByUserId = userId;
        await db.SaveChangesAsync(ct);
        _overrides = null;
        return null;
    }

    private async Task<IReadOnlyDictionary<(string, string), long>> OverridesAsync(CancellationToken ct, bool fresh = false)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // Read again now and then, so a price set on another instance applies here within a minute.
        if (!fresh && _overrides is { } cached && now - _loadedAt < TimeSpan.FromMinutes(1))
        {
            return cached;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.ProviderPrices.AsNoTracking().ToListAsync(ct);
        var loaded = rows.ToDictionary(r => (r.Provider, r.Model), r => r.MillicreditsPerSecond);
        _overrides = loaded;
        _loadedAt = now;
        return loaded;
    }
}
