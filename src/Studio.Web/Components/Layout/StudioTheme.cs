using MudBlazor;

namespace Studio.Web.Components.Layout;

public static class StudioTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteDark = new PaletteDark
        {
            Primary = "#8b7cf6",
            Secondary = "#2dd4bf",
            Tertiary = "#f59e0b",
            Background = "#0f1115",
            Surface = "#171a21",
            AppbarBackground = "#12141a",
            DrawerBackground = "#12141a",
            TextPrimary = "#e8e9ee",
            TextSecondary = "#a3a8b8",
            Warning = "#f59e0b",
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "10px" },
    };
}
