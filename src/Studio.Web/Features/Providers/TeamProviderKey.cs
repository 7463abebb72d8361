using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Studio.Web.Features.Teams;

namespace Studio.Web.Features.Providers;

/// <summary>A team's own key for one provider, encrypted with ASP.NET Data Protection. Never shown again after entry.</summary>
public sealed class TeamProviderKey
{
    public Guid TeamId { get; set; }
    public Team? Team { get; set; }
    public string Provider { get; set; } = "";
    public string ProtectedApiKey { get; set; } = "";
    public string? ProtectedWebhookSigningKey { get; set; }
    /// <summary>The last four characters, so people can tell keys apart.</summary>
    public string KeyHint { get; set; } = "";
    public string UpdatedByUserId { get; set; } = "";
    public DateTime UpdatedAt { get; set; }
    /// <summary>When the provider last refused this key (401/403), so admins see it on the providers page.</summary>
    public DateTime? LastRefusedAt { get; set; }
}

internal sealed class TeamProviderKeyConfiguration : IEntityTypeConfiguration<TeamProviderKey>
{
    public void Configure(EntityTypeBuilder<TeamProviderKey> builder)
    {
        builder.HasKey(k => new { k.TeamId, k.Provider });
        builder.Property(k => k.Provider).HasMaxLength(32);
        builder.Property(k => k.KeyHint).HasMaxLength(8);
        builder.HasOne(k => k.Team).WithMany().HasForeignKey(k => k.TeamId);
    }
}
