using Microsoft.EntityFrameworkCore;
using Studio.Web.Features.Generations;

namespace Studio.IntegrationTests.Studio;

/// <summary>One press makes one take; cancel works in every state before archiving; an uncertain take is retried only knowingly.</summary>
public sealed class CancelAndRetryTests : IAsyncLifetime
{
    private readonly string _dataDirectory = TestPaths.NewDirectory("cancel-retry");
    private StudioTestHost _studio = null!;

    public Task InitializeAsync()
    {
        // Sandbox: all four providers' emulators, tasks running long enough to cancel.
        _studio = StudioTestHost.StartSandbox(_dataDirectory, emulatorRunningSeconds: 6);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _studio.DisposeAsync();
        TestPaths.TryDelete(_dataDirectory);
    }

    [Fact]
    public async Task Submit_SamePressSentTwice_MakesOneTake()
    {
        var user = await _studio.RegisterAsync("Ada");
        var projectId = await _studio.CreateProjectAsync(user);
        var draft = StudioTestHost.TextDraft() with { RequestId = Guid.NewGuid() };

        var first = await _studio.Generations.SubmitAsync(user.Id, projectId, draft);
        var again = await _studio.Generations.SubmitAsync(user.Id, projectId, draft);
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _studio.Generations.SubmitAsync(user.Id, projectId, draft)));

        Assert.Equal(first.GenerationId, again.GenerationId);
        Assert.All(concurrent, r => Assert.Equal(first.GenerationId, r.GenerationId));
        await using var db = await _studio.DbAsync();
        Assert.Equal(1, await db.Generations.CountAsync(g => g.ProjectId == projectId));
    }

    [Fact]
    public async Task Cancel_AtAProviderWithoutCancel_StopsFollowingSaysItMayBeChargedAndNeverArchives()
    {
        var user = await _studio.RegisterAsync("Ada");
        var projectId = await _studio.CreateProjectAsync(user);
        var draft = new GenerationDraft(VideoModels.PixazoGen45.Id, "Gulls over the harbour", "1280:720", 5, 3, null, Provider: "pixazo");
        var id = await _studio.SubmitAsync(user, projectId, draft);
        await _studio.WaitForAsync(id, g => g.State is GenerationState.Queued or GenerationState.Running, "Queued or Running");

        Assert.Null(await _studio.Generations.CancelAsync(user.Id, id));

        var cancelled = await _studio.ReadAsync(id);
        Assert.Equal(GenerationState.Cancelled, cancelled.State);
        Assert.Contains("may still finish there and be charged", cancelled.FailureReason);
        // The emulator finishes the task anyway (about 7 s); the studio must not follow or archive it.
        await Task.Delay(TimeSpan.FromSeconds(9));
        var later = await _studio.ReadAsync(id);
        Assert.Equal((GenerationState.Cancelled, (string?)null), (later.State, later.VideoBlobKey));
    }

    [Fact]
    public async Task Cancel_OfAReadyTake_IsRefused()
    {
        var user = await _studio.RegisterAsync("Ada");
        var projectId = await _studio.CreateProjectAsync(user);
        var id = await _studio.SubmitAsync(user, projectId);
        await _studio.WaitForStateAsync(id, GenerationState.Ready, timeoutSeconds: 90);

        Assert.Equal("A take that is ready cannot be cancelled.", await _studio.Generations.CancelAsync(user.Id, id));
    }

    [Fact]
    public async Task RetryUncertain_MakesANewTakeThatFinishes_AndDismissesTheUncertainOne()
    {
        var user = await _studio.RegisterAsync("Ada");
        var projectId = await _studio.CreateProjectAsync(user);
        var uncertainId = Guid.CreateVersion7();
        await using (var db = await _studio.DbAsync())
        {
            var now = DateTime.UtcNow;
            db.Generations.Add(new Generation
            {
                Id = uncertainId, TeamId = user.TeamId, ProjectId = projectId, CreatedByUserId = user.Id,
                Provider = "runway", Model = "gen4.5", PromptText = "A lantern festival", Ratio = "1280:720", DurationSeconds = 2, Seed = 9,
                IsSandbox = true, State = GenerationState.Uncertain, Version = 3, SubmitStartedAt = now, CreatedAt = now, UpdatedAt = now, NextAttemptAt = now,
                FailureReason = "The provider did not answer in time.",
            });
            await db.SaveChangesAsync();
        }
        Assert.True((await _studio.Generations.GetAsync(user.Id, uncertainId))!.CanRetry);

        var retry = await _studio.Generations.RetryUncertainAsync(user.Id, uncertainId);

        Assert.True(retry.Succeeded);
        var ready = await _studio.WaitForStateAsync(retry.GenerationId!.Value, GenerationState.Ready, timeoutSeconds: 90);
        Assert.Equal(("A lantern festival", 9L), (ready.PromptText, ready.Seed));
        var dismissed = await _studio.ReadAsync(uncertainId);
        Assert.Equal(GenerationState.Cancelled, dismissed.State);
        Assert.Contains("Retried knowingly", dismissed.FailureReason);
        Assert.False((await _studio.Generations.RetryUncertainAsync(user.Id, uncertainId)).Succeeded);
    }
}
