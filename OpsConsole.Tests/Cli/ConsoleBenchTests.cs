using System.Text.RegularExpressions;
using Npgsql;
using OpsConsole.Cli;
using OpsConsole.Cli.ConsoleBench;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.Findings;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Cli;

/// <summary>
/// <c>bench console</c> at a tiny scale on the test PostgreSQL: the command loads, measures and reports, and
/// the console's queries return the rows an in-memory oracle over <see cref="ConsoleBenchData"/> expects.
/// Timing is the benchmark's business, not these tests'.
/// </summary>
public sealed partial class ConsoleBenchTests
{
    // More findings than FindingGridQuery.ExactTotalLimit, so the default view's total is bounded.
    private const int Payments = 8_000, Findings = 6_000;

    [Fact]
    public async Task BenchConsole_AtTinyScale_ReportsEveryQueryKind_AndTheGridMatchesTheOracle()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        // Its own data directory: the host must not share the default SQLite file with other CLI tests.
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"opsconsole-cli-{Guid.NewGuid():N}");
        var code = await CliRunner.RunAsync(["bench", "console", "--connection", TestDatabase.PostgresServer,
            "--payments", $"{Payments}", "--findings", $"{Findings}", "--samples", "3", "--warmup", "1", "--keep",
            $"--DataDirectory={dataDirectory}"], output, error);
        var report = output.ToString();
        var database = KeptDatabase().Match(error.ToString()).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(database), error.ToString());
        try
        {
            Assert.DoesNotContain("WRONG", report);
            Assert.Matches($@"payments\s+{Payments:N0} rows", report);
            Assert.Matches($@"recon_findings\s+{Findings:N0} rows", report);
            Assert.Matches(@"recon_run_control_totals\s+30 rows", report);
            foreach (var kind in new[] { "baseline · SELECT 1", "grid · filter type", "grid · sort LastSeenAt desc",
                         "trace · by transactionKey", "dashboard · dashboard of a date (with control totals)", "dashboard · control totals of 7 days", "text · rare", "text · PG error code", "text · no match, common words", "text · common phrase" })
                Assert.Contains(kind, report);
            // The exit code follows the verdicts, whatever the machine's speed.
            Assert.Equal(report.Contains(" FAIL", StringComparison.Ordinal) ? 1 : 0, code);

            var factory = new OpsDbContextFactory(DatabaseProvider.Postgres,
                new NpgsqlConnectionStringBuilder(TestDatabase.PostgresServer) { Database = database }.ConnectionString);
            await AssertGridMatchesOracleAsync(factory);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(dataDirectory)) Directory.Delete(dataDirectory, recursive: true);
            NpgsqlConnection.ClearAllPools();
            await using var conn = new NpgsqlConnection(TestDatabase.PostgresServer);
            await conn.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", conn);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static async Task AssertGridMatchesOracleAsync(OpsDbContextFactory factory)
    {
        var data = new ConsoleBenchData(Payments, Findings, ConsoleBenchmark.LastDate);
        var all = Enumerable.Range(1, Findings).Select(j => new Row(j, data.BusinessDate(data.FindingPayment(j)),
            ConsoleBenchData.FindingTypeOf(j), ConsoleBenchData.FindingStatusOf(j), ConsoleBenchData.FindingVerdictOf(j),
            ConsoleBenchData.FindingMoney(j))).ToList();
        var day = ConsoleBenchmark.LastDate.AddDays(-3);
        var cases = new (FindingFilter Filter, Func<Row, bool> Matches)[]
        {
            (new FindingFilter(), f => f.Verdict == FindingVerdict.CONFIRMED),
            (new FindingFilter { From = day, To = day }, f => f.Verdict == FindingVerdict.CONFIRMED && f.Date == day),
            (new FindingFilter { Statuses = [FindingStatus.ACKNOWLEDGED] },
                f => f.Verdict == FindingVerdict.CONFIRMED && f.Status == FindingStatus.ACKNOWLEDGED),
            (new FindingFilter { Types = [FindingType.FEE_MISMATCH], Verdict = null }, f => f.Type == FindingType.FEE_MISMATCH),
        };
        foreach (var (filter, matches) in cases)
        {
            var expected = all.Where(f => matches(f)).ToList();
            await using var db = await factory.CreateDbContextAsync();
            var page = await FindingGridQuery.LoadAsync(db, filter, nameof(Finding.MoneyAtRisk), true, 1, 50, default);

            var expectedIds = expected.OrderByDescending(f => f.Money).ThenByDescending(f => f.Id).Skip(50).Take(50).Select(f => f.Id);
            Assert.Equal(expectedIds, page.Items.Select(f => f.Id));
            Assert.Equal(expected.Count <= FindingGridQuery.ExactTotalLimit, page.TotalsAreExact);
            var totals = await FindingGridQuery.TotalsAsync(db, filter, default);
            // Every match counts; only unresolved findings (OPEN, ACKNOWLEDGED) are money at risk.
            Assert.Equal(new FindingTotals(expected.Count,
                expected.Where(f => f.Status is FindingStatus.OPEN or FindingStatus.ACKNOWLEDGED).Sum(f => f.Money)), totals);
            if (page.TotalsAreExact) Assert.Equal(totals, page.Totals);
            else Assert.Equal(FindingGridQuery.ExactTotalLimit + 1, page.Totals.Count);
        }
    }

    private sealed record Row(long Id, DateOnly Date, FindingType Type, FindingStatus Status, FindingVerdict Verdict, long Money);

    [GeneratedRegex("kept database (opsconsole_console_[0-9a-f]+)")]
    private static partial Regex KeptDatabase();
}
