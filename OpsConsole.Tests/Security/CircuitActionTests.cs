using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using OpsConsole.Components.Account;
using OpsConsole.Core.Common;
using OpsConsole.Tests.Console;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Security;

/// <summary>
/// An open Blazor circuit keeps the principal it connected with: the check before every action
/// (<see cref="ConsoleUser.RequireAsync"/>) looks at the user's state now.
/// </summary>
public sealed class CircuitActionTests : IAsyncLifetime
{
    private AppHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await SecurityHost.StartAsync(new Dictionary<string, string?>(ConsoleAppHost.RelaxedSignInThrottle!));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private sealed class FixedState(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }

    private async Task<(ConsoleUser Circuit, IdentityUser User)> CircuitOfAsync(string name)
    {
        await SecurityHost.CreateUserAsync(_host, name, $"{name}-password-123", "oncall");
        using var scope = _host.Services.CreateScope();
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<IdentityUser>>();
        var user = (await signIn.UserManager.FindByNameAsync(name))!;
        var principal = await signIn.CreateUserPrincipalAsync(user);
        return (new ConsoleUser(new FixedState(principal), _host.Services), user);
    }

    [Theory]
    [InlineData("lock", "SESSION_ENDED")]
    [InlineData("remove-role", "FORBIDDEN")]
    public async Task ActionFromAnOpenCircuit_AfterTheUserWasLockedOrLostTheRole_IsRefused(string change, string code)
    {
        var (circuit, user) = await CircuitOfAsync($"circuit-{change}");
        Assert.Equal(user.UserName, await circuit.RequireAsync(ConsoleActions.ApproveRepair));

        using (var scope = _host.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            var fresh = (await users.FindByIdAsync(user.Id))!;
            if (change == "lock") await users.SetLockoutEndDateAsync(fresh, DateTimeOffset.MaxValue);
            else await users.RemoveFromRoleAsync(fresh, "oncall");
        }

        var refused = await Assert.ThrowsAsync<DomainException>(() => circuit.RequireAsync(ConsoleActions.ApproveRepair));
        Assert.Contains(refused.Code, new[] { code, "SESSION_ENDED" });
        if (change == "lock") Assert.Equal("SESSION_ENDED", refused.Code);
    }
}
