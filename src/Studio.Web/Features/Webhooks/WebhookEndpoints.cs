using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Storage;

namespace Studio.Web.Features.Webhooks;

/// <summary>
/// Provider callbacks and the public first-frame links. A callback is a hint: it is checked (token, and kie's
/// signature when the team set a key), acknowledged at once, and makes the worker re-read the task from the
/// provider; nothing in its body changes state or money. Duplicates and late ones are harmless for the same reason.
/// </summary>
public static class WebhookEndpoints
{
    private const int MaxBodyBytes = 256 * 1024;

    public static WebApplicationBuilder AddWebhooks(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CallbackLinks>();
        return builder;
    }

    public static WebApplication MapWebhooks(this WebApplication app)
    {
        app.MapPost("/webhooks/{provider}/{id:guid}/{token}", ReceiveAsync).AllowAnonymous().DisableAntiforgery();
        app.MapMethods("/public/first-frames/{id:guid}/{token}", ["GET", "HEAD"], ServeFirstFrameAsync).AllowAnonymous();
        return app;
    }

    private static async Task<IResult> ReceiveAsync(string provider, Guid id, string token, HttpRequest request,
        IDbContextFactory<StudioDbContext> dbFactory, ProviderCatalog catalog, ProviderConnections connections,
        GenerationWorkSignal workSignal, TimeProvider clock, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger("Studio.Webhooks");
        if (!ProviderCatalog.IsKnown(provider))
        {
            return Results.NotFound();
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var generation = await db.Generations.AsNoTracking()
            .Where(g => g.Id == id && g.Provider == provider)
            .Select(g => new { g.TeamId, g.CallbackTokenHash, g.ProviderTaskId, g.State })
            .FirstOrDefaultAsync(ct);
        if (generation is null || !CallbackLinks.TokenMatches(token, generation.CallbackTokenHash))
        {
            // A wrong token changes nothing and says nothing about whether the generation exists.
            logger.LogWarning("Webhook for {Provider} generation {GenerationId} refused: unknown generation or wrong token", provider, id);
            return Results.NotFound();
        }

        var body = await ReadBodyAsync(request, ct);
        if (body is null)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var connection = await connections.ForTeamAsync(generation.TeamId, provider, ct);
        var callback = catalog.Get(provider).ReadCallback(connection, new ProviderCallbackRequest(headers, body));
        if (callback.Rejected is { } why)
        {
            logger.LogWarning("Webhook for {Provider} generation {GenerationId} rejected: {Reason}", provider, id, why);
            return Results.Unauthorized();
        }
        if (callback.TaskId is { } taskId && generation.ProviderTaskId is { } known && taskId != known)
        {
            logger.LogWarning("Webhook for {Provider} generation {GenerationId} names task {TaskId}, not {Known}; ignored", provider, id, taskId, known);
            return Results.Ok();
        }

        if (GenerationStateMachine.IsActive(generation.State))
        {
            // Re-read the task from the provider now instead of at the next scheduled look.
            var now = clock.GetUtcNow().UtcDateTime;
            await db.Generations.Where(g => g.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(g => g.CallbackReceivedAt, now), ct);
            await db.Generations.Where(g => g.Id == id && (g.State == GenerationState.Queued || g.State == GenerationState.Running))
                .ExecuteUpdateAsync(s => s.SetProperty(g => g.NextAttemptAt, now).SetProperty(g => g.CallbackExpectedBy, (DateTime?)null), ct);
            workSignal.Wake();
        }
        logger.LogInformation("Webhook for {Provider} generation {GenerationId} accepted", provider, id);
        return Results.Ok();
    }

    private static async Task<string?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }
        using var reader = new StreamReader(request.Body);
        var buffer = new char[MaxBodyBytes + 1];
        var total = 0;
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory(total), ct)) > 0)
        {
            total += read;
            if (total > MaxBodyBytes)
            {
                return null;
            }
        }
        return new string(buffer, 0, total);
    }

    private static async Task<IResult> ServeFirstFrameAsync(Guid id, string token, CallbackLinks links,
        IDbContextFactory<StudioDbContext> dbFactory, IBlobStore blobs, CancellationToken ct)
    {
        if (!links.FirstFrameTokenValid(id, token))
        {
            return Results.NotFound();
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var key = await db.Generations.Where(g => g.Id == id).Select(g => g.FirstFrameBlobKey).FirstOrDefaultAsync(ct);
        if (key is null || await blobs.OpenReadAsync(key, ct) is not { } blob)
        {
            return Results.NotFound();
        }
        return Results.Stream(blob.Stream, blob.ContentType, enableRangeProcessing: true);
    }
}
