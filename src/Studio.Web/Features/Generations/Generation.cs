using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Studio.Web.Features.Projects;

namespace Studio.Web.Features.Generations;

/// <summary>One take of one shot: the request, where it stands at the provider, and the archived result.</summary>
public sealed class Generation
{
    public Guid Id { get; set; }
    public Guid TeamId { get; set; }
    public Guid ProjectId { get; set; }
    public Project? Project { get; set; }
    public string CreatedByUserId { get; set; } = "";
    /// <summary>The composer's id for one press of Generate: a double click or a resent form makes one take.</summary>
    public Guid? ClientRequestId { get; set; }

    // What was asked for.
    public string Provider { get; set; } = "";
    public string Model { get; set; } = "";
    public string PromptText { get; set; } = "";
    public string Ratio { get; set; } = "";
    public int DurationSeconds { get; set; }
    public long? Seed { get; set; }
    public string? FirstFrameBlobKey { get; set; }
    public string? FirstFrameContentType { get; set; }
    public string? Quality { get; set; }
    public bool IsSandbox { get; set; }
    /// <summary>Null when the provider's price is unknown (kie).</summary>
    public int? EstimatedCredits { get; set; }
    /// <summary>Set when this take extends another (kie's extend): the new take continues the parent's video.</summary>
    public Guid? ParentGenerationId { get; set; }
    /// <summary>The storyboard shot this take was made for, or null for a take from the composer.</summary>
    public Guid? ShotId { get; set; }
    /// <summary>Continuity: the take whose last frame became this take's first frame (the previous shot's selected take then).</summary>
    public Guid? ContinuedFromGenerationId { get; set; }

    // Where it stands.
    public GenerationState State { get; set; }
    /// <summary>Grows by one with every persisted change; pages use it to spot a missed push.</summary>
    public int Version { get; set; }
    public double? Progress { get; set; }
    public string? ProviderTaskId { get; set; }
    /// <summary>A provider's own words about where the task stands, e.g. "queued at provider" (Runway THROTTLED).</summary>
    public string? ProviderDetail { get; set; }
    /// <summary>SHA-256 of the per-generation webhook token; the token itself is only ever in the callback URL.</summary>
    public string? CallbackTokenHash { get; set; }
    /// <summary>When a webhook was asked for, the time by which it is overdue and polling takes over.</summary>
    public DateTime? CallbackExpectedBy { get; set; }
    /// <summary>When the last webhook delivery for this take arrived (it may beat the create's own answer).</summary>
    public DateTime? CallbackReceivedAt { get; set; }
    /// <summary>Set when a create request leaves; a Submitting row found with it set after a crash is Uncertain.</summary>
    public DateTime? SubmitStartedAt { get; set; }
    /// <summary>Set before the provider is asked to cancel, so a poll that then finds the task gone reads it as cancelled.</summary>
    public DateTime? CancelRequestedAt { get; set; }
    /// <summary>Internal only: users never see provider URLs.</summary>
    public string? ProviderOutputUrl { get; set; }
    public double? CostCredits { get; set; }
    public string? FailureReason { get; set; }
    public string? FailureCode { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    /// <summary>Deleted by an admin: hidden everywhere, its blobs removed; the row stays for the credit ledger and the audit log.</summary>
    public DateTime? DeletedAt { get; set; }
    public string? DeletedByUserId { get; set; }

    // Job engine bookkeeping.
    public DateTime NextAttemptAt { get; set; }
    public int AttemptCount { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseExpiresAt { get; set; }

    // The archived video.
    public string? VideoBlobKey { get; set; }
    public string? PosterBlobKey { get; set; }
    public string? VideoSha256 { get; set; }
    public long? VideoBytes { get; set; }
    public int? VideoWidth { get; set; }
    public int? VideoHeight { get; set; }
    public double? VideoDurationSeconds { get; set; }
    public string? VideoCodec { get; set; }
}

internal sealed class GenerationConfiguration : IEntityTypeConfiguration<Generation>
{
    public void Configure(EntityTypeBuilder<Generation> builder)
    {
        builder.Property(g => g.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(g => g.Version).IsConcurrencyToken();
        builder.Property(g => g.Provider).HasMaxLength(32);
        builder.Property(g => g.Model).HasMaxLength(64);
        builder.Property(g => g.PromptText).HasMaxLength(4000);
        builder.Property(g => g.Ratio).HasMaxLength(16);
        builder.Property(g => g.ProviderTaskId).HasMaxLength(128);
        builder.Property(g => g.ProviderDetail).HasMaxLength(200);
        builder.Property(g => g.CallbackTokenHash).HasMaxLength(64);
        builder.Property(g => g.Quality).HasMaxLength(16);
        builder.HasIndex(g => g.ParentGenerationId);
        builder.HasIndex(g => g.ShotId);
        builder.HasIndex(g => new { g.CreatedByUserId, g.ClientRequestId }).IsUnique();
        builder.Property(g => g.LeaseOwner).HasMaxLength(64);
        builder.Property(g => g.VideoSha256).HasMaxLength(64);
        builder.HasOne(g => g.Project).WithMany().HasForeignKey(g => g.ProjectId);
        builder.HasIndex(g => new { g.ProjectId, g.CreatedAt });
        builder.HasIndex(g => new { g.State, g.NextAttemptAt });
    }
}
