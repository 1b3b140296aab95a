using System.Net;
using System.Text;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Repairs;
using OpsConsole.Tests.Reconciliation;

namespace OpsConsole.Tests.Console;

/// <summary>Every CSV the product writes neutralises formula cells and keeps numbers numbers.</summary>
[Collection(ConsoleAppCollection.Name)]
public sealed class CsvExportInjectionTests(ConsoleAppHost app)
{
    [Fact]
    public async Task FindingsExport_NeutralisesFormulaKeys_AndKeepsNegativeAmountsAsNumbers()
    {
        // A PG line (we have no such payment) whose keys were crafted as spreadsheet formulas, and a cancel of -5000.
        var date = new DateOnly(2026, 10, 3);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var csv = "paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate\n" +
                  $"\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"x\"\")\",@tx{suffix},+order-{suffix},CARD,-5000,0,-5000,0,-5000,2026-10-03T10:00:00+09:00,2026-10-03,2026-10-05\n";
        var import = await new SettlementImporter(app.Db, TimeProvider.System).ImportCsvAsync(
            new MemoryStream(Encoding.UTF8.GetBytes(csv)), "evil.csv", "tester");
        Assert.Equal(ImportOutcome.Imported, import.Outcome);
        await ReconTestSupport.Service(app.Db).RunAsync(date, RunTrigger.CLI, "tester");
        using var client = await app.SignedInClientAsync("finance");

        var response = await client.GetAsync("console/findings/export.csv?from=2026-10-03&to=2026-10-03");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var row = Assert.Single((await response.Content.ReadAsStringAsync()).Split('\n'), l => l.Contains(suffix, StringComparison.Ordinal));
        Assert.Contains($",'@tx{suffix},\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"x\"\")\",'+order-{suffix},", row, StringComparison.Ordinal);
        Assert.Contains(",-5000,", row, StringComparison.Ordinal);
        Assert.DoesNotContain(",'-5000", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditExport_NeutralisesFormulaText()
    {
        var actor = "csv-" + Guid.NewGuid().ToString("N")[..8];
        await new AuditLog(app.Db, TimeProvider.System).WriteAsync(actor, "test.formula", "x", "-2+3",
            before: "+cmd|' /C calc'!A0", after: "@SUM(1,2)", reason: "=1+2", outcome: "\tok");
        using var client = await app.SignedInClientAsync("admin");

        var response = await client.GetAsync($"console/audit/export.csv?actor={actor}");

        var row = Assert.Single((await response.Content.ReadAsStringAsync()).Split('\n'), l => l.Contains(actor, StringComparison.Ordinal));
        Assert.Contains($",{actor},test.formula,x,'-2+3,,'+cmd|' /C calc'!A0,\"'@SUM(1,2)\",'=1+2,'\tok,", row, StringComparison.Ordinal);
    }

    [Fact]
    public void RepairBatchReport_NeutralisesFormulaText_AndKeepsNumbers()
    {
        var batch = RepairBatch.Create("fin-1", "CHARGED_BUT_FAILED", "c", DateTimeOffset.UtcNow);
        var view = new RepairBatchView(batch,
        [
            RepairBatchItem.Skipped(7, 42, "=cmd|' /C calc'!A0", "-1+1 already refunded"),
            RepairBatchItem.Planned(7, 43, "pay-ok", 9, 12_000),
        ]);

        var lines = RepairBatchService.ReportCsv(view).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("7,42,'=cmd|' /C calc'!A0,,0,SKIPPED,'-1+1 already refunded", lines[1]);
        Assert.Equal("7,43,pay-ok,9,12000,PENDING,", lines[2]);
    }
}
