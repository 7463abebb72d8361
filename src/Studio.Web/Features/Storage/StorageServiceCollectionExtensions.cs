using Microsoft.Extensions.Options;

namespace Studio.Web.Features.Storage;

public static class StorageServiceCollectionExtensions
{
    public static WebApplicationBuilder AddStorage(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        builder.Services.AddSingleton<LocalFolderBlobStore>();
        builder.Services.AddSingleton<IBlobStore>(services =>
            services.GetRequiredService<IOptions<StorageOptions>>().Value.UsesAzureBlob
                ? ActivatorUtilities.CreateInstance<AzureBlobStore>(services)
                : services.GetRequiredService<LocalFolderBlobStore>());
        return builder;
    }
}
