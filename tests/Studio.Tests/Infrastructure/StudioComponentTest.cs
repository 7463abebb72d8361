using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Studio.Tests.Infrastructure;

/// <summary>One shared bUnit set-up, as MudBlazor's own tests do: Mud services, loose JS interop, no transitions, an interactive renderer.</summary>
public abstract class StudioComponentTest : BunitContext, IAsyncLifetime
{
    // bUnit waits 1 s by default; the fields debounce typing by 250 ms and CI runs the test projects side by side on
    // two cores, where that second was once not enough (ShotCardTests' lint note). A wait ends as soon as its check
    // passes, so the longer budget only matters to a test that is failing anyway.
    static StudioComponentTest() => DefaultWaitTimeout = TimeSpan.FromSeconds(15);

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
