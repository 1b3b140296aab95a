using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Cash;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;
using static OpsConsole.Tests.Cash.CashTestSupport;

namespace OpsConsole.Tests.Cash;

public abstract class BankStatementImportTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("opsconsole-cash-").FullName;

    public async Task InitializeAsync()
    {
        await ClearAsync(db.Factory);
        Directory.CreateDirectory(Path.Combine(_dataDirectory, "profiles"));
        File.Copy(Fixture("kb-profile.json"), Path.Combine(_dataDirectory, "profiles", "kb.json"));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dataDirectory, recursive: true);
        return Task.CompletedTask;
    }

    private BankStatementImporter Importer() => new(db.Factory, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(Options()),
        new BankProfileStore(new DatabaseOptions { DataDirectory = _dataDirectory }), new AuditLog(db.Factory, TimeProvider.System));

    private Task<BankImportResult> ImportAsync(byte[] bytes, string name, string? profile = null, string? account = null) =>
        Importer().ImportAsync(new MemoryStream(bytes), name, profile, account, "alice");

    private async Task<List<BankTransaction>> TransactionsAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.Set<BankTransaction>().OrderBy(t => t.LineNumber).ToListAsync();
    }

    [Fact]
    public async Task Camt053_IsStoredForTheAccountInTheFile_AndRecordedAndAudited()
    {
        var result = await ImportAsync(File.ReadAllBytes(Fixture("camt053.v08.genkgo.xml")), "/tmp/stmt.xml");

        Assert.Equal(ImportOutcome.Imported, result.Outcome);
        Assert.Equal(BankStatementFormat.CAMT053, result.Format);
        Assert.Equal(["eur-main"], result.Accounts);
        var t = Assert.Single(await TransactionsAsync());
        Assert.Equal(("eur-main", 885L, BankDirection.CREDIT, "EUR", new DateOnly(2014, 12, 31), (DateOnly?)new DateOnly(2015, 1, 2)),
            (t.AccountName, t.Amount, t.Direction, t.Currency, t.BookingDate, t.ValueDate));
        Assert.Equal((TimeOnly?)new TimeOnly(21, 15), t.BookingTime);
        Assert.Equal("AAAASESS-FP-CN_98765/01", t.AccountServicerRef);
        Assert.Equal(result.ImportId, t.ImportId);
        await using var ctx = db.Factory.CreateDbContext();
        var import = await ctx.Set<BankStatementImport>().SingleAsync();
        Assert.Equal(("stmt.xml", "alice", 1, (string?)null, 64), (import.FileName, import.ImportedBy, import.RowCount, import.ProfileName, import.Sha256.Length));
        var audit = await ctx.AuditEntries.SingleAsync();
        Assert.Equal(("alice", "bank-statement.import"), (audit.Actor, audit.Action));
    }

    [Fact]
    public async Task Cp949Csv_ByProfileNameFromTheDataDirectory_IsStoredForTheNamedAccount()
    {
        var result = await ImportAsync(File.ReadAllBytes(Fixture("kb-export.cp949.csv")), "kb.csv", profile: "kb", account: "KB-OPERATING");

        Assert.Equal(ImportOutcome.Imported, result.Outcome);
        Assert.Equal((BankStatementFormat.CSV, 3, 2, 1), (result.Format!.Value, result.RowCount, result.CreditCount, result.DebitCount));
        var rows = await TransactionsAsync();
        Assert.Equal([1_234_000L, 500L, 98_765_400L], rows.Select(r => r.Amount));
        Assert.All(rows, r => Assert.Equal("kb-operating", r.AccountName));
        Assert.Equal("토스페이먼츠(주)", rows[0].Counterparty);
        Assert.Equal("타행이체", rows[0].Memo);
        Assert.Equal(5_234_000, rows[0].Balance);
        Assert.Null(rows[0].ValueDate);
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal("kb-csv", (await ctx.Set<BankStatementImport>().SingleAsync()).ProfileName);
    }

    [Fact]
    public async Task SameFileTwice_IsANoOp_ReportedAsSuch()
    {
        var bytes = File.ReadAllBytes(Fixture("kb-export.cp949.csv"));
        var first = await ImportAsync(bytes, "a.csv", "kb", "kb-operating");

        var second = await ImportAsync(bytes, "renamed.csv", "kb", "kb-operating");

        Assert.Equal(ImportOutcome.AlreadyImported, second.Outcome);
        Assert.Equal(first.ImportId, second.ImportId);
        Assert.Contains("was already imported", second.Summary, StringComparison.Ordinal);
        Assert.Equal(3, (await TransactionsAsync()).Count);
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal(1, await ctx.Set<BankStatementImport>().CountAsync());
    }

    [Fact]
    public async Task BadRow_RejectsTheWholeFile_ListsEveryBadLine_AndStoresNothing()
    {
        var csv = "거래일자,거래시간,적요,입금액,출금액,잔액,기재내용\r\n" +
                  "2026.03.16,09:00:00,ok,1000,0,1000,토스페이먼츠\r\n" +
                  "2026.03.16,09:00:00,no amount,,,1000,토스페이먼츠\r\n" +
                  "2026.03.16,09:00:00,ok,2000,0,3000,토스페이먼츠\r\n" +
                  ",10:00:00,no date,5000,0,8000,토스페이먼츠\r\n";
        var profile = Path.Combine(_dataDirectory, "utf8.json");
        File.WriteAllText(profile, File.ReadAllText(Fixture("kb-profile.json")).Replace("\"CP949\"", "\"UTF-8\"").Replace("\"headerRow\": 3", "\"headerRow\": 1"));

        var result = await ImportAsync(Encoding.UTF8.GetBytes(csv), "bad.csv", profile, "kb-operating");

        Assert.Equal(ImportOutcome.Rejected, result.Outcome);
        Assert.Null(result.ImportId);
        Assert.Equal([3, 5], result.Errors.Select(e => e.Line));
        Assert.Empty(await TransactionsAsync());
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal(0, await ctx.Set<BankStatementImport>().CountAsync());
        Assert.Equal(0, await ctx.AuditEntries.CountAsync());
    }

    [Fact]
    public async Task BadCamtEntry_RejectsTheWholeStatement()
    {
        var xml = KrwCamt(Entry("1000", "CRDT", "<BookgDt><Dt>2026-03-16</Dt></BookgDt>") + Entry("", "CRDT", "<BookgDt><Dt>2026-03-16</Dt></BookgDt>"));

        var result = await ImportAsync(xml, "kr.xml");

        Assert.Equal(ImportOutcome.Rejected, result.Outcome);
        Assert.Equal("Amt", Assert.Single(result.Errors).Field);
        Assert.Empty(await TransactionsAsync());
    }

    [Fact]
    public async Task ManyBadRows_AreReportedUpToTheBound_WithTheTotal()
    {
        var csv = new StringBuilder("when,amount,who\n");
        for (var i = 0; i < 250; i++) csv.Append("2026-03-16,,x\n");
        var profile = Path.Combine(_dataDirectory, "signed.json");
        File.WriteAllText(profile, """{"name":"signed","dateFormat":"yyyy-MM-dd","columns":{"date":"when","amount":"amount","counterparty":"who"}}""");

        var result = await ImportAsync(Encoding.UTF8.GetBytes(csv.ToString()), "many.csv", profile, "kb-operating");

        Assert.Equal(250, result.TotalErrorCount);
        Assert.Equal(BankStatementImporter.MaxReportedErrors, result.Errors.Count);
        Assert.Equal(2, result.Errors[0].Line);
    }

    [Fact]
    public async Task CsvWithoutProfileOrAccount_OrWithAnUnknownOne_IsRefusedClearly()
    {
        var bytes = File.ReadAllBytes(Fixture("kb-export.cp949.csv"));

        var noProfile = await Assert.ThrowsAsync<DomainException>(() => ImportAsync(bytes, "kb.csv", account: "kb-operating"));
        var noAccount = await Assert.ThrowsAsync<DomainException>(() => ImportAsync(bytes, "kb.csv", profile: "kb"));
        var unknownAccount = await Assert.ThrowsAsync<DomainException>(() => ImportAsync(bytes, "kb.csv", "kb", "shinhan"));
        var unknownProfile = await Assert.ThrowsAsync<DomainException>(() => ImportAsync(bytes, "kb.csv", "hana", "kb-operating"));
        var profileForCamt = await Assert.ThrowsAsync<DomainException>(() => ImportAsync(KrwCamt(""), "s.xml", "kb"));

        Assert.Equal(["PROFILE_REQUIRED", "ACCOUNT_REQUIRED", "ACCOUNT_UNKNOWN", "PROFILE_NOT_FOUND", "PROFILE_NOT_APPLICABLE"],
            new[] { noProfile, noAccount, unknownAccount, unknownProfile, profileForCamt }.Select(e => e.Code));
        Assert.Contains("eur-main, kb-operating", noAccount.Message, StringComparison.Ordinal);
        Assert.Empty(await TransactionsAsync());
    }

    [Fact]
    public async Task CamtForAnotherAccountThanTheNamedOne_IsRejected()
    {
        var result = await ImportAsync(KrwCamt(Entry("1000", "CRDT", "<BookgDt><Dt>2026-03-16</Dt></BookgDt>")), "kr.xml", account: "eur-main");

        Assert.Equal(ImportOutcome.Rejected, result.Outcome);
        Assert.Contains("statement of kb-operating, not of --account eur-main", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentImportsOfTheSameFile_StoreItOnce()
    {
        var bytes = KrwCamt(Entry("1000", "CRDT", "<BookgDt><Dt>2026-03-16</Dt></BookgDt>"));

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => ImportAsync(bytes, "kr.xml"))));

        Assert.Single(results, r => r.Outcome == ImportOutcome.Imported);
        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Single(await TransactionsAsync());
    }
}

public sealed class SqliteBankStatementImportTests(SqliteTestDatabase db)
    : BankStatementImportTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresBankStatementImportTests(PostgresTestDatabase db)
    : BankStatementImportTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;
