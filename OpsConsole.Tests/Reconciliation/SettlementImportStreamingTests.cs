using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// The import streams: it reads an upload as it arrives (asynchronously, without seeking, as the browser's file
/// stream does), stays all-or-nothing when the bad row comes late, and recognises the same bytes by their hash.
/// Peak memory is measured by <c>bench import</c>, not here.
/// </summary>
public abstract class SettlementImportStreamingTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    private const string Header = "paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate,currency,mId";

    public Task InitializeAsync() => Ledger.ClearAsync(db.Factory);
    public Task DisposeAsync() => Task.CompletedTask;

    private SettlementImporter Importer() => new(db.Factory, TimeProvider.System);

    private static string File(int lines, string prefix, int? badLine = null)
    {
        var sb = new StringBuilder(Header).Append('\n');
        for (var n = 1; n <= lines; n++)
        {
            var day = 10 + n % 3;
            var amount = n == badLine ? "12x00" : (1_000 + n).ToString(CultureInfo.InvariantCulture);
            sb.Append(CultureInfo.InvariantCulture,
                $"pay-{prefix}{n},tx-{prefix}{n},order-{prefix}{n},카드,{amount},25,900,100,975,2026-03-{day}T10:00:00+09:00,2026-03-{day},2026-03-{day + 2},KRW,m{n % 7}\n");
        }
        return sb.ToString();
    }

    private async Task<List<SettlementLine>> LinesAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.Set<SettlementLine>().AsNoTracking().OrderBy(l => l.LineNumber).ToListAsync();
    }

    [Fact]
    public async Task Import_FromAForwardOnlyAsyncStream_StoresEveryLine_AndTheSameBytesAgainChangeNothing()
    {
        var text = File(3_000, "a") + "pay-a1,tx-a1,order-a1,카드,1001,25,900,100,975,2026-03-11T10:00:00+09:00,2026-03-11,2026-03-13,KRW,\n";

        var first = await Importer().ImportCsvAsync(new ForwardOnlyStream(text), "upload.csv", "alice");
        var again = await Importer().ImportCsvAsync(new ForwardOnlyStream(text), "upload-again.csv", "bob");

        Assert.Equal(ImportOutcome.Imported, first.Outcome);
        Assert.Equal(3_001, first.RowCount);
        Assert.Equal([new DateOnly(2026, 3, 10), new DateOnly(2026, 3, 11), new DateOnly(2026, 3, 12)], first.SoldDates);
        Assert.Equal(ImportOutcome.AlreadyImported, again.Outcome);
        Assert.Equal(first.ImportId, again.ImportId);
        Assert.Equal(first.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text))));
        var lines = await LinesAsync();
        Assert.Equal(3_001, lines.Count);
        var line2 = lines.Single(l => l.LineNumber == 2);
        Assert.Equal(("pay-a1", "tx-a1", "order-a1", 1_001L, 25L, 900L, 100L, 975L, "KRW", "m1"),
            (line2.PaymentKey, line2.TransactionKey, line2.OrderId, line2.Amount, line2.Fee, line2.SupplyAmount, line2.Vat,
                line2.PayOutAmount, line2.Currency, line2.MId));
        Assert.Equal(new DateTimeOffset(2026, 3, 11, 1, 0, 0, TimeSpan.Zero), line2.ApprovedAt);
        Assert.Equal((new DateOnly(2026, 3, 11), new DateOnly(2026, 3, 13)), (line2.SoldDate, line2.PaidOutDate));
        // tx-a1 is reported twice (lines 2 and 3,002): both marked; every other key once.
        Assert.Equal([2, 3_002], lines.Where(l => l.KeyRepeated).Select(l => l.LineNumber).ToArray());
    }

    [Fact]
    public async Task Import_WithABadRowNearTheEnd_IsRejectedWhole_AndTheEarlierImportStaysAsItWas()
    {
        var earlier = await Importer().ImportCsvAsync(new ForwardOnlyStream(File(10, "old")), "old.csv", "alice");
        Assert.Equal(ImportOutcome.Imported, earlier.Outcome);
        var before = await LinesAsync();

        var result = await Importer().ImportCsvAsync(new ForwardOnlyStream(File(4_000, "new", badLine: 3_990)), "new.csv", "alice");

        Assert.Equal(ImportOutcome.Rejected, result.Outcome);
        var error = Assert.Single(result.Errors);
        Assert.Equal((3_991, "amount"), (error.Line, error.Field));
        var after = await LinesAsync();
        Assert.Equal(before.Select(l => (l.Id, l.TransactionKey, l.KeyRepeated)), after.Select(l => (l.Id, l.TransactionKey, l.KeyRepeated)));
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal(1, await ctx.Set<SettlementImport>().CountAsync());
    }

    [Fact]
    public async Task Import_SupersedesTheStoredLinesOfItsDates_AndMarksAKeyStillHeldOnAnotherDay()
    {
        await Importer().ImportCsvAsync(new ForwardOnlyStream(File(6, "x")), "first.csv", "alice");
        // Lines of 2026-03-10..12 are replaced; tx-x1 (first filed on 03-11) comes again filed on 03-20, a day
        // this file does not cover — so it is held and both lines are marked.
        var second = Header + "\n" +
                     "pay-x1,tx-x1,order-x1,카드,1001,25,900,100,975,2026-03-20T10:00:00+09:00,2026-03-20,2026-03-22,KRW,\n";
        await using (var ctx = db.Factory.CreateDbContext())
            Assert.Equal(6, await ctx.Set<SettlementLine>().CountAsync());

        var result = await Importer().ImportCsvAsync(new ForwardOnlyStream(second), "second.csv", "alice");

        Assert.Equal((ImportOutcome.Imported, 0), (result.Outcome, result.SupersededLineCount));
        var lines = await LinesAsync();
        Assert.Equal(2, lines.Count(l => l.TransactionKey == "tx-x1"));
        Assert.All(lines.Where(l => l.TransactionKey == "tx-x1"), l => Assert.True(l.KeyRepeated));
        Assert.Equal(5, lines.Count(l => !l.KeyRepeated));

        var third = await Importer().ImportCsvAsync(new ForwardOnlyStream(File(2, "y")), "third.csv", "alice",
            SettlementImportMode.CommitReplacing);

        Assert.Equal(4, third.SupersededLineCount); // 03-11 (x1, x4) and 03-12 (x2, x5) go; 03-10 (x3, x6) stays
        Assert.Equal(["tx-x1", "tx-x3", "tx-x6", "tx-y1", "tx-y2"],
            (await LinesAsync()).Select(l => l.TransactionKey).Order(StringComparer.Ordinal).ToArray());
    }

    /// <summary>Like a browser upload: forward-only, asynchronous reads only, small chunks.</summary>
    private sealed class ForwardOnlyStream(string text) : Stream
    {
        private readonly MemoryStream _inner = new(Encoding.UTF8.GetBytes(text));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _inner.ReadAsync(buffer[..Math.Min(buffer.Length, 4096)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) =>
            throw new NotSupportedException("synchronous reads are not supported");

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

public sealed class SqliteSettlementImportStreamingTests(SqliteTestDatabase db)
    : SettlementImportStreamingTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresSettlementImportStreamingTests(PostgresTestDatabase db)
    : SettlementImportStreamingTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;
