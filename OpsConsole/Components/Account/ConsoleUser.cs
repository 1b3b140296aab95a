using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using OpsConsole.Core.Common;

namespace OpsConsole.Components.Account;

/// <summary>
/// The signed-in operator of a circuit. Components call <see cref="RequireAsync"/> before every action:
/// a disabled button is a courtesy, this check is the rule.
/// </summary>
public sealed class ConsoleUser(AuthenticationStateProvider authentication)
{
    public async Task<ClaimsPrincipal> GetAsync() => (await authentication.GetAuthenticationStateAsync()).User;

    /// <summary>The actor name for the audit log; throws when the user may not perform <paramref name="action"/>.</summary>
    public async Task<string> RequireAsync(ConsoleAction action)
    {
        var user = await GetAsync();
        if (!action.IsAllowedFor(user))
            throw new DomainException("FORBIDDEN", action.DeniedReason, 403);
        return user.Identity!.Name ?? "unknown";
    }
}
