using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using Azure;
using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using Microsoft.Extensions.Options;

namespace Studio.Web.Features.Storage;

/// <summary>
/// Blobs in one Azure Blob Storage container (created when missing). Uploads are staged block by block straight
/// from the caller's stream — at most <c>MaxConcurrency</c> blocks of <c>BlockSizeMiB</c> in memory — each with a
/// CRC64 the service checks, and committed in one step with the content type, Content-Disposition and the
/// generation id and SHA-256 in the blob's metadata; after the commit the stored length is checked.
/// </summary>
public sealed class AzureBlobStore : IBlobStore
{
    public const string Sha256Metadata = "sha256";
    public const string GenerationIdMetadata = "generationid";

    private readonly AzureBlobStorageOptions _options;
    private readonly BlobServiceClient _service;
    private readonly BlobContainerClient _container;
    private readonly TimeProvider _time;
    private readonly ILogger<AzureBlobStore> _logger;
    private readonly SemaphoreSlim _containerGate = new(1, 1);
    private readonly SemaphoreSlim _delegationGate = new(1, 1);
    private volatile bool _containerReady;
    private UserDelegationKey? _delegationKey;
    private readonly BlockBuffers _buffers;

    public AzureBlobStore(IOptions<StorageOptions> options, TimeProvider time, ILogger<AzureBlobStore> logger)
        : this(options.Value.AzureBlob, time, logger)
    {
    }

    public AzureBlobStore(AzureBlobStorageOptions options, TimeProvider time, ILogger<AzureBlobStore> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _service = CreateServiceClient(options);
        _container = _service.GetBlobContainerClient(options.Container);
        _buffers = new BlockBuffers(BlockSize, options.MaxConcurrency + 1);
    }

    public string Description => $"Azure Blob container \"{_container.Name}\" at {_service.Uri.GetLeftPart(UriPartial.Path)}";

    private int BlockSize => _options.BlockSizeMiB * 1024 * 1024;

    public async Task<BlobWriter> BeginWriteAsync(string key, BlobWriteOptions options, CancellationToken ct)
    {
        await EnsureContainerAsync(ct);
        return new Writer(key, _container.GetBlockBlobClient(key), options, _buffers, _options.MaxConcurrency);
    }

    public async Task<BlobContent?> OpenReadAsync(string key, CancellationToken ct)
    {
        var blob = _container.GetBlobClient(key);
        try
        {
            var properties = (await blob.GetPropertiesAsync(cancellationToken: ct)).Value;
            // A seekable stream that fetches ranges as it is read; range requests to the studio seek it.
            var stream = await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false)
            {
                BufferSize = Math.Min(BlockSize, 4 * 1024 * 1024),
                Conditions = new BlobRequestConditions { IfMatch = properties.ETag },
            }, ct);
            return new BlobContent(stream, properties.ContentLength, properties.ContentType ?? "application/octet-stream");
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task<StoredBlobInfo?> GetInfoAsync(string key, CancellationToken ct)
    {
        try
        {
            var properties = (await _container.GetBlobClient(key).GetPropertiesAsync(cancellationToken: ct)).Value;
            return new StoredBlobInfo(properties.ContentLength, properties.ContentType ?? "application/octet-stream",
                properties.Metadata.TryGetValue(Sha256Metadata, out var sha) ? sha : null);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        try
        {
            await _container.GetBlobClient(key).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No container yet: nothing to delete.
        }
    }

    public async Task<Uri?> GetDirectReadLinkAsync(string key, CancellationToken ct)
    {
        if (!_options.RedirectsToSas)
        {
            return null;
        }
        var now = _time.GetUtcNow();
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, now.AddMinutes(_options.SasLifetimeMinutes))
        {
            BlobContainerName = _container.Name,
            BlobName = key,
            Resource = "b",
            // A little slack for clocks that disagree; the link still ends at ExpiresOn.
            StartsOn = now.AddMinutes(-1),
            Protocol = _service.Uri.Scheme == Uri.UriSchemeHttps ? SasProtocol.Https : SasProtocol.HttpsAndHttp,
        };
        var blob = _container.GetBlobClient(key);
        if (blob.CanGenerateSasUri)
        {
            return blob.GenerateSasUri(sas);
        }
        var delegationKey = await DelegationKeyAsync(now, ct);
        return new BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(delegationKey, _service.AccountName) }.ToUri();
    }

    public async IAsyncEnumerable<string> ListKeysAsync([EnumeratorCancellation] CancellationToken ct)
    {
        if (!await _container.ExistsAsync(ct))
        {
            yield break;
        }
        await foreach (var item in _container.GetBlobsAsync(cancellationToken: ct))
        {
            yield return item.Name;
        }
    }

    /// <summary>Creates the container on first use (once per process; tried again after a failure).</summary>
    public async Task EnsureContainerAsync(CancellationToken ct)
    {
        if (_containerReady)
        {
            return;
        }
        await _containerGate.WaitAsync(ct);
        try
        {
            if (!_containerReady)
            {
                if (await _container.CreateIfNotExistsAsync(cancellationToken: ct) is not null)
                {
                    _logger.LogInformation("Created blob container {Container}", _container.Name);
                }
                _containerReady = true;
            }
        }
        finally
        {
            _containerGate.Release();
        }
    }

    private async Task<UserDelegationKey> DelegationKeyAsync(DateTimeOffset now, CancellationToken ct)
    {
        await _delegationGate.WaitAsync(ct);
        try
        {
            if (_delegationKey is null || _delegationKey.SignedExpiresOn < now.AddMinutes(_options.SasLifetimeMinutes + 5))
            {
                _delegationKey = (await _service.GetUserDelegationKeyAsync(now.AddMinutes(-1), now.AddHours(6), ct)).Value;
            }
            return _delegationKey;
        }
        finally
        {
            _delegationGate.Release();
        }
    }

    private static BlobServiceClient CreateServiceClient(AzureBlobStorageOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new BlobServiceClient(options.ConnectionString);
        }
        var url = new Uri(options.AccountUrl!);
        return options.AccountUrlHasSas ? new BlobServiceClient(url) : new BlobServiceClient(url, new DefaultAzureCredential());
    }

    /// <summary>Stages fixed-size blocks as they fill, at most <c>maxConcurrency</c> in flight; commits the block list at the end.</summary>
    /// <summary>
    /// The block buffers, kept for reuse up to one upload's worth (MaxConcurrency + 1); more are allocated while
    /// several uploads run and dropped when returned. (The shared ArrayPool keeps arrays per thread, so idle 4 MiB
    /// buffers piled up there well beyond what an upload uses.)
    /// </summary>
    private sealed class BlockBuffers(int blockSize, int keep)
    {
        private readonly ConcurrentBag<byte[]> _idle = [];

        public int BlockSize { get; } = blockSize;

        public byte[] Rent() => _idle.TryTake(out var buffer) ? buffer : GC.AllocateUninitializedArray<byte>(BlockSize);

        public void Return(byte[] buffer)
        {
            if (_idle.Count < keep)
            {
                _idle.Add(buffer);
            }
        }
    }

    private sealed class Writer(string key, BlockBlobClient blob, BlobWriteOptions options, BlockBuffers buffers, int maxConcurrency) : BlobWriter(key)
    {
        private readonly int _blockSize = buffers.BlockSize;
        private readonly byte[] _writerId = Guid.NewGuid().ToByteArray();
        private readonly List<string> _blockIds = [];
        private readonly List<Task> _inFlight = [];
        private readonly SemaphoreSlim _slots = new(maxConcurrency, maxConcurrency);
        private byte[]? _buffer;
        private int _filled;

        protected override async ValueTask WriteCoreAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
        {
            while (!data.IsEmpty)
            {
                _buffer ??= buffers.Rent();
                var take = Math.Min(_blockSize - _filled, data.Length);
                data.Span[..take].CopyTo(_buffer.AsSpan(_filled));
                _filled += take;
                data = data[take..];
                if (_filled == _blockSize)
                {
                    await StageFilledBlockAsync(ct);
                }
            }
        }

        protected override async Task CommitCoreAsync(string sha256, CancellationToken ct)
        {
            if (_filled > 0)
            {
                await StageFilledBlockAsync(ct);
            }
            await Task.WhenAll(_inFlight);
            var metadata = new Dictionary<string, string> { [Sha256Metadata] = sha256 };
            if (options.GenerationId is { } generationId)
            {
                metadata[GenerationIdMetadata] = generationId.ToString("D");
            }
            var committed = await blob.CommitBlockListAsync(_blockIds, new CommitBlockListOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = options.ContentType, ContentDisposition = options.ContentDisposition },
                Metadata = metadata,
            }, ct);
            var stored = (await blob.GetPropertiesAsync(new BlobRequestConditions { IfMatch = committed.Value.ETag }, ct)).Value;
            if (stored.ContentLength != Length)
            {
                await blob.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
                throw new BlobIntegrityException($"{Key}: Azure holds {stored.ContentLength} bytes but {Length} were written; the copy was removed.");
            }
        }

        protected override async ValueTask AbortCoreAsync()
        {
            // Staged blocks that are never committed are discarded by the service; nothing became visible.
            try
            {
                await Task.WhenAll(_inFlight);
            }
            catch (Exception)
            {
                // Already failing or abandoned.
            }
            if (_buffer is not null)
            {
                buffers.Return(_buffer);
                _buffer = null;
            }
        }

        private async Task StageFilledBlockAsync(CancellationToken ct)
        {
            // A failed block fails the write now rather than at the commit.
            if (_inFlight.FirstOrDefault(t => t.IsFaulted) is { } failed)
            {
                await failed;
            }
            _inFlight.RemoveAll(t => t.IsCompletedSuccessfully);
            await _slots.WaitAsync(ct);
            var buffer = _buffer!;
            var length = _filled;
            _buffer = null;
            _filled = 0;
            var blockId = BlockId(_blockIds.Count);
            _blockIds.Add(blockId);
            _inFlight.Add(StageAsync(blockId, buffer, length, ct));
        }

        private async Task StageAsync(string blockId, byte[] buffer, int length, CancellationToken ct)
        {
            try
            {
                var crc = StorageCrc64HashAlgorithm.Create();
                crc.Append(buffer.AsSpan(0, length));
                using var content = new MemoryStream(buffer, 0, length, writable: false);
                await blob.StageBlockAsync(blockId, content, new BlockBlobStageBlockOptions
                {
                    TransferValidation = new UploadTransferValidationOptions
                    {
                        ChecksumAlgorithm = StorageChecksumAlgorithm.StorageCrc64,
                        PrecalculatedChecksum = crc.GetCurrentHash(),
                    },
                }, ct);
            }
            finally
            {
                buffers.Return(buffer);
                _slots.Release();
            }
        }

        /// <summary>Block ids of one length within a blob, unique to this writer so two writers of one key never mix blocks.</summary>
        private string BlockId(int index)
        {
            Span<byte> id = stackalloc byte[20];
            _writerId.CopyTo(id);
            BitConverter.TryWriteBytes(id[16..], index);
            return Convert.ToBase64String(id);
        }
    }
}
