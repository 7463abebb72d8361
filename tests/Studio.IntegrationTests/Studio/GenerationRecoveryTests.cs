using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Providers;

namespace Studio.IntegrationTests.Studio;

/// <summary>Restarts, crashes and provider refusals: work survives, nothing is paid for twice, failures say why.</summary>
public sealed class GenerationRecoveryTests : IAsyncLifetime
{
    private readonly string _dataDirectory = TestPaths.NewDirectory("recovery");
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Studios first (they talk to the emulator), then emulators.
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
        TestPaths.TryDelete(_dataDirectory);
    }

    private async Task<TestEmulator> StartEmulatorAsync(Action<global::Studio.Emulator.EmulatorOptions>? configure = null)
    {
        var emulator = await TestEmulator.StartAsync(configure);
        _owned.Add(emulator);
        return emulator;
    }

    private StudioTestHost StartStudio(TestEmulator emulator)
    {
        var studio = StudioTestHost.Start(_dataDirectory, emulator);
        _owned.Add(studio);
        return studio;
    }

    private async Task StopAsync(StudioTestHost studio)
    {
        _owned.Remove(studio);
        await studio.DisposeAsync();
    }

    [Fact]
    public async Task Submit_WhenStudioRestartsMidGeneration_ResumesAndFinishes()
    {
        // Long enough at RUNNING that the first studio is surely stopped before the task is done.
        var emulator = await StartEmulatorAsync(o => o.RunningSeconds = 5);
        var first = StartStudio(emulator);
        var user = await first.RegisterAsync("Ada");
        var projectId = await first.CreateProjectAsync(user);
        var id = await first.SubmitAsync(user, projectId);
        var inFlight = await first.WaitForAsync(id, g => g.State is GenerationState.Queued or GenerationState.Running, "Queued or Running");
        var taskId = inFlight.ProviderTaskId;
        Assert.False(string.IsNullOrEmpty(taskId));

        await StopAsync(first);

        await using (var db = OpenDatabase())
        {
            var stopped = await db.Generations.AsNoTracking().SingleAsync(g => g.Id == id);
            Assert.True(stopped.State is GenerationState.Queued or GenerationState.Running, $"after the stop it is {stopped.State}");
            Assert.Equal(taskId, stopped.ProviderTaskId);
            Assert.Null(stopped.LeaseOwner); // a graceful stop hands its leases back
        }

        var second = StartStudio(emulator);
        var ready = await second.WaitForStateAsync(id, GenerationState.Ready);

        Assert.Equal(taskId, ready.ProviderTaskId);
        Assert.Equal(1, await emulator.DailyGenerationsAsync(StudioTestHost.ApiKey)); // created once, never re-sent
        Assert.True(File.Exists(Path.Combine(second.BlobsDirectory, ready.VideoBlobKey!)));
        Assert.Equal(1280, ready.VideoWidth);
    }

    [Fact]
    public async Task Submitting_WhenFoundAfterCrash_BecomesUncertainAndIsNotResent()
    {
        var emulator = await StartEmulatorAsync();
        var first = StartStudio(emulator);
        var user = await first.RegisterAsync("Ada");
        var projectId = await first.CreateProjectAsync(user);
        await StopAsync(first);

        // What a crash in the middle of a create request leaves behind: Submitting, SubmitStartedAt set, no task id,
        // and the dead instance's lease still running for a moment.
        var id = Guid.CreateVersion7();
        var now = DateTime.UtcNow;
        await using (var db = OpenDatabase())
        {
            db.Generations.Add(new Generation
            {
                Id = id,
                TeamId = user.TeamId,
                ProjectId = projectId,
                CreatedByUserId = user.Id,
                Provider = "runway",
                Model = VideoModels.Gen45.Id,
                PromptText = "A lantern-lit night market in the rain",
                Ratio = "1280:720",
                DurationSeconds = 2,
                EstimatedCredits = VideoModels.Gen45.EstimateCredits(2),
                State = GenerationState.Submitting,
                Version = 2,
                SubmitStartedAt = now.AddSeconds(-1),
                CreatedAt = now.AddSeconds(-2),
                UpdatedAt = now.AddSeconds(-1),
                NextAttemptAt = now.AddSeconds(-2),
                LeaseOwner = "crashed-instance",
                LeaseExpiresAt = now.AddSeconds(1),
            });
            await db.SaveChangesAsync();
        }

        var second = StartStudio(emulator);
        var row = await second.WaitForStateAsync(id, GenerationState.Uncertain);

        Assert.Null(row.ProviderTaskId);
        Assert.Contains("not sent again", row.FailureReason);
        Assert.NotNull(row.CompletedAt);
        Assert.Equal(0, await emulator.DailyGenerationsAsync(StudioTestHost.ApiKey));
        // Uncertain waits for a person: the worker leaves it alone from now on.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var later = await second.ReadAsync(id);
        Assert.Equal(GenerationState.Uncertain, later.State);
        Assert.Equal(row.Version, later.Version);
        Assert.Equal(0, await emulator.DailyGenerationsAsync(StudioTestHost.ApiKey));
    }

    [Fact]
    public async Task Provider_WhenCreateReturns401_GenerationFailsWithProviderMessage()
    {
        const string otherKey = "key_ffffffffffffffffffffffffffffffff";
        var emulator = await StartEmulatorAsync(o => o.AcceptedApiKeys = [otherKey]);
        var studio = StartStudio(emulator);
        var user = await studio.RegisterAsync("Ada");
        var projectId = await studio.CreateProjectAsync(user);

        var id = await studio.SubmitAsync(user, projectId);
        var row = await studio.WaitForStateAsync(id, GenerationState.Failed);

        Assert.Equal(nameof(ProviderFailureKind.Unauthorized), row.FailureCode);
        Assert.Contains("API key", row.FailureReason);
        Assert.Null(row.ProviderTaskId);
        Assert.Equal(0, await emulator.DailyGenerationsAsync(otherKey));
        var view = await studio.Generations.GetAsync(user.Id, id);
        Assert.Equal(row.FailureReason, view!.FailureReason);
    }

    private StudioDbContext OpenDatabase() =>
        new(new DbContextOptionsBuilder<StudioDbContext>()
            .UseSqlite($"Data Source={Path.Combine(_dataDirectory, "studio.db")}")
            .Options);
}
