using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace OpsConsole.Components.Account;

/// <summary>Settings <c>Auth:*</c> about sessions.</summary>
public sealed class SessionOptions
{
    /// <summary>
    /// How often (minutes) a session is checked against its source: a local user that is locked, disabled
    /// (locked without end) or deleted is signed out, role changes apply; an SSO user's userinfo is re-read
    /// with the stored access token, so a role removed at the provider applies. 0 checks every request.
    /// </summary>
    public double RevalidateMinutes { get; set; } = 5;
}

/// <summary>
/// Cookie validation: every <see cref="SessionOptions.RevalidateMinutes"/> the principal is rebuilt from its
/// source of truth, or the session ends. One place for local accounts and SSO.
/// </summary>
public sealed class SessionValidator(
    IOptions<SessionOptions> options,
    TimeProvider clock,
    IOptionsMonitor<OpenIdConnectOptions> oidcOptions,
    OidcClaimsOptions oidcClaims,
    IServiceScopeFactory scopes,
    ILogger<SessionValidator> log)
{
    /// <summary>
    /// For a Blazor circuit, whose principal was fixed when it connected: the local user's principal as it is now
    /// (null when the user is gone, locked, disabled or its stamp changed). SSO principals are returned as they are;
    /// their next HTTP request revalidates them at the provider.
    /// </summary>
    public async Task<ClaimsPrincipal?> CurrentAsync(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true) return null;
        if (principal.HasClaim(c => c.Type == OidcRoleMapper.SourceClaim)) return principal;
        await using var scope = scopes.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        return await RevalidateLocalAsync(http, principal, clock.GetUtcNow());
    }

    private const string ValidatedAtKey = "opsconsole.validated_at";

    /// <summary>At sign-in the principal is fresh from its source: the next check is due one interval later.</summary>
    public void MarkValidated(AuthenticationProperties properties) =>
        properties.Items[ValidatedAtKey] = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public async Task ValidateAsync(CookieValidatePrincipalContext ctx)
    {
        var principal = ctx.Principal;
        if (principal?.Identity?.IsAuthenticated != true) return;
        var now = clock.GetUtcNow();
        var interval = TimeSpan.FromMinutes(options.Value.RevalidateMinutes);
        if (ctx.Properties.Items.TryGetValue(ValidatedAtKey, out var at) &&
            long.TryParse(at, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) &&
            now - DateTimeOffset.FromUnixTimeSeconds(seconds) < interval)
            return;

        var fresh = principal.HasClaim(c => c.Type == OidcRoleMapper.SourceClaim)
            ? await RevalidateSsoAsync(ctx, principal)
            : await RevalidateLocalAsync(ctx.HttpContext, principal, now);
        if (fresh is null)
        {
            log.LogInformation("Session of {User} ended by revalidation", principal.Identity?.Name);
            ctx.RejectPrincipal();
            await ctx.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }
        ctx.ReplacePrincipal(fresh);
        ctx.Properties.Items[ValidatedAtKey] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        ctx.ShouldRenew = true;
    }

    /// <summary>The user's current principal, or null when the user is gone, locked, disabled or its stamp changed.</summary>
    private static async Task<ClaimsPrincipal?> RevalidateLocalAsync(HttpContext http, ClaimsPrincipal principal, DateTimeOffset now)
    {
        var signIn = http.RequestServices.GetRequiredService<SignInManager<IdentityUser>>();
        var users = signIn.UserManager;
        var user = await users.GetUserAsync(principal);
        if (user is null || IsLocked(user, now)) return null;
        if (users.SupportsUserSecurityStamp)
        {
            var claimType = signIn.Options.ClaimsIdentity.SecurityStampClaimType;
            if (principal.FindFirstValue(claimType) != await users.GetSecurityStampAsync(user)) return null;
        }
        return await signIn.CreateUserPrincipalAsync(user);
    }

    /// <summary>Locked out now, or disabled (locked without end). Lockout-enabled or not: an admin's lock always holds.</summary>
    public static bool IsLocked(IdentityUser user, DateTimeOffset now) => user.LockoutEnd is { } end && end > now;

    /// <summary>Re-reads userinfo with the stored access token; null when the provider no longer vouches for the user.</summary>
    private async Task<ClaimsPrincipal?> RevalidateSsoAsync(CookieValidatePrincipalContext ctx, ClaimsPrincipal principal)
    {
        var accessToken = ctx.Properties.GetTokenValue("access_token");
        if (string.IsNullOrEmpty(accessToken)) return null;
        var oidc = oidcOptions.Get(OpenIdConnectDefaults.AuthenticationScheme);
        if (oidc.ConfigurationManager is null) return null;
        try
        {
            var configuration = await oidc.ConfigurationManager.GetConfigurationAsync(ctx.HttpContext.RequestAborted);
            using var request = new HttpRequestMessage(HttpMethod.Get, configuration.UserInfoEndpoint);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            using var response = await oidc.Backchannel.SendAsync(request, ctx.HttpContext.RequestAborted);
            if (!response.IsSuccessStatusCode)
            {
                log.LogInformation("userinfo answered {Status} for {User}", (int)response.StatusCode, principal.Identity?.Name);
                return null;
            }
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ctx.HttpContext.RequestAborted));
            var sub = json.RootElement.TryGetProperty("sub", out var s) ? s.GetString() : null;
            if (sub is null || sub != principal.FindFirstValue(ClaimTypes.NameIdentifier)) return null;
            var identity = new ClaimsIdentity("userinfo");
            foreach (var p in json.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.Array)
                    foreach (var v in p.Value.EnumerateArray()) identity.AddClaim(new Claim(p.Name, v.ToString()));
                else
                    identity.AddClaim(new Claim(p.Name, p.Value.ToString()));
            }
            return OidcRoleMapper.ToConsolePrincipal(new ClaimsPrincipal(identity), oidcClaims.RoleClaim, oidcClaims.NameClaim);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or InvalidOperationException or TaskCanceledException)
        {
            // Fail closed: a session whose roles cannot be confirmed ends (the user signs in again).
            log.LogWarning(e, "Could not re-read userinfo for {User}", principal.Identity?.Name);
            return null;
        }
    }
}

/// <summary>The SSO claim names (<c>Auth:Oidc:RoleClaim</c>, <c>Auth:Oidc:NameClaim</c>).</summary>
public sealed record OidcClaimsOptions(string RoleClaim, string NameClaim);
