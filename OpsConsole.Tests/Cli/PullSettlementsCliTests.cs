using OpsConsole.Tests.Gateway;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Cli;

/// <summary><c>pull-settlements</c> as a real process against a Toss-shaped stub PG: warnings and one-line errors.</summary>
public sealed class PullSettlementsCliTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"opsconsole-pullcli-{Guid.NewGuid():N}");
    private TossStubServer _pg = null!;

    public async Task InitializeAsync() => _pg = await TossStubServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _pg.DisposeAsync();
        try { Directory.Delete(_dataDirectory, recursive: true); }
        catch (IOException) { }
    }

    private Task<(int Code, string Out, string Err)> PullAsync(string day) => CliProcess.RunAsync(null,
        "pull-settlements", "--from", day, "--to", day, $"--DataDirectory={_dataDirectory}",
        $"--Pg:BaseUrl={_pg.BaseUrl}", "--Sandbox:Enabled=false", "--Pg:MaxRetries=0");

    [Fact]
    public async Task APageWithAMissingFee_FailsWithOneLineNamingLineAndField_NoStackTrace()
    {
        _pg.Settlements = TossStubServer.Fixture("settlement-card-installment-interest-free.json")
            .Replace("\"fee\": 1492,", "", StringComparison.Ordinal);

        var (code, stdout, stderr) = await PullAsync("2025-02-09");

        Assert.Equal(1, code);
        var errorLine = Assert.Single(stderr.Split('\n'), l => l.StartsWith("pull-settlements:", StringComparison.Ordinal));
        Assert.Contains("(transactionKey txrd_a01jkks4kdkvhqr2kge21gqawf8): field 'fee' is missing", errorLine, StringComparison.Ordinal);
        Assert.EndsWith("(PG_PULL_FAILED)", errorLine.TrimEnd());
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("pulled", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreachablePg_FailsWithOneLine_WithoutTheRetryPipelinesStackTraces()
    {
        var (code, _, stderr) = await CliProcess.RunAsync(null,
            "pull-settlements", "--from", "2025-02-09", "--to", "2025-02-09", $"--DataDirectory={_dataDirectory}",
            "--Pg:BaseUrl=http://127.0.0.1:1", "--Sandbox:Enabled=false", "--Pg:RetryBaseDelay=00:00:00.010");

        Assert.Equal(1, code);
        var errorLine = Assert.Single(stderr.Split('\n'), l => l.StartsWith("pull-settlements:", StringComparison.Ordinal));
        Assert.Contains("failed at page 1: GET v1/settlements → outcome unknown (connection failed:", errorLine, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownMethod_IsStored_AndPrintedAsAWarning()
    {
        _pg.Settlements = TossStubServer.Fixture("settlement-card-installment-interest-free.json")
            .Replace("\"method\": \"카드\"", "\"method\": \"포인트\"", StringComparison.Ordinal);

        var (code, stdout, stderr) = await PullAsync("2025-02-09");

        Assert.True(code == 0, stderr);
        Assert.Contains("pulled 1 settlement lines", stdout, StringComparison.Ordinal);
        Assert.Contains("warning: 1 line(s) have the unknown method '포인트'", stdout, StringComparison.Ordinal);
    }
}
