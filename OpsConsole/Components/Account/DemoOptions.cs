namespace OpsConsole.Components.Account;

/// <summary>
/// Settings <c>Demo:*</c>. Demo users exist only in the embedded demo: on by default with SQLite, off with
/// PostgreSQL, and refused on a non-loopback listener unless <see cref="AllowRemote"/>.
/// </summary>
public sealed class DemoOptions
{
    public bool Enabled { get; set; }
    public string Password { get; set; } = DefaultPassword;
    public bool AllowRemote { get; set; }

    /// <summary>The <c>demo-shop</c> API client's key (<c>Demo:ApiKey</c>): public, so demo mode only.</summary>
    public string ApiKey { get; set; } = DefaultApiKey;

    public const string DefaultPassword = "opsconsole-demo";
    public const string DefaultApiKey = "ocs_demoShop00000000000000000000000000000000000";

    /// <summary>Demo user name → role. Two finance users so maker-checker can be shown.</summary>
    public static readonly IReadOnlyDictionary<string, string> Users = new Dictionary<string, string>
    {
        ["finance"] = ConsoleRoles.Finance,
        ["finance2"] = ConsoleRoles.Finance,
        ["engineer"] = ConsoleRoles.Engineer,
        ["oncall"] = ConsoleRoles.Oncall,
        ["admin"] = ConsoleRoles.Admin,
    };

    /// <summary>The configured demo password or the documented default (accounts of an earlier demo run may carry either).</summary>
    public static bool IsDemoPassword(string? password, DemoOptions options) =>
        password is not null && (password == DefaultPassword || password == options.Password);

    public static bool IsDemoUser(string? userName) =>
        userName is not null && Users.ContainsKey(userName.Trim().ToLowerInvariant());
}
