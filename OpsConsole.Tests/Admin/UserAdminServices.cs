using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Components.Account;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Data;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Admin;

/// <summary>
/// What <see cref="UserAdmin"/> needs, on a test database: Identity's stores (as the app registers them) and the
/// audit log. Shared by the service tests and the page tests.
/// </summary>
public static class UserAdminServices
{
    public static IServiceCollection AddUserAdmin(this IServiceCollection services, TestDatabase database, TimeProvider clock)
    {
        services.AddLogging();
        services.AddSingleton(clock);
        services.AddSingleton<IDbContextFactory<OpsDbContext>>(database.Factory);
        services.AddScoped<OpsDbContext>(_ => database.Factory.CreateDbContext());
        services.AddIdentityCore<IdentityUser>(o =>
            {
                o.Password.RequiredLength = 12;
                o.Lockout.AllowedForNewUsers = true;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<OpsDbContext>();
        services.AddSingleton(new AuditLog(database.Factory, clock));
        services.AddSingleton<UserAdmin>();
        return services;
    }

    /// <summary>A local user (a unique name made from <paramref name="prefix"/>) with the given roles.</summary>
    public static async Task<string> CreateUserAsync(IServiceProvider services, string prefix, params string[] roles)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var roleManager = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        var user = new IdentityUser(name);
        Assert.True((await users.CreateAsync(user, "A-long-password-1")).Succeeded);
        foreach (var role in roles)
        {
            if (!await roleManager.RoleExistsAsync(role)) await roleManager.CreateAsync(new IdentityRole(role));
            Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        }
        return name;
    }

    /// <summary>Fails sign-in until Identity locks the account out (as wrong passwords at the sign-in form do).</summary>
    public static async Task LockOutAsync(IServiceProvider services, string name)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = (await users.FindByNameAsync(name))!;
        for (var i = 0; i < users.Options.Lockout.MaxFailedAccessAttempts; i++)
            await users.AccessFailedAsync(user);
        Assert.True(await users.IsLockedOutAsync(user));
    }
}
