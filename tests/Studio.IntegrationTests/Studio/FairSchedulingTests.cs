using Studio.Web.Features.Generations;
using Studio.Web.Features.Live;
using Microsoft.Extensions.DependencyInjection;

namespace Studio.IntegrationTests.Studio;

/// <summary>The provider account's concurrency limit holds, and a teammate's take is not stuck behind a batch.</summary>
public sealed class FairSchedulingTests() : SandboxStudioTest("fair", emulatorRunningSeconds: 1, new Dictionary<string, string> { ["Providers:runway:MaxConcurrentGenerations"] = "1" })
{
    [Fact]
    public async Task Batch_AtALimitOfOne_RunsOneAtATimeAndLetsTheTeammateGoSecond()
    {
        var ann = await Studio.RegisterAsync("Ann");
        var annProject = await Studio.CreateProjectAsync(ann);
        var sentOrder = new List<Guid>();
        using var atProvider = new AtProviderCounter(Studio, change =>
        {
            if (change.State == GenerationState.Submitting && !sentOrder.Contains(change.GenerationId))
            {
                sentOrder.Add(change.GenerationId);
            }
        });

        // Ann's batch of four, then Bob's one take; both use the same (Sandbox) provider account.
        var batch = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            batch.Add(await Studio.SubmitAsync(ann, annProject, StudioTestHost.TextDraft($"Ann's shot {i}")));
        }
        var bob = await Studio.RegisterAsync("Bob");
        var bobProject = await Studio.CreateProjectAsync(bob);
        var bobsTake = await Studio.SubmitAsync(bob, bobProject, StudioTestHost.TextDraft("Bob's only shot"));

        foreach (var id in batch.Append(bobsTake))
        {
            await Studio.WaitForStateAsync(id, GenerationState.Ready, timeoutSeconds: 120);
        }

        // One at a time: no two takes were ever at the provider together.
        Assert.Equal(1, atProvider.Most);
        // Bob is not last: his take went before most of Ann's batch.
        Assert.True(sentOrder.IndexOf(bobsTake) <= 2, $"Bob's take was sent {sentOrder.IndexOf(bobsTake) + 1}th of {sentOrder.Count}");
    }
}

public sealed class StaleLeaseTests() : SandboxStudioTest("stale-lease", emulatorRunningSeconds: 1, new Dictionary<string, string> { ["Providers:runway:MaxConcurrentGenerations"] = "1" })
{
    [Fact]
    public async Task WaitingTakesLeasedByADeadWorker_DoNotHoldTheAccountsSlots()
    {
        var user = await Studio.RegisterAsync("Ann");
        var projectId = await Studio.CreateProjectAsync(user);
        var ids = new List<Guid>();
        await using (var db = await Studio.DbAsync())
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
            await Studio.WaitForStateAsync(id, GenerationState.Ready, 60);
        }
    }
}

/// <summary>With no configured limit, Runway's own tier limit (from /v1/organization; the emulator's tier says 3) holds.</summary>
public sealed class RunwayTierLimitTests() : SandboxStudioTest("tier", emulatorRunningSeconds: 2)
{
    [Fact]
    public async Task FiveTakes_WithRunwaysTierOfThree_NeverHaveMoreThanThreeAtTheProvider()
    {
        var user = await Studio.RegisterAsync("Ann");
        var projectId = await Studio.CreateProjectAsync(user);
        using var atProvider = new AtProviderCounter(Studio);

        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await Studio.SubmitAsync(user, projectId, StudioTestHost.TextDraft($"Shot {i}")));
        }
        foreach (var id in ids)
        {
            await Studio.WaitForStateAsync(id, GenerationState.Ready, timeoutSeconds: 120);
        }

        Assert.Equal(3, atProvider.Most);
    }
}
