using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Console;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.Tests.RepairsUi;

/// <summary>
/// The repair story in headless Chromium against the real app on PostgreSQL and the sandbox PG: finance
/// requests a refund for a CHARGED_BUT_FAILED finding, cannot approve it, on-call approves, the PG cancels,
/// the finding is resolved with a link to the repair, and the audit log tells the whole story.
/// </summary>
public sealed partial class RepairBrowserTests(RepairsAppFixture fx, BrowserFixture browser)
    : IClassFixture<RepairsAppFixture>, IClassFixture<BrowserFixture>
{
    private async Task<IPage> SignInAsync(string userName)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = fx.Host.BaseUri.ToString(),
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
        });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("signin");
        await page.FillAsync("#userName", userName);
        await page.FillAsync("#password", ConsoleAppHost.DemoPassword);
        await page.ClickAsync("#signin-submit");
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
        await ConsolePage.WaitInteractiveAsync(page);
        return page;
    }

    private static async Task GoAsync(IPage page, string url)
    {
        await page.GotoAsync(url);
        await ConsolePage.WaitInteractiveAsync(page);
    }

    /// <summary>No serious or critical axe violations on what the page shows now.</summary>
    private static async Task AssertAccessibleAsync(IPage page, string what)
    {
        var result = await page.RunAxe();
        var problems = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{what}: {v.Id} ({v.Impact}) {v.Help} — {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}").ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task FinanceRequestsARefund_CannotApproveIt_OncallApproves_PgCancels_FindingResolved_AuditTellsTheStory()
    {
        var (key, _, findingId) = await fx.ChargedButFailedFindingAsync(7_000);

        // finance opens the finding and requests a full refund through the dialog.
        var finance = await SignInAsync("finance");
        await GoAsync(finance, $"discrepancies/{findingId}");
        await Expect(finance.Locator("#finding-type")).ToHaveTextAsync("CHARGED_BUT_FAILED");
        await finance.ClickAsync("button#request-repair");
        await finance.WaitForSelectorAsync("#repair-form");
        await Expect(finance.Locator("#repair-pg")).ToContainTextAsync("DONE");
        await Expect(finance.Locator("#repair-ledger")).ToContainTextAsync("ABORTED");
        await Expect(finance.Locator("button#repair-kind-REFUND")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(finance.Locator("#repair-amount")).ToHaveValueAsync("7000");
        await Expect(finance.Locator("button#repair-submit")).ToBeDisabledAsync();

        await finance.FillAsync("#repair-confirm-amount", "700");
        await Expect(finance.Locator("#repair-submit-hint")).ToHaveTextAsync("The typed amount does not match 7,000 KRW.");
        await finance.FillAsync("#repair-confirm-amount", "7000");
        await finance.ClickAsync("#repair-reason-CHARGED_BUT_FAILED");
        await finance.FillAsync("#repair-comment", "PG charged while checkout told the customer it failed (ticket OPS-1234)");
        await Expect(finance.Locator("#repair-effect-balance")).ToContainTextAsync("7,000 → 0 KRW");
        await Expect(finance.Locator("#repair-effect")).ToContainTextAsync("status ABORTED → DONE");
        await Expect(finance.Locator("button#repair-submit")).ToBeEnabledAsync();
        await ConsolePage.ScreenshotAsync(finance, "repair-dialog-refund");
        await AssertAccessibleAsync(finance, "repair dialog");
        await finance.ClickAsync("button#repair-submit");

        await finance.WaitForURLAsync(new Regex(@"/repairs/\d+$"));
        var repairId = long.Parse(RepairIdInUrl().Match(finance.Url).Groups[1].Value);
        await Expect(finance.Locator("#repair-status")).ToHaveTextAsync("REQUESTED");
        await Expect(finance.Locator("button#repair-approve")).ToBeDisabledAsync();
        await Expect(finance.Locator("#repair-approve-why")).ToContainTextAsync("You requested repair");
        await ConsolePage.ScreenshotAsync(finance, "repair-requested-requester-cannot-approve");

        // on-call finds it waiting and approves; it executes at once.
        var oncall = await SignInAsync("oncall");
        await GoAsync(oncall, "repairs");
        var row = oncall.Locator($"#repairs-table tr.repair-row[data-repair-id='{repairId}']");
        await Expect(row).ToContainTextAsync("finance");
        await ConsolePage.ScreenshotAsync(oncall, "repairs-waiting-for-oncall");
        await AssertAccessibleAsync(oncall, "repairs");
        await row.Locator("a.repair-link").ClickAsync();
        await oncall.WaitForURLAsync($"**/repairs/{repairId}");
        await ConsolePage.WaitInteractiveAsync(oncall);
        await Expect(oncall.Locator("#repair-evidence")).ToContainTextAsync("CHARGED_BUT_FAILED");
        await Expect(oncall.Locator("button#repair-approve")).ToBeEnabledAsync();
        await oncall.ClickAsync("button#repair-approve");
        await Expect(oncall.Locator("#repair-status")).ToHaveTextAsync("SUCCEEDED");
        await Expect(oncall.Locator("#repair-approved-by")).ToContainTextAsync("oncall");
        await Expect(oncall.Locator("#repair-timeline .repair-step-action")).ToContainTextAsync(
            ["repair.request", "repair.approve", "repair.execute", "repair.succeeded", "repair.recheck"]);
        await ConsolePage.ScreenshotAsync(oncall, "repair-succeeded");
        await AssertAccessibleAsync(oncall, "repair detail");

        // The sandbox PG shows the charge cancelled.
        var atPg = await fx.Host.Get<IPaymentGateway>().GetPaymentAsync(key);
        Assert.Equal("CANCELED", atPg.Value!.Status);
        Assert.Equal(0, atPg.Value.BalanceAmount);

        // The finding is resolved, linked to the repair.
        await GoAsync(oncall, $"discrepancies/{findingId}");
        await Expect(oncall.Locator("#finding-status")).ToHaveTextAsync("RESOLVED");
        await Expect(oncall.Locator($"a.payment-repair-link[href='repairs/{repairId}']")).ToBeVisibleAsync();
        await Expect(oncall.Locator(".finding-note").Last).ToContainTextAsync($"Resolved by repair #{repairId}");
        await ConsolePage.ScreenshotAsync(oncall, "finding-resolved-by-repair");
        await using (var db = await fx.Database.Factory.CreateDbContextAsync())
            Assert.Equal(FindingStatus.RESOLVED, (await db.Set<Finding>().SingleAsync(f => f.Id == findingId)).Status);

        // The audit page shows every step, who took it.
        await GoAsync(oncall, $"audit?action=repair.&target={repairId}");
        var grid = oncall.Locator("#audit-grid tbody");
        foreach (var (actor, action) in new[]
                 {
                     ("finance", "repair.request"), ("oncall", "repair.approve"), ("oncall", "repair.execute"),
                     ("system", "repair.succeeded"), ("system", "repair.recheck"),
                 })
            await Expect(grid.Locator("tr", new LocatorLocatorOptions { HasText = action }).Filter(new LocatorFilterOptions { HasText = actor }))
                .ToHaveCountAsync(1);
        await ConsolePage.ScreenshotAsync(oncall, "audit-repair-story");
    }

    [Fact]
    public async Task Engineer_SeesRepairActionsDisabled_WithTheReason()
    {
        var (key, _) = await fx.ChargedButFailedPaymentAsync();
        var engineer = await SignInAsync("engineer");
        await GoAsync(engineer, $"trace/payment/{key}");
        await Expect(engineer.Locator("button#request-repair")).ToBeDisabledAsync();
        await Expect(engineer.Locator("#request-repair-reason")).ToHaveTextAsync(
            OpsConsole.Components.Account.ConsoleActions.RequestRepair.DeniedReason);
        await Expect(engineer.Locator("#payment-repairs-empty")).ToBeVisibleAsync();
    }

    [GeneratedRegex(@"/repairs/(\d+)$")]
    private static partial Regex RepairIdInUrl();
}
