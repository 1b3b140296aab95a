using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Audit;

namespace OpsConsole.Components.Account;

/// <summary>
/// Sign-in and sign-out as plain HTTP endpoints: a Blazor circuit cannot set cookies, so the static sign-in
/// form posts here. Every attempt, successful or not, is audited.
/// </summary>
public static class AccountEndpoints
{
    public const string SignInPage = "/signin";

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/account");
        group.MapPost("/signin", SignInAsync).AllowAnonymous();
        group.MapPost("/signout", SignOutAsync).RequireAuthorization();
        group.MapGet("/signin/oidc", ([FromQuery] string? returnUrl) => TypedResults.Challenge(
                new AuthenticationProperties { RedirectUri = SafeReturnUrl(returnUrl) },
                [OpenIdConnectDefaults.AuthenticationScheme]))
            .AllowAnonymous();
        return app;
    }

    private static async Task<RedirectHttpResult> SignInAsync(
        [FromForm] string? userName, [FromForm] string? password, [FromForm] string? returnUrl,
        HttpContext http, SignInManager<IdentityUser> signIn, DemoUsers demoUsers, IOptions<DemoOptions> demo,
        IServer server, AuditLog audit)
    {
        var name = (userName ?? "").Trim();
        var target = SafeReturnUrl(returnUrl);
        if (name.Length == 0 || string.IsNullOrEmpty(password))
            return Fail("missing", name, target);

        if (demo.Value.Enabled && DemoOptions.IsDemoUser(name))
        {
            if (!demo.Value.AllowRemote && !IsLoopbackOnly(http, server))
            {
                await audit.WriteAsync(name, "auth.signin", "user", name,
                    outcome: "refused: demo users are not allowed on a non-loopback address (Demo:AllowRemote=false)");
                return Fail("demo-remote", name, target);
            }
        }
        await demoUsers.EnsureCreatedAsync(http.RequestAborted);

        var user = await signIn.UserManager.FindByNameAsync(name);
        if (user is null)
        {
            await audit.WriteAsync(name, "auth.signin", "user", name, outcome: "failed: unknown user");
            return Fail("invalid", name, target);
        }

        var result = await signIn.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            await audit.WriteAsync(name, "auth.signin", "user", name, outcome: "success");
            return TypedResults.LocalRedirect(target);
        }
        var outcome = result.IsLockedOut ? "locked-out" : result.IsNotAllowed ? "not-allowed" : "invalid";
        await audit.WriteAsync(name, "auth.signin", "user", name, outcome: $"failed: {outcome}");
        return Fail(outcome, name, target);
    }

    private static async Task<RedirectHttpResult> SignOutAsync(HttpContext http, SignInManager<IdentityUser> signIn,
        AuditLog audit)
    {
        var name = http.User.Identity?.Name ?? "unknown";
        await signIn.SignOutAsync();
        await audit.WriteAsync(name, "auth.signout", "user", name, outcome: "success");
        return TypedResults.LocalRedirect(SignInPage);
    }

    private static RedirectHttpResult Fail(string error, string userName, string returnUrl) =>
        TypedResults.LocalRedirect(
            $"{SignInPage}?error={error}&user={Uri.EscapeDataString(userName)}&returnUrl={Uri.EscapeDataString(returnUrl)}");

    private static bool IsLoopbackOnly(HttpContext http, IServer server)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return LoopbackGuard.ListensOnlyOnLoopback(addresses) &&
               LoopbackGuard.IsLoopbackConnection(http.Connection.RemoteIpAddress);
    }

    /// <summary>Only local paths: an open redirect after sign-in is a phishing tool.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) &&
        !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url
            : "/";
}
