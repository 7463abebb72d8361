namespace Studio.Emulator.Media;

/// <summary>What to draw into a placeholder clip. Equal requests produce (and reuse) the same file.</summary>
/// <param name="Prompt">Drawn, wrapped, in the middle of the frame.</param>
/// <param name="Seed">Seeds the colours and the animated pattern, and is printed.</param>
/// <param name="Caption">A short top-left label, e.g. "Runway emulator · gen4.5 · text-to-video".</param>
/// <param name="FirstFrameImage">Encoded JPEG/PNG/WebP used as the background, or null for a generated one.</param>
internal sealed record VideoRenderRequest(
    string Prompt,
    long Seed,
    int Width,
    int Height,
    int DurationSeconds,
    string Caption,
    byte[]? FirstFrameImage = null);
