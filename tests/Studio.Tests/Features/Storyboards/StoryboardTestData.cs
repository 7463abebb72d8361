using Studio.Web.Features.Generations;
using Studio.Web.Features.Storyboards;

namespace Studio.Tests.Features.Storyboards;

/// <summary>Shots and takes as the storyboard service would hand them to the editor.</summary>
internal static class StoryboardTestData
{
    public static ShotView Shot(int number, string title = "", string prompt = "", bool continues = false, IReadOnlyList<ShotTakeView>? takes = null,
        Guid? selected = null, string? runError = null, int pendingTakes = 0, Guid? id = null) =>
        new(id ?? Guid.NewGuid(), number, title, prompt, "runway", "gen4.5", "1280:720", 5, null, null, "", continues, false, null, selected,
            selected is null ? null : "automatically", pendingTakes, runError, takes ?? [], new DateTime(2026, 11, 27, 10, 0, 0, DateTimeKind.Utc));

    public static IReadOnlyList<ShotView> Shots(int count) =>
        [.. Enumerable.Range(1, count).Select(n => Shot(n, $"Shot title {n}"))];

    public static GenerationView Take(GenerationState state = GenerationState.Ready, long? seed = 7, string prompt = "A lighthouse at dawn", double? progress = null,
        string provider = "runway", string model = "gen4.5") =>
        new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), 3, state, progress, model, provider, true, null, null, null, prompt, "1280:720", 5, seed, false,
            state == GenerationState.Failed ? "The provider refused the prompt." : null, "Ada", DateTime.UtcNow, state == GenerationState.Ready ? DateTime.UtcNow : null,
            60, 1280, 720, 5.0, 1000, "h264");
}
