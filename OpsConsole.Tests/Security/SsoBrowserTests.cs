using Microsoft.Playwright;
using OpsConsole.Tests.Console;
using OpsConsole.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.Tests.Security;

/// <summary>
/// Single sign-on against a real OpenID provider process (oidc-provider, default settings: profile and role
/// claims only in userinfo) in a real browser: roles arrive, a role removed at the provider takes effect at
/// the next revalidation, and sign-out ends the provider's session too.
/// </summary>
public sealed class SsoBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static async Task<(AppHost App, OidcProviderProcess Provider)> StartAsync(string revalidateMinutes,
        TimeProvider? clock = null)
    {
        var port = OidcProviderProcess.FreePort();
        var appUri = new Uri($"http://127.0.0.1:{port}/");
        var provider = await OidcProviderProcess.StartAsync(appUri);
        var app = await SecurityHost.StartAsync(new Dictionary<string, string?>(ConsoleAppHost.RelaxedSignInThrottle!)
        {
            ["urls"] = appUri.GetLeftPart(UriPartial.Authority),
            ["environment"] = "Development",
            ["Auth:Oidc:Authority"] = provider.Issuer.ToString().TrimEnd('/'),
            ["Auth:Oidc:ClientId"] = OidcProviderProcess.ClientId,
            ["Auth:Oidc:ClientSecret"] = OidcProviderProcess.ClientSecret,
            ["Auth:Oidc:RequireHttpsMetadata"] = "false",
            ["Auth:Oidc:Scopes"] = "openid profile roles",
            ["Auth:RevalidateMinutes"] = revalidateMinutes,
        }, clock: clock);
        return (app, provider);
    }

    private async Task<IPage> NewPageAsync(AppHost app)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseUri.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    private static async Task SignInAtTheProviderAsync(IPage page, string login, Uri app)
    {
        await page.GotoAsync("signin");
        await page.GetByText("Sign in with Company SSO").ClickAsync();
        await page.Locator("input[name=login]").FillAsync(login);
        await page.Locator("input[name=password]").FillAsync("any-password");
        await page.Locator("button[type=submit]").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await page.WaitForURLAsync(app.ToString());
    }

    [Fact]
    public async Task FinanceUser_SignsInWithSso_GetsTheFinanceRole_LosesItWhenTheProviderRemovesIt_AndSignOutEndsTheProviderSession()
    {
        var clock = new SecurityHost.ManualClock(DateTimeOffset.UtcNow);
        var (app, provider) = await StartAsync(revalidateMinutes: "5", clock);
        await using var _ = app;
        await using var __ = provider;
        await provider.SetRolesAsync("fin-user", "finance");
        var page = await NewPageAsync(app);

        // The role is only in userinfo, and the session is not revalidated for 5 minutes: it came at sign-in.
        await SignInAtTheProviderAsync(page, "fin-user", app.BaseUri);

        await Expect(page.Locator("#current-user")).ToContainTextAsync("fin-user");
        await Expect(page.Locator("#current-user")).ToContainTextAsync("(finance)");
        await ConsolePage.ScreenshotAsync(page, "sso-finance-signed-in");

        // The provider withdraws the role: within Auth:RevalidateMinutes the session still has it, after it not.
        await provider.SetRolesAsync("fin-user");
        clock.Advance(TimeSpan.FromMinutes(4));
        await page.GotoAsync("repairs");
        await Expect(page.Locator("#current-user")).ToContainTextAsync("(finance)");
        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await page.GotoAsync("repairs");
        await page.WaitForURLAsync("**/access-denied**");
        await Expect(page.Locator("#no-access-yet")).ToBeVisibleAsync();

        // Sign-out ends the provider's session too (RP-initiated logout at its end_session_endpoint).
        await page.Locator("#no-access-sign-out").ClickAsync();
        await page.Locator("button[name=logout][value=yes]").ClickAsync();
        await page.WaitForURLAsync("**/signin**");
        await page.GotoAsync("account/signin/oidc?returnUrl=/");
        await Expect(page.Locator("input[name=login]")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task UserWithoutARoleAtTheProvider_SeesNoAccessYet()
    {
        var (app, provider) = await StartAsync(revalidateMinutes: "5");
        await using var _ = app;
        await using var __ = provider;
        var page = await NewPageAsync(app);

        await page.GotoAsync("signin");
        await page.GetByText("Sign in with Company SSO").ClickAsync();
        await page.Locator("input[name=login]").FillAsync("someone-new");
        await page.Locator("input[name=password]").FillAsync("any-password");
        await page.Locator("button[type=submit]").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();

        await page.WaitForURLAsync("**/access-denied**");
        await Expect(page.Locator("#no-access-yet")).ToContainTextAsync("someone-new");
        await ConsolePage.ScreenshotAsync(page, "sso-no-access-yet");
    }
}
