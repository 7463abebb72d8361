using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Studio.Emulator.Runway;

/// <summary>
/// The emulated organization: its tasks (in memory; a restart forgets them, as an emulator may), credit
/// balance and daily usage. Credits are charged the first time a task is seen SUCCEEDED.
/// </summary>
internal sealed class RunwayTaskStore
{
    public const long InitialCreditBalance = 100_000;
    public const long MaxMonthlyCreditSpend = 100_000;

    private readonly ConcurrentDictionary<Guid, RunwayTask> _tasks = new();
    private readonly ConcurrentQueue<(DateTimeOffset At, string Model)> _generations = new();
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<EmulatorOptions> _options;
    private long _spentCredits;

    public RunwayTaskStore(TimeProvider time, IOptionsMonitor<EmulatorOptions> options)
    {
        _time = time;
        _options = options;
    }

    public DateTimeOffset Now => _time.GetUtcNow();

    public RunwayTask Create(RunwayGenerationRequest request)
    {
        var options = _options.CurrentValue;
        var seed = request.Seed ?? Random.Shared.NextInt64(0, RunwayRequestValidator.MaxSeed + 1);
        var task = new RunwayTask(
            Guid.NewGuid(), request, seed, Now,
            TimeSpan.FromSeconds(options.PendingSeconds), TimeSpan.FromSeconds(options.RunningSeconds));
        _tasks[task.Id] = task;
        _generations.Enqueue((task.CreatedAt, request.Model.Id));
        return task;
    }

    /// <summary>The task and its current view, or null when it does not exist (or was cancelled or deleted).</summary>
    public (RunwayTask Task, RunwayTaskView View)? Find(Guid id)
    {
        if (!_tasks.TryGetValue(id, out var task))
        {
            return null;
        }

        return (task, Observe(task));
    }

    /// <summary>
    /// Cancels a PENDING/RUNNING task (charging nothing) or deletes a finished one; either way it is gone
    /// afterwards. Returns false when there was no such task.
    /// </summary>
    public bool Delete(Guid id)
    {
        if (!_tasks.TryRemove(id, out var task))
        {
            return false;
        }

        var view = Observe(task);
        if (view.Status is RunwayTaskStatus.Pending or RunwayTaskStatus.Running)
        {
            task.Cancel();
        }

        return true;
    }

    public RunwayOrganizationSnapshot Organization()
    {
        foreach (var task in _tasks.Values)
        {
            Observe(task);
        }

        var dayAgo = Now.AddDays(-1);
        while (_generations.TryPeek(out var oldest) && oldest.At < dayAgo)
        {
            _generations.TryDequeue(out _);
        }

        var daily = _generations.Where(g => g.At >= dayAgo).GroupBy(g => g.Model).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new RunwayOrganizationSnapshot(InitialCreditBalance - Interlocked.Read(ref _spentCredits), daily);
    }

    private RunwayTaskView Observe(RunwayTask task)
    {
        var view = task.ViewAt(Now);
        if (view.Status == RunwayTaskStatus.Succeeded && task.TryMarkCharged())
        {
            Interlocked.Add(ref _spentCredits, task.Credits);
        }

        return view;
    }
}

internal sealed record RunwayOrganizationSnapshot(long CreditBalance, IReadOnlyDictionary<string, int> DailyGenerationsByModel);
