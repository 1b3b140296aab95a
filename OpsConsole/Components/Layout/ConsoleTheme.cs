using MudBlazor;

namespace OpsConsole.Components.Layout;

public static class ConsoleTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1e5aa8",
            Secondary = "#00897b",
            AppbarBackground = "#1e3a5f",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7eb2f0",
            Secondary = "#4db6ac",
        },
    };
}
