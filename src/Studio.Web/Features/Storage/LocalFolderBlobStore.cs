using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Studio.Web.Data;

namespace Studio.Web.Features.Storage;

/// <summary>
/// Blobs as files under the data folder (<c>blobs/</c>). A write goes to a <c>.partial</c> file that is moved into
/// place on commit; the content type and SHA-256 are kept in small side files (<c>.type</c>, <c>.sha256</c>).
/// </summary>
public sealed partial class LocalFolderBlobStore(StudioDataPaths paths) : IBlobStore
{
    private const string TypeSuffix = ".type";
    private const string HashSuffix = ".sha256";
    private const string PartialSuffix = ".partial";
    private readonly string _root = paths.Blobs;

    public string Description => $"local folder {_root}";

    public Task<BlobWriter> BeginWriteAsync(string key, BlobWriteOptions options, CancellationToken ct)
    {
        var path = PathFor(key);
        var directory = Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // A write of this key cut off earlier (a crash, a kill) left its partial file; this write replaces it.
        foreach (var stale in directory.EnumerateFiles(Path.GetFileName(path) + ".*" + PartialSuffix))
        {
            TryDelete(stale.FullName);
        }
        var temp = $"{path}.{Guid.NewGuid():N}{PartialSuffix}";
        // Synchronous writes: they land in the page cache at once, and Linux has no true async file I/O to gain from.
        var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 81920);
        return Task.FromResult<BlobWriter>(new Writer(key, path, temp, file, options));
    }

    public async Task<BlobContent?> OpenReadAsync(string key, CancellationToken ct)
    {
        var path = PathFor(key);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, useAsync: true);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        return new BlobContent(stream, stream.Length, await ReadSideFileAsync(path + TypeSuffix, ct) ?? "application/octet-stream");
    }

    public async Task<StoredBlobInfo?> GetInfoAsync(string key, CancellationToken ct)
    {
        var path = PathFor(key);
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            return null;
        }
        return new StoredBlobInfo(file.Length,
            await ReadSideFileAsync(path + TypeSuffix, ct) ?? "application/octet-stream",
            await ReadSideFileAsync(path + HashSuffix, ct));
    }

    public Task DeleteAsync(string key, CancellationToken ct)
    {
        var path = PathFor(key);
        File.Delete(path);
        File.Delete(path + TypeSuffix);
        File.Delete(path + HashSuffix);
        return Task.CompletedTask;
    }

    /// <summary>Local files are always served through the studio.</summary>
    public Task<Uri?> GetDirectReadLinkAsync(string key, CancellationToken ct) => Task.FromResult<Uri?>(null);

    public async IAsyncEnumerable<string> ListKeysAsync([EnumeratorCancellation] CancellationToken ct)
    {
        if (!Directory.Exists(_root))
        {
            yield break;
        }
        var files = Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(TypeSuffix, StringComparison.Ordinal) && !f.EndsWith(HashSuffix, StringComparison.Ordinal)
                && !f.EndsWith(PartialSuffix, StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(_root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal);
        foreach (var key in files)
        {
            ct.ThrowIfCancellationRequested();
            yield return key;
        }
        await Task.CompletedTask;
    }

    /// <summary>A leftover .partial file is never read and never listed, so failing to remove one is harmless.</summary>
    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static async Task<string?> ReadSideFileAsync(string path, CancellationToken ct)
    {
        try
        {
            return (await File.ReadAllTextAsync(path, ct)).Trim();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private string PathFor(string key)
    {
        if (!SafeKey().IsMatch(key) || key.Contains("..") || key.EndsWith(TypeSuffix, StringComparison.Ordinal)
            || key.EndsWith(HashSuffix, StringComparison.Ordinal) || key.EndsWith(PartialSuffix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Blob key \"{key}\" is not a safe relative path.", nameof(key));
        }
        return Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/-]*$")]
    private static partial Regex SafeKey();

    private sealed class Writer(string key, string path, string temp, FileStream file, BlobWriteOptions options) : BlobWriter(key)
    {
        public override string? LocalFile => temp;

        public override Task FlushAsync(CancellationToken ct) => file.FlushAsync(ct);

        protected override ValueTask WriteCoreAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
        {
            file.Write(data.Span);
            return ValueTask.CompletedTask;
        }

        protected override async Task CommitCoreAsync(string sha256, CancellationToken ct)
        {
            await file.FlushAsync(ct);
            await file.DisposeAsync();
            var written = new FileInfo(temp).Length;
            if (written != Length)
            {
                throw new BlobIntegrityException($"{Key}: the file holds {written} bytes but {Length} were written; not stored.");
            }
            await File.WriteAllTextAsync(path + TypeSuffix, options.ContentType, ct);
            await File.WriteAllTextAsync(path + HashSuffix, sha256, ct);
            File.Move(temp, path, overwrite: true);
        }

        protected override async ValueTask AbortCoreAsync()
        {
            await file.DisposeAsync();
            TryDelete(temp);
        }
    }
}
