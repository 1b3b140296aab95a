using Microsoft.AspNetCore.Identity;
using Microsoft.Playwright;
using OpsConsole.Tests.Console;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.Tests.Admin;

/// <summary>The lockout message's "ask an admin" has an answer: the admin unlocks the account in Admin → Users.</summary>
[Collection(ConsoleAppCollection.Name)]
public sealed class AdminBrowserTests(ConsoleAppHost app, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task AUserLockedOutByWrongPasswords_IsUnlockedByAnAdmin_AndCanThenSignIn()
    {
        var name = $"clerk-{Guid.NewGuid():N}"[..14];
        using (var scope = app.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            if (!await roles.RoleExistsAsync("finance")) await roles.CreateAsync(new IdentityRole("finance"));
            var user = new IdentityUser(name);
            Assert.True((await users.CreateAsync(user, ConsoleAppHost.DemoPassword)).Succeeded);
            Assert.True((await users.AddToRoleAsync(user, "finance")).Succeeded);
        }

        // Wrong passwords at the real form until the account locks (Auth:Lockout:MaxFailedAttempts is 5 on this host).
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() });
        var clerk = await context.NewPageAsync();
        for (var i = 0; i < 5; i++)
        {
            await clerk.GotoAsync("signin");
            await clerk.FillAsync("#userName", name);
            await clerk.FillAsync("#password", "not-the-password");
            await clerk.ClickAsync("#signin-submit");
            await Expect(clerk.Locator("#signin-error")).ToBeVisibleAsync();
        }
        await clerk.FillAsync("#userName", name);
        await clerk.FillAsync("#password", ConsoleAppHost.DemoPassword);
        await clerk.ClickAsync("#signin-submit");
        await Expect(clerk.Locator("#signin-error")).ToContainTextAsync("An admin can unlock it now");

        // The admin finds the Admin group in the nav, opens Users and unlocks the account.
        var admin = await ConsolePage.SignInAsync(browser.Browser, app, "admin");
        await admin.ClickAsync("#nav-admin-users");
        await ConsolePage.WaitForUrlAsync(admin, ConsolePage.Ending("/admin/users"));
        await ConsolePage.WaitInteractiveAsync(admin);
        var status = admin.Locator($"td[data-user='{name}'] ~ td[data-status]");
        await Expect(status).ToHaveAttributeAsync("data-status", "locked");
        await ConsolePage.ScreenshotAsync(admin, "admin-users-locked");
        await admin.ClickAsync($"#unlock-{name}");
        await Expect(admin.Locator("#users-done")).ToContainTextAsync($"{name} is unlocked");
        await Expect(status).ToHaveAttributeAsync("data-status", "active");

        // Now the user signs in.
        await clerk.FillAsync("#userName", name);
        await clerk.FillAsync("#password", ConsoleAppHost.DemoPassword);
        await clerk.ClickAsync("#signin-submit");
        await clerk.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
        await ConsolePage.WaitInteractiveAsync(clerk);
        await Expect(clerk.Locator("#current-user")).ToContainTextAsync(name);
        await Expect(clerk.Locator("#nav-admin")).ToHaveCountAsync(0); // finance: no Admin group

        // The unlock is in the audit log, with its before and after.
        await admin.GotoAsync($"audit?action=user.&target={name}");
        await ConsolePage.WaitInteractiveAsync(admin);
        var row = admin.Locator("#audit-grid tbody tr", new PageLocatorOptions { HasText = "user.unlock" });
        await Expect(row.Locator(".audit-field[data-field='locked']")).ToContainTextAsync("yes → no");
        await context.DisposeAsync();
    }
}
