using System.Security.Claims;

namespace OpsConsole.Api.Edge;

/// <summary>Who is calling <c>/api/v1</c>, from an API key's or an access token's claims — one rule for both.</summary>
public static class ApiCallers
{
    /// <summary>The client's name: <c>client_id</c> (API keys, most IdPs), else <c>azp</c>, else <c>sub</c>.</summary>
    public static string? ClientName(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated != true
            ? null
            : user.FindFirst(ApiKeyAuthenticationHandler.ClientClaim)?.Value
              ?? user.FindFirst("azp")?.Value
              ?? user.FindFirst("sub")?.Value;

    /// <summary>The actor recorded in events and audit rows: <c>api:&lt;client&gt;</c>.</summary>
    public static string Actor(ClaimsPrincipal user) => $"api:{ClientName(user) ?? "unknown"}";

    /// <summary>True when a <c>scope</c> (or <c>scp</c>) claim, space separated or one per claim, grants <paramref name="scope"/>.</summary>
    public static bool HasScope(ClaimsPrincipal user, string scope) =>
        user.Claims.Where(c => c.Type is ApiKeyAuthenticationHandler.ScopeClaim or "scp")
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Contains(scope, StringComparer.Ordinal);
}
