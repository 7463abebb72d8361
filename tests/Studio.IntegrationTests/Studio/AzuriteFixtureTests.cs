using System.Text;
using Azure.Storage.Blobs.Models;

namespace Studio.IntegrationTests.Studio;

/// <summary>Azurite itself, straight through the SDK: when these fail, the blob set-up is broken, not the studio.</summary>
public sealed class AzuriteFixtureTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Upload_ThenDownload_ReturnsTheSameBytesAndContentType()
    {
        var container = await azurite.NewContainerAsync();
        var blob = container.GetBlobClient("generations/smoke/video.mp4");
        var bytes = Encoding.UTF8.GetBytes("not really a video, " + Guid.NewGuid());

        await blob.UploadAsync(new BinaryData(bytes), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "video/mp4" },
        });
        var download = await blob.DownloadContentAsync();

        Assert.Equal(bytes, download.Value.Content.ToArray());
        Assert.Equal("video/mp4", download.Value.Details.ContentType);
        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync())
        {
            names.Add(item.Name);
        }
        Assert.Equal(["generations/smoke/video.mp4"], names);
    }

    [Fact]
    public void NewContainerName_IsFreshAndAValidContainerName()
    {
        var first = azurite.NewContainerName();
        var second = azurite.NewContainerName();

        Assert.NotEqual(first, second);
        Assert.Matches("^[a-z0-9][a-z0-9-]{2,62}$", first);
    }

    [Fact]
    public void Require_WhenTheVariableIsMissing_FailsAndSaysHowToStartAzurite()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Azurite.Require(null));

        Assert.Equal(Azurite.NotRunningMessage, error.Message);
        Assert.Contains("./studio.sh test", error.Message);
    }
}
