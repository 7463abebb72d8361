using System.Net;
using System.Security.Cryptography;
using System.Web;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using Microsoft.Extensions.Logging.Abstractions;
using Studio.IntegrationTests.Studio;
using Studio.Web.Features.Storage;

namespace Studio.IntegrationTests.Storage;

/// <summary>The Azure store's own promises, against Azurite: container, headers, metadata, blocks, CRC64, SAS links.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStoreTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_container_is_created_on_first_write_and_the_blob_carries_type_disposition_metadata_and_its_blocks()
    {
        var container = azurite.NewContainerName();
        var store = new AzureBlobStore(AzureStores.Options(azurite.ConnectionString, container), TimeProvider.System, NullLogger<AzureBlobStore>.Instance);
        Assert.False(await azurite.Service.GetBlobContainerClient(container).ExistsAsync());
        var generationId = Guid.NewGuid();
        var key = BlobKeys.Video(generationId);
        var bytes = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 1);

        var stored = await store.PutAsync(key, new MemoryStream(bytes), "video/mp4", CancellationToken.None);

        var blob = azurite.Service.GetBlobContainerClient(container).GetBlockBlobClient(key);
        var properties = (await blob.GetPropertiesAsync()).Value;
        Assert.Equal("video/mp4", properties.ContentType);
        Assert.Equal($"inline; filename=\"take-{generationId.ToString("N")[..8]}.mp4\"", properties.ContentDisposition);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), properties.Metadata[AzureBlobStore.Sha256Metadata]);
        Assert.Equal(stored.Sha256, properties.Metadata[AzureBlobStore.Sha256Metadata]);
        Assert.Equal(generationId.ToString("D"), properties.Metadata[AzureBlobStore.GenerationIdMetadata]);
        var blocks = (await blob.GetBlockListAsync(BlockListTypes.Committed)).Value.CommittedBlocks.ToList();
        Assert.Equal(6, blocks.Count); // five whole 1 MiB blocks and one of a single byte
        Assert.All(blocks.Take(5), b => Assert.Equal(1024 * 1024, b.SizeLong));
    }

    [Fact]
    public async Task Azurite_refuses_a_block_whose_CRC64_does_not_match_its_bytes()
    {
        // The store sends a CRC64 with every block (the other tests pass only if those are right); this shows
        // the service really checks them, so a block damaged on the way is refused instead of stored.
        var container = await azurite.NewContainerAsync();
        var blob = container.GetBlockBlobClient("damaged");
        var bytes = RandomNumberGenerator.GetBytes(64 * 1024);
        var crc = StorageCrc64HashAlgorithm.Create();
        crc.Append(bytes);
        var checksum = crc.GetCurrentHash();
        bytes[100] ^= 0xFF;

        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => blob.StageBlockAsync(
            Convert.ToBase64String(new byte[16]), new MemoryStream(bytes), new BlockBlobStageBlockOptions
            {
                TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.StorageCrc64, PrecalculatedChecksum = checksum },
            }));

        Assert.Equal(400, refused.Status);
    }

    [Fact]
    public async Task Proxy_serving_hands_out_no_links()
    {
        var store = AzureStores.New(azurite);
        var key = BlobKeys.Poster(Guid.NewGuid());
        await store.PutAsync(key, new MemoryStream([1, 2, 3]), "image/jpeg", CancellationToken.None);

        Assert.Null(await store.GetDirectReadLinkAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task A_SAS_link_reads_its_one_blob_only_and_stops_working_when_it_expires()
    {
        var store = AzureStores.New(azurite, o =>
        {
            o.Serving = AzureBlobStorageOptions.SasRedirect;
            o.SasLifetimeMinutes = 0.05; // three seconds
        });
        var key = BlobKeys.Video(Guid.NewGuid());
        var other = BlobKeys.Poster(Guid.NewGuid());
        var bytes = RandomNumberGenerator.GetBytes(200_000);
        await store.PutAsync(key, new MemoryStream(bytes), "video/mp4", CancellationToken.None);
        await store.PutAsync(other, new MemoryStream([9, 9, 9]), "image/jpeg", CancellationToken.None);

        var link = await store.GetDirectReadLinkAsync(key, CancellationToken.None);

        Assert.NotNull(link);
        var query = HttpUtility.ParseQueryString(link.Query);
        Assert.Equal("r", query["sp"]);
        Assert.Equal("b", query["sr"]);
        var expiresOn = DateTimeOffset.Parse(query["se"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiresOn - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(4));
        using var http = new HttpClient();
        using (var ok = await http.GetAsync(link))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(bytes, await ok.Content.ReadAsByteArrayAsync());
        }
        var otherBlob = new UriBuilder(link) { Path = link.AbsolutePath.Replace(key, other) }.Uri;
        using (var wrongBlob = await http.GetAsync(otherBlob))
        {
            Assert.Equal(HttpStatusCode.Forbidden, wrongBlob.StatusCode);
        }
        using (var write = await http.PutAsync(link, new ByteArrayContent([1]) { Headers = { { "x-ms-blob-type", "BlockBlob" } } }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        }

        // SAS expiry has one-second resolution; wait until the link is past it.
        var wait = expiresOn - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1.5);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
        using var expired = await http.GetAsync(link);
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
    }

    [Fact]
    public async Task An_account_URL_carrying_a_SAS_token_works_without_a_connection_string()
    {
        var container = await azurite.NewContainerAsync();
        var accountKey = new StorageSharedKeyCredential(azurite.Service.AccountName,
            azurite.ConnectionString.Split(';').Single(p => p.StartsWith("AccountKey=", StringComparison.Ordinal))["AccountKey=".Length..]);
        var sas = new AccountSasBuilder(AccountSasPermissions.Read | AccountSasPermissions.Write | AccountSasPermissions.Create | AccountSasPermissions.List
            | AccountSasPermissions.Delete, DateTimeOffset.UtcNow.AddMinutes(10), AccountSasServices.Blobs, AccountSasResourceTypes.All).ToSasQueryParameters(accountKey);
        var options = new AzureBlobStorageOptions { AccountUrl = $"{azurite.Service.Uri.AbsoluteUri.TrimEnd('/')}?{sas}", Container = container.Name };
        Assert.Empty(StorageOptionsValidator.AzureErrors(options));
        var store = new AzureBlobStore(options, TimeProvider.System, NullLogger<AzureBlobStore>.Instance);
        var bytes = RandomNumberGenerator.GetBytes(10_000);

        await store.PutAsync("generations/x/first-frame", new MemoryStream(bytes), "image/png", CancellationToken.None);

        Assert.Equal((bytes.LongLength, Convert.ToHexStringLower(SHA256.HashData(bytes))), await store.HashAsync("generations/x/first-frame", CancellationToken.None));
        Assert.True(await container.GetBlobClient("generations/x/first-frame").ExistsAsync());
    }
}
