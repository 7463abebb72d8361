using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace Studio.E2ETests.Infrastructure;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>) driven by Playwright for .NET. Playwright's own browser download
/// is not used (and does not work on these machines): never run <c>playwright install</c>.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium has not been launched yet.");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"The browser tests need Chromium at {ExecutablePath}; install Debian's chromium: apt-get install -y chromium");
        }

        // Expect(...) waits 5 s by default, actions 15 s (below): on CI's two loaded cores a page after a navigation can
        // take longer than 5 s to show. A passing check ends its wait at once, so this only delays a failure.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        });
    }

    /// <summary>
    /// A fresh browser context (own cookies, so each test starts signed out) with tracing on. Dispose it at the
    /// end of the test; call <see cref="BrowserSession.MarkPassed"/> as the last line of a passing test so that
    /// only a failing test keeps its trace.
    /// </summary>
    public async Task<BrowserSession> NewSessionAsync(Uri baseAddress, [CallerMemberName] string testName = "")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        context.SetDefaultTimeout(15_000);
        await context.Tracing.StartAsync(new TracingStartOptions
        {
            Title = testName,
            Screenshots = true,
            Snapshots = true,
            Sources = false,
        });
        var page = await context.NewPageAsync();
        return new BrowserSession(context, page, testName);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }
        _playwright?.Dispose();
    }
}

/// <summary>
/// One test's browser context and page. On dispose it always saves a screenshot to
/// <c>tests/Studio.E2ETests/artifacts/&lt;TestName&gt;.png</c>, and the Playwright trace
/// (<c>&lt;TestName&gt;.trace.zip</c>, open with <c>npx playwright show-trace</c> or trace.playwright.dev)
/// unless the test called <see cref="MarkPassed"/>.
/// </summary>
public sealed class BrowserSession(IBrowserContext context, IPage page, string testName) : IAsyncDisposable
{
    private bool _passed;

    public IBrowserContext Context { get; } = context;
    public IPage Page { get; } = page;
    public string TestName { get; } = testName;

    /// <summary>Call as the last statement of the test: the trace is then discarded.</summary>
    public void MarkPassed() => _passed = true;

    public async ValueTask DisposeAsync()
    {
        var artifacts = Artifacts.Directory;
        var safeName = Artifacts.SafeFileName(TestName);
        try
        {
            if (!Page.IsClosed)
            {
                await Page.ScreenshotAsync(new PageScreenshotOptions
                {
                    Path = Path.Combine(artifacts, safeName + ".png"),
                    FullPage = true,
                });
            }
        }
        catch (PlaywrightException)
        {
            // A crashed page cannot be photographed; the trace below still shows what happened.
        }

        var tracePath = Path.Combine(artifacts, safeName + ".trace.zip");
        if (_passed)
        {
            await Context.Tracing.StopAsync();
            File.Delete(tracePath); // a stale trace from an earlier failing run would mislead
        }
        else
        {
            await Context.Tracing.StopAsync(new TracingStopOptions { Path = tracePath });
        }

        await Context.CloseAsync();
    }
}

/// <summary>Where browser tests leave screenshots and traces: <c>tests/Studio.E2ETests/artifacts/</c>.</summary>
public static class Artifacts
{
    private static readonly Lazy<string> Root = new(Locate);

    public static string Directory => Root.Value;

    public static string SafeFileName(string name)
    {
        var invalid = Path.GetInvalidFileNameChars();
        return new string(name.Select(c => invalid.Contains(c) ? '_' : c).ToArray());
    }

    private static string Locate()
    {
        // Walk up from bin/<config>/net10.0 to the folder holding Studio.sln.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Studio.sln")))
            {
                var path = Path.Combine(dir.FullName, "tests", "Studio.E2ETests", "artifacts");
                System.IO.Directory.CreateDirectory(path);
                return path;
            }
        }

        throw new InvalidOperationException(
            $"Could not find Studio.sln above {AppContext.BaseDirectory} to place tests/Studio.E2ETests/artifacts.");
    }
}
