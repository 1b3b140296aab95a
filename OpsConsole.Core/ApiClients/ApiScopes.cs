namespace OpsConsole.Core.ApiClients;

/// <summary>What an API client may do. Each scope is one authorization policy on the endpoints that need it.</summary>
public static class ApiScopes
{
    public const string PaymentsConfirm = "payments:confirm";
    public const string PaymentsCancel = "payments:cancel";
    public const string PaymentsRead = "payments:read";

    public static readonly IReadOnlyList<string> All = [PaymentsConfirm, PaymentsCancel, PaymentsRead];
}
