using Studio.Web.Features.Generations;
using Studio.Web.Features.Live;
using Microsoft.Extensions.DependencyInjection;

namespace Studio.IntegrationTests.Studio;

/// <summary>A Sandbox studio of its own per test class, on a fresh data folder.</summary>
public abstract class SandboxStudioTest(string purpose, double emulatorRunningSeconds, IReadOnlyDictionary<string, string>? settings = null) : IAsyncLifetime
{
    private readonly string _dataDirectory = TestPaths.NewDirectory(purpose);

    protected StudioTestHost Studio { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Studio = StudioTestHost.StartSandbox(_dataDirectory, emulatorRunningSeconds, settings);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Studio.DisposeAsync();
        TestPaths.TryDelete(_dataDirectory);
    }

    /// <summary>Follows pushed changes and keeps the most takes ever at the provider at once (Submitting, Queued, Running).</summary>
    protected sealed class AtProviderCounter : IDisposable
    {
        private readonly Dictionary<Guid, GenerationState> _states = [];
        private readonly IDisposable _subscription;

        public AtProviderCounter(StudioTestHost studio, Action<GenerationChanged>? also = null) =>
            _subscription = studio.Services.GetRequiredService<GenerationNotifier>().Subscribe(change =>
            {
                lock (_states)
                {
                    _states[change.GenerationId] = change.State;
                    Most = Math.Max(Most, _states.Values.Count(s => s is GenerationState.Submitting or GenerationState.Queued or GenerationState.Running));
                    also?.Invoke(change);
                }
                return Task.CompletedTask;
            });

        public int Most { get; private set; }

        public void Dispose() => _subscription.Dispose();
    }
}

/// <summary>
/// A studio of its own per test, with a Runway key, talking to the provider emulator over HTTPS (takes are real to
/// the studio: they reserve credits, are polled and archived), on a fresh data folder.
/// </summary>
public abstract class EmulatorStudioTest(string purpose) : IAsyncLifetime
{
    private readonly string _dataDirectory = TestPaths.NewDirectory(purpose);

    protected TestEmulator Emulator { get; private set; } = null!;

    protected StudioTestHost Studio { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await TestEmulator.StartAsync();
        Studio = StudioTestHost.Start(_dataDirectory, Emulator);
    }

    public async Task DisposeAsync()
    {
        await Studio.DisposeAsync();
        await Emulator.DisposeAsync();
        TestPaths.TryDelete(_dataDirectory);
    }
}
