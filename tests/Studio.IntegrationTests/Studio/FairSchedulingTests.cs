using Studio.Web.Features.Generations;
using Studio.Web.Features.Live;
using Microsoft.Extensions.DependencyInjection;

namespace Studio.IntegrationTests.Studio;

/// <summary>The provider account's concurrency limit holds, and a teammate's take is not stuck behind a batch.</summary>
public sealed class FairSchedulingTests : IAsyncLifetime
{
    private readonly string _dataDirectory = TestPaths.NewDirectory("fair");
    private StudioTestHost _studio = null!;

    public Task InitializeAsync()
    {
        _studio = StudioTestHost.StartSandbox(_dataDirectory, emulatorRunningSeconds: 1, new Dictionary<string, string>
        {
            ["Providers:runway:MaxConcurrentGenerations"] = "1",
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _studio.DisposeAsync();
        TestPaths.TryDelete(_dataDirectory);
    }

    [Fact]
    public async Task Batch_AtALimitOfOne_RunsOneAtATimeAndLetsTheTeammateGoSecond()
    {
        var ann = await _studio.RegisterAsync("Ann");
        var annProject = await _studio.CreateProjectAsync(ann);
        var sentOrder = new List<Guid>();
        var states = new Dictionary<Guid, GenerationState>();
        var mostAtProviderAtOnce = 0;
        var notifier = _studio.Services.GetRequiredService<GenerationNotifier>();
        using var _ = notifier.Subscribe(change =>
        {
            lock (states)
            {
                states[change.GenerationId] = change.State;
                if (change.State == GenerationState.Submitting && !sentOrder.Contains(change.GenerationId))
                {
                    sentOrder.Add(change.GenerationId);
                }
                mostAtProviderAtOnce = Math.Max(mostAtProviderAtOnce,
                    states.Values.Count(s => s is GenerationState.Submitting or GenerationState.Queued or GenerationState.Running));
            }
            return Task.CompletedTask;
        });

        // Ann's batch of four, then Bob's one take; both use the same (Sandbox) provider account.
        var batch = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            batch.Add(await _studio.SubmitAsync(ann, annProject, StudioTestHost.TextDraft($"Ann's shot {i}")));
        }
        var bob = await _studio.RegisterAsync("Bob");
        var bobProject = await _studio.CreateProjectAsync(bob);
        var bobsTake = await _studio.SubmitAsync(bob, bobProject, StudioTestHost.TextDraft("Bob's only shot"));

        foreach (var id in batch.Append(bobsTake))
        {
            await _studio.WaitForStateAsync(id, GenerationState.Ready, timeoutSeconds: 120);
        }

        // One at a time: no two takes were ever at the provider together.
        Assert.Equal(1, mostAtProviderAtOnce);
        // Bob is not last: his take went before most of Ann's batch.
        Assert.True(sentOrder.IndexOf(bobsTake) <= 2, $"Bob's take was sent {sentOrder.IndexOf(bobsTake) + 1}th of {sentOrder.Count}");
    }
}

public sealed class StaleLeaseTests : IAsyncLifetime
{
    private readonly string _dataDirectory = TestPaths.NewDirectory("stale-lease");
    private StudioTestHost _studio = null!;

    public Task InitializeAsync()
    {
        _studio = StudioTestHost.StartSandbox(_dataDirectory, emulatorRunningSeconds: 1, new Dictionary<string, string>
        {
            ["Providers:runway:MaxConcurrentGenerations"] = "1",
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _studio.DisposeAsync();
        TestPaths.TryDelete(_dataDirectory);
    }

    [Fact]
    public async Task WaitingTakesLeasedByADeadWorker_DoNotHoldTheAccountsSlots()
    {
        var user = await _studio.RegisterAsync("Ann");
        var projectId = await _studio.CreateProjectAsync(user);
        var ids = new List<Guid>();
        await using (var db = await _studio.DbAsync())
        {
            var past = DateTime.UtcNow.AddMinutes(-1);
            for (var i = 0; i < 2; i++)
            {
                var id = Guid.CreateVersion7();
                ids.Add(id);
                db.Generations.Add(new Generation
                {
                    Id = id, TeamId = user.TeamId, ProjectId = projectId, CreatedByUserId = user.Id, Provider = "runway", Model = "gen4.5",
                    PromptText = $"Left behind {i}", Ratio = "1280:720", DurationSeconds = 2, Seed = i, IsSandbox = true,
                    State = GenerationState.Reserved, Version = 1, CreatedAt = past, UpdatedAt = past, NextAttemptAt = past,
                    LeaseOwner = "a-worker-that-was-killed", LeaseExpiresAt = past,
                });
            }
            await db.SaveChangesAsync();
        }

        foreach (var id in ids)
        {
            await _studio.WaitForStateAsync(id, GenerationState.Ready, 60);
        }
    }
}

/// <summary>With no configured limit, Runway's own tier limit (from /v1/organization; the emulator's tier says 3) holds.</summary>
public sealed class RunwayTierLimitTests : IAsyncLifetime
{
    private readonly string _dataDirectory = TestPaths.NewDirectory("tier");
    private StudioTestHost _studio = null!;

    public Task InitializeAsync()
    {
        _studio = StudioTestHost.StartSandbox(_dataDirectory, emulatorRunningSeconds: 2);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _studio.DisposeAsync();
        TestPaths.TryDelete(_dataDirectory);
    }

    [Fact]
    public async Task FiveTakes_WithRunwaysTierOfThree_NeverHaveMoreThanThreeAtTheProvider()
    {
        var user = await _studio.RegisterAsync("Ann");
        var projectId = await _studio.CreateProjectAsync(user);
        var states = new Dictionary<Guid, GenerationState>();
        var most = 0;
        using var _ = _studio.Services.GetRequiredService<GenerationNotifier>().Subscribe(change =>
        {
            lock (states)
            {
                states[change.GenerationId] = change.State;
                most = Math.Max(most, states.Values.Count(s => s is GenerationState.Submitting or GenerationState.Queued or GenerationState.Running));
            }
            return Task.CompletedTask;
        });

        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await _studio.SubmitAsync(user, projectId, StudioTestHost.TextDraft($"Shot {i}")));
        }
        foreach (var id in ids)
        {
            await _studio.WaitForStateAsync(id, GenerationState.Ready, timeoutSeconds: 120);
        }

        Assert.Equal(3, most);
    }
}
