using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Studio.Web.Features.Generations;

/// <summary>A member's star on a take; each member has their own.</summary>
public sealed class Favourite
{
    public string UserId { get; set; } = "";
    public Guid GenerationId { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class FavouriteConfiguration : IEntityTypeConfiguration<Favourite>
{
    public void Configure(EntityTypeBuilder<Favourite> builder)
    {
        builder.HasKey(f => new { f.UserId, f.GenerationId });
        builder.HasIndex(f => f.GenerationId);
    }
}
