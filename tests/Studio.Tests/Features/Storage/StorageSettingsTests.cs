using Studio.Web.Features.Storage;

namespace Studio.Tests.Features.Storage;

public sealed class StorageSettingsTests
{
    private const string DevStorage = "UseDevelopmentStorage=true";

    [Fact]
    public void The_default_settings_are_the_local_folder_and_valid()
    {
        var options = new StorageOptions();

        Assert.False(options.UsesAzureBlob);
        Assert.True(new StorageOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Azure_settings_are_not_checked_while_the_local_folder_is_used()
    {
        var options = new StorageOptions { AzureBlob = { Container = "NOT VALID", BlockSizeMiB = 0 } };

        Assert.True(new StorageOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("azureblob")]
    [InlineData("AzureBlob")]
    public void The_provider_name_is_case_insensitive(string provider)
    {
        var options = new StorageOptions { Provider = provider, AzureBlob = { ConnectionString = DevStorage } };

        Assert.True(options.UsesAzureBlob);
        Assert.True(new StorageOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Every_bad_Azure_setting_is_reported_at_once_each_naming_its_key()
    {
        var azure = new AzureBlobStorageOptions
        {
            ConnectionString = DevStorage,
            AccountUrl = "https://acct.blob.core.windows.net",
            Container = "ab",
            BlockSizeMiB = 101,
            MaxConcurrency = 0,
            SasLifetimeMinutes = 90,
        };

        var errors = StorageOptionsValidator.AzureErrors(azure).ToList();

        Assert.Collection(errors,
            e => Assert.StartsWith("Storage:AzureBlob:ConnectionString and Storage:AzureBlob:AccountUrl are both set", e),
            e => Assert.StartsWith("Storage:AzureBlob:Container \"ab\"", e),
            e => Assert.StartsWith("Storage:AzureBlob:BlockSizeMiB must be 1–100", e),
            e => Assert.StartsWith("Storage:AzureBlob:MaxConcurrency must be 1–32", e),
            e => Assert.StartsWith("Storage:AzureBlob:SasLifetimeMinutes", e));
    }

    [Theory]
    [InlineData("studio", true)]
    [InlineData("team-films-2026", true)]
    [InlineData("ab", false)]
    [InlineData("Studio", false)]
    [InlineData("-studio", false)]
    [InlineData("studio-", false)]
    [InlineData("two--hyphens", false)]
    public void Container_names_follow_Azure_rules(string name, bool valid)
    {
        var errors = StorageOptionsValidator.AzureErrors(new AzureBlobStorageOptions { ConnectionString = DevStorage, Container = name });

        Assert.Equal(valid, !errors.Any());
    }

    [Theory]
    [InlineData("https://acct.blob.core.windows.net", true)]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1", true)]
    [InlineData("http://acct.blob.core.windows.net", false)]
    [InlineData("acct.blob.core.windows.net", false)]
    public void An_account_URL_must_be_https_except_on_this_machine(string url, bool valid)
    {
        var errors = StorageOptionsValidator.AzureErrors(new AzureBlobStorageOptions { AccountUrl = url });

        Assert.Equal(valid, !errors.Any());
    }

    [Fact]
    public void SasRedirect_cannot_sign_with_a_SAS_token_account_URL()
    {
        var errors = StorageOptionsValidator.AzureErrors(new AzureBlobStorageOptions
        {
            AccountUrl = "https://acct.blob.core.windows.net/?sv=2025-01-01&sig=abc",
            Serving = AzureBlobStorageOptions.SasRedirect,
        });

        Assert.Contains(errors, e => e.StartsWith("Storage:AzureBlob:Serving=SasRedirect cannot sign links", StringComparison.Ordinal));
    }

    [Fact]
    public void A_broken_connection_string_is_named_without_repeating_its_secret()
    {
        var errors = StorageOptionsValidator.AzureErrors(new AzureBlobStorageOptions { ConnectionString = "AccountKey=dG9wLXNlY3JldA==;nonsense" }).ToList();

        var error = Assert.Single(errors);
        Assert.StartsWith("Storage:AzureBlob:ConnectionString is not a valid", error);
        Assert.DoesNotContain("dG9wLXNlY3JldA", error);
    }

    [Fact]
    public void Studio_keys_give_a_download_name_and_the_generation_id()
    {
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

        var video = BlobWriteOptions.ForKey(BlobKeys.Video(id), "video/mp4");
        var poster = BlobWriteOptions.ForKey(BlobKeys.Poster(id), "image/jpeg");
        var other = BlobWriteOptions.ForKey("exports/cut.mp4", "video/mp4");

        Assert.Equal(id, video.GenerationId);
        Assert.Equal("inline; filename=\"take-0f8fad5b.mp4\"", video.ContentDisposition);
        Assert.Equal("inline; filename=\"poster-0f8fad5b.jpg\"", poster.ContentDisposition);
        Assert.Null(other.GenerationId);
        Assert.Equal("inline; filename=\"cut.mp4\"", other.ContentDisposition);
        Assert.Null(BlobKeys.GenerationIdOf("generations/not-a-guid/video.mp4"));
    }
}
