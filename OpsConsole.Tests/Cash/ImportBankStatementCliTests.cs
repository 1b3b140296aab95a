using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Cli;
using OpsConsole.Core.Cash;
using OpsConsole.Tests.Infrastructure;
using static OpsConsole.Tests.Cash.CashTestSupport;

namespace OpsConsole.Tests.Cash;

public abstract class ImportBankStatementCliTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("opsconsole-cash-cli-").FullName;

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

    private async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string[] config =
        [
            $"--Database:Provider={db.Provider}", $"--ConnectionStrings:OpsConsole={db.ConnectionString}",
            $"--DataDirectory={_dataDirectory}",
            "--Cash:Accounts:eur-main:Number=NL26VAYB8060476890", "--Cash:Accounts:eur-main:Currency=EUR",
            "--Cash:Accounts:kb-operating:Number=110-123-456789",
        ];
        var code = await CliRunner.RunAsync([.. args, .. config], stdout, stderr,
            b => b.Environment.ApplicationName = typeof(CliRunner).Assembly.GetName().Name!);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Camt053_Json_PrintsOneDocument_ThenTheSameFileIsANoOp()
    {
        var file = Fixture("camt053.v02.genkgo-minimal.xml");

        var (code, stdout, stderr) = await RunAsync("import-bank-statement", "--file", file, "--json", "--by", "ops");
        var (againCode, again, _) = await RunAsync("import-bank-statement", "--file", file, "--json");

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal("Imported", root.GetProperty("outcome").GetString());
        Assert.Equal("CAMT053", root.GetProperty("format").GetString());
        Assert.Equal("eur-main", root.GetProperty("accounts")[0].GetString());
        Assert.Equal(1, root.GetProperty("rowCount").GetInt32());
        Assert.Equal(0, againCode);
        using var second = JsonDocument.Parse(again);
        Assert.Equal("AlreadyImported", second.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(root.GetProperty("importId").GetInt64(), second.RootElement.GetProperty("importId").GetInt64());
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal("ops", (await ctx.Set<BankStatementImport>().SingleAsync()).ImportedBy);
    }

    [Fact]
    public async Task Cp949Csv_WithProfileNameAndAccount_IsImported()
    {
        var (code, stdout, stderr) = await RunAsync("import-bank-statement", "--file", Fixture("kb-export.cp949.csv"),
            "--profile", "kb", "--account", "kb-operating");

        Assert.True(code == 0, stderr);
        Assert.Contains("kb-export.cp949.csv: imported 3 entries (2 in, 1 out) of kb-operating, 2026-03-16..2026-03-17", stdout, StringComparison.Ordinal);
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal(3, await ctx.Set<BankTransaction>().CountAsync());
    }

    [Fact]
    public async Task BadRows_ExitOne_WithEveryLineOnStderr_AndNothingStored()
    {
        var file = Path.Combine(_dataDirectory, "bad.csv");
        await File.WriteAllBytesAsync(file, CodePages(
            "t\r\nt\r\n거래일자,거래시간,적요,입금액,출금액,잔액,기재내용\r\n2026.03.16,09:00:00,a,1000,0,1000,x\r\n2026.03.16,09:00:00,b,,,1000,x\r\n2026.13.01,09:00:00,c,1000,0,1000,x\r\n"));

        var (code, stdout, stderr) = await RunAsync("import-bank-statement", "--file", file, "--profile", "kb", "--account", "kb-operating", "--json");

        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("Rejected", doc.RootElement.GetProperty("outcome").GetString());
        Assert.Equal([5, 6], doc.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("line").GetInt32()));
        Assert.Contains("line 5:", stderr, StringComparison.Ordinal);
        Assert.Contains("line 6: 거래일자:", stderr, StringComparison.Ordinal);
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal(0, await ctx.Set<BankTransaction>().CountAsync());
    }

    [Fact]
    public async Task CsvWithoutAccount_IsRefused_AndJsonSaysWhy()
    {
        var (code, stdout, stderr) = await RunAsync("import-bank-statement", "--file", Fixture("kb-export.cp949.csv"), "--profile", "kb", "--json");

        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("ACCOUNT_REQUIRED", doc.RootElement.GetProperty("code").GetString());
        Assert.Contains("ACCOUNT_REQUIRED", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidCashSettings_ExitTwo_NamingTheSetting()
    {
        var (code, _, stderr) = await RunAsync("import-bank-statement", "--file", Fixture("kb-export.cp949.csv"),
            "--Cash:Pgs:toss:Account=nowhere", "--Cash:Pgs:toss:Counterparty=토스");

        Assert.Equal(2, code);
        Assert.Contains("Cash:Pgs:toss:Account 'nowhere' is not a configured account", stderr, StringComparison.Ordinal);
    }

    private static byte[] CodePages(string text) =>
        System.Text.CodePagesEncodingProvider.Instance.GetEncoding(949)!.GetBytes(text);
}

public sealed class SqliteImportBankStatementCliTests(SqliteTestDatabase db)
    : ImportBankStatementCliTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresImportBankStatementCliTests(PostgresTestDatabase db)
    : ImportBankStatementCliTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;
