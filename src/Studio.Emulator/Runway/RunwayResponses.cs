using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Studio.Emulator.Runway;

/// <summary>Runway's wire shapes (camelCase; absent members are omitted, not null).</summary>
internal static class RunwayJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Readable quotes and ampersands in messages and URLs; these bodies are never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IResult Error(int statusCode, string message, IReadOnlyList<RunwayValidationIssue>? issues = null) =>
        Results.Json(new RunwayErrorResponse(message, issues?.Select(i => new RunwayIssueResponse(i.Path, i.Message)).ToList()), Options, statusCode: statusCode);

    public static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

internal sealed record RunwayErrorResponse(string Error, IReadOnlyList<RunwayIssueResponse>? Issues);

internal sealed record RunwayIssueResponse(IReadOnlyList<object> Path, string Message);

internal sealed record RunwayCredits(int Credits);

internal sealed record RunwayCreateResponse(Guid Id, RunwayCredits EstimatedCost);

internal sealed record RunwayTaskResponse(
    Guid Id,
    string Status,
    string CreatedAt,
    RunwayCredits? EstimatedCost = null,
    double? Progress = null,
    RunwayCredits? Cost = null,
    IReadOnlyList<string>? Output = null,
    string? Failure = null,
    string? FailureCode = null);

internal sealed record RunwayOrganizationResponse(long CreditBalance, RunwayTierResponse Tier, RunwayUsageResponse Usage);

internal sealed record RunwayTierResponse(long? MaxMonthlyCreditSpend, IReadOnlyDictionary<string, RunwayModelLimitsResponse> Models);

internal sealed record RunwayModelLimitsResponse(int? MaxConcurrentGenerations, int? MaxDailyGenerations);

internal sealed record RunwayUsageResponse(IReadOnlyDictionary<string, RunwayModelUsageResponse> Models);

internal sealed record RunwayModelUsageResponse(int DailyGenerations);
