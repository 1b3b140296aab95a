using MudBlazor;

namespace OpsConsole.Components.Layout;

/// <summary>
/// The console's palette. Status colours are darker than MudBlazor's defaults so that white chip text and
/// alert text keep a WCAG AA contrast ratio in both themes (checked by the axe scan of every page in light and dark
/// mode in the browser tests, and pair by pair in ConsoleThemeTests).
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
        // Dark mode: light status colours under dark text (MudBlazor's default white on amber is 1.93:1). Every pair
        // here is ≥ 7:1, and each colour as text on the dark surface (#32333d) or background (#27272f) is ≥ 4.5:1.
        PaletteDark = new PaletteDark
        {
            Primary = "#7eb2f0",
            PrimaryContrastText = "#0b1a2c",
            Secondary = "#4db6ac",
            SecondaryContrastText = "#00201c",
            Tertiary = "#ce93d8",
            TertiaryContrastText = "#23062a",
            Info = "#6ec0f8",
            InfoContrastText = "#001b2e",
            Success = "#81c784",
            SuccessContrastText = "#0a2410",
            Warning = "#ffb74d",
            WarningContrastText = "#2b1700",
            Error = "#f28b82",
            ErrorContrastText = "#370000",
            // Text alerts colour their text with the "darken" shade: on a dark page it must be the lighter one.
            InfoDarken = "#9ad3fa",
            SuccessDarken = "#a5d6a7",
            WarningDarken = "#ffcc80",
            ErrorDarken = "#f6aea8",
            Dark = "#9e9e9e",
            DarkContrastText = "#000000",
            TextPrimary = "rgba(255,255,255,0.87)",
            TextSecondary = "rgba(255,255,255,0.72)",
            // MudBlazor's dark stripes (20 % white) leave body text at 3.8:1.
            TableStriped = "rgba(255,255,255,0.04)",
            TableHover = "rgba(255,255,255,0.08)",
            ActionDefault = "rgba(255,255,255,0.80)",
            DrawerIcon = "rgba(255,255,255,0.80)",
        },
    };
}
