using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;

namespace OpsConsole.Components.Account;

/// <summary>A console user as the Admin area lists them.</summary>
/// <param name="IsSso">Signed in through the company identity provider: the roles are the provider's (read-only here).</param>
/// <param name="LockedUntil">Locked after failed sign-ins until then (null: not locked).</param>
/// <param name="LastSignInAt">The last successful sign-in (from the audit log).</param>
public sealed record ConsoleUserInfo(string UserName, bool IsSso, IReadOnlyList<string> Roles, DateTimeOffset? LockedUntil,
    bool IsDisabled, int FailedAttempts, DateTimeOffset? LastSignInAt)
{
    public bool IsLocked => LockedUntil is not null;
}

/// <summary>
/// The Admin area's user management: local accounts (ASP.NET Core Identity) have their roles changed, are unlocked,
/// disabled and enabled here; SSO users are listed from their sign-ins, their roles owned by the identity provider.
/// Every change is audited with before → after. A disabled account is locked without end
/// (<see cref="SessionValidator.IsLocked"/>) and its security stamp changes, so its sessions end at their next
/// revalidation and its open pages can no longer act (<see cref="ConsoleUser.RequireAsync"/>). An admin cannot take
/// their own admin role or disable themselves, and the last enabled local admin stays an admin.
/// </summary>
public sealed class UserAdmin(IServiceScopeFactory scopes, IDbContextFactory<OpsDbContext> dbFactory, AuditLog audit, TimeProvider clock)
{
    /// <summary>Lockout end that means "disabled by an admin" (locked without end).</summary>
    public static readonly DateTimeOffset DisabledUntil = DateTimeOffset.MaxValue;

    /// <summary>Disabled: locked until the end of time (stored to the millisecond, so compared by year).</summary>
    public static bool IsDisabled(DateTimeOffset? lockoutEnd) => lockoutEnd is { Year: >= 9999 };

    public async Task<IReadOnlyList<ConsoleUserInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var users = await db.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(cancellationToken);
        var roles = (await (from ur in db.UserRoles
                            join r in db.Roles on ur.RoleId equals r.Id
                            select new { ur.UserId, r.Name }).ToListAsync(cancellationToken))
            .ToLookup(x => x.UserId, x => x.Name!);

        // Successful sign-ins, the latest per user (ids grow with time); SSO users are known only from these.
        var lastIds = await db.AuditEntries.AsNoTracking()
            .Where(a => a.TargetType == "user" && a.Action == "auth.signin" && a.Outcome != null && a.Outcome.StartsWith("success"))
            .GroupBy(a => a.TargetId).Select(g => g.Max(a => a.Id)).ToListAsync(cancellationToken);
        var last = await db.AuditEntries.AsNoTracking().Where(a => lastIds.Contains(a.Id)).ToListAsync(cancellationToken);
        var lastByName = last.ToDictionary(a => a.TargetId, StringComparer.OrdinalIgnoreCase);

        var result = users.Select(u => new ConsoleUserInfo(u.UserName!, false,
            ConsoleRoles.All.Where(r => roles[u.Id].Contains(r)).ToList(),
            u.LockoutEnd is { } end && end > now && !IsDisabled(end) ? end : null,
            IsDisabled(u.LockoutEnd), u.AccessFailedCount,
            lastByName.TryGetValue(u.UserName!, out var a) ? a.At : null)).ToList();
        var local = users.Select(u => u.UserName!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var sso in last.Where(a => a.Outcome!.Contains("oidc", StringComparison.Ordinal) && !local.Contains(a.TargetId)))
            result.Add(new ConsoleUserInfo(sso.TargetId, true, SsoRoles(sso), null, false, 0, sso.At));
        return result.OrderBy(u => u.IsSso).ThenBy(u => u.UserName, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>The roles an SSO sign-in row recorded (structured or, for older rows, comma-separated).</summary>
    private static IReadOnlyList<string> SsoRoles(AuditEntry signIn)
    {
        var text = AuditChange.Parse(null, signIn.After)?.FirstOrDefault(f => f.Field == "roles")?.After ?? signIn.After ?? "";
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(ConsoleRoles.All.Contains).ToList();
    }

    /// <summary>Sets a local user's roles to exactly <paramref name="roles"/> (console roles only).</summary>
    public Task<ConsoleUserInfo> SetRolesAsync(string userName, IReadOnlyCollection<string> roles, string actor,
        CancellationToken cancellationToken = default)
    {
        var unknown = roles.Where(r => !ConsoleRoles.All.Contains(r)).ToList();
        if (unknown.Count > 0)
            throw DomainException.BadInput("UNKNOWN_ROLE", $"Unknown role(s): {string.Join(", ", unknown)}. Roles are {string.Join(", ", ConsoleRoles.All)}.");
        var wanted = ConsoleRoles.All.Where(roles.Contains).ToList();
        return ChangeAsync(userName, actor, "user.roles", async (services, users, user, current) =>
        {
            // The roles are created with the first sign-in (DemoUsers); an admin may come first.
            var roleManager = services.GetRequiredService<RoleManager<IdentityRole>>();
            foreach (var role in wanted.Where(r => !current.Contains(r)))
                if (!await roleManager.RoleExistsAsync(role))
                    Check(await roleManager.CreateAsync(new IdentityRole(role)));
            if (!wanted.Contains(ConsoleRoles.Admin) && current.Contains(ConsoleRoles.Admin))
                await EnsureAnotherAdminAsync(users, user, actor, "remove the admin role from");
            var remove = current.Except(wanted).ToList();
            var add = wanted.Except(current).ToList();
            if (remove.Count > 0) Check(await users.RemoveFromRolesAsync(user, remove));
            if (add.Count > 0) Check(await users.AddToRolesAsync(user, add));
        }, cancellationToken);
    }

    /// <summary>Ends a lockout after failed sign-ins (not a disable: see <see cref="EnableAsync"/>).</summary>
    public Task<ConsoleUserInfo> UnlockAsync(string userName, string actor, CancellationToken cancellationToken = default) =>
        ChangeAsync(userName, actor, "user.unlock", async (_, users, user, _) =>
        {
            if (IsDisabled(user.LockoutEnd))
                throw DomainException.Conflict("USER_DISABLED", $"{user.UserName} is disabled, not locked: enable the account instead.");
            Check(await users.SetLockoutEnabledAsync(user, true)); // Identity sets a lockout end only when lockout is on
            Check(await users.SetLockoutEndDateAsync(user, null));
            Check(await users.ResetAccessFailedCountAsync(user));
        }, cancellationToken);

    /// <summary>Disables the account: no sign-in, and its sessions end (security stamp changed).</summary>
    public Task<ConsoleUserInfo> DisableAsync(string userName, string actor, CancellationToken cancellationToken = default) =>
        ChangeAsync(userName, actor, "user.disable", async (_, users, user, current) =>
        {
            if (current.Contains(ConsoleRoles.Admin))
                await EnsureAnotherAdminAsync(users, user, actor, "disable");
            Check(await users.SetLockoutEnabledAsync(user, true));
            Check(await users.SetLockoutEndDateAsync(user, DisabledUntil));
            Check(await users.UpdateSecurityStampAsync(user));
        }, cancellationToken);

    public Task<ConsoleUserInfo> EnableAsync(string userName, string actor, CancellationToken cancellationToken = default) =>
        ChangeAsync(userName, actor, "user.enable", async (_, users, user, _) =>
        {
            Check(await users.SetLockoutEnabledAsync(user, true));
            Check(await users.SetLockoutEndDateAsync(user, null));
            Check(await users.ResetAccessFailedCountAsync(user));
        }, cancellationToken);

    /// <summary>
    /// The guard of every change that takes admin away from <paramref name="user"/>: not from oneself, and not from
    /// the last enabled local admin (the console would have nobody left to manage it).
    /// </summary>
    private async Task EnsureAnotherAdminAsync(UserManager<IdentityUser> users, IdentityUser user, string actor, string what)
    {
        if (string.Equals(user.UserName, actor, StringComparison.OrdinalIgnoreCase))
            throw DomainException.Conflict("SELF_ADMIN_CHANGE", $"You cannot {what} yourself: ask another admin.");
        var now = clock.GetUtcNow();
        var admins = await users.GetUsersInRoleAsync(ConsoleRoles.Admin);
        if (!admins.Any(a => a.Id != user.Id && !IsDisabled(a.LockoutEnd) && !(a.LockoutEnd > now)))
            throw DomainException.Conflict("LAST_ADMIN", $"{user.UserName} is the last enabled admin: make someone else admin first.");
    }

    private async Task<ConsoleUserInfo> ChangeAsync(string userName, string actor, string action,
        Func<IServiceProvider, UserManager<IdentityUser>, IdentityUser, IReadOnlyList<string>, Task> change, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(actor))
            throw DomainException.BadInput("ACTOR_REQUIRED", "Who is acting must be known.");
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = await users.FindByNameAsync(userName.Trim())
                   ?? throw DomainException.NotFound("NOT_FOUND_USER",
                       $"No local user named {userName}. SSO users' roles and access are managed at the identity provider.");
        var current = (await users.GetRolesAsync(user)).Where(ConsoleRoles.All.Contains).ToList();
        var before = Fields(user, current);
        try
        {
            await change(scope.ServiceProvider, users, user, current);
        }
        catch (DomainException e)
        {
            // The refused attempt is evidence too.
            await audit.WriteAsync(actor, $"{action}.refused", "user", user.UserName!, outcome: $"{e.Code}: {e.Message}");
            throw;
        }
        var roles = (await users.GetRolesAsync(user)).Where(ConsoleRoles.All.Contains).ToList();
        await audit.WriteAsync(actor, action, "user", user.UserName!, AuditChange.Between(before, Fields(user, roles)), outcome: "success");
        return (await ListAsync(cancellationToken)).First(u => !u.IsSso && string.Equals(u.UserName, user.UserName, StringComparison.OrdinalIgnoreCase));
    }

    private AuditFields Fields(IdentityUser user, IReadOnlyList<string> roles) => new()
    {
        { "roles", ConsoleRoles.All.Where(roles.Contains) },
        { "locked", user.LockoutEnd is { } end && end > clock.GetUtcNow() && !IsDisabled(end) },
        { "disabled", IsDisabled(user.LockoutEnd) },
        { "failedSignIns", user.AccessFailedCount },
    };

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
    }
}
