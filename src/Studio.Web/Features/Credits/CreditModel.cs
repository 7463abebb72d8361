using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Studio.Web.Features.Credits;

/// <summary>1 credit = US$0.01 (Runway's unit); every amount is stored in integer millicredits.</summary>
public static class Millicredits
{
    public const long PerCredit = 1000;

    public static long FromCredits(double credits) => (long)Math.Round(credits * PerCredit, MidpointRounding.AwayFromZero);

    public static string Format(long millicredits) =>
        millicredits % PerCredit == 0 ? $"{millicredits / PerCredit:N0}" : $"{millicredits / (double)PerCredit:N1}";
}

/// <summary>What a ledger entry records. Entries are never changed or deleted; balances are their sums.</summary>
public enum CreditEntryKind
{
    /// <summary>A top-up: raises a member's quota (or the team's budget) for one period.</summary>
    Grant = 0,
    /// <summary>Submitting a take holds its estimate.</summary>
    Reserve = 1,
    /// <summary>The take ended and the provider charged: the hold goes, the actual cost is spent.</summary>
    Settle = 2,
    /// <summary>The take ended and nothing was charged: the hold goes.</summary>
    Release = 3,
    /// <summary>An admin's correction of what was spent (either sign).</summary>
    Adjust = 4,
}

/// <summary>Whose money a balance row counts: the team's monthly budget, a member's quota, or a project's budget.</summary>
public enum CreditScope
{
    Team = 0,
    Member = 1,
    Project = 2,
}

/// <summary>
/// One immutable ledger line. A take's lines are unique per (generation, kind): it is reserved once and then either
/// settled or released once, however often the code that does it runs. Deltas are in millicredits.
/// </summary>
public sealed class CreditEntry
{
    public long Id { get; set; }
    public Guid TeamId { get; set; }
    /// <summary>The member whose quota it counts against (null: the team's budget only, e.g. a team top-up).</summary>
    public string? UserId { get; set; }
    public Guid? ProjectId { get; set; }
    public Guid? GenerationId { get; set; }
    public CreditEntryKind Kind { get; set; }
    /// <summary>The first day of the quota period the entry counts in (a take settles in the period it was reserved in).</summary>
    public DateOnly PeriodStart { get; set; }
    public long HeldDelta { get; set; }
    public long SpentDelta { get; set; }
    public long LimitDelta { get; set; }
    public string? Provider { get; set; }
    public string? Model { get; set; }
    public DateTime At { get; set; }
    public string? ActorUserId { get; set; }
    public string? Note { get; set; }
}

/// <summary>
/// The running totals of one scope in one period, kept beside the ledger so that a reservation is one conditional
/// update ("held + spent + this ≤ limit" on every scope it touches). Always equal to the sums of the entries.
/// </summary>
public sealed class CreditBalance
{
    public long Id { get; set; }
    public Guid TeamId { get; set; }
    public CreditScope Scope { get; set; }
    /// <summary>The member's user id, the project's id, or "" for the team.</summary>
    public string ScopeKey { get; set; } = "";
    public DateOnly PeriodStart { get; set; }
    /// <summary>Null: no limit.</summary>
    public long? LimitMillicredits { get; set; }
    public long HeldMillicredits { get; set; }
    public long SpentMillicredits { get; set; }
    /// <summary>The highest usage alert sent this period (0, 80 or 100).</summary>
    public int AlertedPercent { get; set; }
}

/// <summary>A price the site administrator set, per provider and model, per second of output.</summary>
public sealed class ProviderPrice
{
    public string Provider { get; set; } = "";
    public string Model { get; set; } = "";
    public long MillicreditsPerSecond { get; set; }
    public DateTime UpdatedAt { get; set; }
    public string? UpdatedByUserId { get; set; }
}

internal sealed class CreditEntryConfiguration : IEntityTypeConfiguration<CreditEntry>
{
    public void Configure(EntityTypeBuilder<CreditEntry> builder)
    {
        builder.HasIndex(e => new { e.GenerationId, e.Kind }).IsUnique().HasFilter("\"GenerationId\" IS NOT NULL");
        builder.HasIndex(e => new { e.TeamId, e.PeriodStart });
        builder.HasIndex(e => new { e.TeamId, e.At });
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.UserId).HasMaxLength(450);
        builder.Property(e => e.ActorUserId).HasMaxLength(450);
        builder.Property(e => e.Provider).HasMaxLength(32);
        builder.Property(e => e.Model).HasMaxLength(64);
        builder.Property(e => e.Note).HasMaxLength(300);
    }
}

internal sealed class CreditBalanceConfiguration : IEntityTypeConfiguration<CreditBalance>
{
    public void Configure(EntityTypeBuilder<CreditBalance> builder)
    {
        builder.HasIndex(b => new { b.TeamId, b.Scope, b.ScopeKey, b.PeriodStart }).IsUnique();
        builder.Property(b => b.ScopeKey).HasMaxLength(450);
    }
}

internal sealed class ProviderPriceConfiguration : IEntityTypeConfiguration<ProviderPrice>
{
    public void Configure(EntityTypeBuilder<ProviderPrice> builder)
    {
        builder.HasKey(p => new { p.Provider, p.Model });
        builder.Property(p => p.Provider).HasMaxLength(32);
        builder.Property(p => p.Model).HasMaxLength(64);
        builder.Property(p => p.UpdatedByUserId).HasMaxLength(450);
    }
}
