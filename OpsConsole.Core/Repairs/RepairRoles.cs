using System.Security.Claims;
using OpsConsole.Core.Common;

namespace OpsConsole.Core.Repairs;

/// <summary>Who may request and who may decide repairs: the one place the repair service, the API and the pages ask.</summary>
public static class RepairRoles
{
    public static readonly IReadOnlySet<string> Requesters = new HashSet<string> { "finance", "oncall", "admin" };
    public static readonly IReadOnlySet<string> Approvers = new HashSet<string> { "finance", "oncall", "admin" };

    /// <summary>The user's roles (local accounts and SSO users both carry them as role claims).</summary>
    public static IReadOnlyCollection<string> Of(ClaimsPrincipal user) =>
        user.FindAll(ClaimTypes.Role).Select(c => c.Value).Distinct().ToList();

    public static bool CanRequest(IEnumerable<string> roles) => roles.Any(Requesters.Contains);

    public static bool CanDecide(IEnumerable<string> roles) => roles.Any(Approvers.Contains);

    public static void EnsureCanRequest(IEnumerable<string> roles)
    {
        if (!CanRequest(roles))
            throw new DomainException("FORBIDDEN", "Only finance, on-call or admin users can request repairs.", 403);
    }

    /// <param name="action">"approve" or "reject".</param>
    public static void EnsureCanDecide(IEnumerable<string> roles, string action)
    {
        if (!CanDecide(roles))
            throw new DomainException("FORBIDDEN", $"Only finance, on-call or admin users can {action} repairs.", 403);
    }
}
