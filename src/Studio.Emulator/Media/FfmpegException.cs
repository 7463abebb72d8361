namespace Studio.Emulator.Media;

/// <summary>ffmpeg or ffprobe could not start, timed out, or exited with a non-zero code.</summary>
public sealed class FfmpegException : Exception
{
    public FfmpegException(string message, int? exitCode, string stdErrTail, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
        StdErrTail = stdErrTail;
    }

    /// <summary>The process exit code; null when it never started or was killed on timeout.</summary>
    public int? ExitCode { get; }

    /// <summary>The last ~2 KB of stderr, which is where ffmpeg says what went wrong.</summary>
    public string StdErrTail { get; }
}
