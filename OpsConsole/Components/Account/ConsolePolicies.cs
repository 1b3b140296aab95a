using Microsoft.AspNetCore.Authorization;

namespace OpsConsole.Components.Account;

/// <summary>The two base policies: every console page and endpoint needs a console role; a few need only a session.</summary>
public static class ConsolePolicies
{
    /// <summary>Signed in, with or without a role: sign-out, the "no access yet" page, the antiforgery token.</summary>
    public const string SignedIn = "signed-in";

    /// <summary>The default policy: signed in with one of <see cref="ConsoleRoles.All"/>.</summary>
    public static readonly AuthorizationPolicy ConsoleUser = new AuthorizationPolicyBuilder()
        .RequireAuthenticatedUser().RequireRole(ConsoleRoles.All).Build();

    public static readonly AuthorizationPolicy SignedInPolicy = new AuthorizationPolicyBuilder()
        .RequireAuthenticatedUser().Build();

    public static bool HasConsoleRole(System.Security.Claims.ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && ConsoleRoles.All.Any(user.IsInRole);
}
