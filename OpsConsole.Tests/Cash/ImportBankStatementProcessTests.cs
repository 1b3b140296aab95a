using System.Text.Json;
using OpsConsole.Tests.Infrastructure;
using static OpsConsole.Tests.Cash.CashTestSupport;

namespace OpsConsole.Tests.Cash;

/// <summary><c>import-bank-statement</c> as a real process: one JSON document on stdout, logs on stderr.</summary>
public sealed class ImportBankStatementProcessTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"opsconsole-cashproc-{Guid.NewGuid():N}");

    public void Dispose()
    {
        try { Directory.Delete(_dataDirectory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public async Task Json_OnAFreshDataDirectory_PrintsExactlyOneJsonDocument_AndLogsOnStderr()
    {
        Directory.CreateDirectory(Path.Combine(_dataDirectory, "profiles"));
        File.Copy(Fixture("kb-profile.json"), Path.Combine(_dataDirectory, "profiles", "kb.json"));

        var (code, stdout, stderr) = await CliProcess.RunAsync(new Dictionary<string, string?> { ["DOTNET_ENVIRONMENT"] = "Development" },
            "import-bank-statement", "--file", Fixture("kb-export.cp949.csv"), "--profile", "kb", "--account", "kb-operating", "--json",
            $"--DataDirectory={_dataDirectory}", "--Cash:Accounts:kb-operating:Number=110-123-456789",
            "--Logging:LogLevel:Default=Information");

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout); // throws on anything before or after the one document
        Assert.Equal("Imported", doc.RootElement.GetProperty("outcome").GetString());
        Assert.Equal(3, doc.RootElement.GetProperty("rowCount").GetInt32());
        Assert.Equal("2026-03-16", doc.RootElement.GetProperty("periodFrom").GetString());
        Assert.Contains("info:", stderr, StringComparison.Ordinal);
    }
}
