using System.Net;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Repairs;

namespace OpsConsole.Tests.Console;

/// <summary>
/// Every CSV download starts with exactly one UTF-8 byte order mark: Excel on Korean Windows otherwise reads the file
/// as CP949 and the Korean text turns to mojibake.
/// </summary>
[Collection(ConsoleAppCollection.Name)]
public sealed class CsvByteOrderMarkTests(ConsoleAppHost app)
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    [Theory]
    [InlineData("finance", "console/findings/export.csv?from=2026-11-20&to=2026-11-20")]
    [InlineData("admin", "console/audit/export.csv?action=csv.bom")]
    public async Task Export_StartsWithOneUtf8ByteOrderMark_AndKeepsKoreanText(string user, string path)
    {
        await app.Discrepancies;
        await new AuditLog(app.Db, TimeProvider.System).WriteAsync("admin", "csv.bom", "note", "x", reason: "고객 요청 환불");
        using var client = await app.SignedInClientAsync(user);

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("utf-8", response.Content.Headers.ContentType!.CharSet);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(Bom, bytes[..3]);
        Assert.NotEqual(Bom, bytes[3..6]);
        if (path.Contains("audit", StringComparison.Ordinal))
            Assert.Contains("고객 요청 환불", System.Text.Encoding.UTF8.GetString(bytes[3..]));
    }

    [Fact]
    public void RepairBatchReport_File_StartsWithTheByteOrderMark()
    {
        var batch = RepairBatch.Create("fin-1", "CHARGED_BUT_FAILED", "c", DateTimeOffset.UtcNow);
        var view = new RepairBatchView(batch, [RepairBatchItem.Skipped(7, 42, "pay-1", "이미 환불됨")]);

        var bytes = CsvCells.FileBytes(RepairBatchService.ReportCsv(view));

        Assert.Equal(Bom, bytes[..3]);
        Assert.StartsWith("batchId,", System.Text.Encoding.UTF8.GetString(bytes[3..]));
        Assert.Contains("이미 환불됨", System.Text.Encoding.UTF8.GetString(bytes));
    }
}
