using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Cli;
using OpsConsole.Core.Common;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// Settlement lines of several PGs: every line and import carries the PG connection that pulled or imported it; a
/// PG's statement supersedes only that PG's lines of its dates; a line of a merchant id the PG does not serve rejects
/// the file or the pull; the PG of a file is named when more than one is configured (<c>--pg</c>).
/// </summary>
public abstract class MultiPgSettlementTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    private static readonly DateOnly D = ReconTestSupport.Date;
    private const string Header = "paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate,currency,mId\n";

    private static readonly PgConnections Pgs = TwoPgs.Connections;

    public Task InitializeAsync() => Ledger.ClearAsync(db.Factory);
    public Task DisposeAsync() => Task.CompletedTask;

    private static string Csv(string tag, int count, string mId) => Header + string.Concat(Enumerable.Range(1, count).Select(i =>
        string.Create(CultureInfo.InvariantCulture,
            $"pay-{tag}{i},tx-{tag}{i},order-{tag}{i},CARD,{1000 * i},25,23,2,{1000 * i - 25},{D:yyyy-MM-dd}T10:00:00+09:00,{D:yyyy-MM-dd},{D.AddDays(2):yyyy-MM-dd},KRW,{mId}\n")));

    private Task<SettlementImportResult> ImportAsync(string csv, string? pg, string name = "settle.csv") =>
        new SettlementImporter(db.Factory, TimeProvider.System, connections: Pgs)
            .ImportCsvAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), name, "finance", SettlementImportMode.CommitReplacing, pg);

    private static TossSettlement Line(string key, string mId) =>
        new("pay-" + key, key, "order-" + key, "CARD", 10_000, 250, 9_091, 909, 9_750,
            BusinessCalendar.StartOfDayUtc(D).AddHours(2), D, D.AddDays(2), MId: mId);

    private Task<SettlementPullResult> PullAsync(params TossSettlement[] lines) =>
        new SettlementPuller(() => new PagedPg(lines), db.Factory, Options.Create(new ReconciliationOptions()),
            TimeProvider.System, connections: Pgs).PullAsync(D, D, "tester");

    private async Task<List<(string Pg, string Key)>> StoredAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        return (await ctx.Set<SettlementLine>().AsNoTracking().Select(l => new { l.Pg, l.TransactionKey, ImportPg = l.Import!.Pg }).ToListAsync())
            .Select(l =>
            {
                Assert.Equal(l.ImportPg, l.Pg);
                return (l.Pg, l.TransactionKey);
            })
            .OrderBy(l => l.Pg, StringComparer.Ordinal).ThenBy(l => l.TransactionKey, StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task FilesOfTwoPgsForTheSameDay_KeepBothPgsLines_AndACorrectedFileSupersedesOnlyItsPg()
    {
        await PullAsync(Line("tx-t1", "tosspayments"), Line("tx-t2", "tosspayments"));
        Assert.Equal(ImportOutcome.Imported, (await ImportAsync(Csv("i", 3, "INIpayTest"), "inicis", "inicis-1.csv")).Outcome);

        var corrected = await ImportAsync(Csv("j", 1, "INIpayTest"), "inicis", "inicis-2.csv");

        Assert.Equal(ImportOutcome.Imported, corrected.Outcome);
        Assert.Equal(3, corrected.SupersededLineCount);
        Assert.Equal([("inicis", "tx-j1"), ("toss", "tx-t1"), ("toss", "tx-t2")], await StoredAsync());
    }

    [Fact]
    public async Task APullSupersedesOnlyTheTossPgsLines()
    {
        await ImportAsync(Csv("i", 2, "INIpayTest"), "inicis");
        await PullAsync(Line("tx-t1", "tosspayments"));

        var second = await PullAsync(Line("tx-t2", "tosspayments"));

        Assert.Equal(1, second.ReplacedLineCount);
        Assert.Equal([("inicis", "tx-i1"), ("inicis", "tx-i2"), ("toss", "tx-t2")], await StoredAsync());
    }

    [Fact]
    public async Task AFileWithAnotherPgsMerchantId_IsRejectedWithTheLineNamed_AndNothingStored()
    {
        var csv = Csv("i", 2, "INIpayTest") +
                  $"pay-x,tx-x,order-x,CARD,1000,25,23,2,975,{D:yyyy-MM-dd}T10:00:00+09:00,{D:yyyy-MM-dd},{D.AddDays(2):yyyy-MM-dd},KRW,tosspayments\n";

        var result = await ImportAsync(csv, "inicis");

        Assert.Equal(ImportOutcome.Rejected, result.Outcome);
        var error = Assert.Single(result.Errors);
        Assert.Equal((4, "mId"), (error.Line, error.Field));
        Assert.Contains("merchant id 'tosspayments' is not one of PG 'inicis' (INIpayTest)", error.Message, StringComparison.Ordinal);
        Assert.Empty(await StoredAsync());
    }

    [Fact]
    public async Task APulledLineOfAMerchantIdTheTossPgDoesNotServe_RejectsThePull()
    {
        var e = await Assert.ThrowsAsync<DomainException>(() => PullAsync(Line("tx-t1", "tosspayments"), Line("tx-t2", "INIpayTest")));

        Assert.Contains("line 2: mId: merchant id 'INIpayTest' is not one of PG 'toss' (tosspayments)", e.Message, StringComparison.Ordinal);
        Assert.Empty(await StoredAsync());
    }

    [Fact]
    public async Task AFileWithoutItsPg_IsRefusedWhenSeveralPgsAreConfigured()
    {
        var e = await Assert.ThrowsAsync<DomainException>(() => ImportAsync(Csv("i", 1, "INIpayTest"), null));

        Assert.Equal("PG_REQUIRED", e.Code);
        Assert.Empty(await StoredAsync());
    }

    private async Task<(int Code, string Out, string Err)> CliAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var config = TwoPgs.Settings.Select(kv => $"--{kv.Key}={kv.Value}")
            .Concat([$"--Database:Provider={db.Provider}", $"--ConnectionStrings:OpsConsole={db.ConnectionString}"]);
        var code = await CliRunner.RunAsync([.. args, .. config], stdout, stderr,
            b => b.Environment.ApplicationName = typeof(CliRunner).Assembly.GetName().Name!);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task ImportSettlementsCli_NeedsAKnownPg_AndStoresTheLinesAsThatPgs()
    {
        var file = Path.Combine(Path.GetTempPath(), $"inicis-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, Csv("i", 2, "INIpayTest"));
        try
        {
            var (missingCode, _, missingErr) = await CliAsync("import-settlements", "--file", file);
            var (unknownCode, _, unknownErr) = await CliAsync("import-settlements", "--file", file, "--pg", "nicepay");
            Assert.Empty(await StoredAsync());
            var (code, stdout, stderr) = await CliAsync("import-settlements", "--file", file, "--pg", "inicis");

            Assert.Equal(2, missingCode);
            Assert.Contains("--pg is required: 2 PG connections are configured (inicis, toss).", missingErr, StringComparison.Ordinal);
            Assert.Equal(2, unknownCode);
            Assert.Contains("--pg 'nicepay' is not a configured PG connection (configured: inicis, toss).", unknownErr, StringComparison.Ordinal);
            Assert.True(code == 0, stderr);
            Assert.Contains("(PG inicis, import ", stdout, StringComparison.Ordinal);
            Assert.Equal([("inicis", "tx-i1"), ("inicis", "tx-i2")], await StoredAsync());
        }
        finally
        {
            File.Delete(file);
        }
    }
}

public sealed class SqliteMultiPgSettlementTests(SqliteTestDatabase db)
    : MultiPgSettlementTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresMultiPgSettlementTests(PostgresTestDatabase db)
    : MultiPgSettlementTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;
