using System.Globalization;
using System.Text.RegularExpressions;
using OpsConsole.Cli;
using OpsConsole.Core.Reconciliation.Benchmark;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Cli;

/// <summary>
/// <c>bench recon</c> at a tiny scale: the command loads a fresh database, finds exactly the injected faults, and
/// times the engine and its yardstick alike — taking turns, <see cref="ReconBenchmark.Rounds"/> times each, the
/// fastest of each counts. Timing is the benchmark's business, not these tests'.
/// </summary>
public sealed partial class ReconBenchTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task BenchRecon_AtTinyScale_FindsTheInjectedFaults_AndCountsTheFastestOfEachSide(string provider)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"opsconsole-cli-{Guid.NewGuid():N}");
        string[] connection = provider == "postgres" ? ["--connection", TestDatabase.PostgresServer] : [];
        try
        {
            var code = await CliRunner.RunAsync(["bench", "recon", "--payments", "3000", "--provider", provider,
                .. connection, $"--DataDirectory={dataDirectory}"], output, error);

            var report = output.ToString();
            Assert.True(code == 0, report + error);
            Assert.Contains("result: found exactly the injected faults", report);
            // Every run of each side is logged, in turns; the reported figures are the fastest of each side.
            var log = error.ToString();
            var runs = EngineRun().Matches(log).Select(m => Seconds(m.Groups[1].Value)).ToList();
            var bares = BareJoin().Matches(log).Select(m => Seconds(m.Groups[1].Value)).ToList();
            Assert.Equal(ReconBenchmark.Rounds, runs.Count);
            Assert.Equal(ReconBenchmark.Rounds, bares.Count);
            Assert.True(log.IndexOf("bare FULL OUTER JOIN 2:", StringComparison.Ordinal) > log.IndexOf("engine run 1:", StringComparison.Ordinal),
                "the yardstick and the engine take turns");
            Assert.Equal(runs.Min(), Seconds(Total().Match(report).Groups[1].Value));
            Assert.Equal(bares.Min(), Seconds(ReportedBareJoin().Match(report).Groups[1].Value));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(dataDirectory)) Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static double Seconds(string value) => double.Parse(value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"bench: engine run \d: ([0-9.]+) s")]
    private static partial Regex EngineRun();

    [GeneratedRegex(@"bench: bare FULL OUTER JOIN \d: ([0-9.]+) s")]
    private static partial Regex BareJoin();

    [GeneratedRegex(@"\n  total\s+([0-9.]+) s")]
    private static partial Regex Total();

    [GeneratedRegex(@"\n  bare FULL OUTER JOIN\s+([0-9.]+) s")]
    private static partial Regex ReportedBareJoin();
}
