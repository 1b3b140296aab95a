using OpsConsole.Cli;
using OpsConsole.Core.Cash.Payouts.Benchmark;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Cli;

/// <summary>
/// <c>bench payouts</c> at a tiny scale on PostgreSQL: the command loads a fresh database, reports exactly the planted
/// faults (N:1 deposits and the offset day matched without a finding) and takes turns with its yardstick. Timing is the
/// benchmark's business, not this test's.
/// </summary>
public sealed class PayoutBenchTests
{
    [Fact]
    public async Task BenchPayouts_AtTinyScale_FindsEveryPlantedFaultAndNothingElse()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await CliRunner.RunAsync(["bench", "payouts", "--lines", "3000", "--connection", TestDatabase.PostgresServer], output, error);

        var report = output.ToString();
        Assert.True(code == 0, report + error);
        Assert.Contains("result: found every planted fault and nothing else", report);
        Assert.Contains("N=3,000 settlement lines", report);
        Assert.Contains("server: ", report);
        Assert.Contains("ratio run / bare", report);
        var log = error.ToString();
        Assert.True(log.IndexOf("bare GROUP BY + deposits 2:", StringComparison.Ordinal) > log.IndexOf("payout run 1:", StringComparison.Ordinal),
            "the yardstick and the payout run take turns");
        Assert.Equal(PayoutBenchmark.Rounds, log.Split("bench: payout run ").Length - 1);
    }

    [Fact]
    public void PlantedData_HasOneFaultOfEveryPayoutType()
    {
        var data = new PayoutBenchData(1_000, new Core.Cash.KoreanBusinessCalendar());
        Assert.Equal(1_000, data.LineRows().Count());

        Assert.Equal(Core.Reconciliation.FindingTypes.Payout.Order(), data.Expected().Select(e => e.Type).Order());
        Assert.Contains(data.Deposits(), d => d.Amount == PayoutBenchData.Unexpected);
    }
}
