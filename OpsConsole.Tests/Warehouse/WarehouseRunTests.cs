using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Warehouse;
using OpsConsole.Tests.Infrastructure;
using OpsConsole.Tests.Reconciliation;

namespace OpsConsole.Tests.Warehouse;

/// <summary>
/// A whole run with the BigQuery engine: the passes run in the (fake) warehouse, only findings come back, and
/// they land in the console's database (SQLite or PostgreSQL) like any other run's, with the jobs recorded
/// beside the run.
/// </summary>
public abstract class WarehouseRunTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    private static readonly DateOnly Day = new(2026, 11, 24);
    private FakeBigQueryServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeBigQueryServer.StartAsync();
        await Ledger.ClearAsync(db.Factory);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private ReconciliationService Service() => new(db.Factory,
        Options.Create(new ReconciliationOptions { SettleDelay = TimeSpan.Zero }), TimeProvider.System,
        externalEngines: [WarehouseTestSupport.Engine(WarehouseTestSupport.FakeServerOptions(_server), db.Factory)]);

    private static object?[] Item(string key, string type, long internalAmount, long externalAmount, string diff, long money) =>
        WarehouseReconciliationSql.ItemColumns.Select(c => (object?)(c switch
        {
            "transaction_key" => key,
            "finding_type" => type,
            "payment_key" => "pay-" + key,
            "order_id" => "order-" + key,
            "trace_id" => "trace-" + key,
            "payment_status" => "DONE",
            "internal_kind" => "APPROVAL",
            "internal_amount" => internalAmount.ToString(),
            "internal_method" or "external_method" => "CARD",
            "internal_business_date" or "external_sold_date" => "2026-11-24",
            "internal_occurred_at" or "external_approved_at" => "1795532399500000",
            "external_line_count" => "1",
            "external_amount" or "external_amount_total" => externalAmount.ToString(),
            "external_fee" or "external_expected_fee" => "0",
            "diff_fields" => diff,
            "money_at_risk" => money.ToString(),
            "currency" => "KRW",
            _ => throw new ArgumentOutOfRangeException(c),
        })).ToArray();

    [Fact]
    public async Task RunOnBigQuery_BringsBackOnlyFindings_ConfirmsSurvivors_AndRecordsTheJobs()
    {
        _server.Script("query",
            Bq.DryRun(2_000_000),
            Bq.Query("job-p1", true, BigQueryReconciliationEngineTests.ItemSchema,
            [
                Item("tx-a", "AMOUNT_MISMATCH", 10_000, 9_000, "amount", 1_000),
                Item("tx-b", "MISSING_EXTERNAL", 7_000, 0, "external", 7_000),
            ]),
            Bq.DryRun(300_000),
            // On recheck tx-b's PG line has arrived and agrees: no finding type.
            Bq.Query("job-p2", true, BigQueryReconciliationEngineTests.ItemSchema,
            [
                Item("tx-a", "AMOUNT_MISMATCH", 10_000, 9_000, "amount", 1_000),
                [.. Item("tx-b", "MISSING_EXTERNAL", 7_000, 7_000, "", 0).Select((v, i) => i == 1 ? null : v)],
            ]));
        _server.Script("job", Bq.Job("job-p1", 1_900_000, 10_485_760), Bq.Job("job-p2", 250_000, 10_485_760));

        var run = await Service().RunOnAsync("bigquery", Day, RunTrigger.CLI, "warehouse-test");

        Assert.True(run.Status == RunStatus.SUCCEEDED, run.Error);
        Assert.Equal(2, run.Pass1Count);
        Assert.Equal(1, run.ConfirmedCount);
        Assert.Equal(1, run.TransientCount);
        Assert.Equal(1_000, run.ConfirmedAmount);

        var findings = await ReconTestSupport.FindingsOfRunAsync(db.Factory, run.Id);
        Assert.Equal(
        [
            new ExpectedFinding("tx-a", FindingType.AMOUNT_MISMATCH, FindingVerdict.CONFIRMED, 1_000, "amount"),
            new ExpectedFinding("tx-b", FindingType.MISSING_EXTERNAL, FindingVerdict.TRANSIENT, 7_000, "external"),
        ], findings);

        // Pass 2 asked only for pass 1's keys.
        var pass2 = _server.Of("query")[3].Body!;
        Assert.Equal("""[{"value":"tx-a"},{"value":"tx-b"}]""", pass2["queryParameters"]![0]!["parameterValue"]!["arrayValues"]!.ToJsonString());

        await using var ctx = db.Factory.CreateDbContext();
        var jobs = await ctx.Set<WarehouseJobRecord>().Where(j => j.RunId == run.Id).OrderBy(j => j.Pass).ToListAsync();
        Assert.Equal(["job-p1", "job-p2"], jobs.Select(j => j.JobId));
        Assert.Equal([2_000_000L, 300_000L], jobs.Select(j => j.EstimatedBytes));
        Assert.Equal([1_900_000L, 250_000L], jobs.Select(j => j.BytesProcessed));
        Assert.All(jobs, j => Assert.Equal(10_485_760, j.BytesBilled));
        Assert.Equal([2, 2], jobs.Select(j => j.RowsReturned));
        Assert.Equal("https://console.cloud.google.com/bigquery?project=ops-proj&j=bq:asia-northeast3:job-p1&page=queryresults", jobs[0].ConsoleUrl);
    }

    [Fact]
    public async Task RunOnBigQuery_WhenThePassWouldScanTooMuch_FailsTheRunInPlainWordsAndRunsNoJob()
    {
        _server.Script("query", Bq.DryRun(20L * 1024 * 1024 * 1024));

        var run = await Service().RunOnAsync("bigquery", Day, RunTrigger.CLI, "warehouse-test");

        Assert.Equal(RunStatus.FAILED, run.Status);
        Assert.Contains("Pass 1 would scan 20 GiB", run.Error);
        Assert.Contains("MaximumBytesBilled", run.Error);
        Assert.Single(_server.Requests);
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Empty(await ctx.Set<WarehouseJobRecord>().Where(j => j.RunId == run.Id).ToListAsync());
    }

    [Fact]
    public async Task RunOnBigQuery_WhenBigQueryRejectsTheSql_RecordsBigQuerysReasonOnTheRun()
    {
        _server.Script("query", Bq.Error(400, "invalidQuery", "Unrecognized name: sold_date at [22:9]"));

        var run = await Service().RunOnAsync("bigquery", Day, RunTrigger.CLI, "warehouse-test");

        Assert.Equal(RunStatus.FAILED, run.Status);
        Assert.Contains("BigQuery rejected the SQL", run.Error);
        Assert.Contains("Unrecognized name: sold_date at [22:9]", run.Error);
    }

    [Fact]
    public async Task StartInTheBackground_OnBigQuery_RunsThePassesThere()
    {
        _server.Script("query", Bq.DryRun(1_000), Bq.Query("job-bg", true, BigQueryReconciliationEngineTests.ItemSchema, []));
        using var service = Service();

        var runId = await service.StartAsync(Day, "console-user", engine: "bigquery");
        await service.WhenBackgroundIdleAsync();

        var run = await service.GetRunAsync(runId);
        Assert.True(run!.Status == RunStatus.SUCCEEDED, run.Error);
        Assert.Equal(2, _server.Of("query").Count);
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal("job-bg", (await ctx.Set<WarehouseJobRecord>().SingleAsync(j => j.RunId == runId)).JobId);
    }

    [Fact]
    public async Task RunOn_AnEngineThatIsNotConfigured_SaysWhichExist()
    {
        var e = await Assert.ThrowsAsync<OpsConsole.Core.Common.DomainException>(() =>
            Service().RunOnAsync("snowflake", Day, RunTrigger.CLI, "warehouse-test"));

        Assert.Equal("UNKNOWN_ENGINE", e.Code);
        Assert.Contains("bigquery", e.Message);
    }
}

public sealed class SqliteWarehouseRunTests(SqliteTestDatabase db)
    : WarehouseRunTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresWarehouseRunTests(PostgresTestDatabase db)
    : WarehouseRunTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;
