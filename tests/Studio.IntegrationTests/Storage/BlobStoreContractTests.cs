using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Studio.IntegrationTests.Studio;
using Studio.Web.Data;
using Studio.Web.Features.Storage;

namespace Studio.IntegrationTests.Storage;

/// <summary>
/// What every blob store promises, run against the local folder and against Azure Blob (Azurite): streamed writes
/// read back byte for byte with their hash, nothing visible before the commit, a hash mismatch refused with the
/// previous blob intact, and seekable reads for range requests.
/// </summary>
public abstract class BlobStoreContractTests
{
    /// <summary>Crosses several 1 MiB blocks and ends in a partial one.</summary>
    protected const int Size = 5 * 1024 * 1024 + 12_345;

    protected abstract Task<IBlobStore> NewStoreAsync();

    protected static byte[] RandomBytes(int length) => RandomNumberGenerator.GetBytes(length);

    protected static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Fact]
    public async Task A_streamed_write_reads_back_byte_for_byte_with_its_length_type_and_SHA256()
    {
        var store = await NewStoreAsync();
        var bytes = RandomBytes(Size);
        var key = BlobKeys.Video(Guid.NewGuid());

        var stored = await store.PutAsync(key, new MemoryStream(bytes), "video/mp4", CancellationToken.None);

        Assert.Equal(Size, stored.Length);
        Assert.Equal(Sha256(bytes), stored.Sha256);
        var info = await store.GetInfoAsync(key, CancellationToken.None);
        Assert.NotNull(info);
        Assert.Equal((long)Size, info.Length);
        Assert.Equal("video/mp4", info.ContentType);
        Assert.Equal(Sha256(bytes), info.Sha256);
        await using var blob = await store.OpenReadAsync(key, CancellationToken.None);
        Assert.NotNull(blob);
        Assert.Equal((long)Size, blob.Length);
        var back = new MemoryStream();
        await blob.Stream.CopyToAsync(back);
        Assert.True(bytes.AsSpan().SequenceEqual(back.ToArray()), "the bytes read back differ from the bytes written");
    }

    [Fact]
    public async Task Nothing_is_visible_before_the_commit_and_an_abandoned_write_leaves_nothing()
    {
        var store = await NewStoreAsync();
        var key = BlobKeys.Poster(Guid.NewGuid());

        await using (var writer = await store.BeginWriteAsync(key, BlobWriteOptions.ForKey(key, "image/jpeg"), CancellationToken.None))
        {
            await writer.WriteAsync(RandomBytes(Size), CancellationToken.None);
            Assert.Null(await store.GetInfoAsync(key, CancellationToken.None));
            Assert.Null(await store.OpenReadAsync(key, CancellationToken.None));
        }

        Assert.Null(await store.GetInfoAsync(key, CancellationToken.None));
        await foreach (var listed in store.ListKeysAsync(CancellationToken.None))
        {
            Assert.NotEqual(key, listed);
        }
    }

    [Fact]
    public async Task A_hash_mismatch_is_refused_and_the_blob_already_there_stays_whole()
    {
        var store = await NewStoreAsync();
        var key = BlobKeys.Video(Guid.NewGuid());
        var original = RandomBytes(1024 * 1024);
        await store.PutAsync(key, new MemoryStream(original), "video/mp4", CancellationToken.None);
        var other = RandomBytes(Size);

        var refused = await Assert.ThrowsAsync<BlobIntegrityException>(() =>
            store.PutAsync(key, new MemoryStream(other), BlobWriteOptions.ForKey(key, "video/mp4"), CancellationToken.None, expectedSha256: Sha256(original)));

        Assert.Contains("not stored", refused.Message);
        Assert.Equal((original.LongLength, Sha256(original)), await store.HashAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task A_length_mismatch_is_refused()
    {
        var store = await NewStoreAsync();
        var key = BlobKeys.Video(Guid.NewGuid());
        await using var writer = await store.BeginWriteAsync(key, BlobWriteOptions.ForKey(key, "video/mp4"), CancellationToken.None);
        await writer.WriteAsync(RandomBytes(1000), CancellationToken.None);

        await Assert.ThrowsAsync<BlobIntegrityException>(() => writer.CommitAsync(null, expectedLength: 1001, CancellationToken.None));

        Assert.Null(await store.GetInfoAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task The_read_stream_seeks_so_a_range_near_the_end_reads_the_right_bytes()
    {
        var store = await NewStoreAsync();
        var bytes = RandomBytes(Size);
        var key = BlobKeys.Video(Guid.NewGuid());
        await store.PutAsync(key, new MemoryStream(bytes), "video/mp4", CancellationToken.None);

        await using var blob = await store.OpenReadAsync(key, CancellationToken.None);
        Assert.True(blob!.Stream.CanSeek);
        blob.Stream.Seek(Size - 70_000, SeekOrigin.Begin);
        var range = new byte[50_000];
        await blob.Stream.ReadExactlyAsync(range);

        Assert.True(bytes.AsSpan(Size - 70_000, 50_000).SequenceEqual(range));
    }

    [Fact]
    public async Task Listing_gives_every_committed_key_and_delete_removes_one()
    {
        var store = await NewStoreAsync();
        var id = Guid.NewGuid();
        var keys = new[] { BlobKeys.Video(id), BlobKeys.Poster(id), BlobKeys.FirstFrame(id) };
        foreach (var key in keys)
        {
            await store.PutAsync(key, new MemoryStream(RandomBytes(100)), "application/octet-stream", CancellationToken.None);
        }

        await store.DeleteAsync(keys[2], CancellationToken.None);

        var listed = new List<string>();
        await foreach (var key in store.ListKeysAsync(CancellationToken.None))
        {
            listed.Add(key);
        }
        Assert.Equal(keys[..2].Order(StringComparer.Ordinal), listed.Where(k => k.Contains(id.ToString("N"))).Order(StringComparer.Ordinal));
    }
}

public sealed class LocalFolderBlobStoreTests : BlobStoreContractTests, IDisposable
{
    private readonly string _directory = TestPaths.NewDirectory("local-blobs");

    protected override Task<IBlobStore> NewStoreAsync() =>
        Task.FromResult<IBlobStore>(new LocalFolderBlobStore(new StudioDataPaths(_directory)));

    [Fact]
    public async Task An_abandoned_write_leaves_no_partial_file_behind()
    {
        var store = await NewStoreAsync();
        var key = BlobKeys.Video(Guid.NewGuid());
        await using (var writer = await store.BeginWriteAsync(key, BlobWriteOptions.ForKey(key, "video/mp4"), CancellationToken.None))
        {
            await writer.WriteAsync(RandomBytes(1000), CancellationToken.None);
            Assert.Single(Directory.EnumerateFiles(_directory, "*.partial", SearchOption.AllDirectories));
        }

        Assert.Empty(Directory.EnumerateFiles(_directory, "*", SearchOption.AllDirectories));
    }

    public void Dispose() => TestPaths.TryDelete(_directory);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStoreContractTests(AzuriteFixture azurite) : BlobStoreContractTests
{
    protected override Task<IBlobStore> NewStoreAsync() => Task.FromResult<IBlobStore>(AzureStores.New(azurite));
}

internal static class AzureStores
{
    /// <summary>A store on a fresh (not yet created) Azurite container, with 1 MiB blocks so tests cross block boundaries.</summary>
    public static AzureBlobStore New(AzuriteFixture azurite, Action<AzureBlobStorageOptions>? configure = null)
    {
        var options = Options(azurite.ConnectionString, azurite.NewContainerName());
        configure?.Invoke(options);
        return new AzureBlobStore(options, TimeProvider.System, NullLogger<AzureBlobStore>.Instance);
    }

    public static AzureBlobStorageOptions Options(string connectionString, string container) => new()
    {
        ConnectionString = connectionString,
        Container = container,
        BlockSizeMiB = 1,
        MaxConcurrency = 3,
    };
}
