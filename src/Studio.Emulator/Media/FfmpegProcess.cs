using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Options;

namespace Studio.Emulator.Media;

/// <summary>
/// The one way to run ffmpeg and ffprobe: arguments go through <see cref="ProcessStartInfo.ArgumentList"/>
/// (no shell, no quoting bugs), concurrency is capped, a run that exceeds the timeout is killed with its
/// whole process tree, and failures surface as <see cref="FfmpegException"/> carrying the tail of stderr.
/// </summary>
public sealed class FfmpegProcess
{
    private const int StdErrTailLength = 2048;

    private readonly FfmpegOptions _options;
    private readonly ILogger<FfmpegProcess> _logger;
    private readonly SemaphoreSlim _gate;

    public FfmpegProcess(IOptions<FfmpegOptions> options, ILogger<FfmpegProcess> logger)
    {
        _options = options.Value;
        _logger = logger;
        _gate = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrency));
    }

    /// <summary>Runs ffmpeg and returns its stderr (ffmpeg writes its log there).</summary>
    public async Task<string> RunFfmpegAsync(IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var (_, stdErr) = await RunAsync(_options.FfmpegPath, arguments, onStdOutLine: null, timeout: null, ct);
        return stdErr;
    }

    /// <summary>
    /// Runs ffmpeg, handing each line it writes to stdout to <paramref name="onStdOutLine"/> as it arrives
    /// (e.g. the key=value blocks of <c>-progress pipe:1</c>), and returns its stderr.
    /// </summary>
    /// <param name="onStdOutLine">Called on a pool thread, one line at a time, in order. If it throws, the
    /// exception is logged and no further lines are handed over; the run itself carries on.</param>
    /// <param name="timeout">For a run whose length grows with its input (a long render): this run's limit
    /// when longer than <see cref="FfmpegOptions.Timeout"/>, which stays the floor. Null: the configured timeout.</param>
    public async Task<string> RunFfmpegAsync(IReadOnlyList<string> arguments, Action<string>? onStdOutLine, TimeSpan? timeout, CancellationToken ct)
    {
        var (_, stdErr) = await RunAsync(_options.FfmpegPath, arguments, onStdOutLine, timeout, ct);
        return stdErr;
    }

    /// <summary>Runs ffprobe and returns its stdout (e.g. the JSON asked for with <c>-of json</c>).</summary>
    public async Task<string> RunFfprobeAsync(IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var (stdOut, _) = await RunAsync(_options.FfprobePath, arguments, onStdOutLine: null, timeout: null, ct);
        return stdOut;
    }

    private async Task<(string StdOut, string StdErr)> RunAsync(
        string fileName, IReadOnlyList<string> arguments, Action<string>? onStdOutLine, TimeSpan? timeout, CancellationToken ct)
    {
        var toolName = Path.GetFileName(fileName);
        var limit = timeout is { } requested && requested > _options.Timeout ? requested : _options.Timeout;
        await _gate.WaitAsync(ct);
        try
        {
            var startInfo = new ProcessStartInfo(fileName)
            {
                UseShellExecute = false,
                CreateNoWindow = true,
                // Redirected and closed at once: ffmpeg otherwise reads the console for interactive keys.
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            foreach (var argument in arguments)
            {
                startInfo.ArgumentList.Add(argument);
            }

            if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.LogDebug("Running {CommandLine}", FormatCommandLine(fileName, arguments));
            }

            using var process = new Process { StartInfo = startInfo };
            try
            {
                process.Start();
            }
            catch (Exception ex) when (ex is Win32Exception or InvalidOperationException)
            {
                throw new FfmpegException($"Could not start {toolName} ('{fileName}'): {ex.Message}", null, string.Empty, ex);
            }

            process.StandardInput.Close();

            // Both pipes are drained concurrently; reading one to the end first can deadlock when the other fills.
            var stdOutTask = onStdOutLine is null
                ? process.StandardOutput.ReadToEndAsync(CancellationToken.None)
                : ReadLinesAsync(process.StandardOutput, onStdOutLine, toolName);
            var stdErrTask = process.StandardError.ReadToEndAsync(CancellationToken.None);

            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeoutSource.CancelAfter(limit);
            try
            {
                await process.WaitForExitAsync(timeoutSource.Token);
            }
            catch (OperationCanceledException)
            {
                KillTree(process);
                await process.WaitForExitAsync(CancellationToken.None);
                var partialStdErr = await stdErrTask;
                await stdOutTask;
                ct.ThrowIfCancellationRequested();
                throw new FfmpegException(
                    $"{toolName} timed out after {limit.TotalSeconds:0.#} s and was killed",
                    null,
                    Tail(partialStdErr));
            }

            var stdOut = await stdOutTask;
            var stdErr = await stdErrTask;
            if (process.ExitCode != 0)
            {
                var tail = Tail(stdErr);
                throw new FfmpegException($"{toolName} exited with code {process.ExitCode}: {LastLine(tail)}", process.ExitCode, tail);
            }

            return (stdOut, stdErr);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Drains stdout line by line into the callback; returns an empty string (the lines went to the caller).</summary>
    private async Task<string> ReadLinesAsync(StreamReader reader, Action<string> onLine, string toolName)
    {
        var listening = true;
        while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
        {
            if (!listening)
            {
                // Keep reading to the end regardless: a full pipe would stall the process.
                continue;
            }

            try
            {
                onLine(line);
            }
            catch (Exception ex)
            {
                listening = false;
                _logger.LogWarning(ex, "The stdout listener of {Tool} threw; its remaining output is discarded", toolName);
            }
        }

        return string.Empty;
    }

    private void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited between the timeout and the kill.
        }
        catch (Win32Exception ex)
        {
            _logger.LogWarning(ex, "Could not kill {Process} ({Pid})", process.StartInfo.FileName, process.Id);
        }
    }

    private static string Tail(string text) =>
        text.Length <= StdErrTailLength ? text : text[^StdErrTailLength..];

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no output on stderr)" : lines[^1];
    }

    private static string FormatCommandLine(string fileName, IReadOnlyList<string> arguments)
    {
        var builder = new StringBuilder(fileName);
        foreach (var argument in arguments)
        {
            builder.Append(' ');
            var needsQuotes = argument.Length == 0 || argument.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or ';' or '&' or '|');
            builder.Append(needsQuotes ? "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'" : argument);
        }

        return builder.ToString();
    }
}
