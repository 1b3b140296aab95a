using MudBlazor;

namespace OpsConsole.Components.Layout;

/// <summary>
/// The console's palette. Status colours are darker than MudBlazor's defaults so that white chip text and
/// alert text keep a WCAG AA contrast ratio (checked by the axe scan in the browser tests).
/// </summary>
public static class ConsoleTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1e5aa8",
            Secondary = "#00695c",
            Tertiary = "#6a1b9a",
            Info = "#01579b",
            Success = "#1b5e20",
            Warning = "#9a4a00",
            Error = "#b71c1c",
            AppbarBackground = "#1e3a5f",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7eb2f0",
            Secondary = "#4db6ac",
        },
    };
}
