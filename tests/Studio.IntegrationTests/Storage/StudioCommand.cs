using System.Diagnostics;
using Studio.IntegrationTests.Studio;

namespace Studio.IntegrationTests.Storage;

/// <summary>Runs the built studio (<c>Studio.Web.dll</c>) as a real process that is expected to exit, and returns its exit code and output.</summary>
internal static class StudioCommand
{
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> args)
    {
        var dll = TestPaths.StudioDll();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The published layout: appsettings.json next to the dll is the content root.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var arg in new[] { dll, "--environment", "Production" }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the studio command did not exit within 2 minutes: {await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
