namespace OpsConsole.Components.Account;

/// <summary>The console's roles. Local accounts carry them as Identity roles, SSO users as a claim.</summary>
public static class ConsoleRoles
{
    public const string Finance = "finance";
    public const string Engineer = "engineer";
    public const string Oncall = "oncall";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Finance, Engineer, Oncall, Admin];
}
