using System.Net;
using System.Security.Cryptography;
using Studio.IntegrationTests.Studio;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Media;

namespace Studio.IntegrationTests.Storage;

/// <summary>
/// Moving house: a studio that kept its films in the local folder copies them into Azure with the real command
/// (<c>Studio.Web.dll move-blobs-to-azure</c>, as <c>./studio.sh move-blobs</c> runs it), then starts on Azure with
/// the local folder gone and still plays every take.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class MoveBlobsToAzureTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Every_local_blob_is_copied_and_verified_a_second_run_copies_nothing_and_the_studio_then_plays_from_Azure()
    {
        var dataDirectory = TestPaths.NewDirectory("move-house");
        var container = azurite.NewContainerName();
        try
        {
            TestUser user;
            Guid take;
            string sha256;
            await using (var local = StudioTestHost.StartSandbox(dataDirectory))
            {
                user = await local.RegisterAsync("Hedy");
                var project = await local.CreateProjectAsync(user);
                take = await local.SubmitAsync(user, project);
                sha256 = (await local.WaitForStateAsync(take, GenerationState.Ready)).VideoSha256!;
            }
            var localKeys = Directory.EnumerateFiles(Path.Combine(dataDirectory, "blobs"), "*", SearchOption.AllDirectories)
                .Where(f => !f.EndsWith(".type", StringComparison.Ordinal) && !f.EndsWith(".sha256", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, localKeys.Count); // video and poster

            var first = await RunMoveAsync(dataDirectory, container);

            Assert.True(first.ExitCode == 0, first.Output);
            Assert.Contains("Done: 2 copied", first.Output);
            Assert.Contains("read back and verified", first.Output);
            var blobs = azurite.Service.GetBlobContainerClient(container);
            var video = (await blobs.GetBlobClient($"generations/{take:N}/video.mp4").GetPropertiesAsync()).Value;
            Assert.Equal(sha256, video.Metadata["sha256"]);

            var second = await RunMoveAsync(dataDirectory, container);
            Assert.True(second.ExitCode == 0, second.Output);
            Assert.Contains("Done: 0 copied (0 bytes), 2 already there, 0 damaged, 0 failed.", second.Output);

            // The local copies go; the studio on Azure still has the film.
            Directory.Delete(Path.Combine(dataDirectory, "blobs"), recursive: true);
            await using var onAzure = StudioTestHost.StartSandbox(dataDirectory, settings: new Dictionary<string, string>
            {
                ["Storage:Provider"] = "AzureBlob",
                ["Storage:AzureBlob:ConnectionString"] = azurite.ConnectionString,
                ["Storage:AzureBlob:Container"] = container,
            });
            var (client, _) = await onAzure.SignInAsync(user);
            using var response = await client.GetAsync(MediaEndpoints.VideoUrl(take));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(await response.Content.ReadAsByteArrayAsync())));
        }
        finally
        {
            TestPaths.TryDelete(dataDirectory);
        }
    }

    [Fact]
    public async Task A_local_video_damaged_since_it_was_archived_is_reported_not_copied_and_the_command_fails()
    {
        var dataDirectory = TestPaths.NewDirectory("move-damaged");
        var container = azurite.NewContainerName();
        try
        {
            Guid take;
            await using (var local = StudioTestHost.StartSandbox(dataDirectory))
            {
                var user = await local.RegisterAsync("Alan");
                take = await local.SubmitAsync(user, await local.CreateProjectAsync(user));
                await local.WaitForStateAsync(take, GenerationState.Ready);
            }
            var videoPath = Path.Combine(dataDirectory, "blobs", "generations", take.ToString("N"), "video.mp4");
            await using (var file = new FileStream(videoPath, FileMode.Open, FileAccess.ReadWrite))
            {
                file.Position = file.Length / 2;
                var b = file.ReadByte();
                file.Position--;
                file.WriteByte((byte)(b ^ 0x5A));
            }

            var run = await RunMoveAsync(dataDirectory, container);

            Assert.True(run.ExitCode == 1, run.Output);
            Assert.Contains($"generations/{take:N}/video.mp4: DAMAGED", run.Output);
            Assert.Contains("Done: 1 copied", run.Output); // the poster
            Assert.Contains("1 damaged", run.Output);
            Assert.False(await azurite.Service.GetBlobContainerClient(container).GetBlobClient($"generations/{take:N}/video.mp4").ExistsAsync());
        }
        finally
        {
            TestPaths.TryDelete(dataDirectory);
        }
    }

    [Fact]
    public async Task Without_Azure_settings_the_command_says_which_key_to_set_and_changes_nothing()
    {
        var dataDirectory = TestPaths.NewDirectory("move-unset");
        try
        {
            var run = await RunAsync(dataDirectory, []);

            Assert.Equal(2, run.ExitCode);
            Assert.Contains("Storage:AzureBlob:ConnectionString (or Storage:AzureBlob:AccountUrl) must be set", run.Output);
        }
        finally
        {
            TestPaths.TryDelete(dataDirectory);
        }
    }

    private Task<(int ExitCode, string Output)> RunMoveAsync(string dataDirectory, string container) =>
        RunAsync(dataDirectory, ["--Storage:AzureBlob:ConnectionString", azurite.ConnectionString, "--Storage:AzureBlob:Container", container]);

    private static Task<(int ExitCode, string Output)> RunAsync(string dataDirectory, string[] settings) =>
        StudioCommand.RunAsync(["move-blobs-to-azure", "--Studio:DataDirectory", dataDirectory, .. settings]);
}
