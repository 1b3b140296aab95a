using Microsoft.Playwright;
using OpsConsole.Core.Gateway;
using OpsConsole.Tests.Console;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.Tests.RepairsUi;

public sealed partial class RepairBrowserTests
{
    /// <summary>
    /// MISSING_INTERNAL has a way out: the trace page shows what the PG says about a payment we lack; finance requests a
    /// refund at the PG by paymentKey from the finding; on-call approves, is asked once more (amount and payment key),
    /// and the PG cancels once while our ledger records the payment and its cancel.
    /// </summary>
    [Fact]
    public async Task MissingInternal_TraceShowsThePgSide_FinanceRequestsARefundByPaymentKey_OncallConfirmsAndThePgCancels()
    {
        var (key, findingId) = await fx.PgOnlyFindingAsync(23_400);

        var finance = await SignInAsync("finance");
        await GoAsync(finance, $"trace/payment/{key}");
        await Expect(finance.Locator("#payment-pg-lookup")).ToContainTextAsync("From the PG, not in our ledger");
        await Expect(finance.Locator("#pg-status")).ToHaveTextAsync("DONE");
        await Expect(finance.Locator("#pg-amount")).ToContainTextAsync("23,400 / 23,400");
        await ConsolePage.ScreenshotAsync(finance, "missing-internal-trace");
        await AssertAccessibleAsync(finance, "trace of a payment only the PG knows");

        await GoAsync(finance, $"discrepancies/{findingId}");
        await finance.ClickAsync("button#request-repair");
        await finance.WaitForSelectorAsync("#repair-form");
        await Expect(finance.Locator("#repair-ledger")).ToContainTextAsync("not in our ledger");
        await Expect(finance.Locator("button#repair-kind-REFUND")).ToContainTextAsync("Refund at the PG by paymentKey");
        await Expect(finance.Locator("button#repair-kind-RECORD_APPROVAL")).ToBeEnabledAsync();
        await Expect(finance.Locator("button#repair-kind-MARK_RESOLVED")).ToBeEnabledAsync();
        await finance.FillAsync("#repair-confirm-amount", "23400");
        await finance.ClickAsync("#repair-reason-CUSTOMER_REQUEST");
        await finance.FillAsync("#repair-comment", "charged for an order our core never saw (OPS-2001)");
        await Expect(finance.Locator("#repair-effect")).ToContainTextAsync("is added to our ledger from the PG's data");
        await ConsolePage.ScreenshotAsync(finance, "missing-internal-repair-dialog");
        await finance.ClickAsync("button#repair-submit");
        await ConsolePage.WaitForUrlAsync(finance, new System.Text.RegularExpressions.Regex(@"/repairs/\d+$"));
        var repairId = finance.Url[(finance.Url.LastIndexOf('/') + 1)..];

        var oncall = await SignInAsync("oncall");
        await GoAsync(oncall, $"repairs/{repairId}");
        await oncall.ClickAsync("button#repair-approve");
        await Expect(oncall.Locator("#confirm-execute-amount")).ToContainTextAsync("23,400 KRW");
        await Expect(oncall.Locator("#confirm-execute-target")).ToContainTextAsync(key);
        await ConsolePage.ScreenshotAsync(oncall, "missing-internal-confirm-execute");
        await oncall.ClickAsync("button#confirm-execute-ok");
        await Expect(oncall.Locator("#confirm-execute-dialog")).ToHaveCountAsync(0);
        // The PG is asked, the payment recorded, the cancel sent and the recheck run before the page reloads.
        await Expect(oncall.Locator("#repair-status")).ToHaveTextAsync("SUCCEEDED", new() { Timeout = 30_000 });

        var atPg = (await fx.Host.Get<IPaymentGateway>().GetPaymentAsync(key)).Value!;
        Assert.Equal(("CANCELED", 0L, 1), (atPg.Status, atPg.BalanceAmount, atPg.Cancels!.Count));
        await GoAsync(oncall, $"trace/payment/{key}");
        await Expect(oncall.Locator("#payment-status")).ToHaveTextAsync("CANCELED");
        await oncall.Context.CloseAsync();
        await finance.Context.CloseAsync();
    }
}
