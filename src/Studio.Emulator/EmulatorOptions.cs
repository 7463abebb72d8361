namespace Studio.Emulator;

/// <summary>How the provider emulator behaves. Bound from the "Emulator" configuration section.</summary>
public sealed class EmulatorOptions
{
    public const string SectionName = "Emulator";

    /// <summary>
    /// Where rendered MP4s are cached (<c>renders/</c>, scratch files in <c>work/</c>), and where each provider keeps
    /// its state so a restart finds it again, each in its own folder with its tasks in <c>tasks.json</c> and its
    /// output-URL signing key in <c>url-key</c>: Runway in <c>runway/</c> (data-URI first frames in <c>runway/images/</c>),
    /// Pixazo in <c>pixazo/</c>, Runware in <c>runware/</c> (data-URI first frames in <c>runware/images/</c> until
    /// rendered) and kie in <c>kie/</c>.
    /// </summary>
    public string DataDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "studio-emulator");

    /// <summary>API keys accepted as Bearer tokens. When empty, any token that starts with "key_" and is at least 8 characters long is accepted.</summary>
    public List<string> AcceptedApiKeys { get; set; } = new();

    /// <summary>How long a new task stays PENDING.</summary>
    public double PendingSeconds { get; set; } = 1;

    /// <summary>How long a task stays RUNNING (progress grows with time); it SUCCEEDS only once this has passed and its render has finished.</summary>
    public double RunningSeconds { get; set; } = 4;

    /// <summary>How long a signed output URL stays valid; afterwards it answers 403 like Runway's expired CDN links.</summary>
    public TimeSpan OutputUrlLifetime { get; set; } = TimeSpan.FromHours(24);
}
