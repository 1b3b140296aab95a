using System.Globalization;
using System.Text.RegularExpressions;
using OpsConsole.Cli;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Cli;

/// <summary>
/// <c>bench recon</c> at a tiny scale: the command loads a fresh database, finds exactly the injected faults, and
/// reports the engine like its yardstick — timed twice, the faster counts. Timing is the benchmark's business, not
/// these tests'.
/// </summary>
public sealed partial class ReconBenchTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task BenchRecon_AtTinyScale_FindsTheInjectedFaults_AndCountsTheFasterOfTwoEngineRuns(string provider)
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
            // Both engine runs are logged; the reported total is the faster of the two.
            var runs = EngineRun().Matches(error.ToString()).Select(m => Seconds(m.Groups[1].Value)).ToList();
            Assert.Equal(2, runs.Count);
            Assert.Equal(runs.Min(), Seconds(Total().Match(report).Groups[1].Value));
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

    [GeneratedRegex(@"\n  total\s+([0-9.]+) s")]
    private static partial Regex Total();
}
