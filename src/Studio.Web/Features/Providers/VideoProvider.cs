namespace Studio.Web.Features.Providers;

/// <summary>
/// One provider API. Adapters report what happened as success or a classified failure;
/// the job engine decides what to do about it (retry, wait, fail, mark uncertain).
/// Every call takes the <see cref="ProviderConnection"/> to use: the team's key, the server's, or the Sandbox emulator.
/// </summary>
public interface IVideoProvider
{
    /// <summary>Stable name stored on each generation and used in URLs: "runway", "pixazo", "runware", "kie".</summary>
    string Name { get; }

    /// <summary>What the provider offers: models, webhooks, cancel, progress, extend.</summary>
    ProviderCapabilities Capabilities { get; }

    Task<ProviderResult<ProviderAccepted>> SubmitAsync(ProviderConnection connection, ProviderSubmission submission, CancellationToken ct);

    Task<ProviderResult<ProviderTaskStatus>> GetTaskAsync(ProviderConnection connection, string taskId, CancellationToken ct);

    /// <summary>Cancels a queued or running task. Providers without cancel answer <see cref="ProviderFailureKind.NotSupported"/>.</summary>
    Task<ProviderResult<bool>> CancelAsync(ProviderConnection connection, string taskId, CancellationToken ct);

    /// <summary>Makes a new task that continues a finished one. Providers without extend answer <see cref="ProviderFailureKind.NotSupported"/>.</summary>
    Task<ProviderResult<ProviderAccepted>> ExtendAsync(ProviderConnection connection, ProviderExtension extension, CancellationToken ct);

    /// <summary>
    /// Reads a webhook delivery: the task id it speaks of, or why it must be ignored (a signature that does not verify).
    /// A delivery is only a hint: the studio then re-reads the task from the provider before changing anything.
    /// </summary>
    ProviderCallback ReadCallback(ProviderConnection connection, ProviderCallbackRequest request);

    /// <summary>"Test connection": checks the key, and tells what the account has where the API says (Runway: balance and tier).</summary>
    Task<ProviderResult<ProviderAccountInfo>> TestConnectionAsync(ProviderConnection connection, CancellationToken ct);
}

/// <summary>How to reach a provider for one team: base URL, key, and whether it is the Sandbox emulator.</summary>
/// <param name="BaseUri">The provider's host root, ending in "/" (Sandbox: the studio's own address + "/{provider}/").</param>
/// <param name="WebhookSigningKey">kie's webhookHmacKey when the team set one; callbacks must then carry a valid signature.</param>
/// <param name="KeySource">Where the key came from: "team", "server" or "sandbox".</param>
public sealed record ProviderConnection(string Provider, Uri BaseUri, string ApiKey, bool IsSandbox, string KeySource, string? WebhookSigningKey = null)
{
    public override string ToString() => $"{Provider} via {KeySource} at {BaseUri}"; // never the key
}

/// <summary>The static facts about a provider (PROVIDERS.md), shown in settings and the README table.</summary>
public sealed record ProviderCapabilities(
    string Name,
    string DisplayName,
    bool Webhooks,
    bool WebhooksNeedHttps,
    bool SignedWebhooks,
    bool Cancel,
    bool Progress,
    bool Extend,
    bool ClientTaskIds,
    string ServerKeyVariable,
    string DefaultBaseUrl,
    IReadOnlyList<string> DefaultOutputHosts)
{
    public IReadOnlyList<Generations.VideoModel> Models => Generations.VideoModels.ForProvider(Name);
}

public sealed record PollCadence(TimeSpan Initial, TimeSpan Max);

/// <param name="Ratio">Runway-style ("1280:720"); empty when the first frame decides.</param>
/// <param name="CallbackUrl">Where the provider should POST when done; null means the studio polls.</param>
/// <param name="ClientTaskId">A task id the studio chose and stored before sending (Runware's taskUUID).</param>
public sealed record ProviderSubmission(
    Guid GenerationId,
    string Model,
    string PromptText,
    string Ratio,
    int DurationSeconds,
    long? Seed,
    ProviderImage? FirstFrame,
    string? Quality,
    Uri? CallbackUrl,
    string? ClientTaskId);

/// <summary>A first frame in both forms a provider may want.</summary>
/// <param name="DataUri">data:image/...;base64,...</param>
/// <param name="Url">A URL the provider can fetch it from, when the studio has one to offer (public base URL or Sandbox).</param>
public sealed record ProviderImage(string ContentType, long Bytes, string DataUri, Uri? Url);

/// <param name="ParentTaskId">The provider's id of the task being extended.</param>
public sealed record ProviderExtension(Guid GenerationId, string ParentTaskId, string PromptText, string? Quality, Uri? CallbackUrl);

public sealed record ProviderAccepted(string TaskId, int? EstimatedCredits);

public sealed record ProviderCallbackRequest(IReadOnlyDictionary<string, string> Headers, string Body);

/// <param name="TaskId">The provider's task id the delivery speaks of, when it can be read.</param>
/// <param name="Rejected">Why the delivery must be ignored (bad signature, stale timestamp, unreadable).</param>
public sealed record ProviderCallback(string? TaskId, string? Rejected = null);

/// <summary>What "Test connection" learned. Limits are null when the provider does not say.</summary>
public sealed record ProviderAccountInfo(string Summary, double? CreditBalance = null, int? MaxConcurrentGenerations = null, int? MaxDailyGenerations = null, int? DailyGenerationsUsed = null, double? MaxMonthlyCreditSpend = null);

public enum ProviderTaskPhase
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// <param name="CostCredits">What the provider says it charged, in credits (1 credit = US$0.01; Runware's USD cost × 100).</param>
/// <param name="Failure">The provider's own failure text (logged; users see a sanitized message).</param>
/// <param name="Retryable">A failure the provider does not charge and that may succeed if sent again (Pixazo ERROR, Runware timeoutProvider).</param>
/// <param name="Detail">A human hint for the page, e.g. "queued at provider (THROTTLED)".</param>
/// <param name="Seed">The seed the provider reports it used, when it says.</param>
public sealed record ProviderTaskStatus(
    ProviderTaskPhase Phase,
    string RawStatus,
    double? Progress = null,
    IReadOnlyList<string>? OutputUrls = null,
    double? CostCredits = null,
    string? Failure = null,
    string? FailureCode = null,
    bool Retryable = false,
    string? Detail = null,
    long? Seed = null);

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
    /// <summary>The provider has no such operation (cancel, extend).</summary>
    NotSupported,
    /// <summary>The studio cannot send this to this provider as configured (e.g. an image URL is needed but there is no public address).</summary>
    NotConfigured,
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
