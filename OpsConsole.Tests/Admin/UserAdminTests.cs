using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Components.Account;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Admin;

/// <summary>The Admin area's user management on each provider: roles, unlock, disable/enable, the guards, the audit.</summary>
public abstract class UserAdminTests<TDatabase>(TDatabase database) : IAsyncLifetime where TDatabase : TestDatabase
{
    private ServiceProvider _services = null!;
    private UserAdmin Admin => _services.GetRequiredService<UserAdmin>();

    public Task InitializeAsync()
    {
        _services = new ServiceCollection().AddUserAdmin(database, TimeProvider.System).BuildServiceProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _services.DisposeAsync();

    private async Task<IdentityUser> FindAsync(string name)
    {
        await using var scope = _services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>().FindByNameAsync(name))!;
    }

    private async Task<AuditEntry> LastAuditAsync(string name)
    {
        await using var db = await database.Factory.CreateDbContextAsync();
        return await db.AuditEntries.Where(a => a.TargetType == "user" && a.TargetId == name).OrderByDescending(a => a.Id).FirstAsync();
    }

    [Fact]
    public async Task ChangingRoles_IsAudited_BeforeToAfter()
    {
        var admin = await UserAdminServices.CreateUserAsync(_services, "adm", "admin");
        var user = await UserAdminServices.CreateUserAsync(_services, "eng", "engineer");

        var info = await Admin.SetRolesAsync(user, ["finance", "oncall"], admin); // "oncall" may not exist as a role yet

        Assert.Equal(["finance", "oncall"], info.Roles); // open sessions pick them up when SessionValidator rebuilds them
        var audit = await LastAuditAsync(user);
        Assert.Equal((admin, "user.roles"), (audit.Actor, audit.Action));
        Assert.Equal("roles engineer → finance, oncall", AuditChange.Summary(audit.Before, audit.After));
        var bad = await Assert.ThrowsAsync<DomainException>(() => Admin.SetRolesAsync(user, ["root"], admin));
        Assert.Equal("UNKNOWN_ROLE", bad.Code);
    }

    [Fact]
    public async Task Unlock_EndsALockout_AndTheListShowsLockedThenActive()
    {
        var admin = await UserAdminServices.CreateUserAsync(_services, "adm", "admin");
        var user = await UserAdminServices.CreateUserAsync(_services, "fin", "finance");
        await UserAdminServices.LockOutAsync(_services, user);
        var listed = (await Admin.ListAsync()).Single(u => u.UserName == user);
        Assert.True(listed.IsLocked);
        Assert.False(listed.IsDisabled);

        var info = await Admin.UnlockAsync(user, admin);

        Assert.False(info.IsLocked);
        Assert.Equal(0, info.FailedAttempts);
        Assert.Null((await FindAsync(user)).LockoutEnd);
        var audit = await LastAuditAsync(user);
        Assert.Equal("user.unlock", audit.Action);
        Assert.Equal("locked yes → no", AuditChange.Summary(audit.Before, audit.After));
    }

    [Fact]
    public async Task Disable_LocksWithoutEnd_EndsSessions_AndEnableUndoesIt()
    {
        var admin = await UserAdminServices.CreateUserAsync(_services, "adm", "admin");
        var user = await UserAdminServices.CreateUserAsync(_services, "onc", "oncall");
        var stamp = (await FindAsync(user)).SecurityStamp;

        var disabled = await Admin.DisableAsync(user, admin);

        Assert.True(disabled.IsDisabled);
        var stored = await FindAsync(user);
        Assert.True(SessionValidator.IsLocked(stored, DateTimeOffset.UtcNow.AddYears(100)));
        Assert.NotEqual(stamp, stored.SecurityStamp);
        Assert.Equal("disabled no → yes", AuditChange.Summary((await LastAuditAsync(user)).Before, (await LastAuditAsync(user)).After));
        var unlock = await Assert.ThrowsAsync<DomainException>(() => Admin.UnlockAsync(user, admin));
        Assert.Equal("USER_DISABLED", unlock.Code);

        var enabled = await Admin.EnableAsync(user, admin);
        Assert.False(enabled.IsDisabled);
        Assert.False(SessionValidator.IsLocked(await FindAsync(user), DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task AnAdmin_CannotDisableThemselves_OrDropTheirOwnAdminRole_AndTheRefusalIsAudited()
    {
        var admin = await UserAdminServices.CreateUserAsync(_services, "adm", "admin");
        await UserAdminServices.CreateUserAsync(_services, "adm", "admin"); // not the last admin: the self rule alone refuses

        var disable = await Assert.ThrowsAsync<DomainException>(() => Admin.DisableAsync(admin, admin));
        var demote = await Assert.ThrowsAsync<DomainException>(() => Admin.SetRolesAsync(admin, ["finance"], admin));

        Assert.Equal(("SELF_ADMIN_CHANGE", "SELF_ADMIN_CHANGE"), (disable.Code, demote.Code));
        var me = (await Admin.ListAsync()).Single(u => u.UserName == admin);
        Assert.Equal(["admin"], me.Roles);
        Assert.False(me.IsDisabled);
        Assert.Equal("user.roles.refused", (await LastAuditAsync(admin)).Action);
        // Other roles can be added to oneself.
        Assert.Equal(["finance", "admin"], (await Admin.SetRolesAsync(admin, ["admin", "finance"], admin)).Roles);
    }

    [Fact]
    public async Task TheLastEnabledAdmin_CannotBeDemotedOrDisabled_ByAnyone()
    {
        // Every other admin of this database is disabled first, so the one left is the last.
        var actor = await UserAdminServices.CreateUserAsync(_services, "boss", "finance");
        var last = await UserAdminServices.CreateUserAsync(_services, "last", "admin");
        foreach (var other in (await Admin.ListAsync()).Where(u => u.Roles.Contains("admin") && !u.IsDisabled && !u.IsSso && u.UserName != last))
            await Admin.DisableAsync(other.UserName, "setup");

        var demote = await Assert.ThrowsAsync<DomainException>(() => Admin.SetRolesAsync(last, ["finance"], actor));
        var disable = await Assert.ThrowsAsync<DomainException>(() => Admin.DisableAsync(last, actor));

        Assert.Equal(("LAST_ADMIN", "LAST_ADMIN"), (demote.Code, disable.Code));
        var second = await UserAdminServices.CreateUserAsync(_services, "next", "admin");
        Assert.True((await Admin.DisableAsync(last, second)).IsDisabled); // with another admin it is allowed
    }

    [Fact]
    public async Task SsoUsers_AreListedFromTheirSignIns_WithTheProvidersRoles_AndCannotBeChangedHere()
    {
        var name = $"sso-{Guid.NewGuid():N}"[..12];
        var audit = _services.GetRequiredService<AuditLog>();
        await audit.WriteAsync(name, "auth.signin", "user", name, AuditChange.Created(new() { { "roles", new[] { "finance", "admin" } } }),
            outcome: "success (oidc)");

        var sso = (await Admin.ListAsync()).Single(u => u.UserName == name);

        Assert.True(sso.IsSso);
        Assert.Equal(["finance", "admin"], sso.Roles);
        Assert.NotNull(sso.LastSignInAt);
        var change = await Assert.ThrowsAsync<DomainException>(() => Admin.DisableAsync(name, "someone"));
        Assert.Equal("NOT_FOUND_USER", change.Code);
        Assert.Contains("identity provider", change.Message);
    }
}

public sealed class SqliteUserAdminTests(SqliteTestDatabase database)
    : UserAdminTests<SqliteTestDatabase>(database), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresUserAdminTests(PostgresTestDatabase database)
    : UserAdminTests<PostgresTestDatabase>(database), IClassFixture<PostgresTestDatabase>;
