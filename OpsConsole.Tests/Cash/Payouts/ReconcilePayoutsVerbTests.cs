using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Cli;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Warehouse;
using OpsConsole.Tests.Infrastructure;
using OpsConsole.Tests.Warehouse;
using static OpsConsole.Tests.Cash.Payouts.PayoutTestSupport;

namespace OpsConsole.Tests.Cash.Payouts;

/// <summary><c>reconcile-payouts --from D --to D --json [--engine bigquery]</c>: one JSON document on stdout, the run and its findings.</summary>
public sealed class ReconcilePayoutsVerbTests(PostgresTestDatabase db) : IClassFixture<PostgresTestDatabase>, IAsyncLifetime
{
    private FakeBigQueryServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeBigQueryServer.StartAsync();
        _server.Executor = new FakeBigQuerySql(db.ConnectionString);
        await ClearAsync(db.Factory);
        await AddLinesAsync(db.Factory,
        [
            new PayoutLine("tosspay", new(2026, 3, 4), new(2026, 3, 6), PaymentMethod.CARD, 50_000),
            new PayoutLine("tosspay", new(2026, 3, 9), new(2026, 3, 11), PaymentMethod.CARD, 70_000),
        ]);
        await AddDepositsAsync(db.Factory, [new Deposit("kb-operating", new(2026, 3, 11), 68_500, "토스페이먼츠(주)")]);
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
            "--Reconciliation:ScheduleEnabled=false",
            "--Cash:Accounts:kb-operating:Number=110-123-456789",
            "--Cash:Pgs:tosspay:Account=kb-operating",
            "--Cash:Pgs:tosspay:Counterparty=토스페이먼츠,TOSS",
            "--Cash:Pgs:tosspay:PayoutDays:CARD=2",
            $"--Warehouse:BigQuery:ProjectId={FakeBigQueryServer.Project}",
            "--Warehouse:BigQuery:Dataset=ledger",
            $"--Warehouse:BigQuery:BaseUrl={_server.BaseUrl}",
        ];
        var code = await CliRunner.RunAsync(["reconcile-payouts", "--from", "2026-03-02", "--to", "2026-03-20", "--json", .. args, .. config],
            output, error, b =>
            {
                b.Services.AddSingleton<IBigQueryTokenSource>(new StaticTokenSource("cli-token"));
                b.AddWarehouse();
            });
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("database", null, "database")]
    [InlineData("bigquery", null, "bigquery")]
    [InlineData(null, "bigquery", "bigquery")] // Cash:Engine for runs that name none
    [InlineData("database", "bigquery", "database")]
    public async Task Json_PrintsTheRunAndItsConfirmedFindings(string? option, string? configured, string engine)
    {
        var (code, output, error) = await RunAsync([.. option is null ? [] : new[] { "--engine", option },
            .. configured is null ? [] : new[] { $"--Cash:Engine={configured}" }]);

        Assert.True(code == 0, error + output);
        using var json = JsonDocument.Parse(output); // exactly one document
        var run = json.RootElement.GetProperty("run");
        Assert.Equal("SUCCEEDED", run.GetProperty("status").GetString());
        Assert.Equal("2026-03-02", run.GetProperty("from").GetString());
        Assert.Equal(engine, run.GetProperty("engine").GetString());
        var findings = json.RootElement.GetProperty("findings").EnumerateArray()
            .ToDictionary(f => f.GetProperty("type").GetString()!);
        Assert.Equal(["PAYOUT_AMOUNT_MISMATCH", "PAYOUT_MISSING"], findings.Keys.Order());
        var missing = findings["PAYOUT_MISSING"];
        Assert.Equal("tosspay", missing.GetProperty("pgMid").GetString());
        Assert.Equal("kb-operating", missing.GetProperty("account").GetString());
        Assert.Equal("2026-03-06", missing.GetProperty("expectedDate").GetString());
        Assert.Equal(50_000, missing.GetProperty("expectedAmount").GetInt64());
        Assert.Equal(JsonValueKind.Null, missing.GetProperty("receivedAmount").ValueKind);
        Assert.Equal(0, missing.GetProperty("depositIds").GetArrayLength());
        Assert.Equal(50_000, missing.GetProperty("moneyAtRisk").GetInt64());
        var short_ = findings["PAYOUT_AMOUNT_MISMATCH"];
        Assert.Equal(68_500, short_.GetProperty("receivedAmount").GetInt64());
        Assert.Equal(1, short_.GetProperty("depositIds").GetArrayLength());
        Assert.Equal(1_500, short_.GetProperty("moneyAtRisk").GetInt64());

        if (engine == "bigquery")
        {
            var jobs = json.RootElement.GetProperty("warehouseJobs").EnumerateArray()
                .Select(j => $"{j.GetProperty("pass").GetInt32()} {j.GetProperty("step").GetString()}").ToList();
            Assert.Equal(["1 lines", "1 match", "2 lines", "2 match"], jobs);
            Assert.NotEmpty(_server.Of("query"));
        }
        else
        {
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("warehouseJobs").ValueKind);
            Assert.Empty(_server.Requests);
        }
    }

    [Fact]
    public async Task PrintSql_PrintsTheBigQueryJobsAndTheirParameters_WithoutCallingBigQuery()
    {
        var (code, output, error) = await RunAsync("--engine", "bigquery", "--print-sql");

        Assert.True(code == 0, error);
        Assert.Empty(_server.Requests);
        Assert.Contains("-- ===== Pass 1, lines =====", output);
        Assert.Contains("--   @lookback DATE = '2026-01-30'", output);
        Assert.Contains("FROM `ops-proj.ledger.settlement_lines` s WHERE s.sold_date BETWEEN @sold_from AND @to", output);
        Assert.Contains("--   @deposits ARRAY<STRUCT<id INT64", output);
        Assert.Contains("-- ===== Pass 2, lines", output);
    }

    [Fact]
    public async Task AnUnknownEngine_IsBadUsage()
    {
        var (code, _, error) = await RunAsync("--engine", "snowflake");

        Assert.Equal(2, code);
        Assert.Contains("--engine", error);
    }
}
