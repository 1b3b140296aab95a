using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using OpsConsole.Components.Account;
using OpsConsole.Core.ApiClients;

namespace OpsConsole.Api.Edge;

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions;

/// <summary>
/// <c>Authorization: Bearer ocs_…</c>: an API client's key. The principal's name is the client's name, with one
/// <c>scope</c> claim per scope. Unknown, revoked or malformed keys fail; the demo client's key works only in
/// demo mode on a loopback-only listener (as the demo users do).
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiClientService clients,
    IOptions<DemoOptions> demo,
    IServer server) : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ScopeClaim = "scope";
    public const string ClientClaim = "client_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = BearerToken(Request);
        if (token is null) return AuthenticateResult.NoResult();
        var caller = await clients.AuthenticateAsync(token, DemoAllowed(), Context.RequestAborted);
        if (caller is null) return AuthenticateResult.Fail("Unknown or revoked API key.");

        var claims = new List<Claim> { new(ClaimTypes.Name, caller.Actor), new(ClientClaim, caller.Name) };
        claims.AddRange(caller.Scopes.Select(s => new Claim(ScopeClaim, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, ClaimTypes.Role));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => ChallengeAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => ForbidAsync(Context);

    /// <summary>401 problem with <c>WWW-Authenticate: Bearer</c> (also used by the JWT scheme).</summary>
    public static Task ChallengeAsync(HttpContext http, string? error = null)
    {
        http.Response.Headers.WWWAuthenticate = error is null ? "Bearer" : $"Bearer error=\"{error}\"";
        return ApiProblems.WriteAsync(http, StatusCodes.Status401Unauthorized, ApiProblems.Unauthenticated,
            "A valid API key or access token is required: 'Authorization: Bearer <key>'. Missing, unknown, expired " +
            "and revoked credentials are refused alike.");
    }

    public static Task ForbidAsync(HttpContext http)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\"";
        return ApiProblems.WriteAsync(http, StatusCodes.Status403Forbidden, ApiProblems.InsufficientScope,
            "The API client does not have the scope this endpoint needs.");
    }

    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        return header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) && header.Length > bearer.Length
            ? header[bearer.Length..].Trim()
            : null;
    }

    private bool DemoAllowed()
    {
        var d = demo.Value;
        if (!d.Enabled) return false;
        if (d.AllowRemote) return true;
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return LoopbackGuard.ListensOnlyOnLoopback(addresses) &&
               LoopbackGuard.IsLoopbackConnection(Context.Connection.RemoteIpAddress);
    }
}
