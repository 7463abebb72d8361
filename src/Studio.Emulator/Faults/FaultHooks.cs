namespace Studio.Emulator.Faults;

/// <summary>The fault behaviour the providers share: what happens after a create made its task, broken downloads, and callbacks.</summary>
internal static class FaultHooks
{
    /// <summary>
    /// After a create made its task: <c>create-reset</c> aborts the connection without an answer (returns the result
    /// to hand back, which writes nothing); <c>create-timeout</c> waits its seconds and then lets the normal answer go
    /// (returns null). Null too without faults.
    /// </summary>
    public static async Task<IResult?> AfterCreateAsync(HttpContext http, TaskFaults? faults)
    {
        if (faults is null)
        {
            return null;
        }

        if (faults.Plan.Has(FaultModes.CreateReset))
        {
            http.Abort();
            return Results.Empty;
        }

        if (faults.Plan.Find(FaultModes.CreateTimeout) is { } timeout)
        {
            try
            {
                await Task.Delay(timeout.Seconds("seconds", 30), http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return Results.Empty; // the client gave up first
            }
        }

        return null;
    }

    /// <summary>A download that breaks: the full Content-Length, half the bytes, then (stall) silence, then the connection is aborted.</summary>
    public static IResult BrokenDownload(string path, DownloadFault fault, TimeSpan stallFor) => new BrokenDownloadResult(path, fault, stallFor);

    /// <summary>
    /// Delivers a terminal callback the way the task's faults say: <c>callback-delay</c> waits first,
    /// <c>callback-duplicate</c> sends it <c>times</c> times, <c>callback-out-of-order</c> then sends
    /// <paramref name="stale"/> (an earlier, non-terminal body). Without faults, one delivery.
    /// </summary>
    public static async Task DeliverCallbackAsync(TaskFaults? faults, Func<CancellationToken, Task> terminal, Func<CancellationToken, Task>? stale, CancellationToken ct)
    {
        if (faults is null)
        {
            await terminal(ct);
            return;
        }

        if (faults.CallbackDelay > TimeSpan.Zero)
        {
            await Task.Delay(faults.CallbackDelay, ct);
        }

        for (var i = 0; i < faults.CallbackTimes; i++)
        {
            await terminal(ct);
        }

        if (faults.CallbackOutOfOrder && stale is not null)
        {
            await stale(ct);
        }
    }

    private sealed class BrokenDownloadResult(string path, DownloadFault fault, TimeSpan stallFor) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            var bytes = await File.ReadAllBytesAsync(path, http.RequestAborted);
            var response = http.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "video/mp4";
            response.ContentLength = bytes.Length;
            response.Headers.AcceptRanges = "bytes";
            try
            {
                await response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), http.RequestAborted);
                await response.Body.FlushAsync(http.RequestAborted);
                if (fault == DownloadFault.Stall)
                {
                    await Task.Delay(stallFor, http.RequestAborted);
                }
            }
            catch (OperationCanceledException)
            {
                // The client gave up first.
            }

            http.Abort();
        }
    }
}
