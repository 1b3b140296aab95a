using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.Tests.Console;

[Collection(ConsoleAppCollection.Name)]
public sealed class BrowserTests(ConsoleAppHost app, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Engineer_SignsIn_AndFindsAPaymentByKeyAndByText()
    {
        var seeded = await TraceSeed.PaymentWithHistoryAsync(app.Db, startedAt: DateTimeOffset.UtcNow.AddMinutes(-5));
        var page = await ConsolePage.SignInAsync(browser.Browser, app, "engineer");

        await Expect(page.Locator("#demo-banner")).ToBeVisibleAsync();
        await Expect(page.Locator("#current-user")).ToContainTextAsync("engineer");
        await ConsolePage.ScreenshotAsync(page, "shell-dashboard");

        // "/" focuses the global search box; Enter searches; an exact key opens the payment.
        await page.Keyboard.PressAsync("/");
        await Expect(page.Locator("#global-search input")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(seeded.TraceId);
        await page.Keyboard.PressAsync("Enter");
        await ConsolePage.WaitForUrlAsync(page, ConsolePage.Ending($"/trace/payment/{seeded.PaymentKey}"));
        await Expect(page.Locator("#payment-timeline tr.timeline-entry")).ToHaveCountAsync(5);
        await Expect(page.Locator("#payment-trace-id")).ToHaveTextAsync(seeded.TraceId);
        await Expect(page.Locator("#trace-links a")).ToHaveAttributeAsync("href", $"http://jaeger.invalid/trace/{seeded.TraceId}");
        await ConsolePage.ScreenshotAsync(page, "trace-payment-timeline");

        // Free text over event messages lists the payment; the card number in the message is masked.
        await page.GotoAsync($"trace?q={Uri.EscapeDataString(seeded.TextToken.ToLowerInvariant())}");
        await ConsolePage.WaitInteractiveAsync(page);
        await Expect(page.Locator("#trace-results a.trace-hit")).ToHaveTextAsync(seeded.PaymentKey);
        await Expect(page.Locator("#trace-results")).Not.ToContainTextAsync(TraceSeed.CardNumber);
        await ConsolePage.ScreenshotAsync(page, "trace-text-search");
        await page.ClickAsync("#trace-results a.trace-hit");
        await Expect(page.Locator("#payment-key")).ToHaveTextAsync(seeded.PaymentKey);
    }

    [Fact]
    public async Task SignInPage_ExplainsAWrongPassword()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() });
        var page = await context.NewPageAsync();

        await page.GotoAsync("audit");
        await page.WaitForURLAsync("**/signin?ReturnUrl=%2Faudit");
        await Expect(page.Locator("#demo-banner")).ToContainTextAsync("engineer");
        await ConsolePage.ScreenshotAsync(page, "signin");
        await page.FillAsync("#userName", "engineer");
        await page.FillAsync("#password", "not-it-at-all");
        await page.ClickAsync("#signin-submit");

        await Expect(page.Locator("#signin-error")).ToContainTextAsync("Wrong user name or password");
        await Expect(page.Locator("#userName")).ToHaveValueAsync("engineer");
        await context.DisposeAsync();
    }

    [Fact]
    public async Task Engineer_CannotOpenTheAuditLog_AdminFiltersTheAuditLog()
    {
        // One rule for screen and export (ConsoleActions.AuditLog): engineers can neither page through nor export it.
        var engineer = await ConsolePage.SignInAsync(browser.Browser, app, "engineer");
        await ConsolePage.WaitInteractiveAsync(engineer);
        await Expect(engineer.Locator("#nav-audit")).ToHaveCountAsync(0);
        await engineer.GotoAsync("audit");
        await engineer.WaitForURLAsync("**/access-denied**");
        await Expect(engineer.Locator("#access-denied")).ToBeVisibleAsync();

        var admin = await ConsolePage.SignInAsync(browser.Browser, app, "admin", darkMode: true);
        await admin.GotoAsync("audit");
        await ConsolePage.WaitInteractiveAsync(admin);
        await admin.FillAsync("#audit-actor", "admin");
        await admin.PressAsync("#audit-actor", "Tab");
        await admin.FillAsync("#audit-action", "auth.signin");
        await admin.PressAsync("#audit-action", "Tab");
        await Expect(admin.Locator("#audit-action")).ToHaveValueAsync("auth.signin");
        await admin.ClickAsync("#audit-apply");
        await ConsolePage.WaitForUrlAsync(admin, ConsolePage.Ending("/audit?actor=admin&action=auth.signin"));
        await Expect(admin.Locator("#audit-grid tbody tr").First).ToContainTextAsync("auth.signin");
        await Expect(admin.Locator("button#audit-export")).ToBeEnabledAsync();
        await ConsolePage.ScreenshotAsync(admin, "audit-filtered-dark");
    }
}
