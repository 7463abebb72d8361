using System.Net;
using Studio.Emulator;

namespace Studio.IntegrationTests.Emulator;

/// <summary>The kie emulator keeps its tasks in <c>{DataDirectory}/kie/tasks.json</c>: a restart still knows them and their videos.</summary>
public sealed class KieEmulatorRestartTests
{
    [Fact]
    public async Task Restart_KeepsFinishedTasksAndTheirOutputLinks()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "studio-emulator-tests", "kie-restart-" + Guid.NewGuid().ToString("N"));
        void Configure(EmulatorOptions o)
        {
            o.DataDirectory = dataDirectory;
            o.PendingSeconds = 0.2;
            o.RunningSeconds = 0.5;
        }
        try
        {
            string taskId, videoUrl;
            await using (var first = await EmulatorHost.StartAsync(Configure))
            {
                using var kie = Client(first);
                taskId = await KieTestRequests.CreateAsync(kie, KieTestRequests.TextToVideo());
                var (_, final) = await KieTestRequests.WaitForTerminalAsync(kie, taskId, TimeSpan.FromSeconds(60));
                videoUrl = new Uri(final.GetProperty("videoInfo").GetProperty("videoUrl").GetString()!).PathAndQuery;
            }

            Assert.True(File.Exists(Path.Combine(dataDirectory, "kie", "tasks.json")));
            await using var second = await EmulatorHost.StartAsync(Configure);
            using var again = Client(second);
            var data = await KieTestRequests.DetailAsync(again, taskId);
            Assert.Equal("success", data.GetProperty("state").GetString());
            using var anonymous = new HttpClient { BaseAddress = second.BaseAddress };
            using var response = await anonymous.GetAsync(videoUrl); // a link handed out before the restart
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("video/mp4", response.Content.Headers.ContentType?.MediaType);
        }
        finally
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    private static HttpClient Client(RunningEmulator emulator)
    {
        var client = new HttpClient { BaseAddress = new Uri(emulator.BaseAddress, "kie/") };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", EmulatorFixture.ApiKey);
        return client;
    }
}
