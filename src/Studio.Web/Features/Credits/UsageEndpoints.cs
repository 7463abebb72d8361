using System.Globalization;
using System.Security.Claims;
using System.Text;

namespace Studio.Web.Features.Credits;

/// <summary>
/// <c>GET /usage/export.csv?period=yyyy-MM-dd[&amp;team=id]</c>: every ledger entry of one team in one period, streamed
/// as CSV (amounts in credits, invariant culture). Members of the team only; anyone else gets 404, as for an id that
/// does not exist.
/// </summary>
public static class UsageEndpoints
{
    public const string ExportPath = "/usage/export.csv";

    private const string Header = "at,member,project,take_id,kind,provider,model,held_credits,spent_credits,limit_credits";

    public static WebApplication MapUsage(this WebApplication app)
    {
        app.MapGet(ExportPath, ExportAsync).RequireAuthorization();
        return app;
    }

    public static string ExportUrl(Guid teamId, DateOnly period) =>
        $"{ExportPath}?team={teamId}&period={period.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";

    private static async Task<IResult> ExportAsync(string? period, Guid? team, ClaimsPrincipal user, UsageService usage, CancellationToken ct)
    {
        if (user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId || await usage.TeamForAsync(userId, team, ct) is not { } teamId)
        {
            return Results.NotFound();
        }
        DateOnly start;
        if (string.IsNullOrEmpty(period))
        {
            start = await usage.CurrentPeriodAsync(teamId, ct);
        }
        else if (!DateOnly.TryParseExact(period, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out start))
        {
            return Results.BadRequest($"period must be the first day of a period, as yyyy-MM-dd (not \"{period}\").");
        }
        return Results.Stream(async body =>
        {
            await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024);
            await writer.WriteAsync(Header + "\r\n");
            await foreach (var row in usage.EntriesAsync(teamId, start, ct))
            {
                await writer.WriteAsync(Line(row));
            }
            await writer.FlushAsync(ct);
        }, "text/csv; charset=utf-8", $"usage-{start:yyyy-MM-dd}.csv");
    }

    /// <summary>One CSV line (RFC 4180, CRLF). Names are quoted as needed and defused as spreadsheet formulas.</summary>
    internal static string Line(UsageLedgerRow row) => string.Join(',',
        row.At.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        Text(row.Member),
        Text(row.Project),
        row.GenerationId?.ToString() ?? "",
        row.Kind.ToString(),
        Text(row.Provider),
        Text(row.Model),
        Credits(row.Held),
        Credits(row.Spent),
        Credits(row.Limit)) + "\r\n";

    internal static string Credits(long millicredits) =>
        (millicredits / (decimal)Millicredits.PerCredit).ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>
    /// A text field: a name that starts like a formula (=, +, -, @, tab, CR) gets a leading apostrophe so a
    /// spreadsheet shows it instead of running it; quotes, commas and line breaks get the field quoted.
    /// </summary>
    internal static string Text(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
