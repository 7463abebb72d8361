using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Studio.Web.Data;

namespace Studio.Web.Features.Generations;

/// <summary>
/// Works every unfinished generation to the end. Work is claimed with a lease in the database, so after a
/// crash another start (or another instance) picks it up once the lease runs out, and no two work one at once.
/// </summary>
public sealed class GenerationWorker(
    IDbContextFactory<StudioDbContext> dbFactory,
    GenerationProcessor processor,
    FairScheduler scheduler,
    GenerationWorkSignal signal,
    Credits.CreditLedger ledger,
    IOptions<JobsOptions> options,
    TimeProvider clock,
    ILogger<GenerationWorker> logger) : BackgroundService
{
    private readonly string _owner = $"{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly ConcurrentDictionary<Guid, Task> _running = new();
    private DateTimeOffset _nextCreditSweep;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var jobs = options.Value;
        logger.LogInformation("Generation worker {Owner} started ({Concurrency} at once)", _owner, jobs.MaxConcurrency);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var free = jobs.MaxConcurrency - _running.Count;
                if (free > 0)
                {
                    foreach (var id in await ClaimDueAsync(free, jobs, stoppingToken))
                    {
                        _running[id] = RunStepAsync(id, stoppingToken);
                    }
                }
                if (clock.GetUtcNow() >= _nextCreditSweep)
                {
                    // Holds of takes that ended while their settlement failed (or the process died between the two).
                    _nextCreditSweep = clock.GetUtcNow().AddSeconds(30);
                    if (await ledger.CloseOpenAsync(50, stoppingToken) is > 0 and var closed)
                    {
                        logger.LogInformation("Closed {Count} credit hold(s) left open", closed);
                    }
                }
                await signal.WaitAsync(TimeSpan.FromSeconds(jobs.TickSeconds), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Generation worker loop failed; trying again shortly");
                await Task.Delay(TimeSpan.FromSeconds(jobs.TickSeconds), clock, CancellationToken.None);
            }
        }
        await Task.WhenAll(_running.Values);
        await ReleaseLeasesAsync();
    }

    private async Task<List<Guid>> ClaimDueAsync(int free, JobsOptions jobs, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var due = await db.Generations
            .Where(g => GenerationStateMachine.ActiveStates.Contains(g.State)
                && g.NextAttemptAt <= now
                && (g.LeaseExpiresAt == null || g.LeaseExpiresAt < now))
            .OrderBy(g => g.NextAttemptAt)
            .Select(g => new { g.Id, g.State, g.Provider, g.TeamId, g.CreatedByUserId, g.CreatedAt })
            .Take(200)
            .ToListAsync(ct);

        // Work already at a provider (polls, archives, retries of a refused create) goes first; new takes are
        // admitted by the fair scheduler: within each account's concurrency limit, users taking turns.
        var ongoing = due.Where(g => g.State != GenerationState.Reserved).Select(g => g.Id);
        var waiting = due.Where(g => g.State == GenerationState.Reserved)
            .Select(g => new WaitingTake(g.Id, g.Provider, g.TeamId, g.CreatedByUserId, g.CreatedAt)).ToList();
        var admitted = await scheduler.AdmitAsync(waiting, ct);

        var claimed = new List<Guid>();
        var leaseUntil = now.AddSeconds(jobs.LeaseSeconds);
        foreach (var id in ongoing.Concat(admitted).Where(id => !_running.ContainsKey(id)).Take(free))
        {
            // The conditional update is the claim: only one instance can turn an expired lease into its own.
            var rows = await db.Generations
                .Where(g => g.Id == id && (g.LeaseExpiresAt == null || g.LeaseExpiresAt < now))
                .ExecuteUpdateAsync(s => s.SetProperty(g => g.LeaseOwner, _owner).SetProperty(g => g.LeaseExpiresAt, leaseUntil), ct);
            if (rows == 1)
            {
                claimed.Add(id);
            }
        }
        return claimed;
    }

    private async Task RunStepAsync(Guid id, CancellationToken stoppingToken)
    {
        await Task.Yield();
        // A long step (a big video archiving over a slow link) keeps its lease, so no other instance starts the same work.
        using var stepDone = new CancellationTokenSource();
        var renewal = RenewLeaseAsync(id, stepDone.Token);
        try
        {
            await processor.StepAsync(id, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            logger.LogInformation("Generation {GenerationId}: step interrupted by shutdown; it resumes on the next start", id);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Generation {GenerationId}: step failed; it will be tried again", id);
            await DelayNextAttemptAsync(id);
        }
        finally
        {
            await stepDone.CancelAsync();
            await renewal;
            await ReleaseLeaseAsync(id);
            _running.TryRemove(id, out _);
            signal.Wake();
        }
    }

    private async Task RenewLeaseAsync(Guid id, CancellationToken stepDone)
    {
        var leaseSeconds = options.Value.LeaseSeconds;
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(leaseSeconds / 3), clock, stepDone);
                var until = clock.GetUtcNow().UtcDateTime.AddSeconds(leaseSeconds);
                await using var db = await dbFactory.CreateDbContextAsync(stepDone);
                await db.Generations.Where(g => g.Id == id && g.LeaseOwner == _owner)
                    .ExecuteUpdateAsync(s => s.SetProperty(g => g.LeaseExpiresAt, until), stepDone);
            }
        }
        catch (OperationCanceledException) when (stepDone.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not renew the lease of generation {GenerationId}", id);
        }
    }

    private async Task DelayNextAttemptAsync(Guid id)
    {
        try
        {
            var next = clock.GetUtcNow().UtcDateTime.AddSeconds(30);
            await using var db = await dbFactory.CreateDbContextAsync();
            await db.Generations.Where(g => g.Id == id).ExecuteUpdateAsync(s => s.SetProperty(g => g.NextAttemptAt, next));
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not postpone generation {GenerationId}", id);
        }
    }

    private async Task ReleaseLeaseAsync(Guid id)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            await db.Generations.Where(g => g.Id == id && g.LeaseOwner == _owner)
                .ExecuteUpdateAsync(s => s.SetProperty(g => g.LeaseOwner, (string?)null).SetProperty(g => g.LeaseExpiresAt, (DateTime?)null));
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not release the lease on generation {GenerationId}; it expires by itself", id);
        }
    }

    private async Task ReleaseLeasesAsync()
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            await db.Generations.Where(g => g.LeaseOwner == _owner)
                .ExecuteUpdateAsync(s => s.SetProperty(g => g.LeaseOwner, (string?)null).SetProperty(g => g.LeaseExpiresAt, (DateTime?)null));
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not release leases at shutdown; they expire by themselves");
        }
    }
}

public static class GenerationsServiceCollectionExtensions
{
    public static WebApplicationBuilder AddGenerations(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<GenerationWorkSignal>();
        builder.Services.AddSingleton<GenerationService>();
        builder.Services.AddSingleton<GenerationProcessor>();
        builder.Services.AddSingleton<FairScheduler>();
        builder.Services.AddSingleton<QueueService>();
        builder.Services.AddHostedService<GenerationWorker>();
        return builder;
    }
}
