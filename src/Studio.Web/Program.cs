using MudBlazor.Services;
using Studio.Web.Components;
using Studio.Web.Data;
using Studio.Web.Features;
using Studio.Web.Features.Accounts;
using Studio.Web.Features.Archive;
using Studio.Web.Features.Comments;
using Studio.Web.Features.Credits;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Live;
using Studio.Web.Features.Media;
using Studio.Web.Features.Projects;
using Studio.Web.Features.Providers;
using Studio.Web.Features.Sharing;
using Studio.Web.Features.Storage;
using Studio.Web.Features.Storyboards;
using Studio.Web.Features.Teams;
using Studio.Web.Features.Webhooks;

var builder = WebApplication.CreateBuilder(args);
// Serve static assets from the build output in every environment, not only Development (a no-op once published).
builder.WebHost.UseStaticWebAssets();

builder.Services.AddSingleton(TimeProvider.System);
builder.AddStudioData();
builder.AddAccounts();
builder.AddTeams();
builder.AddProjects();
builder.AddStorage();
builder.AddMedia();
builder.AddProviders();
builder.AddArchive();
builder.AddGenerations();
builder.AddWebhooks();
builder.AddLiveUpdates();
builder.AddSharing();
builder.AddComments();
builder.AddCredits();
builder.AddStoryboards();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();

var app = builder.Build();

// Bad settings stop the start here with one plain message per setting, instead of a stack trace from the host.
if (StartupSettings.Problems(app.Services) is { Count: > 0 } problems)
{
    Console.Error.WriteLine("Studio cannot start; fix these settings (appsettings.json, environment variables such as Storage__Provider, or --Storage:Provider on the command line):");
    foreach (var problem in problems)
    {
        Console.Error.WriteLine($"  - {problem}");
    }
    return 2;
}

await app.MigrateStudioDatabaseAsync();

if (BlobMoveCommand.IsInvocation(args))
{
    return await BlobMoveCommand.RunAsync(app.Services, Console.Out, app.Lifetime.ApplicationStopping);
}

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/not-found", createScopeForErrors: true);
}
// Only pages get the friendly "Not found" page; API answers (webhooks, media, emulator) keep their status and body.
app.UseWhen(
    http => HttpMethods.IsGet(http.Request.Method) && http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase),
    page => page.UseStatusCodePagesWithReExecute("/not-found"));
app.UseAntiforgery();

app.MapStaticAssets();
app.MapProviders();
app.MapAccounts();
app.MapMedia();
app.MapSharing();
app.MapUsage();
app.MapStoryboards();
app.MapWebhooks();
app.MapLiveUpdates();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory in the test projects.</summary>
public partial class Program;
