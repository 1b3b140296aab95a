using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Cli;
using OpsConsole.Core.Warehouse;
using OpsConsole.Tests.Infrastructure;
using OpsConsole.Tests.Reconciliation;

namespace OpsConsole.Tests.Warehouse;

public sealed class ReconcileOnBigQueryVerbTests(PostgresTestDatabase db) : IClassFixture<PostgresTestDatabase>, IAsyncLifetime
{
    private FakeBigQueryServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeBigQueryServer.StartAsync();
        await Ledger.ClearAsync(db.Factory);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[] config =
        [
            "--Database:Provider=Postgres",
            $"--ConnectionStrings:OpsConsole={db.ConnectionString}",
            "--Reconciliation:SettleDelay=00:00:00",
            "--Reconciliation:ScheduleEnabled=false",
            $"--Warehouse:BigQuery:ProjectId={FakeBigQueryServer.Project}",
            "--Warehouse:BigQuery:Dataset=ledger",
            "--Warehouse:BigQuery:Location=asia-northeast3",
            $"--Warehouse:BigQuery:BaseUrl={_server.BaseUrl}",
            "--Warehouse:BigQuery:MaximumBytesBilled=1000000",
        ];
        var code = await CliRunner.RunAsync(["reconcile", "--engine", "bigquery", .. args, .. config], output, error, b =>
        {
            b.Services.AddSingleton<IBigQueryTokenSource>(new StaticTokenSource("cli-token"));
            b.AddWarehouse();
        });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task PrintSql_PrintsBothPassesAndTheirParameters_WithoutCallingBigQuery()
    {
        var (code, output, _) = await RunAsync("--date", "2026-11-24", "--print-sql");

        Assert.Equal(0, code);
        Assert.Empty(_server.Requests);
        Assert.Contains("-- ===== Pass 1 =====", output);
        Assert.Contains("--   @date DATE = '2026-11-24'", output);
        Assert.Contains("--   @from TIMESTAMP = '2026-11-23 15:00:00.000000+00:00'", output);
        Assert.Contains("-- ===== Pass 2", output);
        Assert.Contains("--   @keys ARRAY<STRING>", output);
        Assert.Contains("FROM `ops-proj.ledger.settlement_lines` l", output);
        Assert.Contains("FULL OUTER JOIN", output);
    }

    [Fact]
    public async Task Run_WithJson_PrintsTheRunAndItsJobs()
    {
        _server.Script("query", Bq.DryRun(1000), Bq.Query("job-cli-1", true, BigQueryReconciliationEngineTests.ItemSchema, []));
        _server.Script("job", Bq.Job("job-cli-1", 900, 10_485_760));

        var (code, output, error) = await RunAsync("--date", "2026-11-24", "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("SUCCEEDED", json.RootElement.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("findings").GetArrayLength());
        var job = Assert.Single(json.RootElement.GetProperty("warehouseJobs").EnumerateArray());
        Assert.Equal("bigquery", job.GetProperty("engine").GetString());
        Assert.Equal("job-cli-1", job.GetProperty("jobId").GetString());
        Assert.Equal(900, job.GetProperty("bytesProcessed").GetInt64());
        Assert.Equal(10_485_760, job.GetProperty("bytesBilled").GetInt64());
        Assert.Equal("Bearer cli-token", _server.Of("query")[0].Authorization);
    }

    [Fact]
    public async Task Run_RefusedByTheByteLimit_ExitsNonZeroSayingWhy()
    {
        _server.Script("query", Bq.DryRun(5_000_000));

        var (code, _, error) = await RunAsync("--date", "2026-11-24");

        Assert.Equal(1, code);
        Assert.Contains("Pass 1 would scan 4.77 MiB", error);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task Run_WithAnotherEngine_IsAUsageError()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await CliRunner.RunAsync(["reconcile", "--date", "2026-11-24", "--engine", "snowflake"],
            output, error);

        Assert.Equal(2, code);
        Assert.Contains("--engine must be 'bigquery'", error.ToString());
    }

    [Fact]
    public async Task PrintSql_WithoutTheBigQueryEngine_IsAUsageError()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await CliRunner.RunAsync(["reconcile", "--date", "2026-11-24", "--print-sql"],
            output, error);

        Assert.Equal(2, code);
        Assert.Contains("--print-sql needs --engine bigquery", error.ToString());
    }
}
