using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Studio.Web.Data;
using Studio.Web.Features.Accounts;
using Studio.Web.Features.Archive;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Projects;
using Studio.Web.Features.Providers.Runway;

namespace Studio.IntegrationTests.Studio;

public sealed record TestUser(string Id, string Email, string Password, Guid TeamId);

/// <summary>
/// One running studio (WebApplicationFactory over TestServer) on a real SQLite file in <see cref="DataDirectory"/>,
/// in production mode: a Runway API key is set, so the Runway adapter talks to <see cref="TestEmulator"/> over HTTPS
/// exactly as it would to api.dev.runwayml.com.
/// </summary>
public sealed partial class StudioTestHost : IAsyncDisposable
{
    /// <summary>"key_" and 32 hex digits: the shape of a real Runway key, so the studio is not in Sandbox mode.</summary>
    public static readonly string ApiKey = "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public const string Password = "correct-horse-battery";

    private readonly WebApplicationFactory<Program> _factory;

    private bool _onKestrel;

    private StudioTestHost(WebApplicationFactory<Program> factory, string dataDirectory)
    {
        _factory = factory;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    public string BlobsDirectory => Path.Combine(DataDirectory, "blobs");

    public string DatabasePath => Path.Combine(DataDirectory, "studio.db");

    public IServiceProvider Services => _factory.Services;

    public TestServer Server => _factory.Server;

    public GenerationService Generations => Services.GetRequiredService<GenerationService>();

    /// <summary>Starts a studio on <paramref name="dataDirectory"/> (reused as is, so a second start is a restart).</summary>
    public static StudioTestHost Start(string dataDirectory, TestEmulator emulator)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Studio:DataDirectory", dataDirectory);
            builder.UseSetting("Providers:Runway:ApiKey", ApiKey);
            builder.UseSetting("Providers:Runway:BaseUrl", emulator.RunwayBaseAddress.ToString().TrimEnd('/'));
            builder.UseSetting("Providers:Runway:PollInitialSeconds", "0.2");
            builder.UseSetting("Providers:Runway:PollMaxSeconds", "0.5");
            builder.UseSetting("Providers:Runway:OutputHosts:0", emulator.BaseAddress.Host);
            builder.UseSetting("Jobs:TickSeconds", "0.1");
            builder.UseSetting("Jobs:LeaseSeconds", "2");
            builder.UseSetting("Archive:TempDirectory", Path.Combine(dataDirectory, "staging"));
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Logging:LogLevel:Studio", "Information");
            builder.ConfigureTestServices(services =>
            {
                // The only change to the studio: its two outbound clients trust the emulator's test certificate.
                services.AddHttpClient(nameof(RunwayProvider)).ConfigurePrimaryHttpMessageHandler((handler, _) => TestCertificate.Trust(handler));
                services.AddHttpClient(GenerationArchiver.HttpClientName).ConfigurePrimaryHttpMessageHandler((handler, _) => TestCertificate.Trust(handler));
            });
        });
        var host = new StudioTestHost(factory, dataDirectory);
        _ = factory.Server; // starts the host: migrations, worker
        return host;
    }

    /// <summary>
    /// Starts a studio with no API key: Sandbox mode, the built-in emulator answering on the studio's own port.
    /// That needs a real port, so this one runs on Kestrel (<see cref="Server"/> is not available).
    /// </summary>
    public static StudioTestHost StartSandbox(string dataDirectory, double emulatorRunningSeconds = 1.5, IReadOnlyDictionary<string, string>? settings = null)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Studio:DataDirectory", dataDirectory);
            builder.UseSetting("Providers:Runway:SandboxPollSeconds", "0.2");
            // A free port each time: UseKestrel(0) on a derived factory alone left Kestrel on its default 5000.
            builder.UseSetting(WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0");
            builder.UseSetting("Emulator:PendingSeconds", "0.3");
            builder.UseSetting("Emulator:RunningSeconds", emulatorRunningSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("Jobs:TickSeconds", "0.1");
            builder.UseSetting("Jobs:LeaseSeconds", "2");
            builder.UseSetting("Archive:TempDirectory", Path.Combine(dataDirectory, "staging"));
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                builder.UseSetting(key, value);
            }
        });
        factory.UseKestrel(0);
        factory.StartServer();
        return new StudioTestHost(factory, dataDirectory) { _onKestrel = true };
    }

    public async Task<TestUser> RegisterAsync(string name)
    {
        var email = $"{name.ToLowerInvariant().Replace(' ', '.')}-{Guid.NewGuid():N}@example.test";
        await using var scope = Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<RegistrationService>().RegisterAsync(name, email, Password);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors));
        await using var db = await DbAsync();
        var teamId = await db.TeamMembers.Where(m => m.UserId == result.User!.Id).Select(m => m.TeamId).SingleAsync();
        return new TestUser(result.User!.Id, email, Password, teamId);
    }

    public async Task<Guid> CreateProjectAsync(TestUser user, string name = "Night market")
    {
        var result = await Services.GetRequiredService<ProjectService>().CreateAsync(user.Id, user.TeamId, name);
        Assert.True(result.Succeeded, result.Error);
        return result.Project!.Id;
    }

    public static GenerationDraft TextDraft(string prompt = "A lantern-lit night market in the rain, slow dolly forward") =>
        new(VideoModels.Gen45.Id, prompt, "1280:720", DurationSeconds: 2, Seed: 42, FirstFrame: null);

    public async Task<Guid> SubmitAsync(TestUser user, Guid projectId, GenerationDraft? draft = null)
    {
        var result = await Generations.SubmitAsync(user.Id, projectId, draft ?? TextDraft());
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => $"{e.Key}: {e.Value}")));
        return result.GenerationId!.Value;
    }

    public async Task<StudioDbContext> DbAsync() =>
        await Services.GetRequiredService<IDbContextFactory<StudioDbContext>>().CreateDbContextAsync();

    public async Task<Generation> ReadAsync(Guid generationId)
    {
        await using var db = await DbAsync();
        return await db.Generations.AsNoTracking().SingleAsync(g => g.Id == generationId);
    }

    /// <summary>Polls the database until the row matches; the deadline only guards against a hang.</summary>
    public async Task<Generation> WaitForAsync(Guid generationId, Func<Generation, bool> condition, string what, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        Generation row;
        while (true)
        {
            row = await ReadAsync(generationId);
            if (condition(row))
            {
                return row;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Generation {generationId} never became {what}; it is {row.State} ({row.FailureReason}).");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until the row is in <paramref name="state"/>; fails at once if it ends anywhere else.</summary>
    public async Task<Generation> WaitForStateAsync(Guid generationId, GenerationState state, int timeoutSeconds = 60)
    {
        var row = await WaitForAsync(generationId,
            g => g.State == state || GenerationStateMachine.IsTerminal(g.State) || g.State == GenerationState.Uncertain,
            state.ToString(), timeoutSeconds);
        Assert.True(row.State == state, $"Generation {generationId} ended {row.State} ({row.FailureCode}: {row.FailureReason}), not {state}.");
        return row;
    }

    /// <summary>A client with its own cookie jar, without following redirects.</summary>
    public (HttpClient Client, CookieContainer Cookies) CreateClient()
    {
        var cookies = new CookieContainer();
        if (_onKestrel)
        {
            // A Sandbox studio listens on a real port: a real client, redirects not followed.
            var real = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = cookies })
            {
                BaseAddress = _factory.ClientOptions.BaseAddress,
            };
            return (real, cookies);
        }
        var client = _factory.CreateDefaultClient(new Uri("http://localhost/"), new CookieContainerHandler(cookies));
        return (client, cookies);
    }

    /// <summary>Signs in through the real static-SSR form at /account/login (antiforgery token and all).</summary>
    public async Task<(HttpClient Client, CookieContainer Cookies)> SignInAsync(TestUser user)
    {
        var (client, cookies) = CreateClient();
        var page = await client.GetStringAsync("/account/login");
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = HiddenInput(page, "__RequestVerificationToken"),
            ["_handler"] = HiddenInput(page, "_handler"),
            ["Input.Email"] = user.Email,
            ["Input.Password"] = user.Password,
        };
        using var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(form));
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther,
            $"Sign-in answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Contains(cookies.GetCookies(client.BaseAddress!), c => c.Name == "studio.auth");
        return (client, cookies);
    }

    private static string HiddenInput(string html, string name)
    {
        foreach (Match input in InputTag().Matches(html))
        {
            var tag = input.Value;
            if (tag.Contains($"name=\"{name}\"", StringComparison.Ordinal) && ValueAttribute().Match(tag) is { Success: true } value)
            {
                return WebUtility.HtmlDecode(value.Groups[1].Value);
            }
        }
        throw new Xunit.Sdk.XunitException($"The login page has no hidden input \"{name}\".");
    }

    [GeneratedRegex("<input[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputTag();

    [GeneratedRegex("value=\"([^\"]*)\"")]
    private static partial Regex ValueAttribute();

    /// <summary>Stops the studio gracefully (hosted services get their stop signal), keeping the data directory.</summary>
    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();
}
