using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Studio.Web.Features;

namespace Studio.Web.Data;

public static class DataServiceCollectionExtensions
{
    public static WebApplicationBuilder AddStudioData(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StudioOptions>()
            .BindConfiguration(StudioOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var dataDirectory = ResolveDataDirectory(builder.Configuration, builder.Environment.ContentRootPath);
        Directory.CreateDirectory(dataDirectory);
        var connectionString = builder.Configuration.GetConnectionString("Studio");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(dataDirectory, "studio.db"),
                DefaultTimeout = 30,
            }.ToString();
        }

        builder.Services.AddDbContextFactory<StudioDbContext>(options => options
            .UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(typeof(StudioDbContext).Assembly.FullName))
            .AddInterceptors(SqliteBusyTimeout.Instance));
        builder.Services.AddSingleton(new StudioDataPaths(dataDirectory));
        // Keys live with the data so sign-in cookies survive a restart.
        builder.Services.AddDataProtection()
            .SetApplicationName("Studio")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "keys")));
        return builder;
    }

    /// <summary>Applies migrations (never EnsureCreated) and switches SQLite to WAL so the worker and pages do not block each other.</summary>
    public static async Task MigrateStudioDatabaseAsync(this WebApplication app)
    {
        var factory = app.Services.GetRequiredService<IDbContextFactory<StudioDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        await db.Database.MigrateAsync();
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }
        var paths = app.Services.GetRequiredService<StudioDataPaths>();
        app.Logger.LogInformation("Studio keeps its data in {DataDirectory}", paths.Root);
    }

    internal static string ResolveDataDirectory(IConfiguration configuration, string contentRoot)
    {
        var configured = configuration[$"{StudioOptions.SectionName}:{nameof(StudioOptions.DataDirectory)}"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            configured = ".data";
        }
        return Path.GetFullPath(Path.IsPathRooted(configured) ? configured : Path.Combine(contentRoot, configured));
    }
}

/// <summary>
/// Lets SQLite itself wait for a write lock (up to 30 s) on every connection. Without it, a transaction's
/// BEGIN IMMEDIATE that meets another writer can fail half-way under load (seen as "cannot start a transaction within
/// a transaction" when many submits reserve credits at once); with it, writers simply queue.
/// </summary>
internal sealed class SqliteBusyTimeout : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public static readonly SqliteBusyTimeout Instance = new();

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 30000;";
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 30000;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>The resolved data folder: the database file and the local blob folder live under it.</summary>
public sealed record StudioDataPaths(string Root)
{
    public string Blobs => Path.Combine(Root, "blobs");
}

/// <summary>Used only by <c>dotnet ef</c> so that design-time work never starts the studio's background services.</summary>
internal sealed class StudioDbContextDesignTimeFactory : IDesignTimeDbContextFactory<StudioDbContext>
{
    public StudioDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<StudioDbContext>().UseSqlite("Data Source=design.db").Options);
}
