namespace Studio.Web.Features.Providers.Pixazo;

/// <summary>Placeholder until the Pixazo adapter lands: every operation answers NotSupported.</summary>
public sealed class PixazoProvider(HttpClient http) : IVideoProvider
{
    public const string ProviderName = "pixazo";

    private readonly HttpClient _http = http;

    public string Name => ProviderName;

    public ProviderCapabilities Capabilities { get; } = new(ProviderName, "Pixazo", Webhooks: false, WebhooksNeedHttps: false, SignedWebhooks: false,
        Cancel: false, Progress: false, Extend: false, ClientTaskIds: false, ServerKeyVariable: "PIXAZO_API_KEY", DefaultBaseUrl: "https://example.invalid", DefaultOutputHosts: []);

    private static ProviderFailure Missing => new(ProviderFailureKind.NotSupported, "Pixazo is not implemented yet.");

    public Task<ProviderResult<ProviderAccepted>> SubmitAsync(ProviderConnection connection, ProviderSubmission submission, CancellationToken ct) => Task.FromResult<ProviderResult<ProviderAccepted>>(Missing);

    public Task<ProviderResult<ProviderTaskStatus>> GetTaskAsync(ProviderConnection connection, string taskId, CancellationToken ct) => Task.FromResult<ProviderResult<ProviderTaskStatus>>(Missing);

    public Task<ProviderResult<bool>> CancelAsync(ProviderConnection connection, string taskId, CancellationToken ct) => Task.FromResult<ProviderResult<bool>>(Missing);

    public Task<ProviderResult<ProviderAccepted>> ExtendAsync(ProviderConnection connection, ProviderExtension extension, CancellationToken ct) => Task.FromResult<ProviderResult<ProviderAccepted>>(Missing);

    public ProviderCallback ReadCallback(ProviderConnection connection, ProviderCallbackRequest request) => new(null, Rejected: "not implemented");

    public Task<ProviderResult<ProviderAccountInfo>> TestConnectionAsync(ProviderConnection connection, CancellationToken ct) => Task.FromResult<ProviderResult<ProviderAccountInfo>>(Missing);
}
