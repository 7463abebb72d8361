using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;

namespace Studio.Web.Features.Storage;

/// <summary>Section "Storage": where blobs live. <c>FileSystem</c> (the data folder's <c>blobs/</c>) unless set to <c>AzureBlob</c>.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";
    public const string FileSystem = "FileSystem";
    public const string AzureBlobProvider = "AzureBlob";

    public string Provider { get; set; } = FileSystem;

    public AzureBlobStorageOptions AzureBlob { get; set; } = new();

    public bool UsesAzureBlob => string.Equals(Provider, AzureBlobProvider, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Section "Storage:AzureBlob".</summary>
public sealed class AzureBlobStorageOptions
{
    public const string Proxy = "Proxy";
    public const string SasRedirect = "SasRedirect";

    /// <summary>A storage connection string (with an account key, or <c>UseDevelopmentStorage=true</c> for Azurite).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Instead of a connection string: the account's blob endpoint, e.g. <c>https://acct.blob.core.windows.net</c>,
    /// signed in with Entra ID (managed identity, environment or Azure CLI), or carrying a SAS token in its query.</summary>
    public string? AccountUrl { get; set; }

    public string Container { get; set; } = "studio";

    /// <summary>Size of each uploaded block; memory per upload is about (MaxConcurrency + 1) × this.</summary>
    public int BlockSizeMiB { get; set; } = 4;

    /// <summary>Blocks uploaded at once per blob.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary><c>Proxy</c>: media streams through the studio (range requests supported). <c>SasRedirect</c>: after the
    /// access check the browser is redirected to a read-only SAS link for that one blob.</summary>
    public string Serving { get; set; } = Proxy;

    /// <summary>How long a SAS link lives.</summary>
    public double SasLifetimeMinutes { get; set; } = 5;

    public bool RedirectsToSas => string.Equals(Serving, SasRedirect, StringComparison.OrdinalIgnoreCase);

    public bool HasAccountKey => ConnectionString is { Length: > 0 } cs
        && (cs.Contains("AccountKey=", StringComparison.OrdinalIgnoreCase) || cs.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase));

    public bool AccountUrlHasSas => Uri.TryCreate(AccountUrl, UriKind.Absolute, out var uri) && uri.Query.Length > 1;
}

/// <summary>Checks the storage settings at start, with messages that name the key to fix.</summary>
public sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    private const string Section = StorageOptions.SectionName;
    private const string Azure = $"{Section}:AzureBlob";

    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        if (!string.Equals(options.Provider, StorageOptions.FileSystem, StringComparison.OrdinalIgnoreCase) && !options.UsesAzureBlob)
        {
            return ValidateOptionsResult.Fail($"{Section}:Provider is \"{options.Provider}\"; use {StorageOptions.FileSystem} (the default) or {StorageOptions.AzureBlobProvider}.");
        }
        if (!options.UsesAzureBlob)
        {
            return ValidateOptionsResult.Success;
        }
        var errors = AzureErrors(options.AzureBlob).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>What is wrong with the Azure settings (empty when they are usable); also used by the moving-house command.</summary>
    public static IEnumerable<string> AzureErrors(AzureBlobStorageOptions azure)
    {
        var hasConnectionString = !string.IsNullOrWhiteSpace(azure.ConnectionString);
        var hasAccountUrl = !string.IsNullOrWhiteSpace(azure.AccountUrl);
        if (hasConnectionString == hasAccountUrl)
        {
            yield return hasConnectionString
                ? $"{Azure}:ConnectionString and {Azure}:AccountUrl are both set; set only one."
                : $"{Azure}:ConnectionString (or {Azure}:AccountUrl) must be set when {Section}:Provider is {StorageOptions.AzureBlobProvider}; for Azurite use UseDevelopmentStorage=true.";
        }
        else if (hasConnectionString)
        {
            string? problem = null;
            try
            {
                _ = new BlobServiceClient(azure.ConnectionString);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                // The exception text may quote the string, key and all; say only what kind of problem it is.
                problem = $"{Azure}:ConnectionString is not a valid Azure Storage connection string ({ex.GetType().Name}).";
            }
            if (problem is not null)
            {
                yield return problem;
            }
        }
        else if (!Uri.TryCreate(azure.AccountUrl, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
        {
            yield return $"{Azure}:AccountUrl must be an absolute URL such as https://<account>.blob.core.windows.net.";
        }
        else if (url.Scheme == "http" && !url.IsLoopback)
        {
            yield return $"{Azure}:AccountUrl must use https (plain http only for a local emulator such as Azurite).";
        }

        if (!ContainerName().IsMatch(azure.Container ?? "") || azure.Container!.Contains("--", StringComparison.Ordinal))
        {
            yield return $"{Azure}:Container \"{azure.Container}\" is not a valid container name (3–63 lower-case letters, digits and single hyphens, starting with a letter or digit).";
        }
        if (azure.BlockSizeMiB is < 1 or > 100)
        {
            yield return $"{Azure}:BlockSizeMiB must be 1–100 (it is {azure.BlockSizeMiB}).";
        }
        if (azure.MaxConcurrency is < 1 or > 32)
        {
            yield return $"{Azure}:MaxConcurrency must be 1–32 (it is {azure.MaxConcurrency}).";
        }
        if (!string.Equals(azure.Serving, AzureBlobStorageOptions.Proxy, StringComparison.OrdinalIgnoreCase) && !azure.RedirectsToSas)
        {
            yield return $"{Azure}:Serving is \"{azure.Serving}\"; use {AzureBlobStorageOptions.Proxy} (the default) or {AzureBlobStorageOptions.SasRedirect}.";
        }
        else if (azure.RedirectsToSas && azure.AccountUrlHasSas)
        {
            yield return $"{Azure}:Serving={AzureBlobStorageOptions.SasRedirect} cannot sign links with a SAS-token AccountUrl; use a connection string with an account key, an AccountUrl signed in with Entra ID, or Serving={AzureBlobStorageOptions.Proxy}.";
        }
        if (azure.SasLifetimeMinutes is <= 0 or > 60)
        {
            yield return $"{Azure}:SasLifetimeMinutes must be more than 0 and at most 60 (it is {azure.SasLifetimeMinutes}).";
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex ContainerName();
}
