using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Hosting;

namespace Studio.E2ETests.Infrastructure;

/// <summary>
/// The same studio as <see cref="StudioServer"/>, but with <c>Storage:Provider=AzureBlob</c>: videos, posters and
/// uploads go to a fresh container in the Azurite that <c>./studio.sh test</c> starts (connection string in
/// <c>STUDIO_TEST_AZURITE</c>). The container is deleted when the server is disposed.
/// </summary>
public sealed class AzureBlobStudioServer : StudioServer
{
    public const string AzuriteVariable = "STUDIO_TEST_AZURITE";

    public const string AzuriteNotRunningMessage =
        "Azurite is not running: run the tests with ./studio.sh test, which starts it, or set STUDIO_TEST_AZURITE to an Azurite blob connection string";

    private readonly string _connectionString;

    public AzureBlobStudioServer()
    {
        // Fail, never skip: a skipped storage test looks green and hides a broken set-up.
        var connectionString = Environment.GetEnvironmentVariable(AzuriteVariable);
        _connectionString = string.IsNullOrWhiteSpace(connectionString)
            ? throw new InvalidOperationException(AzuriteNotRunningMessage)
            : connectionString;
        ContainerName = "t" + Guid.NewGuid().ToString("N");
    }

    /// <summary>The studio's own container, e.g. <c>t3f2a…</c>: not created here, the studio creates it.</summary>
    public string ContainerName { get; }

    /// <summary>The container as the test sees it, straight through the SDK.</summary>
    public BlobContainerClient Container => new BlobServiceClient(_connectionString).GetBlobContainerClient(ContainerName);

    protected override void ConfigureStudio(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:Provider", "AzureBlob");
        builder.UseSetting("Storage:AzureBlob:ConnectionString", _connectionString);
        builder.UseSetting("Storage:AzureBlob:Container", ContainerName);
    }

    protected override async Task OnStoppedAsync() => await Container.DeleteIfExistsAsync();
}

/// <summary>Browser tests against <see cref="AzureBlobStudioServer"/>, with their own Chromium.</summary>
[CollectionDefinition(Name)]
public sealed class AzureBlobBrowserCollection : ICollectionFixture<AzureBlobStudioServer>, ICollectionFixture<Chromium>
{
    public const string Name = "Browser on Azure Blob storage";
}
