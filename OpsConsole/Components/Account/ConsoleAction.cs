using System.Security.Claims;

namespace OpsConsole.Components.Account;

/// <summary>
/// An operator action guarded by role. One definition serves both sides: the server registers it as an
/// authorization policy and checks it before acting; the UI shows the button disabled with
/// <see cref="DeniedReason"/> for everyone else.
/// </summary>
public sealed record ConsoleAction(string Policy, IReadOnlyList<string> Roles, string DeniedReason)
{
    public bool IsAllowedFor(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && Roles.Any(user.IsInRole);
}

public static class ConsoleActions
{
    public static readonly ConsoleAction RunReconciliation = new("run-reconciliation",
        [ConsoleRoles.Oncall, ConsoleRoles.Admin], "Only on-call and admin can start a reconciliation run.");

    public static readonly ConsoleAction ImportSettlement = new("import-settlement",
        [ConsoleRoles.Oncall, ConsoleRoles.Admin, ConsoleRoles.Finance],
        "Only finance, on-call and admin can import settlement files.");

    public static readonly ConsoleAction WorkFindings = new("work-findings",
        [ConsoleRoles.Finance, ConsoleRoles.Oncall, ConsoleRoles.Admin],
        "Engineers have read-only access to findings: acknowledge, assign and notes are for finance, on-call and admin.");

    public static readonly ConsoleAction ExportFindings = new("export-findings", ConsoleRoles.All,
        "Exporting findings needs a console role.");

    /// <summary>The audit log's policy name, for <c>[Authorize(Policy = ...)]</c> on the page.</summary>
    public const string AuditLogPolicy = "audit-log";

    /// <summary>
    /// Reading the audit log, on screen or exported: one rule, so a role that cannot export it cannot page
    /// through it either. Engineers have neither (the log names operators and payments of every team).
    /// </summary>
    public static readonly ConsoleAction AuditLog = new(AuditLogPolicy,
        [ConsoleRoles.Admin, ConsoleRoles.Finance, ConsoleRoles.Oncall],
        "Only admin, finance and on-call can see and export the audit log.");

    /// <summary>Exporting the audit log is <see cref="AuditLog"/>.</summary>
    public static ConsoleAction ExportAudit => AuditLog;

    public static readonly ConsoleAction RequestRepair = new("request-repair",
        [ConsoleRoles.Oncall, ConsoleRoles.Finance, ConsoleRoles.Admin],
        "Only on-call, finance and admin can request repairs.");

    public static readonly ConsoleAction ApproveRepair = new("approve-repair",
        [ConsoleRoles.Finance, ConsoleRoles.Oncall, ConsoleRoles.Admin],
        "Only finance, on-call and admin can approve or reject repairs.");

    public static readonly ConsoleAction ViewRepairs = new("view-repairs", ConsoleRoles.All,
        "Viewing repairs needs a console role.");

    public static readonly ConsoleAction ManageApiClients = new("manage-api-clients", [ConsoleRoles.Admin],
        "Only admin can manage API clients.");

    /// <summary>The Admin area's policy name, for <c>[Authorize(Policy = ...)]</c> on its pages.</summary>
    public const string AdministerPolicy = "administer";

    /// <summary>The Admin area: users (roles, unlock, disable) and the effective settings.</summary>
    public static readonly ConsoleAction Administer = new(AdministerPolicy, [ConsoleRoles.Admin],
        "Only admin can manage users and see the settings.");

    /// <summary>Changing the merchants' fee contracts (they decide every FEE_MISMATCH): admin only, audited.</summary>
    public static readonly ConsoleAction ManageFeeContracts = new("manage-fee-contracts", [ConsoleRoles.Admin],
        "Only admin can change fee contracts.");

    /// <summary>Changing the <c>Cash:*</c> settings (accounts, PG payout contracts, window, tolerance, closures): admin only, audited.</summary>
    public static readonly ConsoleAction ManageCashSettings = new("manage-cash-settings", [ConsoleRoles.Admin],
        "Only admin can change the cash settings.");

    /// <summary>The Cash page (PG payouts ↔ bank deposits): finance works it, on-call reads it, admin.</summary>
    public static readonly ConsoleAction ViewCash = new("view-cash",
        [ConsoleRoles.Finance, ConsoleRoles.Oncall, ConsoleRoles.Admin], "Only finance, on-call and admin can see the cash view.");

    public static readonly IReadOnlyList<ConsoleAction> All =
        [RunReconciliation, ImportSettlement, WorkFindings, ExportFindings, AuditLog, RequestRepair, ApproveRepair,
         ViewRepairs, ManageApiClients, Administer, ManageFeeContracts, ManageCashSettings, ViewCash];
}
