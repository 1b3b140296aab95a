using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace OpsConsole.Components.Account;

/// <summary>
/// Creates the console's roles and, in demo mode, the demo users. Runs once per process, lazily at the
/// first sign-in, so it never races the schema migration at start-up.
/// </summary>
public sealed class DemoUsers(IServiceScopeFactory scopes, IOptions<DemoOptions> options, ILogger<DemoUsers> log)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _done;

    /// <param name="createDemoUsers">False on a non-loopback bind without <c>Demo:AllowRemote</c>: only the roles are made.</param>
    public async Task EnsureCreatedAsync(bool createDemoUsers, CancellationToken cancellationToken = default)
    {
        if (_done) return;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_done) return;
            await using var scope = scopes.CreateAsyncScope();
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            foreach (var role in ConsoleRoles.All)
            {
                if (!await roles.RoleExistsAsync(role))
                    Check(await roles.CreateAsync(new IdentityRole(role)), $"create role {role}");
            }

            var demo = options.Value;
            if (demo.Enabled && !createDemoUsers)
            {
                log.LogWarning("Demo users are not created: the console listens on a non-loopback address (Demo:AllowRemote=false).");
                return; // not done: a later sign-in on a loopback-only bind may still create them
            }
            if (demo.Enabled)
            {
                var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
                foreach (var (name, role) in DemoOptions.Users)
                    await EnsureUserAsync(users, name, role, demo.Password);
                log.LogWarning("Demo users are active ({Users}); never use demo mode with real data.",
                    string.Join(", ", DemoOptions.Users.Keys));
            }
            _done = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task EnsureUserAsync(UserManager<IdentityUser> users, string name, string role, string password)
    {
        var user = await users.FindByNameAsync(name);
        if (user is null)
        {
            user = new IdentityUser(name) { Email = $"{name}@demo.opsconsole.invalid", EmailConfirmed = true };
            Check(await users.CreateAsync(user, password), $"create demo user {name}");
        }
        else if (!await users.CheckPasswordAsync(user, password))
        {
            // Demo:Password changed since the users were created: follow the configuration.
            Check(await users.RemovePasswordAsync(user), $"reset password of {name}");
            Check(await users.AddPasswordAsync(user, password), $"reset password of {name}");
        }
        if (!await users.IsInRoleAsync(user, role))
            Check(await users.AddToRoleAsync(user, role), $"add {name} to {role}");
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException(
                $"Could not {what}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
    }
}
