using OpsConsole.Cli;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Cli;

/// <summary><c>bench import</c> at a tiny scale: every generated line is stored on both providers and the same file again changes nothing.</summary>
public sealed class ImportBenchTests
{
    [Fact]
    public async Task BenchImport_OneMegabyte_StoresEveryLineOnBothProviders_AndReportsPeakMemory()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"opsconsole-cli-{Guid.NewGuid():N}");
        try
        {
            var code = await CliRunner.RunAsync(["bench", "import", "--mb", "1", "--connection", TestDatabase.PostgresServer,
                $"--DataDirectory={dataDirectory}"], output, error);

            var report = output.ToString();
            Assert.True(code == 0, report + error);
            Assert.Contains("Postgres  import", report, StringComparison.Ordinal);
            Assert.Contains("Sqlite    import", report, StringComparison.Ordinal);
            Assert.Equal(2, report.Split("peak working set").Length - 1);
            Assert.Equal(2, report.Split("(AlreadyImported)").Length - 1);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(dataDirectory)) Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
