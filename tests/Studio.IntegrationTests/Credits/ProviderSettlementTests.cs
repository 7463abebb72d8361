using Microsoft.EntityFrameworkCore;
using Studio.IntegrationTests.Studio;
using Studio.Web.Features.Credits;
using Studio.Web.Features.Generations;
using Xunit.Abstractions;

namespace Studio.IntegrationTests.Credits;

/// <summary>
/// Settlement and release for each provider's cost shape, end to end: the studio in Sandbox with
/// <c>Credits:ChargeSandbox</c> (its takes hold and settle as if real) and each provider's emulator over HTTP.
/// Runway reports <c>cost.credits</c>, Runware a USD <c>cost</c>; Pixazo and kie report none, so the price per second
/// is charged; a take the provider refuses releases everything.
/// </summary>
public sealed class ProviderSettlementTests(ITestOutputHelper output)
{
    public static TheoryData<string, string, string, int, string?, bool, long> Cases => new()
    {
        // provider, model, ratio, seconds, quality, fails, expected charge (millicredits)
        { "runway", VideoModels.Gen45.Id, "1280:720", 2, null, false, 24_000 },         // cost.credits 24
        { "runware", VideoModels.RunwareGen45.Id, "1280:720", 2, null, false, 24_000 },  // US$0.24
        { "pixazo", VideoModels.PixazoGen45.Id, "1280:720", 5, null, false, 60_000 },    // no cost reported: 5 s × 12
        { "kie", VideoModels.KieRunway.Id, "1280:720", 5, "720p", false, 60_000 },       // no cost reported: the price list
        { "pixazo", VideoModels.PixazoGen45.Id, "1280:720", 5, null, true, 0 },          // ERROR: not charged
        { "runware", VideoModels.RunwareGen45.Id, "1280:720", 2, null, true, 0 },        // error: not charged
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_take_ends_with_what_its_provider_charged_and_nothing_held(string provider, string model, string ratio, int seconds, string? quality, bool fails, long charged)
    {
        var dataDirectory = TestPaths.NewDirectory($"settle-{provider}");
        try
        {
            await using var studio = StudioTestHost.StartSandbox(dataDirectory, emulatorRunningSeconds: 0.5, settings: new Dictionary<string, string>
            {
                ["Credits:ChargeSandbox"] = "true",
                [$"Providers:{provider}:UseWebhooks"] = "false",
                [$"Providers:{provider}:SandboxPollSeconds"] = "0.2",
            });
            var user = await studio.RegisterAsync("Cas");
            var project = await studio.CreateProjectAsync(user);
            var prompt = fails ? "Refused take [[fault: moderation]]" : "A paper boat drifts down a gutter after rain";
            var id = await studio.SubmitAsync(user, project, new GenerationDraft(model, prompt, ratio, seconds, null, null, Provider: provider, Quality: quality));

            var take = await studio.WaitForAsync(id, g => GenerationStateMachine.IsTerminal(g.State), "ended", timeoutSeconds: 90);
            List<CreditEntry> entries;
            var deadline = DateTime.UtcNow.AddSeconds(20);
            do
            {
                await using var db = await studio.DbAsync();
                entries = await db.CreditEntries.AsNoTracking().Where(e => e.GenerationId == id).OrderBy(e => e.Id).ToListAsync();
            }
            while (entries.Count < 2 && DateTime.UtcNow < deadline && await Delay());

            output.WriteLine($"{provider}: {take.State}, reported cost {take.CostCredits?.ToString() ?? "none"}; entries {string.Join(", ", entries.Select(e => $"{e.Kind} {e.HeldDelta}/{e.SpentDelta}"))}");
            Assert.Equal(fails ? GenerationState.Failed : GenerationState.Ready, take.State);
            Assert.Equal(seconds * 12_000L, entries[0].HeldDelta);
            Assert.Equal(CreditEntryKind.Reserve, entries[0].Kind);
            Assert.Equal(2, entries.Count);
            Assert.Equal((charged > 0 ? CreditEntryKind.Settle : CreditEntryKind.Release, -seconds * 12_000L, charged), (entries[1].Kind, entries[1].HeldDelta, entries[1].SpentDelta));
            await using (var db = await studio.DbAsync())
            {
                var member = await db.CreditBalances.AsNoTracking().SingleAsync(b => b.Scope == CreditScope.Member && b.ScopeKey == user.Id);
                Assert.Equal((0L, charged), (member.HeldMillicredits, member.SpentMillicredits));
            }
        }
        finally
        {
            TestPaths.TryDelete(dataDirectory);
        }
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(100);
        return true;
    }
}
