using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Sandbox;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

public class LiveCheckAppFixture<TDatabase> : PaymentAppFixture<TDatabase> where TDatabase : TestDatabase, new()
{
    public override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Reconciliation:SettleDelay"] = "00:00:00",
        ["Reconciliation:LiveCheck"] = "true",
        ["Pg:MaxRetries"] = "0",
    };
}

/// <summary>Pass 2 asks the sandbox PG live (real HTTP) about the payments still differing.</summary>
public abstract class LiveCheckTests<TDatabase>(LiveCheckAppFixture<TDatabase> fx) where TDatabase : TestDatabase, new()
{
    /// <summary>A payment the PG charged while our ledger shows it failed (CHARGED_BUT_FAILED after a pull).</summary>
    private async Task<string> ChargedButFailedAsync(long amount, string? extraFault = null)
    {
        var fault = extraFault is null ? SandboxFaults.DeclineAfterCharge : $"{SandboxFaults.DeclineAfterCharge},{extraFault}";
        var (key, order, a) = await fx.CheckoutAsync(amount, fault);
        Assert.Equal(PaymentStatus.ABORTED, (await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, a))).Status);
        return key;
    }

    /// <summary>Pulls today's lines, adds <paramref name="linesAfterPull"/> (a later report of the PG), and runs.</summary>
    private async Task<Dictionary<string, Finding>> RunTodayAsync(params ExternalLine[] linesAfterPull)
    {
        var today = BusinessCalendar.Today(TimeProvider.System);
        await fx.Host.Get<SettlementPuller>().PullAsync(today, today, "test");
        await Ledger.AddLinesAsync(fx.Database.Factory, linesAfterPull);
        var run = await fx.Host.Get<ReconciliationService>().RunAsync(today, RunTrigger.CLI, "test");
        Assert.Equal(RunStatus.SUCCEEDED, run.Status);
        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        return await db.Set<Finding>().AsNoTracking().Where(f => f.LastRunId == run.Id).ToDictionaryAsync(f => f.PaymentKey);
    }

    [Fact]
    public async Task StillDifferingPayments_CarryThePgsLiveAnswer_AndSilenceIsRecordedAsUnanswered()
    {
        var charged = await ChargedButFailedAsync(31_000);
        var silent = await ChargedButFailedAsync(32_000, SandboxFaults.LookupServerError);
        var ghostLine = new ExternalLine("tx-ghost-live", "pay-ghost-live", "order-ghost-live", PaymentMethod.CARD, 4_000,
            FeeSchedule.Default.ExpectedFee(PaymentMethod.CARD, 4_000)!.Value, BusinessCalendar.Today(TimeProvider.System),
            DateTimeOffset.UtcNow);

        var findings = await RunTodayAsync(ghostLine);

        Assert.Equal(FindingType.CHARGED_BUT_FAILED, findings[charged].Type);
        Assert.Equal("DONE", findings[charged].PgLiveStatus);
        Assert.Equal(31_000, findings[charged].PgLiveBalance);
        Assert.NotNull(findings[charged].PgLiveCheckedAt);
        Assert.Equal(FindingVerdict.CONFIRMED, findings[silent].Verdict);
        Assert.Equal(ReconLiveCheck.Unanswered, findings[silent].PgLiveStatus);
        Assert.Null(findings[silent].PgLiveBalance);
        Assert.Equal(FindingType.MISSING_INTERNAL, findings["pay-ghost-live"].Type);
        Assert.Equal(ReconLiveCheck.NotFound, findings["pay-ghost-live"].PgLiveStatus);
    }

    [Fact]
    public async Task JsonReport_CarriesTheLiveAnswer()
    {
        var charged = await ChargedButFailedAsync(33_000);
        var findings = await RunTodayAsync();

        var run = (await fx.Host.Get<ReconciliationService>().GetRunAsync(findings[charged].LastRunId))!;
        var report = ReconRunReport.From(run, findings.Values.Where(f => f.Verdict == FindingVerdict.CONFIRMED));
        var json = System.Text.Json.JsonSerializer.Serialize(report, ReconRunReport.Json);

        Assert.Contains("\"pgLive\": {", json, StringComparison.Ordinal);
        Assert.Contains("\"status\": \"DONE\"", json, StringComparison.Ordinal);
        Assert.Contains("\"balance\": 33000", json, StringComparison.Ordinal);
    }
}

public sealed class SqliteLiveCheckTests(LiveCheckAppFixture<SqliteTestDatabase> fx)
    : LiveCheckTests<SqliteTestDatabase>(fx), IClassFixture<LiveCheckAppFixture<SqliteTestDatabase>>;

public sealed class PostgresLiveCheckTests(LiveCheckAppFixture<PostgresTestDatabase> fx)
    : LiveCheckTests<PostgresTestDatabase>(fx), IClassFixture<LiveCheckAppFixture<PostgresTestDatabase>>;
