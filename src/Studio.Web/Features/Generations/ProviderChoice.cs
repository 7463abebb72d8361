namespace Studio.Web.Features.Generations;

/// <summary>A provider the composer may offer, and whether it runs on the Sandbox emulator for this team.</summary>
public sealed record ProviderChoice(string Name, string DisplayName, bool IsSandbox)
{
    public static readonly ProviderChoice Default = new("runway", "Runway", IsSandbox: true);
}
