using System.Security.Claims;
using MudBlazor;
using OpsConsole.Components.Account;

namespace OpsConsole.Components.Pages.Admin;

/// <summary>One page of the Admin area.</summary>
/// <param name="Href">Relative to the base path, as the nav menu links it.</param>
/// <param name="Action">Who may open it (its page's <c>[Authorize]</c> names the same policy).</param>
/// <param name="NavId">The nav link's element id.</param>
public sealed record AdminPage(string Title, string Href, string Icon, ConsoleAction Action, string Summary, string NavId);

/// <summary>
/// The Admin area's pages, in order: the one list the nav menu's Admin group and the Admin overview read.
/// A new admin page (e.g. Cash settings, PG fee contracts) adds its row here.
/// </summary>
public static class AdminPages
{
    public const string Home = "admin";

    public static readonly IReadOnlyList<AdminPage> All =
    [
        new("Users", "admin/users", Icons.Material.Filled.People, ConsoleActions.Administer,
            "Roles, unlock, disable and enable; last sign-in. SSO users' roles come from the identity provider.", "nav-admin-users"),
        new("API clients", "admin/api-clients", Icons.Material.Filled.Key, ConsoleActions.ManageApiClients,
            "Keys for services calling /api/v1: create (the key is shown once), revoke.", "nav-api-clients"),
        new("Settings", "admin/settings", Icons.Material.Filled.Tune, ConsoleActions.Administer,
            "The effective configuration, read-only; secrets hidden.", "nav-admin-settings"),
        new("Fee contracts", "admin/fee-contracts", Icons.Material.Filled.Percent, ConsoleActions.ManageFeeContracts,
            "Each PG merchant id's contract: base rates, issuer and easy-pay rates, installments, minimum fee.", "nav-fee-contracts"),
        new("Cash settings", "admin/cash-settings", Icons.Material.Filled.AccountBalance, ConsoleActions.ManageCashSettings,
            "Bank accounts, each PG merchant id's payout account, counterparty and D+N contract, window, tolerance, closures.", "nav-cash-settings"),
    ];

    /// <summary>The pages <paramref name="user"/> may open (none: no Admin group at all).</summary>
    public static IReadOnlyList<AdminPage> For(ClaimsPrincipal user) => All.Where(p => p.Action.IsAllowedFor(user)).ToList();
}
