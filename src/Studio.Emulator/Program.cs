namespace Studio.Emulator;

// An explicit, internal entry point rather than top-level statements: ASP.NET Core generates a public
// global `Program` for those, which would clash with Studio.Web's own `Program` wherever both are referenced.
internal static class Program
{
    public static async Task Main(string[] args)
    {
        var app = EmulatorHost.Build(args);
        await app.RunAsync();
    }
}
