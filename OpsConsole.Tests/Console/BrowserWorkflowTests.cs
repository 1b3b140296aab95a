using System.Text;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.Tests.Console;

[Collection(ConsoleAppCollection.Name)]
public sealed class BrowserWorkflowTests(ConsoleAppHost app, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Theory]
    [InlineData("finance")]
    [InlineData("engineer")]
    [InlineData("oncall")]
    [InlineData("admin")]
    public async Task EachRole_SignsIn_AndSeesTheDashboard(string role)
    {
        await app.Discrepancies;
        var page = await ConsolePage.SignInAsync(browser.Browser, app, role);

        await page.GotoAsync("?date=2026-11-20");
        await ConsolePage.WaitInteractiveAsync(page);

        await Expect(page.Locator("#current-user")).ToContainTextAsync(role);
        await Expect(page.Locator("#dashboard-by-type")).ToContainTextAsync("Amounts differ");
        // The control totals of a date a real run reconciled add up: our net − PG gross = Σ findings' differences.
        await Expect(page.Locator("#control-totals-status")).ToHaveAttributeAsync("data-adds-up", "true");
        await Expect(page.Locator("#control-totals-status")).ToContainTextAsync("Adds up");
        await Expect(page.Locator("#aging-matrix")).ToBeVisibleAsync();
        await Expect(page.Locator("#dashboard-trend svg").First).ToBeVisibleAsync();
        await ConsolePage.ScreenshotAsync(page, $"dashboard-{role}");
    }

    [Fact]
    public async Task Finance_FiltersExportsAndOpensAFinding()
    {
        var seeded = await app.Discrepancies;
        var page = await ConsolePage.SignInAsync(browser.Browser, app, "finance");

        await page.GotoAsync("discrepancies?from=2026-11-20&to=2026-11-20&type=AMOUNT_MISMATCH");
        await ConsolePage.WaitInteractiveAsync(page);
        await Expect(page.Locator("#findings-grid .finding-type").First).ToHaveAttributeAsync("data-code", "AMOUNT_MISMATCH");
        await Expect(page.Locator("#findings-grid .finding-type").First).ToHaveTextAsync("Amounts differ");
        await ConsolePage.ScreenshotAsync(page, "discrepancies-filtered");

        await page.FillAsync("#filter-text", seeded.Order("b"));
        await page.PressAsync("#filter-text", "Tab");
        await page.ClickAsync("#filter-apply");
        await ConsolePage.WaitForUrlAsync(page, ConsolePage.Containing($"q={seeded.Order("b")}"));
        await Expect(page.Locator("#findings-grid .finding-link")).ToHaveCountAsync(1);

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("button#findings-export"));
        Assert.Equal($"discrepancies_2026-11-20_2026-11-20_type-AMOUNT_MISMATCH_q-{seeded.Order("b")}.csv", download.SuggestedFilename);
        var saved = Path.Combine(BrowserFixture.ScreenshotDirectory, download.SuggestedFilename);
        await download.SaveAsAsync(saved);
        var csv = await File.ReadAllLinesAsync(saved);
        Assert.Equal(2, csv.Length);
        Assert.Contains(seeded.Order("b"), csv[1]);

        await page.ClickAsync("#findings-grid .finding-link");
        await Expect(page.Locator("#finding-type")).ToHaveAttributeAsync("data-code", "AMOUNT_MISMATCH");
        await ConsolePage.WaitInteractiveAsync(page);
        await Expect(page.Locator("#finding-sides tr.differs")).ToHaveAttributeAsync("data-field", "Amount (KRW)");
        await page.FillAsync("#finding-note-input", "PG short-paid 1,000 KRW; asked the PG");
        await page.PressAsync("#finding-note-input", "Tab");
        await Expect(page.Locator("button#finding-note")).ToBeEnabledAsync();
        await page.ClickAsync("button#finding-note");
        await Expect(page.Locator(".finding-note")).ToContainTextAsync("short-paid");
        await ConsolePage.ScreenshotAsync(page, "finding-detail");
    }

    [Fact]
    public async Task Oncall_RunsNow_AndSeesRejectedImportRows()
    {
        var page = await ConsolePage.SignInAsync(browser.Browser, app, "oncall");
        await page.GotoAsync("runs");
        await ConsolePage.WaitInteractiveAsync(page);

        await page.ClickAsync("button#run-now");
        await Expect(page.Locator("tr.run-row[data-status=SUCCEEDED]", new PageLocatorOptions { HasText = "oncall" }).First)
            .ToBeVisibleAsync();

        await page.SetInputFilesAsync("input[type=file]", new FilePayload
        {
            Name = "settlement-bad.csv",
            MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes(
                "paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate\n" +
                "pk_x,tx_x,order-x,CARD,abc,0,0,0,0,2026-11-20T03:00:00Z,2026-11-20,2026-11-22\n"),
        });
        await Expect(page.Locator("#import-result")).ToContainTextAsync("rejected");
        await Expect(page.Locator("#import-errors")).ToContainTextAsync("amount");
        await ConsolePage.ScreenshotAsync(page, "runs");
    }

    // Accessibility: LayoutBrowserTests runs axe-core on every page (the app's routes) in both themes.
}
