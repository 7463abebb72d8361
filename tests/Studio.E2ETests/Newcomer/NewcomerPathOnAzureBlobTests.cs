using Studio.E2ETests.Infrastructure;

namespace Studio.E2ETests.Newcomer;

/// <summary>The newcomer's path (<see cref="NewcomerPath"/>) with <c>Storage:Provider=AzureBlob</c>, against Azurite.</summary>
[Collection(AzureBlobBrowserCollection.Name)]
public sealed class NewcomerPathOnAzureBlobTests(AzureBlobStudioServer server, Chromium chromium)
{
    [Fact]
    public async Task Newcomer_OnAzureBlobStorage_PlaysTheVideo_AndItsVideoAndPosterAreBlobsInTheContainer()
    {
        await using var session = await chromium.NewSessionAsync(server.BaseAddress);

        var src = await NewcomerPath.WalkAsync(session.Page);

        // "/media/generations/{id}/video": the blobs of that take, not just any, must be in the studio's container.
        var generationId = Guid.Parse(src.Split('/')[3]).ToString("N");
        var blobs = new Dictionary<string, long>();
        await foreach (var item in server.Container.GetBlobsAsync())
        {
            blobs[item.Name] = item.Properties.ContentLength ?? 0;
        }
        var listing = $"container {server.ContainerName} holds: {string.Join(", ", blobs.Keys.DefaultIfEmpty("nothing"))}";
        var video = Assert.Single(blobs, b => b.Key.EndsWith("/video.mp4", StringComparison.Ordinal) && b.Key.Contains(generationId, StringComparison.Ordinal));
        Assert.True(video.Value > 0, $"the video blob {video.Key} is empty; {listing}");
        var poster = Assert.Single(blobs, b => b.Key.EndsWith("/poster.jpg", StringComparison.Ordinal) && b.Key.Contains(generationId, StringComparison.Ordinal));
        Assert.True(poster.Value > 0, $"the poster blob {poster.Key} is empty; {listing}");

        session.MarkPassed();
    }
}
