using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Repairs;
using OpsConsole.Tests.Console;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.Tests.RepairsUi;

/// <summary>
/// The repair story in headless Chromium against the real app on PostgreSQL and the sandbox PG: finance
/// requests a refund for a CHARGED_BUT_FAILED finding, cannot approve it, on-call approves, the PG cancels,
/// the finding is resolved with a link to the repair, and the audit log tells the whole story. In bulk: finance
/// requests one batch for all findings matching a filter, on-call approves it once, the report downloads.
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

    /// <summary>
    /// on-call signs in, finds the <paramref name="row"/> finance requested in the repairs queue (screenshot and axe
    /// scan named <paramref name="what"/>) and follows its <paramref name="link"/> to <paramref name="path"/>.
    /// </summary>
    private async Task<IPage> OncallOpensFromTheQueueAsync(string row, string link, string path, string what)
    {
        var oncall = await SignInAsync("oncall");
        await GoAsync(oncall, "repairs");
        var found = oncall.Locator(row);
        await Expect(found).ToContainTextAsync("finance");
        await ConsolePage.ScreenshotAsync(oncall, $"{what}-waiting-for-oncall");
        await AssertAccessibleAsync(oncall, what);
        await found.Locator(link).ClickAsync();
        await ConsolePage.WaitForUrlAsync(oncall, ConsolePage.Ending($"/{path}"));
        await ConsolePage.WaitInteractiveAsync(oncall);
        return oncall;
    }

    /// <summary>No serious or critical axe violations on what the page shows now.</summary>
    private static async Task AssertAccessibleAsync(IPage page, string what)
    {
        // Colours are judged as shown, not half-way through a fade-in (a snackbar opening is translucent).
        await page.WaitForFunctionAsync("() => document.getAnimations().every(a => a.playState !== 'running')");
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
        await Expect(finance.Locator("#finding-type")).ToHaveAttributeAsync("data-code", "CHARGED_BUT_FAILED");
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

        await ConsolePage.WaitForUrlAsync(finance, new Regex(@"/repairs/\d+$"));
        var repairId = long.Parse(RepairIdInUrl().Match(finance.Url).Groups[1].Value);
        await Expect(finance.Locator("#repair-status")).ToHaveTextAsync("REQUESTED");
        await Expect(finance.Locator("button#repair-approve")).ToBeDisabledAsync();
        await Expect(finance.Locator("#repair-approve-why")).ToContainTextAsync("You requested repair");
        await ConsolePage.ScreenshotAsync(finance, "repair-requested-requester-cannot-approve");

        // on-call finds it waiting and approves; it executes at once.
        var oncall = await OncallOpensFromTheQueueAsync($"#repairs-table tr.repair-row[data-repair-id='{repairId}']", "a.repair-link",
            $"repairs/{repairId}", "repairs");
        await Expect(oncall.Locator("#repair-evidence")).ToContainTextAsync("CHARGED_BUT_FAILED");
        await Expect(oncall.Locator("button#repair-approve")).ToBeEnabledAsync();
        await oncall.ClickAsync("button#repair-approve");
        // Asked once more, with the amount and the target, before money moves.
        await Expect(oncall.Locator("#confirm-execute-amount")).ToContainTextAsync("KRW");
        await Expect(oncall.Locator("#confirm-execute-target")).ToContainTextAsync(key);
        await ConsolePage.ScreenshotAsync(oncall, "repair-confirm-execute");
        await oncall.ClickAsync("button#confirm-execute-ok");
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

    [Fact]
    public async Task FinanceRequestsABatchOfAllMatching_CannotApproveIt_OncallApproves_PgCancels_ReportDownloads_AuditTellsTheStory()
    {
        // Three charged-but-failed payments with amounts no other test uses, so a filter finds exactly them;
        // the third is already held by a single repair, so the batch must skip it, not repeat it.
        var found = await fx.ChargedButFailedFindingsAsync(8_101, 8_102, 8_103);
        var held = await fx.Host.Get<RepairService>().RequestAsync(new RepairCommand(RepairKind.REFUND, found[2].PaymentKey,
            found[2].FindingId, 8_103, 8_103, "OTHER", "held by hand", "admin"), ["admin"]);

        // finance filters by type and amount, takes all matching and requests one batch with a reason.
        var finance = await SignInAsync("finance");
        await GoAsync(finance, "discrepancies?type=CHARGED_BUT_FAILED&min=8101&max=8103");
        await Expect(finance.Locator("#findings-grid .finding-link")).ToHaveCountAsync(3);
        await Expect(finance.Locator("#finding-total")).ToContainTextAsync("3 finding(s) match");
        await Expect(finance.Locator("button#bulk-refund")).ToBeDisabledAsync();
        await finance.Locator("#bulk-all input, input#bulk-all").CheckAsync();
        await Expect(finance.Locator("#bulk-target")).ToContainTextAsync("all 3 matching");
        await finance.ClickAsync("button#bulk-refund");
        await Expect(finance.Locator("#batch-target-count")).ToHaveTextAsync("3 findings");
        await Expect(finance.Locator("#batch-target-money")).ToHaveTextAsync("24,306 KRW");
        await Expect(finance.Locator("button#batch-submit")).ToBeDisabledAsync();
        await Expect(finance.Locator("#batch-submit-hint")).ToHaveTextAsync("Choose a reason code.");
        await finance.ClickAsync("button#batch-reason-CHARGED_BUT_FAILED");
        await Expect(finance.Locator("#batch-submit-hint")).ToContainTextAsync("Write a comment");
        await finance.FillAsync("#batch-comment", "nightly clean-up: PG charged while checkout said failed (OPS-2001)");
        await Expect(finance.Locator("button#batch-submit")).ToBeEnabledAsync();
        await ConsolePage.ScreenshotAsync(finance, "batch-dialog");
        await AssertAccessibleAsync(finance, "bulk refund dialog");
        await finance.ClickAsync("button#batch-submit");

        await ConsolePage.WaitForUrlAsync(finance, BatchIdInUrl());
        var batchId = long.Parse(BatchIdInUrl().Match(finance.Url).Groups[1].Value);
        await Expect(finance.Locator("#batch-status")).ToHaveTextAsync("REQUESTED");
        await Expect(finance.Locator("#batch-totals")).ToContainTextAsync("2 refund(s) · 16,203 KRW");
        var heldItem = finance.Locator($"#batch-items tr.batch-item[data-finding-id='{found[2].FindingId}']");
        await Expect(heldItem).ToHaveAttributeAsync("data-result", "SKIPPED");
        await Expect(heldItem.Locator(".batch-item-why")).ToContainTextAsync($"repair #{held.Id}");
        await Expect(finance.Locator("button#batch-approve")).ToBeDisabledAsync();
        await Expect(finance.Locator("#batch-approve-why")).ToContainTextAsync($"You requested batch #{batchId}");
        await ConsolePage.ScreenshotAsync(finance, "batch-requested-requester-cannot-approve");

        // on-call finds the batch waiting and approves it once; the items execute.
        var oncall = await OncallOpensFromTheQueueAsync($"#repair-batches-table tr.batch-row[data-batch-id='{batchId}']", "a.batch-link",
            $"repairs/batches/{batchId}", "repairs-batch");
        await Expect(oncall.Locator("button#batch-approve")).ToBeEnabledAsync();
        await oncall.ClickAsync("button#batch-approve");
        await Expect(oncall.Locator("#confirm-execute-target")).ToContainTextAsync($"#{batchId}");
        await oncall.ClickAsync("button#confirm-execute-ok");
        await Expect(oncall.Locator("#batch-status")).ToHaveTextAsync("DONE");
        await Expect(oncall.Locator("#batch-approved-by")).ToContainTextAsync("oncall");
        foreach (var (key, _, findingId) in found.Take(2))
        {
            var item = oncall.Locator($"#batch-items tr.batch-item[data-finding-id='{findingId}']");
            await Expect(item).ToHaveAttributeAsync("data-result", "SUCCEEDED");
            await Expect(item).ToContainTextAsync(key);
        }
        await Expect(oncall.Locator("#batch-count-SUCCEEDED")).ToContainTextAsync("succeeded 2");
        await Expect(oncall.Locator("#batch-count-SKIPPED")).ToContainTextAsync("skipped 1");
        await ConsolePage.ScreenshotAsync(oncall, "batch-done");
        await AssertAccessibleAsync(oncall, "batch page");

        // The report downloads with one line per item and why.
        var download = await oncall.RunAndWaitForDownloadAsync(() => oncall.ClickAsync("#batch-report"));
        Assert.StartsWith($"repair-batch-{batchId}", download.SuggestedFilename);
        var report = (await File.ReadAllLinesAsync(await download.PathAsync())).Where(l => l.Length > 0).ToList();
        Assert.Equal("batchId,findingId,paymentKey,repairId,amount,result,why", report[0]);
        Assert.Equal(4, report.Count);
        Assert.Contains(report, l => l.StartsWith($"{batchId},{found[0].FindingId},{found[0].PaymentKey},", StringComparison.Ordinal) && l.Contains(",8101,SUCCEEDED,"));
        Assert.Contains(report, l => l.StartsWith($"{batchId},{found[1].FindingId},{found[1].PaymentKey},", StringComparison.Ordinal) && l.Contains(",8102,SUCCEEDED,"));
        Assert.Contains(report, l => l.StartsWith($"{batchId},{found[2].FindingId},{found[2].PaymentKey},", StringComparison.Ordinal) && l.Contains(",SKIPPED,"));

        // The sandbox PG shows the two charges cancelled and the held one untouched.
        var pg = fx.Host.Get<IPaymentGateway>();
        foreach (var (key, _, _) in found.Take(2))
        {
            var atPg = (await pg.GetPaymentAsync(key)).Value!;
            Assert.Equal(("CANCELED", 0L), (atPg.Status, atPg.BalanceAmount));
        }
        Assert.Empty((await pg.GetPaymentAsync(found[2].PaymentKey)).Value!.Cancels!);

        // The audit page shows the batch's story, who did what.
        await GoAsync(oncall, $"audit?action=repair.batch&target={batchId}");
        var grid = oncall.Locator("#audit-grid tbody");
        foreach (var (actor, action) in new[] { ("finance", "repair.batch.request"), ("oncall", "repair.batch.approve"), ("oncall", "repair.batch.done") })
            await Expect(grid.Locator("tr", new LocatorLocatorOptions { HasText = action }).Filter(new LocatorFilterOptions { HasText = actor }))
                .ToHaveCountAsync(1);
        await ConsolePage.ScreenshotAsync(oncall, "audit-batch-story");
    }

    [GeneratedRegex(@"/repairs/(\d+)$")]
    private static partial Regex RepairIdInUrl();

    [GeneratedRegex(@"/repairs/batches/(\d+)$")]
    private static partial Regex BatchIdInUrl();
}
