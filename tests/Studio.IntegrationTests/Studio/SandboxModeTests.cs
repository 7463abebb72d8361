using System.Security.Cryptography;
using Studio.Web.Features.Generations;

namespace Studio.IntegrationTests.Studio;

/// <summary>
/// The newcomer's default: no API key, so the same Runway adapter, worker and archiver run against the emulator
/// the studio hosts itself, reached over HTTP on the studio's own Kestrel port.
/// </summary>
public sealed class SandboxModeTests : IAsyncLifetime
{
    private readonly string _dataDirectory = TestPaths.NewDirectory("sandbox");
    private StudioTestHost _studio = null!;

    public Task InitializeAsync()
    {
        _studio = StudioTestHost.StartSandbox(_dataDirectory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _studio.DisposeAsync();
        TestPaths.TryDelete(_dataDirectory);
    }

    [Fact]
    public async Task Submit_InSandboxMode_ReachesReadyLabelledAsSandbox()
    {
        var user = await _studio.RegisterAsync("Ada");
        var projectId = await _studio.CreateProjectAsync(user);

        var id = await _studio.SubmitAsync(user, projectId);
        var row = await _studio.WaitForStateAsync(id, GenerationState.Ready);

        Assert.True(row.IsSandbox);
        Assert.False(string.IsNullOrEmpty(row.ProviderTaskId));
        Assert.StartsWith("http://", row.ProviderOutputUrl);
        var bytes = await File.ReadAllBytesAsync(Path.Combine(_studio.BlobsDirectory, row.VideoBlobKey!));
        Assert.Equal(row.VideoBytes, bytes.LongLength);
        Assert.Equal(row.VideoSha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal((1280, 720), (row.VideoWidth, row.VideoHeight));
        Assert.True((await _studio.Generations.GetAsync(user.Id, id))!.IsSandbox);
    }
}
