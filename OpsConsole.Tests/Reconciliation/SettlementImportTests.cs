using System.Text;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

public abstract class SettlementImportTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    private const string Header = "paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate,currency,mId";

    public Task InitializeAsync() => Ledger.ClearAsync(db.Factory);
    public Task DisposeAsync() => Task.CompletedTask;

    private SettlementImporter Importer() =>
        new(db.Factory, TimeProvider.System, new AuditLog(db.Factory, TimeProvider.System));

    private static MemoryStream Csv(string text, bool bom = false)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return new MemoryStream(bom ? [0xEF, 0xBB, 0xBF, .. bytes] : bytes);
    }

    private async Task<int> LineCountAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.Set<SettlementLine>().CountAsync();
    }

    [Fact]
    public async Task Import_ValidFileWithBomCrlfAndQuotes_StoresEveryLineIncludingDuplicates()
    {
        var text = Header + "\r\n" +
                   "pay-1,tx-1,order-1,카드,10000,250,9091,909,9750,2026-03-15T23:59:59.999+09:00,2026-03-15,2026-03-17,KRW,\"m,1\"\r\n" +
                   "pay-1,tx-1c,order-1,CARD,-4000,-100,-3636,-364,-3900,2026-03-16T00:00:00Z,2026-03-16,2026-03-18,KRW,\r\n" +
                   "pay-2,tx-2,order-2,\"간편결제\",5000,150,4545,455,4850,2026-03-15T12:00:00+09:00,2026-03-15,2026-03-17,KRW,\r\n" +
                   "pay-2,tx-2,order-2,\"간편결제\",5000,150,4545,455,4850,2026-03-15T12:00:00+09:00,2026-03-15,2026-03-17,KRW,\r\n";

        var result = await Importer().ImportCsvAsync(Csv(text, bom: true), "/tmp/settle-0315.csv", "alice");

        Assert.Equal(ImportOutcome.Imported, result.Outcome);
        Assert.Equal(4, result.RowCount);
        Assert.Equal("settle-0315.csv", result.FileName);
        await using var ctx = db.Factory.CreateDbContext();
        var lines = await ctx.Set<SettlementLine>().OrderBy(l => l.LineNumber).ToListAsync();
        Assert.Equal(4, lines.Count);
        Assert.Equal(2, lines.Count(l => l.TransactionKey == "tx-2"));
        Assert.Equal("m,1", lines[0].MId);
        Assert.Equal(new DateTimeOffset(2026, 3, 15, 14, 59, 59, 999, TimeSpan.Zero), lines[0].ApprovedAt);
        Assert.Equal(-4000, lines[1].Amount);
        Assert.Equal("KRW", lines[1].Currency);
        Assert.Equal(Core.Payments.PaymentMethod.EASY_PAY, lines[2].Method);
        Assert.Equal([2, 3, 4, 5], lines.Select(l => l.LineNumber));
        var import = await ctx.Set<SettlementImport>().SingleAsync();
        Assert.Equal("alice", import.ImportedBy);
        Assert.Equal(64, import.Sha256.Length);
    }

    [Fact]
    public async Task Import_SameFileTwice_ChangesNothing()
    {
        var text = Header + "\n" +
                   "pay-1,tx-1,order-1,CARD,10000,250,9091,909,9750,2026-03-15T10:00:00+09:00,2026-03-15,2026-03-17,KRW,\n";
        var first = await Importer().ImportCsvAsync(Csv(text), "a.csv", "alice");

        var second = await Importer().ImportCsvAsync(Csv(text), "renamed.csv", "bob");

        Assert.Equal(ImportOutcome.Imported, first.Outcome);
        Assert.Equal(ImportOutcome.AlreadyImported, second.Outcome);
        Assert.Equal(first.ImportId, second.ImportId);
        Assert.Equal(1, await LineCountAsync());
    }

    [Fact]
    public async Task Import_FileWithBadRows_IsRejectedWholeWithLineNumbersAndReasons()
    {
        var text = Header + "\n" +
                   "pay-1,tx-1,order-1,CARD,10000,250,9091,909,9750,2026-03-15T10:00:00+09:00,2026-03-15,2026-03-17,KRW,\n" +
                   "pay-2,tx-2,order-2,BITCOIN,12x00,250,9091,909,9750,2026-03-15 10:00:00,2026-02-30,2026-03-17,KRW,\n" +
                   "pay-3,,order-3,CARD,10000,250,9091,909,9750,2026-03-15T10:00:00+09:00,2026-03-15,2026-03-14,KRW,\n" +
                   "pay-4,tx-4,order-4,CARD,10000\n";

        var result = await Importer().ImportCsvAsync(Csv(text), "bad.csv", "alice");

        Assert.Equal(ImportOutcome.Rejected, result.Outcome);
        Assert.Null(result.ImportId);
        var messages = result.Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(messages, m => m.StartsWith("line 3: method:", StringComparison.Ordinal) && m.Contains("BITCOIN"));
        Assert.Contains(messages, m => m.StartsWith("line 3: amount:", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("line 3: approvedAt:", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("line 3: soldDate:", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("line 4: transactionKey: is empty", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("line 4: paidOutDate:", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("line 5:", StringComparison.Ordinal) && m.Contains("fields"));
        Assert.Equal(0, await LineCountAsync());
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal(0, await ctx.Set<SettlementImport>().CountAsync());
    }

    [Theory]
    [InlineData("paymentKey,transactionKey\npay-1,tx-1\n", "required column is missing")]
    [InlineData("", "empty")]
    [InlineData(Header + "\n", "no lines")]
    [InlineData(Header + "\npay-1,tx-1,\"order-1,CARD,10000,250,9091,909,9750,2026-03-15T10:00:00+09:00,2026-03-15,2026-03-17,KRW,\n", "")]
    public async Task Import_MalformedFile_IsRejected(string text, string reason)
    {
        var result = await Importer().ImportCsvAsync(Csv(text), "x.csv", "alice");

        Assert.Equal(ImportOutcome.Rejected, result.Outcome);
        Assert.Contains(result.Errors, e => e.Message.Contains(reason, StringComparison.Ordinal));
        Assert.Equal(0, await LineCountAsync());
    }

    private async Task<Dictionary<string, bool[]>> KeyRepeatedByKeyAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        return (await ctx.Set<SettlementLine>().OrderBy(l => l.Id).ToListAsync())
            .GroupBy(l => l.TransactionKey).ToDictionary(g => g.Key, g => g.Select(l => l.KeyRepeated).ToArray());
    }

    [Fact]
    public async Task Import_KeyReportedTwiceInOneFile_MarksBothLines_AndOthersStaySingle()
    {
        var text = Header + "\n" +
                   "pay-1,tx-1,order-1,CARD,10000,250,9091,909,9750,2026-03-15T10:00:00+09:00,2026-03-15,2026-03-17,KRW,\n" +
                   "pay-2,tx-2,order-2,CARD,5000,125,4545,455,4875,2026-03-15T11:00:00+09:00,2026-03-15,2026-03-17,KRW,\n" +
                   "pay-1,tx-1,order-1,CARD,10000,250,9091,909,9750,2026-03-15T10:00:00+09:00,2026-03-15,2026-03-17,KRW,\n";

        await Importer().ImportCsvAsync(Csv(text), "a.csv", "alice");

        var marks = await KeyRepeatedByKeyAsync();
        Assert.Equal(new[] { true, true }, marks["tx-1"]);
        Assert.Equal(new[] { false }, marks["tx-2"]);
    }

    [Fact]
    public async Task Import_KeyAlreadyHeldOnAnotherDay_MarksTheHeldLineToo()
    {
        // The file of 03-16 does not supersede the line of 03-15: the PG reported tx-1 on two days.
        await Importer().ImportCsvAsync(Csv(Header + "\n" +
            "pay-1,tx-1,order-1,CARD,10000,250,9091,909,9750,2026-03-15T10:00:00+09:00,2026-03-15,2026-03-17,KRW,\n"), "a.csv", "alice");
        Assert.Equal(new[] { false }, (await KeyRepeatedByKeyAsync())["tx-1"]);

        await Importer().ImportCsvAsync(Csv(Header + "\n" +
            "pay-1,tx-1,order-1,CARD,10000,250,9091,909,9750,2026-03-15T10:00:00+09:00,2026-03-16,2026-03-18,KRW,\n" +
            "pay-3,tx-3,order-3,CARD,7000,175,6364,636,6825,2026-03-16T12:00:00+09:00,2026-03-16,2026-03-18,KRW,\n"), "b.csv", "bob");

        var marks = await KeyRepeatedByKeyAsync();
        Assert.Equal(new[] { true, true }, marks["tx-1"]);
        Assert.Equal(new[] { false }, marks["tx-3"]);
    }

    [Fact]
    public async Task Database_RefusesASecondUnmarkedLineOfAKey()
    {
        var line = "pay-1,tx-1,order-1,CARD,10000,250,9091,909,9750,2026-03-15T10:00:00+09:00,2026-03-15,2026-03-17,KRW,\n";
        await Importer().ImportCsvAsync(Csv(Header + "\n" + line), "a.csv", "alice");
        await using var ctx = db.Factory.CreateDbContext();
        var import = SettlementImport.ForCsv("raw.csv", new string('0', 64), 1, "test", DateTimeOffset.UtcNow, OpsConsole.Core.Gateway.PgConnections.LegacyName);
        ctx.Add(import);
        // Bypassing SettlementLineWriter: the unique index of single-line keys stops it.
        var (parsed, _) = SettlementImporter.Parse(Encoding.UTF8.GetBytes(Header + "\n" + line));
        ctx.Add(parsed[0].ToEntity(import));

        await Assert.ThrowsAsync<DbUpdateException>(() => ctx.SaveChangesAsync());
    }

    [Fact]
    public async Task Import_InvalidUtf8_IsRejected()
    {
        var bytes = Encoding.UTF8.GetBytes(Header + "\npay-1,tx-1,order-1,CARD,10000,250,9091,909,9750,2026-03-15T10:00:00+09:00,2026-03-15,2026-03-17,KRW,\n");
        bytes[^5] = 0xFF;

        var result = await Importer().ImportCsvAsync(new MemoryStream(bytes), "x.csv", "alice");

        Assert.Equal(ImportOutcome.Rejected, result.Outcome);
        Assert.Contains(result.Errors, e => e.Message.Contains("UTF-8", StringComparison.Ordinal));
    }
}

public sealed class SqliteSettlementImportTests(SqliteTestDatabase db)
    : SettlementImportTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresSettlementImportTests(PostgresTestDatabase db)
    : SettlementImportTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;
