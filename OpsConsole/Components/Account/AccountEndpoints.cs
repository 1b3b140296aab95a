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
        group.MapPost("/signin", SignInAsync).AllowAnonymous().RequireRateLimiting(SignInThrottle.RateLimitPolicy)
            .WithMetadata(new Microsoft.AspNetCore.Antiforgery.RequireAntiforgeryTokenAttribute()).Accepts<SignInForm>("application/x-www-form-urlencoded")
            .WithName("SignIn").WithSummary("Signs in with a local account (the sign-in page's form).");
        // Signed in with or without a role: a user who has no role yet can still sign out.
        group.MapPost("/signout", SignOutAsync).RequireAuthorization(ConsolePolicies.SignedIn)
            .WithName("SignOut").WithSummary("Ends the console session (and the SSO provider's session).");
        group.MapGet("/signin/oidc", async ([FromQuery] string? returnUrl, IAuthenticationSchemeProvider schemes) =>
                await schemes.GetSchemeAsync(OpenIdConnectDefaults.AuthenticationScheme) is null
                    ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "sso_not_configured",
                        detail: "Single sign-on is not configured (Auth:Oidc:Authority).",
                        extensions: new Dictionary<string, object?> { ["code"] = "sso_not_configured" })
                    : Results.Challenge(new AuthenticationProperties { RedirectUri = SafeReturnUrl(returnUrl) },
                        [OpenIdConnectDefaults.AuthenticationScheme]))
            .AllowAnonymous().RequireRateLimiting(SignInThrottle.RateLimitPolicy)
            .WithName("SignInWithSso").WithSummary("Starts single sign-on at the configured OpenID provider.");
        app.MapAntiforgeryToken();
        return app;
    }

    private static async Task<IResult> SignInAsync(
        HttpContext http, SignInManager<IdentityUser> signIn, DemoUsers demoUsers, IOptions<DemoOptions> demo,
        IServer server, AuditLog audit, SignInThrottle throttle, DummyPasswordHash dummy)
    {
        // The form is read here, after the antiforgery verdict: a forged or stale form is a clean 400.
        if (http.Features.Get<Microsoft.AspNetCore.Antiforgery.IAntiforgeryValidationFeature>() is { IsValid: false } ||
            !http.Request.HasFormContentType)
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "antiforgery",
                detail: "Sign in from the sign-in page (its form carries an antiforgery token).",
                extensions: new Dictionary<string, object?> { ["code"] = "antiforgery" });
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        string? userName = form["userName"], password = form["password"], returnUrl = form["returnUrl"];
        var name = (userName ?? "").Trim();
        var target = SafeReturnUrl(returnUrl);
        var ip = SignInThrottle.KeyOf(http);
        if (throttle.BlockedFor(ip) is { } wait)
        {
            // Before the password is checked: a throttled address adds nothing to any account's lockout counter.
            await audit.WriteAsync(name, "auth.signin", "user", name, outcome: $"refused: too many failures from {ip}");
            return new TooManyAttemptsResult(wait);
        }
        if (name.Length == 0 || string.IsNullOrEmpty(password))
            return Fail("missing", name, target);

        // Demo accounts are checked before anything creates them, and refused on a non-loopback bind whatever
        // Demo:Enabled says: accounts left from an earlier demo run must not become a back door.
        var loopback = IsLoopbackOnly(http, server);
        var demoRemoteAllowed = demo.Value.Enabled && demo.Value.AllowRemote;
        if (!loopback && !demoRemoteAllowed && DemoOptions.IsDemoUser(name) &&
            (demo.Value.Enabled || DemoOptions.IsDemoPassword(password, demo.Value)))
        {
            throttle.RecordFailure(ip);
            await audit.WriteAsync(name, "auth.signin", "user", name,
                outcome: "refused: demo users are not allowed on a non-loopback address");
            return Fail("demo-remote", name, target);
        }
        await demoUsers.EnsureCreatedAsync(createDemoUsers: loopback || demoRemoteAllowed, http.RequestAborted);

        var user = await signIn.UserManager.FindByNameAsync(name);
        if (user is null)
        {
            // The same hashing work and the same answer as a wrong password: names cannot be probed.
            dummy.Verify(password);
            throttle.RecordFailure(ip);
            await audit.WriteAsync(name, "auth.signin", "user", name, outcome: "failed: unknown user");
            return Fail("invalid", name, target);
        }

        var result = await signIn.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            await audit.WriteAsync(name, "auth.signin", "user", name, outcome: "success");
            return TypedResults.LocalRedirect(target);
        }
        throttle.RecordFailure(ip);
        var outcome = result.IsLockedOut ? (UserAdmin.IsDisabled(user.LockoutEnd) ? "disabled" : "locked-out")
            : result.IsNotAllowed ? "not-allowed" : "invalid";
        await audit.WriteAsync(name, "auth.signin", "user", name, outcome: $"failed: {outcome}");
        return Fail(outcome, name, target);
    }

    /// <summary>The sign-in page's form fields (for the endpoint's metadata).</summary>
    public sealed record SignInForm(string? UserName, string? Password, string? ReturnUrl);

    private sealed class TooManyAttemptsResult(TimeSpan retryAfter) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => SignInThrottle.TooManyAsync(httpContext, retryAfter);
    }

    private static async Task<IResult> SignOutAsync(HttpContext http, SignInManager<IdentityUser> signIn,
        IAuthenticationSchemeProvider schemes, AuditLog audit)
    {
        var name = http.User.Identity?.Name ?? "unknown";
        var sso = http.User.HasClaim(c => c.Type == OidcRoleMapper.SourceClaim) &&
                  await schemes.GetSchemeAsync(OpenIdConnectDefaults.AuthenticationScheme) is not null;
        if (sso)
        {
            // RP-initiated logout: redirects to the provider's end_session_endpoint with the id token, which is
            // read from the session cookie, so before the cookie is cleared.
            await http.SignOutAsync(OpenIdConnectDefaults.AuthenticationScheme,
                new AuthenticationProperties { RedirectUri = SignInPage });
        }
        await signIn.SignOutAsync();
        await audit.WriteAsync(name, "auth.signout", "user", name, outcome: sso ? "success (and at the SSO provider)" : "success");
        return sso ? Results.Empty : TypedResults.LocalRedirect(SignInPage);
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
