using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using OpsConsole.Components.Account;

namespace OpsConsole.Tests.Console;

/// <summary>
/// Shared bUnit set-up: loose JS interop (MudBlazor calls JS), MudBlazor services, and a signed-in user
/// whose roles each test chooses.
/// </summary>
public abstract class ConsoleComponentTest : BunitContext, IAsyncLifetime
{
    protected ConsoleComponentTest()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton(Options.Create(new DemoOptions { Enabled = true }));
        // The single PG connection of a configuration without Pgs (a test with several registers its own after this).
        Services.AddSingleton(Core.Gateway.PgConnections.Single);
        Auth = AddAuthorization();
    }

    protected BunitAuthorizationContext Auth { get; }

    protected void SignInAs(string userName, params string[] roles)
    {
        Auth.SetAuthorized(userName);
        Auth.SetRoles(roles);
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();
}
