using Microsoft.AspNetCore.Components;
using MudBlazor;
using Studio.Web.Features.Projects;

namespace Studio.Web.Features.Teams;

public static class TeamDialogs
{
    public static string? NameError(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "Give the team a name." : name.Trim().Length > 100 ? "Team names are at most 100 characters." : null;

    /// <summary>Asks for a name, creates the team (the user its owner), switches to it and reloads the app.</summary>
    public static async Task NewTeamAsync(IDialogService dialogs, TeamMembersService members, string userId, NavigationManager navigation)
    {
        var dialog = await dialogs.ShowAsync<ProjectNameDialog>("New team", new DialogParameters<ProjectNameDialog>
        {
            { d => d.Label, "Team name" },
            { d => d.MaxLength, 100 },
            { d => d.SubmitLabel, "Create team" },
            { d => d.Validate, (Func<string?, string?>)NameError },
            { d => d.Save, (Func<string, Task<string?>>)(async name => (await members.CreateTeamAsync(userId, name)).Error) },
        }, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        if (await dialog.Result is { Canceled: false })
        {
            navigation.NavigateTo("/team", forceLoad: true);
        }
    }
}
