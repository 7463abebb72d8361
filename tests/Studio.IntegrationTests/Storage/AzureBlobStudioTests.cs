using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Azure.Storage.Blobs.Models;
using Studio.IntegrationTests.Studio;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Media;
using Studio.Web.Features.Storage;

namespace Studio.IntegrationTests.Storage;

/// <summary>The whole studio (Sandbox, real HTTP) keeping its films in Azure Blob Storage (Azurite).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStudioTests(AzuriteFixture azurite)
{
    private const long TwoHundredMiB = 200L * 1024 * 1024;

    private Dictionary<string, string> AzureSettings(string container, string serving = AzureBlobStorageOptions.Proxy) => new()
    {
        ["Storage:Provider"] = "AzureBlob",
        ["Storage:AzureBlob:ConnectionString"] = azurite.ConnectionString,
        ["Storage:AzureBlob:Container"] = container,
        ["Storage:AzureBlob:Serving"] = serving,
    };

    [Fact]
    public async Task A_200_MB_video_is_archived_into_Azure_with_its_hash_and_served_back_by_range()
    {
        var container = azurite.NewContainerName();
        var dataDirectory = TestPaths.NewDirectory("azure-200mb");
        try
        {
            await using var studio = StudioTestHost.StartSandbox(dataDirectory, settings: AzureSettings(container));
            var user = await studio.RegisterAsync("Ada");
            var project = await studio.CreateProjectAsync(user);

            var id = await studio.SubmitAsync(user, project, StudioTestHost.TextDraft("A long crane shot over a harbour [[fault: output-size(mb=200)]]"));
            var row = await studio.WaitForStateAsync(id, GenerationState.Ready, timeoutSeconds: 180);

            Assert.Equal(TwoHundredMiB, row.VideoBytes);
            var blob = azurite.Service.GetBlobContainerClient(container).GetBlobClient(row.VideoBlobKey);
            var properties = (await blob.GetPropertiesAsync()).Value;
            Assert.Equal(TwoHundredMiB, properties.ContentLength);
            Assert.Equal("video/mp4", properties.ContentType);
            Assert.Equal(row.VideoSha256, properties.Metadata[AzureBlobStore.Sha256Metadata]);
            Assert.Equal(id.ToString("D"), properties.Metadata[AzureBlobStore.GenerationIdMetadata]);
            using (var sha = SHA256.Create())
            {
                await using var content = (await blob.DownloadStreamingAsync()).Value.Content;
                Assert.Equal(row.VideoSha256, Convert.ToHexStringLower(await sha.ComputeHashAsync(content)));
            }
            Assert.True(await azurite.Service.GetBlobContainerClient(container).GetBlobClient(row.PosterBlobKey).ExistsAsync());
            Assert.False(Directory.Exists(Path.Combine(studio.BlobsDirectory, "generations")), "nothing should be written to the local blob folder");

            var (client, _) = await studio.SignInAsync(user);
            using var request = new HttpRequestMessage(HttpMethod.Get, MediaEndpoints.VideoUrl(id));
            request.Headers.Range = new RangeHeaderValue(TwoHundredMiB - 70_000, TwoHundredMiB - 1);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal($"bytes {TwoHundredMiB - 70_000}-{TwoHundredMiB - 1}/{TwoHundredMiB}", response.Content.Headers.ContentRange?.ToString());
            var expected = (await blob.DownloadContentAsync(new BlobDownloadOptions { Range = new Azure.HttpRange(TwoHundredMiB - 70_000, 70_000) })).Value.Content.ToArray();
            Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync());
        }
        finally
        {
            TestPaths.TryDelete(dataDirectory);
        }
    }

    [Fact]
    public async Task With_SasRedirect_a_member_is_sent_to_a_short_read_only_link_and_another_team_gets_404()
    {
        var container = azurite.NewContainerName();
        var dataDirectory = TestPaths.NewDirectory("azure-sas");
        try
        {
            await using var studio = StudioTestHost.StartSandbox(dataDirectory, settings: AzureSettings(container, AzureBlobStorageOptions.SasRedirect));
            var owner = await studio.RegisterAsync("Grace");
            var stranger = await studio.RegisterAsync("Mallory");
            var project = await studio.CreateProjectAsync(owner);
            var id = await studio.SubmitAsync(owner, project);
            var row = await studio.WaitForStateAsync(id, GenerationState.Ready);

            var (asOwner, _) = await studio.SignInAsync(owner);
            using var redirect = await asOwner.GetAsync(MediaEndpoints.VideoUrl(id));
            Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
            Assert.True(redirect.Headers.CacheControl?.NoStore, "a redirect to a short-lived link must not be cached");
            var link = redirect.Headers.Location!;
            Assert.Equal(azurite.Service.Uri.Authority, link.Authority);
            Assert.Contains("sig=", link.Query);
            Assert.Contains("sp=r", link.Query);
            using var plain = new HttpClient();
            using (var video = await plain.GetAsync(link))
            {
                Assert.Equal(HttpStatusCode.OK, video.StatusCode);
                Assert.Equal(row.VideoSha256, Convert.ToHexStringLower(SHA256.HashData(await video.Content.ReadAsByteArrayAsync())));
            }

            var (asStranger, _) = await studio.SignInAsync(stranger);
            using var refused = await asStranger.GetAsync(MediaEndpoints.VideoUrl(id));
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.Null(refused.Headers.Location);
        }
        finally
        {
            TestPaths.TryDelete(dataDirectory);
        }
    }

    public static TheoryData<string, string, string, string> BadSettings => new()
    {
        { "Storage:Provider", "Azure", "", "Storage:Provider is \"Azure\"" },
        { "Storage:Provider", "AzureBlob", "", "Storage:AzureBlob:ConnectionString (or Storage:AzureBlob:AccountUrl) must be set" },
        { "Storage:AzureBlob:ConnectionString", "AccountName=x;AccountKey=c2VjcmV0LXNob3VsZC1uZXZlci1zaG93;Bogus", "Storage:Provider=AzureBlob", "Storage:AzureBlob:ConnectionString is not a valid" },
        { "Storage:AzureBlob:AccountUrl", "ftp://example.test", "Storage:Provider=AzureBlob", "Storage:AzureBlob:AccountUrl must be an absolute URL" },
        { "Storage:AzureBlob:Container", "Has_Capitals", "Storage:Provider=AzureBlob;Storage:AzureBlob:ConnectionString=UseDevelopmentStorage=true", "Storage:AzureBlob:Container \"Has_Capitals\" is not a valid container name" },
        { "Storage:AzureBlob:Serving", "Cdn", "Storage:Provider=AzureBlob;Storage:AzureBlob:ConnectionString=UseDevelopmentStorage=true", "Storage:AzureBlob:Serving is \"Cdn\"" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_storage_setting_stops_the_start_with_a_message_naming_the_key(string key, string value, string alsoSet, string expected)
    {
        var args = new List<string> { $"--{key}", value };
        foreach (var pair in alsoSet.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var at = pair.IndexOf('=');
            args.AddRange([$"--{pair[..at]}", pair[(at + 1)..]]);
        }
        var dataDirectory = TestPaths.NewDirectory("bad-storage");
        try
        {
            var (exitCode, output) = await StudioCommand.RunAsync(["--urls", "http://127.0.0.1:0", "--Studio:DataDirectory", dataDirectory, .. args]);

            Assert.True(exitCode == 2, $"exit code {exitCode}: {output}");
            Assert.Contains("Studio cannot start; fix these settings", output);
            Assert.Contains(expected, output);
            Assert.DoesNotContain("c2VjcmV0LXNob3VsZC1uZXZlci1zaG93", output);
            Assert.DoesNotContain("   at ", output); // a message, not a stack trace
        }
        finally
        {
            TestPaths.TryDelete(dataDirectory);
        }
    }
}
