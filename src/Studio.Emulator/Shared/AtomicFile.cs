using System.Text.Json;

namespace Studio.Emulator.Shared;

/// <summary>
/// Crash-safe files for every provider's persisted state: each write goes to a temporary sibling first and is then
/// renamed over the target, so a crash never leaves a torn file.
/// </summary>
internal static class AtomicFile
{
    /// <summary>What temporary siblings end in; a crash may leave some behind.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>
    /// Writes to a temporary sibling, flushes it to disk, then renames it to <paramref name="path"/> (creating its
    /// directory first). Without <paramref name="overwrite"/>, an existing file wins and this throws <see cref="IOException"/>.
    /// </summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes, bool overwrite = true, UnixFileMode? unixMode = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = $"{path}.{Guid.NewGuid():N}{TempSuffix}";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (unixMode is { } mode && !OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Serializes <paramref name="value"/> and writes it atomically.</summary>
    public static void WriteJson<T>(string path, T value, JsonSerializerOptions options) =>
        Write(path, JsonSerializer.SerializeToUtf8Bytes(value, options));

    /// <summary>The deserialized file, or default when there is none yet. Throws when it cannot be read or parsed.</summary>
    public static T? ReadJson<T>(string path, JsonSerializerOptions options)
    {
        if (!File.Exists(path))
        {
            return default;
        }

        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<T>(stream, options);
    }
}
