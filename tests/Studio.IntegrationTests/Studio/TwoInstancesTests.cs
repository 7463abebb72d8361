using System.Text.Json;
using Studio.Web.Features.Generations;

namespace Studio.IntegrationTests.Studio;

/// <summary>Two studio instances on one database: every take is worked by exactly one of them.</summary>
public sealed class TwoInstancesTests : IAsyncLifetime
{
    private readonly string _dataDirectory = TestPaths.NewDirectory("two-instances");
    private TestEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await TestEmulator.StartAsync(o => o.RunningSeconds = 1);

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        TestPaths.TryDelete(_dataDirectory);
    }

    [Fact]
    public async Task TwoInstancesSharingTheDatabase_SendEachTakeOnceAndFinishAll()
    {
        await using var first = StudioTestHost.Start(_dataDirectory, _emulator);
        await using var second = StudioTestHost.Start(_dataDirectory, _emulator);
        var user = await first.RegisterAsync("Ada");
        var projectId = await first.CreateProjectAsync(user);

        var ids = new List<Guid>();
        for (var i = 0; i < 8; i++)
        {
            // Alternate the instance that takes the submit; both workers race for every take.
            var host = i % 2 == 0 ? first : second;
            ids.Add(await host.SubmitAsync(user, projectId, StudioTestHost.TextDraft($"Twin shot {i}")));
        }
        foreach (var id in ids)
        {
            await first.WaitForStateAsync(id, GenerationState.Ready, 120);
        }

        var stats = await _emulator.StatsAsync();
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(1, stats.GetProperty("createsByPrompt").GetProperty($"Twin shot {i}").GetInt32());
        }
        Assert.Equal(8, stats.GetProperty("creates").GetInt32());
    }
}
