using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Blobs;

namespace Studio.IntegrationTests.Studio;

/// <summary>
/// The Azurite blob emulator that <c>./studio.sh test</c> starts on a free port and hands over in
/// <c>STUDIO_TEST_AZURITE</c>. Tests that need it fail when it is missing, never skip: a skipped blob test
/// looks green and hides a broken set-up.
/// </summary>
public static class Azurite
{
    public const string EnvironmentVariable = "STUDIO_TEST_AZURITE";

    public const string NotRunningMessage =
        "Azurite is not running: run the tests with ./studio.sh test, which starts it, or set STUDIO_TEST_AZURITE to an Azurite blob connection string";

    /// <summary>The connection string from <c>STUDIO_TEST_AZURITE</c>; throws with <see cref="NotRunningMessage"/> when unset.</summary>
    public static string ConnectionString => Require(Environment.GetEnvironmentVariable(EnvironmentVariable));

    public static string Require(string? connectionString) =>
        string.IsNullOrWhiteSpace(connectionString) ? throw new InvalidOperationException(NotRunningMessage) : connectionString;

    /// <summary>A container name nobody else uses: "t" and 32 hex digits (names are 3-63 lowercase letters, digits and dashes).</summary>
    public static string NewContainerName() => "t" + Guid.NewGuid().ToString("N");
}

/// <summary>
/// Azurite for one test class (<c>IClassFixture&lt;AzuriteFixture&gt;</c>) or one collection
/// (<see cref="AzuriteCollection"/>). Hands out fresh container names and deletes those containers on dispose,
/// so tests never see each other's blobs and a run leaves Azurite as it found it.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private readonly ConcurrentBag<string> _containers = [];

    public AzuriteFixture()
    {
        ConnectionString = Azurite.ConnectionString;
        Service = new BlobServiceClient(ConnectionString);
    }

    public string ConnectionString { get; }

    public BlobServiceClient Service { get; }

    /// <summary>A fresh container name, deleted (with its blobs) when the fixture is disposed; the container itself is not created.</summary>
    public string NewContainerName()
    {
        var name = Azurite.NewContainerName();
        _containers.Add(name);
        return name;
    }

    /// <summary>A fresh, created container, deleted when the fixture is disposed.</summary>
    public async Task<BlobContainerClient> NewContainerAsync()
    {
        var container = Service.GetBlobContainerClient(NewContainerName());
        await container.CreateAsync();
        return container;
    }

    public async Task InitializeAsync()
    {
        // One cheap call now, so that an Azurite that is set but not answering (or a wrong key) fails here with its address.
        try
        {
            await Service.GetPropertiesAsync();
        }
        catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or AggregateException)
        {
            throw new InvalidOperationException(
                $"Azurite at {Service.Uri} (from {Azurite.EnvironmentVariable}) did not answer or refused the account key: {ex.Message}", ex);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var name in _containers)
        {
            try
            {
                await Service.GetBlobContainerClient(name).DeleteIfExistsAsync();
            }
            catch (RequestFailedException)
            {
                // Best effort: Azurite's folder is thrown away at the end of ./studio.sh test anyway.
            }
        }
    }
}

/// <summary>Test classes that share one <see cref="AzuriteFixture"/> (and so run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
