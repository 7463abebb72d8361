using System.Text.RegularExpressions;
using Studio.Web.Data;

namespace Studio.Web.Features.Storage;

/// <summary>Blobs as files under the data folder; the content type is kept in a small side file.</summary>
public sealed partial class LocalFolderBlobStore(StudioDataPaths paths) : IBlobStore
{
    private readonly string _root = paths.Blobs;

    public async Task PutAsync(string key, Stream content, string contentType, CancellationToken ct)
    {
        var path = PathFor(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".partial";
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await content.CopyToAsync(file, ct);
            }
            await File.WriteAllTextAsync(path + ".type", contentType, ct);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public async Task<BlobContent?> OpenReadAsync(string key, CancellationToken ct)
    {
        var path = PathFor(key);
        if (!File.Exists(path))
        {
            return null;
        }
        var typePath = path + ".type";
        var contentType = File.Exists(typePath) ? await File.ReadAllTextAsync(typePath, ct) : "application/octet-stream";
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        return new BlobContent(stream, stream.Length, contentType);
    }

    public Task DeleteAsync(string key, CancellationToken ct)
    {
        var path = PathFor(key);
        File.Delete(path);
        File.Delete(path + ".type");
        return Task.CompletedTask;
    }

    private string PathFor(string key)
    {
        if (!SafeKey().IsMatch(key) || key.Contains(".."))
        {
            throw new ArgumentException($"Blob key \"{key}\" is not a safe relative path.", nameof(key));
        }
        return Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/-]*$")]
    private static partial Regex SafeKey();
}
