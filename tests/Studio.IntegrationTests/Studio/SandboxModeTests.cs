using Microsoft.Extensions.DependencyInjection;
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

    [Fact]
    public async Task Sandbox_WhenStudioRestartsMidGeneration_ResumesTheSameTaskAndFinishes()
    {
        // A separate studio whose emulator keeps tasks running long enough to stop it in the middle.
        var dataDirectory = TestPaths.NewDirectory("sandbox-restart");
        try
        {
            Guid id;
            string taskId;
            TestUser user;
            await using (var first = StudioTestHost.StartSandbox(dataDirectory, emulatorRunningSeconds: 5))
            {
                user = await first.RegisterAsync("Grace");
                var projectId = await first.CreateProjectAsync(user);
                id = await first.SubmitAsync(user, projectId);
                var running = await first.WaitForAsync(id, g => g.State is GenerationState.Queued or GenerationState.Running, "queued or running");
                taskId = running.ProviderTaskId!;
            }

            // The emulator's tasks live in the studio's data folder, so the new start (on a new port) finds this one.
            Assert.True(File.Exists(Path.Combine(dataDirectory, "emulator", "runway", "tasks.json")));
            await using var second = StudioTestHost.StartSandbox(dataDirectory, emulatorRunningSeconds: 5);
            var ready = await second.WaitForStateAsync(id, GenerationState.Ready);
            Assert.Equal(taskId, ready.ProviderTaskId);
            Assert.True(File.Exists(Path.Combine(second.BlobsDirectory, ready.VideoBlobKey!)));
        }
        finally
        {
            TestPaths.TryDelete(dataDirectory);
        }
    }

    [Fact]
    public async Task EmulatorTestControls_AreNotReachableUnlessSwitchedOn()
    {
        var address = _studio.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address + "/") };

        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("_emulator/stats")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.PostAsync("_emulator/faults", new StringContent("""{"directive":"moderation"}""", System.Text.Encoding.UTF8, "application/json"))).StatusCode);
    }
}
