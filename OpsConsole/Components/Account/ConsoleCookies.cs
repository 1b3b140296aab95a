namespace OpsConsole.Components.Account;

public static class ConsoleCookies
{
    /// <summary>The console's session cookie (Identity application scheme).</summary>
    public const string Session = "opsconsole.auth";
}
