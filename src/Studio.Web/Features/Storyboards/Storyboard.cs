using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Studio.Web.Features.Storyboards;

/// <summary>A film planned as an ordered list of shots, in one project.</summary>
public sealed class Storyboard
{
    public const int TitleMaxLength = 80;

    public Guid Id { get; set; }
    public Guid TeamId { get; set; }
    public Guid ProjectId { get; set; }
    public string Title { get; set; } = "";
    /// <summary>The team style preset whose text is added to every shot's prompt, or null.</summary>
    public Guid? StylePresetId { get; set; }
    public string CreatedByUserId { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>Grows with every change, so an open editor can tell it missed one.</summary>
    public int Version { get; set; }
    /// <summary>The member whose "Generate all" is still waiting on shots (their quota pays for the rest), or null.</summary>
    public string? RunByUserId { get; set; }
}

/// <summary>One shot of a storyboard: what to generate, and which of its takes is the chosen one.</summary>
public sealed class Shot
{
    public const int TitleMaxLength = 80;
    public const int NotesMaxLength = 2000;
    /// <summary>What a shot holds while drafting; generating checks the model's own limit.</summary>
    public const int PromptMaxLength = 4000;
    public const int MaxTakesPerRun = 4;

    public Guid Id { get; set; }
    public Guid StoryboardId { get; set; }
    public Guid TeamId { get; set; }
    /// <summary>Order in the storyboard, 0-based; shots are renumbered on every move.</summary>
    public int Position { get; set; }
    public string Title { get; set; } = "";
    public string PromptText { get; set; } = "";
    public string Provider { get; set; } = "runway";
    public string Model { get; set; } = "gen4.5";
    public string Ratio { get; set; } = "1280:720";
    public int DurationSeconds { get; set; } = 5;
    public long? Seed { get; set; }
    public string? Quality { get; set; }
    public string Notes { get; set; } = "";
    /// <summary>When set, each take starts from the last frame of the previous shot's selected take.</summary>
    public bool ContinueFromPrevious { get; set; }
    /// <summary>An image the user gave as this shot's first frame (not used when continuing from the previous shot).</summary>
    public string? FirstFrameBlobKey { get; set; }
    public string? FirstFrameContentType { get; set; }
    public Guid? SelectedGenerationId { get; set; }
    public string? SelectedByUserId { get; set; }
    public DateTime? SelectedAt { get; set; }
    /// <summary>Takes "Generate all" still owes this shot once the shot it continues from has a take.</summary>
    public int PendingTakes { get; set; }
    /// <summary>Why "Generate all" could not make this shot's takes (shown on the card), or null.</summary>
    public string? RunError { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>Deleted shots stay a while so "Undo" can bring them back.</summary>
    public DateTime? DeletedAt { get; set; }
}

/// <summary>A named block of prompt text a team applies to whole storyboards ("house style").</summary>
public sealed class StylePreset
{
    public const int NameMaxLength = 60;
    public const int TextMaxLength = 400;

    public Guid Id { get; set; }
    public Guid TeamId { get; set; }
    public string Name { get; set; } = "";
    public string Text { get; set; } = "";
    public string CreatedByUserId { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public enum FinalCutState { Queued, Assembling, Ready, Failed }

/// <summary>One assembly of a storyboard's selected takes into a film; when ready, the film is a take in the gallery.</summary>
public sealed class FinalCut
{
    public Guid Id { get; set; }
    public Guid StoryboardId { get; set; }
    public Guid TeamId { get; set; }
    public Guid ProjectId { get; set; }
    public FinalCutState State { get; set; }
    public double Progress { get; set; }
    /// <summary>The selected takes it assembles, in order, comma-separated (fixed when it is asked for).</summary>
    public string TakeIds { get; set; } = "";
    /// <summary>The gallery take holding the film once it is ready.</summary>
    public Guid? GenerationId { get; set; }
    public string? FailureReason { get; set; }
    public string CreatedByUserId { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public double? AssemblySeconds { get; set; }

    public IReadOnlyList<Guid> Takes => [.. TakeIds.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse)];
}

internal sealed class StoryboardConfiguration : IEntityTypeConfiguration<Storyboard>
{
    public void Configure(EntityTypeBuilder<Storyboard> builder)
    {
        builder.Property(s => s.Title).HasMaxLength(Storyboard.TitleMaxLength).IsRequired();
        builder.Property(s => s.CreatedByUserId).HasMaxLength(64);
        builder.Property(s => s.RunByUserId).HasMaxLength(64);
        builder.HasIndex(s => new { s.ProjectId, s.UpdatedAt });
        builder.HasIndex(s => s.TeamId);
    }
}

internal sealed class ShotConfiguration : IEntityTypeConfiguration<Shot>
{
    public void Configure(EntityTypeBuilder<Shot> builder)
    {
        builder.Property(s => s.Title).HasMaxLength(Shot.TitleMaxLength);
        builder.Property(s => s.PromptText).HasMaxLength(Shot.PromptMaxLength);
        builder.Property(s => s.Provider).HasMaxLength(32);
        builder.Property(s => s.Model).HasMaxLength(64);
        builder.Property(s => s.Ratio).HasMaxLength(16);
        builder.Property(s => s.Quality).HasMaxLength(16);
        builder.Property(s => s.Notes).HasMaxLength(Shot.NotesMaxLength);
        builder.Property(s => s.SelectedByUserId).HasMaxLength(64);
        builder.Property(s => s.RunError).HasMaxLength(400);
        builder.HasIndex(s => new { s.StoryboardId, s.Position });
        builder.HasIndex(s => s.TeamId);
    }
}

internal sealed class StylePresetConfiguration : IEntityTypeConfiguration<StylePreset>
{
    public void Configure(EntityTypeBuilder<StylePreset> builder)
    {
        builder.Property(p => p.Name).HasMaxLength(StylePreset.NameMaxLength).IsRequired();
        builder.Property(p => p.Text).HasMaxLength(StylePreset.TextMaxLength).IsRequired();
        builder.HasIndex(p => new { p.TeamId, p.Name }).IsUnique();
    }
}

internal sealed class FinalCutConfiguration : IEntityTypeConfiguration<FinalCut>
{
    public void Configure(EntityTypeBuilder<FinalCut> builder)
    {
        builder.Property(c => c.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.TakeIds).HasMaxLength(8000);
        builder.Property(c => c.FailureReason).HasMaxLength(400);
        builder.Ignore(c => c.Takes);
        builder.HasIndex(c => new { c.StoryboardId, c.CreatedAt });
        builder.HasIndex(c => c.State);
        builder.HasIndex(c => c.TeamId);
    }
}
