using System.Security.Claims;
using System.Text.Json;

namespace OpsConsole.Components.Account;

/// <summary>
/// Turns the company identity provider's principal into a console principal: the configured role claim
/// (a single value, repeated claims or a JSON array) becomes standard role claims, keeping only the
/// console's roles.
/// </summary>
public static class OidcRoleMapper
{
    /// <summary>Marks principals that came from SSO: they have no local account to re-validate.</summary>
    public const string SourceClaim = "opsconsole_auth_source";

    public static ClaimsPrincipal ToConsolePrincipal(ClaimsPrincipal external, string roleClaim, string nameClaim)
    {
        var roles = MapRoles(external.Claims, roleClaim);
        var name = external.FindFirst(nameClaim)?.Value ?? external.FindFirst("sub")?.Value ?? "unknown";
        var identity = new ClaimsIdentity("oidc", ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.Name, name));
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, external.FindFirst("sub")?.Value ?? name));
        identity.AddClaim(new Claim(SourceClaim, "oidc"));
        foreach (var role in roles)
            identity.AddClaim(new Claim(ClaimTypes.Role, role));
        return new ClaimsPrincipal(identity);
    }

    public static IReadOnlyList<string> MapRoles(IEnumerable<Claim> claims, string roleClaim)
    {
        var values = new List<string>();
        foreach (var claim in claims.Where(c => c.Type == roleClaim))
        {
            var v = claim.Value.Trim();
            if (v.StartsWith('['))
            {
                try
                {
                    values.AddRange(JsonSerializer.Deserialize<string[]>(v) ?? []);
                    continue;
                }
                catch (JsonException)
                {
                    // not a JSON array after all: treat as a plain value
                }
            }
            values.AddRange(v.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        return values.Select(v => v.ToLowerInvariant()).Where(ConsoleRoles.All.Contains).Distinct().ToList();
    }
}
