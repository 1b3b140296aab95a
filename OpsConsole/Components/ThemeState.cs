namespace OpsConsole.Components;

/// <summary>The theme the browser asked for (cookie), cascaded to the layout as its initial state.</summary>
public sealed record ThemeState(bool DarkMode);

public static class ThemeCookie
{
    public const string Name = "opsconsole-theme";
    public const string Dark = "dark";
    public const string Light = "light";
}
