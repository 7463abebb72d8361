namespace Studio.Web.Features.Storage;

public static class StorageServiceCollectionExtensions
{
    public static WebApplicationBuilder AddStorage(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IBlobStore, LocalFolderBlobStore>();
        return builder;
    }
}
