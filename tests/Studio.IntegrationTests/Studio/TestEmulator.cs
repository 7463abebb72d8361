using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Studio.Emulator;

namespace Studio.IntegrationTests.Studio;

/// <summary>
/// The provider emulator on a real port, over HTTPS, as a stand-in for api.dev.runwayml.com.
/// </summary>
/// <remarks>
/// <see cref="EmulatorHost.StartAsync"/> only listens on plain http, and the studio with a real API key
/// (production mode) fetches outputs over https only (<c>GenerationArchiver.UrlError</c>). So this host
/// composes the same emulator (<see cref="EmulatorServiceCollectionExtensions.AddProviderEmulator"/> +
/// <see cref="EmulatorEndpointRouteBuilderExtensions.MapProviderEmulator"/>) on Kestrel with a test certificate;
/// its output URLs then come back as https like Runway's CDN links.
/// </remarks>
public sealed class TestEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dataDirectory;

    private TestEmulator(WebApplication app, Uri baseAddress, string dataDirectory)
    {
        _app = app;
        BaseAddress = baseAddress;
        _dataDirectory = dataDirectory;
    }

    /// <summary>e.g. <c>https://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    public Uri RunwayBaseAddress => new(BaseAddress, "runway/");

    public static async Task<TestEmulator> StartAsync(Action<EmulatorOptions>? configure = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "studio-it-emulator", Guid.NewGuid().ToString("N"));
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(EmulatorHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Development,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(TestCertificate.Certificate)));
        builder.Services.AddProviderEmulator(options =>
        {
            options.DataDirectory = dataDirectory;
            options.PendingSeconds = 0.3;
            options.RunningSeconds = 1.5;
            configure?.Invoke(options);
        });
        var app = builder.Build();
        app.MapProviderEmulator();
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestEmulator(app, new Uri(address.TrimEnd('/') + "/"), dataDirectory);
    }

    /// <summary>How many generations the emulated organization made today (Runway's <c>usage.models[model].dailyGenerations</c>).</summary>
    public async Task<int> DailyGenerationsAsync(string apiKey, string model = "gen4.5")
    {
        using var http = CreateRunwayClient(apiKey);
        using var response = await http.GetAsync("v1/organization");
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("usage").GetProperty("models").TryGetProperty(model, out var usage)
            ? usage.GetProperty("dailyGenerations").GetInt32()
            : 0;
    }

    /// <summary>The emulator's create counts (<c>GET /_emulator/stats</c>).</summary>
    public async Task<JsonElement> StatsAsync()
    {
        var handler = new SocketsHttpHandler();
        TestCertificate.Trust(handler);
        using var http = new HttpClient(handler) { BaseAddress = BaseAddress };
        using var doc = JsonDocument.Parse(await http.GetStringAsync("_emulator/stats"));
        return doc.RootElement.Clone();
    }

    /// <summary>The first-frame image a Runway task was created with, as the emulator received it; null when it had none inline.</summary>
    public async Task<byte[]?> RunwayPromptImageAsync(string taskId)
    {
        var handler = new SocketsHttpHandler();
        TestCertificate.Trust(handler);
        using var http = new HttpClient(handler) { BaseAddress = BaseAddress };
        using var response = await http.GetAsync($"_emulator/runway/tasks/{taskId}/prompt-image");
        return response.StatusCode == HttpStatusCode.NotFound ? null : await response.EnsureSuccessStatusCode().Content.ReadAsByteArrayAsync();
    }

    /// <summary>The task as the emulator reports it to an API client.</summary>
    public async Task<JsonElement> GetTaskAsync(string apiKey, string taskId)
    {
        using var http = CreateRunwayClient(apiKey);
        using var response = await http.GetAsync($"v1/tasks/{taskId}");
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    private HttpClient CreateRunwayClient(string apiKey)
    {
        var handler = new SocketsHttpHandler();
        TestCertificate.Trust(handler);
        var http = new HttpClient(handler) { BaseAddress = RunwayBaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        http.DefaultRequestHeaders.Add("X-Runway-Version", "2024-11-06");
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        TestPaths.TryDelete(_dataDirectory);
    }
}

/// <summary>
/// A self-signed certificate for 127.0.0.1, trusted only by the HTTP clients the tests hand it to
/// (the stand-in for installing a company CA: the studio's own TLS checks stay on for every other certificate).
/// </summary>
public static class TestCertificate
{
    private static readonly Lazy<X509Certificate2> Lazy = new(Create);

    public static X509Certificate2 Certificate => Lazy.Value;

    private static X509Certificate2 Create()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=studio-test-emulator", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), password: null);
    }

    /// <summary>Accepts a chain error only for exactly this certificate; every other check stays as it was.</summary>
    public static bool Validate(X509Certificate? certificate, SslPolicyErrors errors) =>
        errors == SslPolicyErrors.None
        || (errors == SslPolicyErrors.RemoteCertificateChainErrors
            && certificate is not null
            && certificate.GetCertHashString(HashAlgorithmName.SHA256) == Certificate.GetCertHashString(HashAlgorithmName.SHA256));

    public static void Trust(HttpMessageHandler handler)
    {
        switch (handler)
        {
            case SocketsHttpHandler sockets:
                sockets.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(certificate, errors);
                break;
            case HttpClientHandler client:
                client.ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => Validate(certificate, errors);
                break;
            default:
                throw new InvalidOperationException($"Cannot add the test certificate to a {handler.GetType().Name}.");
        }
    }
}

public static class TestPaths
{
    /// <summary>src/Studio.Web/bin/{the configuration this test assembly was built with}/net10.0/Studio.Web.dll, for tests that run the real studio process.</summary>
    public static string StudioDll()
    {
        var baseDirectory = AppContext.BaseDirectory;
        var configuration = new DirectoryInfo(baseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Debug";
        var root = new DirectoryInfo(baseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Studio.sln")))
        {
            root = root.Parent;
        }
        Assert.True(root is not null, $"The repository root (Studio.sln) was not found above {baseDirectory}.");
        var dll = Path.Combine(root!.FullName, "src", "Studio.Web", "bin", configuration, "net10.0", "Studio.Web.dll");
        Assert.True(File.Exists(dll), $"{dll} does not exist: build the solution with -c {configuration} first (these tests run the built studio, they build nothing).");
        return dll;
    }

    public static string NewDirectory(string purpose) =>
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "studio-it", purpose + "-" + Guid.NewGuid().ToString("N"))).FullName;

    public static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
