using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsConsole.Core.Common;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// The PG's statement for a sold date is the latest report that covered it, by pull or by CSV: each ingestion
/// supersedes the stored lines of its dates, so a day reported twice is not a day of duplicates.
/// </summary>
public abstract class SettlementSupersedeTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    protected static readonly DateOnly D = ReconTestSupport.Date;
    private const string Header = "paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate,currency,mId";

    protected TDb Db => db;

    public Task InitializeAsync() => Ledger.ClearAsync(db.Factory);
    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Saves three card payments approved on each day in our ledger; returns the PG's line for each.</summary>
    protected async Task<List<TossSettlement>> SeedAsync(params DateOnly[] days)
    {
        var ledger = new Ledger();
        var lines = new List<TossSettlement>();
        foreach (var day in days)
        {
            for (var i = 1; i <= 3; i++)
            {
                var id = $"{day:MMdd}-{i}";
                var at = BusinessCalendar.StartOfDayUtc(day).AddHours(i);
                var amount = 10_000L * i;
                var tx = new InternalTx($"tx-{id}", $"pay-{id}", $"order-{id}", TransactionKind.APPROVAL, amount, PaymentMethod.CARD, at);
                ledger.Payments.Add(new LedgerPayment(tx.PaymentKey, tx.OrderId, amount, PaymentMethod.CARD, PaymentStatus.DONE, [tx]));
                lines.Add(LineOf(tx.Key, tx.PaymentKey, tx.OrderId, amount, at, day));
            }
        }
        await ledger.SaveAsync(db.Factory);
        return lines;
    }

    private static TossSettlement LineOf(string key, string paymentKey, string orderId, long amount, DateTimeOffset at,
        DateOnly sold)
    {
        var fee = FeeSchedule.Default.ExpectedFee(PaymentMethod.CARD, amount)!.Value;
        return new TossSettlement(paymentKey, key, orderId, "CARD", amount, fee, amount - amount / 11, amount / 11,
            amount - fee, at, sold, sold.AddDays(2));
    }

    private static TossSettlement WithAmount(TossSettlement line, long amount) =>
        LineOf(line.TransactionKey, line.PaymentKey, line.OrderId, amount, line.ApprovedAt, line.SoldDate);

    protected Task<SettlementPullResult> PullAsync(IReadOnlyList<TossSettlement> pg, DateOnly from, DateOnly to) =>
        new SettlementPuller(() => new PagedPg(pg), db.Factory, Options.Create(new ReconciliationOptions { PullPageSize = 2 }),
            TimeProvider.System).PullAsync(from, to, "tester");

    protected static string CsvText(IEnumerable<TossSettlement> lines) => Header + "\n" + string.Concat(lines.Select(l =>
        string.Create(CultureInfo.InvariantCulture,
            $"{l.PaymentKey},{l.TransactionKey},{l.OrderId},{l.Method},{l.Amount},{l.Fee},{l.SupplyAmount},{l.Vat},{l.PayOutAmount},{l.ApprovedAt:yyyy-MM-dd'T'HH:mm:ss.fffzzz},{l.SoldDate:yyyy-MM-dd},{l.PaidOutDate:yyyy-MM-dd},KRW,\n")));

    /// <summary>Imports with the replacement confirmed: these tests are about what superseding does.</summary>
    protected Task<SettlementImportResult> ImportAsync(string csv, string name = "settle.csv") =>
        new SettlementImporter(db.Factory, TimeProvider.System)
            .ImportCsvAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), name, "finance", SettlementImportMode.CommitReplacing);

    protected Task<SettlementImportResult> ImportAsync(IEnumerable<TossSettlement> lines, string name = "settle.csv") =>
        ImportAsync(CsvText(lines), name);

    protected async Task<List<SettlementLine>> LinesAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.Set<SettlementLine>().AsNoTracking().OrderBy(l => l.SoldDate).ThenBy(l => l.TransactionKey)
            .ThenBy(l => l.Id).ToListAsync();
    }

    private async Task<List<ExpectedFinding>> RunAsync()
    {
        var run = await ReconTestSupport.Service(db.Factory).RunAsync(D, RunTrigger.CLI, "tester");
        Assert.Equal(RunStatus.SUCCEEDED, run.Status);
        return await ReconTestSupport.FindingsOfRunAsync(db.Factory, run.Id);
    }

    /// <summary>The day holds exactly <paramref name="expected"/>, one unmarked line per key, from one ingestion.</summary>
    protected static void AssertDayHolds(IEnumerable<SettlementLine> stored, IEnumerable<TossSettlement> expected,
        SettlementSource source)
    {
        var lines = stored.ToList();
        Assert.Equal(expected.Select(l => (l.TransactionKey, l.Amount)).OrderBy(k => k.TransactionKey, StringComparer.Ordinal),
            lines.Select(l => (l.TransactionKey, l.Amount)).OrderBy(k => k.TransactionKey, StringComparer.Ordinal));
        Assert.All(lines, l => Assert.Equal(source, l.Source));
        Assert.All(lines, l => Assert.False(l.KeyRepeated, $"{l.TransactionKey} is marked repeated"));
        Assert.Single(lines.Select(l => l.ImportId).Distinct());
    }

    [Fact]
    public async Task CsvOfAPulledDay_SupersedesThePulledLines_AndTheRunFindsNoDuplicates()
    {
        var pg = await SeedAsync(D);
        await PullAsync(pg, D.AddDays(-1), D.AddDays(1)); // as before a scheduled run

        var result = await ImportAsync(pg);

        Assert.Equal(ImportOutcome.Imported, result.Outcome);
        Assert.Equal(3, result.SupersededLineCount);
        Assert.Equal([D], result.SoldDates);
        AssertDayHolds(await LinesAsync(), pg, SettlementSource.CSV);
        Assert.Empty(await RunAsync());
    }

    [Fact]
    public async Task CorrectedCsvOfTheSameDay_SupersedesTheFirstFile_AndSaysHowMany()
    {
        var pg = await SeedAsync(D);
        var first = await ImportAsync(pg, "settle-0315.csv");
        List<TossSettlement> corrected = [pg[0], WithAmount(pg[1], pg[1].Amount - 1_000), pg[2]];

        var second = await ImportAsync(corrected, "settle-0315-corrected.csv");

        Assert.Equal(0, first.SupersededLineCount);
        Assert.Equal("imported 3 lines of 2026-03-15 (no earlier lines to supersede)", first.ImportedSummary);
        Assert.Equal(ImportOutcome.Imported, second.Outcome);
        Assert.Equal(3, second.SupersededLineCount);
        Assert.Equal("imported 3 lines (superseding 3 earlier lines of 2026-03-15)", second.ImportedSummary);
        var lines = await LinesAsync();
        AssertDayHolds(lines, corrected, SettlementSource.CSV);
        Assert.All(lines, l => Assert.Equal(second.ImportId, l.ImportId));
        var finding = Assert.Single(await RunAsync());
        Assert.Equal((pg[1].TransactionKey, FindingType.AMOUNT_MISMATCH), (finding.Key, finding.Type));
    }

    [Fact]
    public async Task CsvOfOneDay_LeavesTheLinesOfTheNextDayAlone()
    {
        var pg = await SeedAsync(D, D.AddDays(1));
        await PullAsync(pg, D, D.AddDays(1));
        var ofD = pg.Where(l => l.SoldDate == D).ToList();

        var result = await ImportAsync(ofD);

        Assert.Equal(3, result.SupersededLineCount);
        var lines = await LinesAsync();
        AssertDayHolds(lines.Where(l => l.SoldDate == D), ofD, SettlementSource.CSV);
        AssertDayHolds(lines.Where(l => l.SoldDate == D.AddDays(1)), pg.Where(l => l.SoldDate == D.AddDays(1)),
            SettlementSource.API);
    }

    [Fact]
    public async Task IdenticalLineTwiceInOneFile_IsStillADuplicate()
    {
        var pg = await SeedAsync(D);
        await PullAsync(pg, D.AddDays(-1), D.AddDays(1));

        var result = await ImportAsync([.. pg, pg[0]]);

        Assert.Equal(3, result.SupersededLineCount);
        var lines = await LinesAsync();
        Assert.Equal(4, lines.Count);
        Assert.All(lines, l => Assert.Equal(SettlementSource.CSV, l.Source));
        Assert.All(lines.Where(l => l.TransactionKey == pg[0].TransactionKey), l => Assert.True(l.KeyRepeated));
        var finding = Assert.Single(await RunAsync());
        Assert.Equal((pg[0].TransactionKey, FindingType.DUPLICATE_EXTERNAL), (finding.Key, finding.Type));
    }

    [Fact]
    public async Task RejectedFile_AfterAnImport_LeavesTheEarlierLinesUntouched()
    {
        var pg = await SeedAsync(D);
        var first = await ImportAsync(pg);
        var before = await LinesAsync();

        var rejected = await ImportAsync(CsvText([WithAmount(pg[0], 1)]) +
            "pay-x,tx-x,order-x,CARD,ten,0,0,0,0,2026-03-15T10:00:00+09:00,2026-03-15,2026-03-17,KRW,\n", "bad.csv");

        Assert.Equal(ImportOutcome.Rejected, rejected.Outcome);
        Assert.Equal(0, rejected.SupersededLineCount);
        var after = await LinesAsync();
        Assert.Equal(before.Select(l => (l.Id, l.Amount, l.KeyRepeated)), after.Select(l => (l.Id, l.Amount, l.KeyRepeated)));
        Assert.All(after, l => Assert.Equal(first.ImportId, l.ImportId));
    }

    [Fact]
    public async Task KeyLeftWithOneMarkedLine_CountsAsOneLine_AndIsUnmarkedWhenItsDayIsReportedAgain()
    {
        var pg = await SeedAsync(D);
        var next = D.AddDays(1);
        await ImportAsync(pg);
        // The PG reported pg[0] on the next day too (both lines marked), then corrected that day's statement.
        await ImportAsync([pg[0] with { SoldDate = next, PaidOutDate = next.AddDays(2) }], "next.csv");
        await ImportAsync([LineOf("tx-late", "pay-late", "order-late", 5_000, pg[0].ApprovedAt, next)], "next-corrected.csv");
        var marked = Assert.Single(await LinesAsync(), l => l.TransactionKey == pg[0].TransactionKey);
        Assert.True(marked.KeyRepeated);

        Assert.Empty(await RunAsync());

        await PullAsync(pg, D, D);
        AssertDayHolds((await LinesAsync()).Where(l => l.SoldDate == D), pg, SettlementSource.API);
    }

    [Fact]
    public async Task PullAfterACsvOfTheSameDay_SupersedesTheCsvLines()
    {
        var pg = await SeedAsync(D);
        await ImportAsync(pg);

        var pull = await PullAsync(pg, D, D);

        Assert.Equal(3, pull.ReplacedLineCount);
        AssertDayHolds(await LinesAsync(), pg, SettlementSource.API);
        Assert.Empty(await RunAsync());
    }
}

public sealed class SqliteSettlementSupersedeTests(SqliteTestDatabase db)
    : SettlementSupersedeTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresSettlementSupersedeTests(PostgresTestDatabase db)
    : SettlementSupersedeTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>
{
    /// <summary>
    /// READ COMMITTED alone would let an import that starts while another ingestion of the day is committing
    /// miss that ingestion's new lines (its DELETE waits on the old rows, then skips them) and add to them
    /// instead: every key twice. The ingestions take turns, so the later one supersedes the earlier one.
    /// </summary>
    [Fact]
    public async Task ImportStartedWhileAnotherIngestionOfTheDayCommits_SupersedesThatIngestion()
    {
        var pg = await SeedAsync(D);
        await PullAsync(pg, D, D);
        await using var other = Db.Factory.CreateDbContext();
        await using (var tx = await other.Database.BeginTransactionAsync())
        {
            var import = SettlementImport.ForPull(D, D, new string('1', 64), pg.Count, "other", DateTimeOffset.UtcNow, OpsConsole.Core.Gateway.PgConnections.LegacyName);
            other.Add(import);
            var (parsed, errors) = SettlementImporter.Parse(Encoding.UTF8.GetBytes(CsvText(pg)));
            Assert.Empty(errors);
            await SettlementLineWriter.SupersedeAsync(other, OpsConsole.Core.Gateway.PgConnections.LegacyName, [D], parsed.Select(l => l.ToEntity(import)).ToList(), default);
            await other.SaveChangesAsync();

            var importing = ImportAsync(pg);
            await WaitUntilASessionWaitsForALockAsync();
            await tx.CommitAsync();
            var result = await importing;

            Assert.Equal(ImportOutcome.Imported, result.Outcome);
            Assert.Equal(3, result.SupersededLineCount);
        }
        AssertDayHolds(await LinesAsync(), pg, SettlementSource.CSV);
    }

    private async Task WaitUntilASessionWaitsForALockAsync()
    {
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE NOT l.granted AND a.datname = current_database()
            """, conn);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((long)(await cmd.ExecuteScalarAsync())! == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the import never waited for the other ingestion");
            await Task.Delay(20);
        }
    }
}
