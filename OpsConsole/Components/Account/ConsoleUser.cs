using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using OpsConsole.Core.Common;

namespace OpsConsole.Components.Account;

/// <summary>
/// The signed-in operator of a circuit. Components call <see cref="RequireAsync"/> before every action:
/// a disabled button is a courtesy, this check is the rule.
/// </summary>
public sealed class ConsoleUser(AuthenticationStateProvider authentication, IServiceProvider services)
{
    public async Task<ClaimsPrincipal> GetAsync() => (await authentication.GetAuthenticationStateAsync()).User;

    /// <summary>
    /// The actor name for the audit log; throws when the user may not perform <paramref name="action"/>. A circuit
    /// keeps the principal it connected with, so the user's current state is checked here, before every action:
    /// a locked, disabled or deleted user, or one whose role was taken away, cannot act from an open page.
    /// </summary>
    public async Task<string> RequireAsync(ConsoleAction action)
    {
        var user = await GetAsync();
        if (!action.IsAllowedFor(user))
            throw new DomainException("FORBIDDEN", action.DeniedReason, 403);
        if (services.GetService<SessionValidator>() is { } sessions)
        {
            var current = await sessions.CurrentAsync(user);
            if (current is null)
                throw new DomainException("SESSION_ENDED", "Your session has ended. Sign in again.", 401);
            if (!action.IsAllowedFor(current))
                throw new DomainException("FORBIDDEN", action.DeniedReason, 403);
        }
        return user.Identity!.Name ?? "unknown";
    }
}
