using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Studio.Web.Features.Providers;

/// <summary>Turns HTTP outcomes into classified failures the same way for every adapter.</summary>
public static class ProviderHttp
{
    public static ProviderFailure Classify(HttpResponseMessage response, string message)
    {
        var retryAfter = RetryAfter(response);
        return (int)response.StatusCode switch
        {
            400 or 422 => new ProviderFailure(ProviderFailureKind.Rejected, message),
            401 or 403 => new ProviderFailure(ProviderFailureKind.Unauthorized, message),
            402 => new ProviderFailure(ProviderFailureKind.InsufficientCredits, message),
            404 or 410 => new ProviderFailure(ProviderFailureKind.NotFound, message),
            408 or 429 => new ProviderFailure(ProviderFailureKind.RateLimited, message, retryAfter),
            502 or 503 or 504 => new ProviderFailure(ProviderFailureKind.Transient, message, retryAfter),
            // A plain 500 does not say whether a task was created.
            >= 500 => new ProviderFailure(ProviderFailureKind.NoAnswer, message, retryAfter),
            _ => new ProviderFailure(ProviderFailureKind.Rejected, message),
        };
    }

    /// <summary>An exception from sending: either the request surely never arrived, or nobody knows.</summary>
    public static ProviderFailure Classify(Exception exception, string provider) => exception switch
    {
        HttpRequestException { InnerException: SocketException socket } when socket.SocketErrorCode is
            SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.HostUnreachable or SocketError.NetworkUnreachable
            => new ProviderFailure(ProviderFailureKind.Transient, $"{provider} could not be reached ({socket.SocketErrorCode})."),
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError }
            => new ProviderFailure(ProviderFailureKind.Transient, $"{provider} could not be reached."),
        TaskCanceledException or TimeoutException
            => new ProviderFailure(ProviderFailureKind.NoAnswer, $"{provider} did not answer in time."),
        _ => new ProviderFailure(ProviderFailureKind.NoAnswer, $"{provider} dropped the connection before answering."),
    };

    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("retry-after-ms", out var ms) && double.TryParse(ms.FirstOrDefault(), out var millis))
        {
            return TimeSpan.FromMilliseconds(millis);
        }
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    public static bool HostAllowed(Uri uri, IEnumerable<string> allowedHosts) =>
        allowedHosts.Any(pattern => pattern.StartsWith("*.", StringComparison.Ordinal)
            ? uri.Host.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(uri.Host, pattern, StringComparison.OrdinalIgnoreCase));

    public static bool IsSuccess(HttpStatusCode status) => (int)status is >= 200 and < 300;

    /// <summary>
    /// Sends a request and reads a 2xx JSON answer. A transport failure, a non-2xx answer (with the provider's own
    /// message from <paramref name="errorMessage"/>) and unreadable JSON all come back as classified failures.
    /// </summary>
    public static async Task<(T? Body, ProviderFailure? Failure)> ExchangeJsonAsync<T>(
        HttpClient http, HttpRequestMessage request, string provider, JsonSerializerOptions json,
        Func<HttpResponseMessage, CancellationToken, Task<string>> errorMessage, ILogger logger, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("{Provider} {Method} {Path} failed: {Error}", provider, request.Method, request.RequestUri?.AbsolutePath, ex.Message);
            return (default, Classify(ex, provider));
        }
        using (response)
        {
            if (!IsSuccess(response.StatusCode))
            {
                return (default, Classify(response, await errorMessage(response, ct)));
            }
            try
            {
                return (await response.Content.ReadFromJsonAsync<T>(json, ct), null);
            }
            catch (JsonException ex)
            {
                logger.LogWarning("{Provider} {Method} {Path} answered unreadable JSON: {Error}", provider, request.Method, request.RequestUri?.AbsolutePath, ex.Message);
                return (default, new ProviderFailure(ProviderFailureKind.NoAnswer, $"{provider} answered with something that is not the expected JSON."));
            }
        }
    }
}
