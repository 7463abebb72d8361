using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Studio.E2ETests.Infrastructure;

/// <summary>
/// The real studio (<c>Program</c> of Studio.Web) listening on Kestrel at a free loopback port, so that a real
/// browser can reach it. Each server gets its own empty data folder (SQLite database and blobs), removed on
/// dispose. Shared by every test in the <see cref="BrowserCollection"/>. A subclass changes settings through
/// <see cref="ConfigureStudio"/> (see <see cref="AzureBlobStudioServer"/>).
/// </summary>
public class StudioServer : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly string _dataDirectory =
        Path.Combine(Path.GetTempPath(), "studio-e2e-" + Guid.NewGuid().ToString("N"));

    public StudioServer()
    {
        // Port 0: Kestrel binds http://127.0.0.1:<free port> and the factory reads the real address back.
        UseKestrel(0);
    }

    /// <summary>The real address the studio listens on, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress
    {
        get
        {
            StartServer();
            return ClientOptions.BaseAddress;
        }
    }

    public string DataDirectory => _dataDirectory;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(_dataDirectory);

        builder.UseEnvironment("Development");
        // Host settings (not ConfigureAppConfiguration) so that Program.cs sees them while it builds.
        builder.UseSetting("Studio:DataDirectory", _dataDirectory);
        // A free port: without this Kestrel kept its default 5000, which clashes with anything else on it.
        builder.UseSetting(WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0");
        // The built-in provider emulator moves each task along quickly so that a browser test can watch a
        // generation go from queued to ready in a few seconds.
        builder.UseSetting("Emulator:PendingSeconds", "0.5");
        builder.UseSetting("Emulator:RunningSeconds", "3");
        // A circuit that dies in a browser test says only "unhandled exception" in the browser: the studio's own
        // warnings and errors (with detailed circuit errors) go to artifacts/<server>.log, next to the screenshots.
        builder.UseSetting("DetailedErrors", "true");
        builder.ConfigureLogging(logging => logging.AddProvider(new ArtifactLog(Path.Combine(Artifacts.Directory, GetType().Name + ".log"))));
        ConfigureStudio(builder);
    }

    /// <summary>Extra host settings of a subclass, applied after the defaults above.</summary>
    protected virtual void ConfigureStudio(IWebHostBuilder builder)
    {
    }

    /// <summary>Clean-up of a subclass after the studio has stopped and its data folder is gone.</summary>
    protected virtual Task OnStoppedAsync() => Task.CompletedTask;

    public Task InitializeAsync()
    {
        // Start now, in the fixture, so that a start-up failure is reported once and clearly.
        StartServer();
        return Task.CompletedTask;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        DeleteDataDirectory();
        await OnStoppedAsync();
    }

    private void DeleteDataDirectory()
    {
        // SQLite may keep the file open for a moment after the host stops (connection pooling).
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (Directory.Exists(_dataDirectory))
                {
                    Directory.Delete(_dataDirectory, recursive: true);
                }
                return;
            }
            catch (IOException) when (attempt < 4)
            {
                Thread.Sleep(200);
            }
            catch (UnauthorizedAccessException) when (attempt < 4)
            {
                Thread.Sleep(200);
            }
        }
    }
}

/// <summary>Appends the studio's warnings and errors, with their exceptions, to one file.</summary>
internal sealed class ArtifactLog(string path) : Microsoft.Extensions.Logging.ILoggerProvider
{
    private readonly Lock _gate = new();

    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Writer(this, categoryName);

    public void Dispose()
    {
    }

    private void Write(string line)
    {
        lock (_gate)
        {
            File.AppendAllText(path, line + Environment.NewLine);
        }
    }

    private sealed class Writer(ArtifactLog owner, string category) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Warning;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Write($"{DateTime.UtcNow:O} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : Environment.NewLine + exception)}");
            }
        }
    }
}

/// <summary>Browser tests share one studio server (and one Chromium) and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<StudioServer>, ICollectionFixture<Chromium>
{
    public const string Name = "Browser";
}
