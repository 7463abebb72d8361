using System.Text.Json;
using Studio.Emulator.Faults;
using Studio.Emulator.Shared;

namespace Studio.Emulator.Runway;

/// <summary>Handlers for the emulated Runway API; the rules they apply are in PROVIDERS.md §1.</summary>
internal static class RunwayEndpoints
{
    private const string TaskNotFound = "Task not found";

    /// <summary>The failure of a task made with the <c>moderation</c> fault; reported with failureCode SAFETY.INPUT.TEXT.</summary>
    internal const string ModerationFailure = "Your prompt was flagged by our content moderation system. Please revise it and try again.";

    public static async Task<IResult> CreateAsync(
        HttpRequest httpRequest, RunwayEndpointKind kind, RunwayTaskStore store, WorkQueue<RunwayTask> renderQueue, FaultRegistry faults)
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

            var plan = faults.PlanFor(request.PromptText);
            if (faults.BeforeCreate(FaultRegistry.Runway, request.PromptText, plan) is { } refusal)
            {
                return FaultAnswer(httpRequest.HttpContext.Response, refusal);
            }

            var task = store.Create(request, plan.Find(FaultModes.Throttled)?.Seconds("seconds", 60) ?? TimeSpan.Zero);
            var taskFaults = faults.Created(FaultRegistry.Runway, task.Id.ToString("D"), plan, request.PromptText, FaultRegistry.BodyHash(document.RootElement));
            if (taskFaults is { Moderation: true })
            {
                store.RenderFailed(task, ModerationFailure);
            }
            else
            {
                renderQueue.Enqueue(task);
            }

            if (await FaultHooks.AfterCreateAsync(httpRequest.HttpContext, taskFaults) is { } aborted)
            {
                return aborted;
            }

            return Results.Json(new RunwayCreateResponse(task.Id, new RunwayCredits(task.Credits)), RunwayJson.Options);
        }
    }

    public static IResult GetTask(string id, HttpRequest request, RunwayTaskStore store, RunwayOutputUrls outputUrls, FaultRegistry faults)
    {
        if (!Guid.TryParse(id, out var taskId) || store.Find(taskId) is not var (task, view))
        {
            return RunwayJson.Error(StatusCodes.Status404NotFound, TaskNotFound);
        }

        var taskFaults = faults.Find(FaultRegistry.Runway, task.Id.ToString("D"));
        if (taskFaults?.NextStatusRead() is { } refusal)
        {
            return FaultAnswer(request.HttpContext.Response, refusal);
        }

        var createdAt = RunwayJson.Timestamp(task.CreatedAt);
        var estimate = new RunwayCredits(task.Credits);
        var throttled = taskFaults is not null && store.Now - task.CreatedAt < taskFaults.Throttled;
        var response = view.Status switch
        {
            RunwayTaskStatus.Pending when throttled => new RunwayTaskResponse(task.Id, "THROTTLED", createdAt, EstimatedCost: estimate),
            RunwayTaskStatus.Pending => new RunwayTaskResponse(task.Id, "PENDING", createdAt, EstimatedCost: estimate),
            RunwayTaskStatus.Running => new RunwayTaskResponse(task.Id, "RUNNING", createdAt, EstimatedCost: estimate, Progress: view.Progress),
            RunwayTaskStatus.Succeeded => new RunwayTaskResponse(
                task.Id, "SUCCEEDED", createdAt, Cost: estimate, Output: [outputUrls.Create(request, task.Id, taskFaults?.LinkGeneration ?? 0)]),
            _ => new RunwayTaskResponse(
                task.Id, "FAILED", createdAt, Cost: new RunwayCredits(0), Failure: view.Failure,
                FailureCode: view.Failure == ModerationFailure ? "SAFETY.INPUT.TEXT" : "INTERNAL"),
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

    public static IResult GetOutput(Guid taskId, string? exp, string? sig, HttpRequest request, RunwayOutputUrls outputUrls, RunwayTaskStore store, FaultRegistry faults)
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

        var taskFaults = faults.Find(FaultRegistry.Runway, taskId.ToString("D"));
        return (taskFaults?.NextDownload(exp, HttpMethods.IsGet(request.Method)) ?? DownloadFault.None) switch
        {
            DownloadFault.Expired => RunwayJson.Error(StatusCodes.Status403Forbidden, "Access denied: this URL has expired. Fetch the task again for a fresh URL."),
            var fault => FaultHooks.Output(path, fault, taskFaults),
        };
    }

    /// <summary>A fault's refusal in Runway's error shape (<c>{"error": ...}</c>); Runway documents no 402, so that one is a guess.</summary>
    private static IResult FaultAnswer(HttpResponse response, FaultAnswer answer)
    {
        answer.ApplyHeaders(response);
        return answer.Kind switch
        {
            FaultAnswerKind.RateLimited => RunwayJson.Error(answer.Status, "You have exceeded the rate limit for this endpoint. Please wait and try again."),
            FaultAnswerKind.InsufficientBalance => RunwayJson.Error(answer.Status, "You do not have enough credits to run this task."),
            _ => RunwayJson.Error(answer.Status, "An unexpected error occurred. Please try again later."),
        };
    }
}
