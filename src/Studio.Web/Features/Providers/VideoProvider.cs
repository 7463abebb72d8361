namespace Studio.Web.Features.Providers;

/// <summary>
/// One provider API. Adapters report what happened as success or a classified failure;
/// the job engine decides what to do about it (retry, wait, fail, mark uncertain).
/// </summary>
public interface IVideoProvider
{
    /// <summary>Stable name stored on each generation, e.g. "runway".</summary>
    string Name { get; }

    /// <summary>True when this provider is the built-in emulator rather than the real API.</summary>
    bool IsSandbox { get; }

    /// <summary>Hosts the archiver may fetch outputs from (SSRF guard). "*.example.com" matches subdomains.</summary>
    IReadOnlyCollection<string> OutputHosts { get; }

    /// <summary>How often to look at a running task: first interval and the ceiling it backs off to.</summary>
    PollCadence Cadence { get; }

    Task<ProviderResult<ProviderAccepted>> SubmitAsync(ProviderSubmission submission, CancellationToken ct);

    Task<ProviderResult<ProviderTaskStatus>> GetTaskAsync(string taskId, CancellationToken ct);
}

public sealed record PollCadence(TimeSpan Initial, TimeSpan Max);

public sealed record ProviderSubmission(
    Guid GenerationId,
    string Model,
    string PromptText,
    string Ratio,
    int DurationSeconds,
    long? Seed,
    string? FirstFrameDataUri);

public sealed record ProviderAccepted(string TaskId, int? EstimatedCredits);

public enum ProviderTaskPhase
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

public sealed record ProviderTaskStatus(
    ProviderTaskPhase Phase,
    string RawStatus,
    double? Progress = null,
    IReadOnlyList<string>? OutputUrls = null,
    int? CostCredits = null,
    string? Failure = null,
    string? FailureCode = null);

public enum ProviderFailureKind
{
    /// <summary>The provider refused the input (400/422): fix it, do not retry.</summary>
    Rejected,
    /// <summary>The key is wrong, disabled or missing (401/403).</summary>
    Unauthorized,
    /// <summary>The account cannot pay (402 or a provider's balance message).</summary>
    InsufficientCredits,
    /// <summary>429: try later, honouring RetryAfter.</summary>
    RateLimited,
    /// <summary>5xx shedding load, or the connection could not be made: try later.</summary>
    Transient,
    /// <summary>The task does not exist (any more).</summary>
    NotFound,
    /// <summary>No answer came back (timeout, reset): a create may or may not have happened.</summary>
    NoAnswer,
}

public sealed record ProviderFailure(ProviderFailureKind Kind, string Message, TimeSpan? RetryAfter = null)
{
    public bool IsRetryable => Kind is ProviderFailureKind.RateLimited or ProviderFailureKind.Transient or ProviderFailureKind.NoAnswer;
}

public readonly record struct ProviderResult<T>(T? Value, ProviderFailure? Failure)
{
    public bool IsSuccess => Failure is null;

    public static implicit operator ProviderResult<T>(T value) => new(value, null);

    public static implicit operator ProviderResult<T>(ProviderFailure failure) => new(default, failure);
}
