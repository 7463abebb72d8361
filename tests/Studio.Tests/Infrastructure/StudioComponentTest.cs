using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Studio.Tests.Infrastructure;

/// <summary>One shared bUnit set-up, as MudBlazor's own tests do: Mud services, loose JS interop, no transitions, an interactive renderer.</summary>
public abstract class StudioComponentTest : BunitContext, IAsyncLifetime
{
    protected StudioComponentTest()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices(options =>
        {
            options.SnackbarConfiguration.ShowTransitionDuration = 0;
            options.SnackbarConfiguration.HideTransitionDuration = 0;
            options.PopoverOptions.CheckForPopoverProvider = false;
        });
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services are only IAsyncDisposable, so the container must be disposed asynchronously.
    Task IAsyncLifetime.DisposeAsync() => base.DisposeAsync().AsTask();
}
