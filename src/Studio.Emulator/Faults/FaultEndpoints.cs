using System.Text.Json;

namespace Studio.Emulator.Faults;

/// <summary>
/// The emulator's test controls under <c>/_emulator</c> (no authentication: a test tool):
/// <c>POST /_emulator/faults</c> <c>{"directive":"[[fault: ...]]"}</c> sets the per-run default applied to every new
/// request whose prompt has no directive, <c>GET</c> shows it, <c>DELETE</c> clears it;
/// <c>GET /_emulator/stats</c> counts the creates that made a task, <c>DELETE /_emulator/stats</c> starts counting again;
/// <c>GET /_emulator/runway/tasks/{id}/prompt-image</c> answers the first-frame image a Runway task was created with, as
/// received in its data URI (404 for an image sent by URL: the emulator does not fetch), so a test can check what a client sent.
/// </summary>
internal static class FaultEndpoints
{
    public const string BasePath = "/_emulator";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IEndpointRouteBuilder MapFaultEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(BasePath).ExcludeFromDescription().AllowAnonymous();
        group.MapPost("/faults", SetDefaultAsync);
        group.MapGet("/faults", (FaultRegistry faults) => Results.Json(new { directive = faults.DefaultDirective }, Json));
        group.MapDelete("/faults", (FaultRegistry faults) =>
        {
            faults.SetDefault(null);
            return Results.NoContent();
        });
        group.MapGet("/stats", (FaultRegistry faults) => Results.Json(faults.Stats(), Json));
        group.MapDelete("/stats", (FaultRegistry faults) =>
        {
            faults.ResetStats();
            return Results.NoContent();
        });
        group.MapGet("/runway/tasks/{id:guid}/prompt-image", (Guid id, Runway.RunwayTaskStore store) =>
            store.Find(id) is { Task.Request.PromptImage: { Bytes: { } bytes } image }
                ? Results.Bytes(bytes, image.MediaType ?? "application/octet-stream")
                : Results.NotFound());
        return app;
    }

    private static async Task<IResult> SetDefaultAsync(HttpRequest request, FaultRegistry faults)
    {
        string? directive;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            directive = document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("directive", out var value) && value.ValueKind == JsonValueKind.String
                    ? value.GetString()
                    : null;
        }
        catch (JsonException ex)
        {
            return Results.Json(new { error = $"The body is not valid JSON: {ex.Message}" }, Json, statusCode: 400);
        }

        if (directive is null)
        {
            return Results.Json(new { error = "Send {\"directive\":\"[[fault: mode; mode(key=value)]]\"}." }, Json, statusCode: 400);
        }

        // The brackets are optional here: "create-429(retryAfter=3)" means the same as "[[fault: create-429(retryAfter=3)]]".
        var text = FaultDirective.Contains(directive) ? directive : $"[[fault: {directive}]]";
        var ignored = new List<string>();
        var plan = FaultDirective.Parse(text, ignored);
        if (ignored.Count > 0)
        {
            return Results.Json(new { error = $"Unknown or malformed fault modes: {string.Join("; ", ignored)}", known = FaultDirective.KnownModes.Order() }, Json, statusCode: 400);
        }

        faults.SetDefault(plan);
        return Results.Json(new { directive = faults.DefaultDirective }, Json);
    }
}
