using System.Net;
using Microsoft.AspNetCore.Identity;
using OpsConsole.Tests.Console;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Security;

/// <summary>Demo users on a non-loopback bind: refused before anything creates them, whatever Demo:Enabled says.</summary>
public sealed class DemoUserBindTests
{
    private static async Task<IdentityUser?> FindAsync(AppHost host, string name)
    {
        using var scope = host.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>().FindByNameAsync(name);
    }

    private static string ErrorOf(HttpResponseMessage r) =>
        System.Web.HttpUtility.ParseQueryString(r.Headers.Location!.OriginalString.Split('?', 2).ElementAtOrDefault(1) ?? "")["error"] ?? "";

    [Fact]
    public async Task OnANonLoopbackBind_DemoSignInIsRefused_AndNoSignInCreatesTheDemoUsers()
    {
        await using var host = await SecurityHost.StartAsync(new Dictionary<string, string?>(ConsoleAppHost.RelaxedSignInThrottle!)
        {
            ["urls"] = "http://0.0.0.0:0",
            ["Demo:Enabled"] = "true",
        });
        using var client = SecurityHost.NewClient(host);

        var someoneElse = await ConsoleAppHost.PostSignInAsync(client, "someone", "some-password-123");
        var demo = await ConsoleAppHost.PostSignInAsync(client, "admin", ConsoleAppHost.DemoPassword);

        Assert.Equal("invalid", ErrorOf(someoneElse));
        Assert.Equal("demo-remote", ErrorOf(demo));
        foreach (var name in new[] { "finance", "finance2", "engineer", "oncall", "admin" })
            Assert.Null(await FindAsync(host, name));
    }

    [Theory]
    [InlineData("false")]
    [InlineData("true")]
    public async Task DemoAccountsFromAnEarlierLoopbackRun_AreRefusedOnANonLoopbackBind_WhateverDemoEnabledSays(string enabled)
    {
        await using var database = new SqliteTestDatabase();
        await database.InitializeAsync();
        await using (var loopback = await SecurityHost.StartAsync(new Dictionary<string, string?>(ConsoleAppHost.RelaxedSignInThrottle!)
                     { ["Demo:Enabled"] = "true" }, database))
        {
            using var first = await SecurityHost.SignedInAsync(loopback, "admin");
            Assert.NotNull(await FindAsync(loopback, "admin"));
        }

        await using var exposed = await SecurityHost.StartAsync(new Dictionary<string, string?>(ConsoleAppHost.RelaxedSignInThrottle!)
        {
            ["urls"] = "http://0.0.0.0:0",
            ["Demo:Enabled"] = enabled,
            ["Demo:AllowRemote"] = "true", // without Demo:Enabled it opens nothing
        }, database);
        using var client = SecurityHost.NewClient(exposed);

        var response = await ConsoleAppHost.PostSignInAsync(client, "admin", ConsoleAppHost.DemoPassword);

        if (enabled == "false")
        {
            Assert.Equal("demo-remote", ErrorOf(response));
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("account/antiforgery")).StatusCode);
        }
        else
        {
            // Demo:Enabled and Demo:AllowRemote together are the explicit, documented opt-in.
            Assert.Equal("/", response.Headers.Location?.OriginalString);
        }
    }
}
