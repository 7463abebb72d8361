using System.Text.Json;
using Studio.Emulator.Shared;

namespace Studio.Emulator.Runway;

/// <summary>Handlers for the emulated Runway API; the rules they apply are in PROVIDERS.md §1.</summary>
internal static class RunwayEndpoints
{
    private const string TaskNotFound = "Task not found";

    public static async Task<IResult> CreateAsync(
        HttpRequest httpRequest, RunwayEndpointKind kind, RunwayTaskStore store, WorkQueue<RunwayTask> renderQueue)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(httpRequest.Body, cancellationToken: httpRequest.HttpContext.RequestAborted);
        }
        catch (JsonException ex)
        {
            return RunwayJson.Error(StatusCodes.Status400BadRequest, $"The request body is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var (request, issues) = RunwayRequestValidator.Validate(document.RootElement, kind);
            if (request is null)
            {
                return RunwayJson.Error(StatusCodes.Status400BadRequest, string.Join(" ", issues.Select(i => i.Describe())), issues);
            }

            var task = store.Create(request);
            renderQueue.Enqueue(task);
            return Results.Json(new RunwayCreateResponse(task.Id, new RunwayCredits(task.Credits)), RunwayJson.Options);
        }
    }

    public static IResult GetTask(string id, HttpRequest request, RunwayTaskStore store, RunwayOutputUrls outputUrls)
    {
        if (!Guid.TryParse(id, out var taskId) || store.Find(taskId) is not var (task, view))
        {
            return RunwayJson.Error(StatusCodes.Status404NotFound, TaskNotFound);
        }

        var createdAt = RunwayJson.Timestamp(task.CreatedAt);
        var estimate = new RunwayCredits(task.Credits);
        var response = view.Status switch
        {
            RunwayTaskStatus.Pending => new RunwayTaskResponse(task.Id, "PENDING", createdAt, EstimatedCost: estimate),
            RunwayTaskStatus.Running => new RunwayTaskResponse(task.Id, "RUNNING", createdAt, EstimatedCost: estimate, Progress: view.Progress),
            RunwayTaskStatus.Succeeded => new RunwayTaskResponse(
                task.Id, "SUCCEEDED", createdAt, Cost: estimate, Output: [outputUrls.Create(request, task.Id)]),
            _ => new RunwayTaskResponse(
                task.Id, "FAILED", createdAt, Cost: new RunwayCredits(0), Failure: view.Failure, FailureCode: "INTERNAL"),
        };
        return Results.Json(response, RunwayJson.Options);
    }

    public static IResult DeleteTask(string id, RunwayTaskStore store) =>
        Guid.TryParse(id, out var taskId) && store.Delete(taskId)
            ? Results.NoContent()
            : RunwayJson.Error(StatusCodes.Status404NotFound, TaskNotFound);

    public static IResult GetOrganization(RunwayTaskStore store)
    {
        var snapshot = store.Organization();
        var limits = RunwayModels.All.ToDictionary(
            m => m.Id, m => new RunwayModelLimitsResponse(m.MaxConcurrentGenerations, m.MaxDailyGenerations), StringComparer.Ordinal);
        var usage = RunwayModels.All.ToDictionary(
            m => m.Id, m => new RunwayModelUsageResponse(snapshot.DailyGenerationsByModel.GetValueOrDefault(m.Id)), StringComparer.Ordinal);
        return Results.Json(
            new RunwayOrganizationResponse(
                snapshot.CreditBalance,
                new RunwayTierResponse(RunwayTaskStore.MaxMonthlyCreditSpend, limits),
                new RunwayUsageResponse(usage)),
            RunwayJson.Options);
    }

    public static IResult GetOutput(Guid taskId, string? exp, string? sig, RunwayOutputUrls outputUrls, RunwayTaskStore store)
    {
        switch (outputUrls.Check(taskId, exp, sig))
        {
            case OutputUrlCheck.BadSignature:
                return RunwayJson.Error(StatusCodes.Status403Forbidden, "Access denied: invalid signature.");
            case OutputUrlCheck.Expired:
                return RunwayJson.Error(StatusCodes.Status403Forbidden, "Access denied: this URL has expired. Fetch the task again for a fresh URL.");
        }

        // Deleted tasks' outputs are purged; a task not yet SUCCEEDED has no output to serve.
        if (store.Find(taskId) is not var (_, view) || view.OutputPath is not { } path || !File.Exists(path))
        {
            return RunwayJson.Error(StatusCodes.Status404NotFound, "Not found");
        }

        return Results.File(path, "video/mp4", fileDownloadName: null, enableRangeProcessing: true);
    }
}
