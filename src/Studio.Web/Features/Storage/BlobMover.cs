using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Studio.Web.Data;

namespace Studio.Web.Features.Storage;

public sealed record BlobMoveReport(int Copied, int AlreadyThere, int Damaged, int Failed, long BytesCopied)
{
    public bool AllSafe => Damaged == 0 && Failed == 0;
}

/// <summary>
/// Moving house: copies every blob of one store into another and proves each copy by reading it back and
/// comparing its SHA-256. A local file whose bytes no longer match the hash recorded when it was archived is
/// reported and not copied. Blobs already in the target with the same hash are left alone, so it can be run again.
/// </summary>
public sealed class BlobMover(IBlobStore source, IBlobStore target, IReadOnlyDictionary<string, string> recordedSha256, TextWriter output)
{
    public async Task<BlobMoveReport> MoveAsync(CancellationToken ct)
    {
        var keys = new List<string>();
        await foreach (var key in source.ListKeysAsync(ct))
        {
            keys.Add(key);
        }
        output.WriteLine($"Copying {keys.Count} blob(s) from {source.Description} to {target.Description}.");
        int copied = 0, already = 0, damaged = 0, failed = 0;
        long bytes = 0;
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            var prefix = $"[{i + 1}/{keys.Count}] {key}:";
            try
            {
                var info = await source.GetInfoAsync(key, ct);
                var local = await source.HashAsync(key, ct);
                if (info is null || local is not { } actual)
                {
                    output.WriteLine($"{prefix} vanished while copying; skipped.");
                    continue;
                }
                var expected = recordedSha256.GetValueOrDefault(key) ?? info.Sha256;
                if (expected is not null && !string.Equals(expected, actual.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    damaged++;
                    output.WriteLine($"{prefix} DAMAGED: its SHA-256 is {actual.Sha256} but {expected} was recorded when it was stored; not copied.");
                    continue;
                }
                if (await target.GetInfoAsync(key, ct) is { } there && there.Length == actual.Length
                    && string.Equals(there.Sha256, actual.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    already++;
                    output.WriteLine($"{prefix} already there (same SHA-256).");
                    continue;
                }

                await using (var content = await source.OpenReadAsync(key, ct) ?? throw new IOException("the local file vanished."))
                {
                    // Refused, nothing committed, if the file changed since it was hashed.
                    await target.PutAsync(key, content.Stream, BlobWriteOptions.ForKey(key, info.ContentType), ct, expectedSha256: actual.Sha256);
                }
                var copy = await target.HashAsync(key, ct);
                if (copy != actual)
                {
                    failed++;
                    await target.DeleteAsync(key, ct);
                    output.WriteLine($"{prefix} FAILED: the copy read back as {copy?.Length} bytes, SHA-256 {copy?.Sha256}, not {actual.Length} bytes, {actual.Sha256}; removed.");
                    continue;
                }
                copied++;
                bytes += actual.Length;
                output.WriteLine($"{prefix} copied {actual.Length:N0} bytes, read back and verified (SHA-256 {actual.Sha256[..12]}…).");
            }
            catch (Exception ex) when (ex is IOException or Azure.RequestFailedException or UnauthorizedAccessException)
            {
                failed++;
                output.WriteLine($"{prefix} FAILED: {ex.Message}");
            }
        }
        var report = new BlobMoveReport(copied, already, damaged, failed, bytes);
        output.WriteLine($"Done: {copied} copied ({bytes:N0} bytes), {already} already there, {damaged} damaged, {failed} failed.");
        return report;
    }
}

/// <summary><c>Studio.Web move-blobs-to-azure</c> (or <c>./studio.sh move-blobs</c>): copies the local folder's blobs into the Azure container of <c>Storage:AzureBlob</c>.</summary>
public static class BlobMoveCommand
{
    public const string Name = "move-blobs-to-azure";

    public static bool IsInvocation(string[] args) => args.Contains(Name, StringComparer.Ordinal);

    /// <summary>Exit code 0 when every blob is in Azure and verified, 1 when some were damaged or failed, 2 for bad settings.</summary>
    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output, CancellationToken ct)
    {
        StorageOptions storage;
        try
        {
            storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        }
        catch (OptionsValidationException ex)
        {
            output.WriteLine(ex.Message);
            return 2;
        }
        var errors = StorageOptionsValidator.AzureErrors(storage.AzureBlob).ToList();
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                output.WriteLine(error);
            }
            output.WriteLine("Give the Azure account, e.g. ./studio.sh move-blobs --Storage:AzureBlob:ConnectionString \"<connection string>\" (or the environment variable Storage__AzureBlob__ConnectionString).");
            return 2;
        }

        var source = services.GetRequiredService<LocalFolderBlobStore>();
        var target = new AzureBlobStore(storage.AzureBlob, TimeProvider.System, services.GetRequiredService<ILogger<AzureBlobStore>>());
        var recorded = await RecordedHashesAsync(services, output, ct);
        var report = await new BlobMover(source, target, recorded, output).MoveAsync(ct);
        if (report.AllSafe)
        {
            output.WriteLine("Every blob is in Azure and verified. Now set Storage:Provider=AzureBlob (with the same Storage:AzureBlob settings) and restart the studio.");
            output.WriteLine("The local folder was left as it was; remove it once the studio runs on Azure.");
            return 0;
        }
        output.WriteLine("Some blobs are not in Azure (see above). Keep Storage:Provider=FileSystem until they are dealt with; running this again copies only what is missing.");
        return 1;
    }

    /// <summary>The SHA-256 the studio recorded for each archived video, to catch local files damaged since.</summary>
    private static async Task<IReadOnlyDictionary<string, string>> RecordedHashesAsync(IServiceProvider services, TextWriter output, CancellationToken ct)
    {
        try
        {
            await using var db = await services.GetRequiredService<IDbContextFactory<StudioDbContext>>().CreateDbContextAsync(ct);
            return await db.Generations.AsNoTracking()
                .Where(g => g.VideoBlobKey != null && g.VideoSha256 != null)
                .ToDictionaryAsync(g => g.VideoBlobKey!, g => g.VideoSha256!, StringComparer.Ordinal, ct);
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            output.WriteLine($"Could not read the hashes recorded in the database ({ex.Message}); each blob is checked against its own side file only.");
            return new Dictionary<string, string>();
        }
    }
}
