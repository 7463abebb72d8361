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

    /// <summary>
    /// The output download of a task whose link checked out, shared by the four providers (each answers an expired link,
    /// <see cref="DownloadFault.Expired"/>, in its own error shape before calling this): <c>output-stall</c> and
    /// <c>output-truncate</c> break it, <c>output-size</c> pads it with an MP4 <c>free</c> box; without either, the file
    /// as it is, with range support.
    /// </summary>
    public static IResult Output(string path, DownloadFault fault, TaskFaults? faults)
    {
        var paddedLength = faults?.OutputSizeBytes;
        if (fault == DownloadFault.None && paddedLength is null)
        {
            return Results.File(path, "video/mp4", enableRangeProcessing: true);
        }

        return OutputDownloadResult.Create(path, paddedLength, fault, faults?.StallFor ?? TimeSpan.Zero);
    }

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
}
