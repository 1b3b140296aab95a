using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Cash;
using OpsConsole.Core.Cash.Payouts;
using OpsConsole.Core.Common;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Warehouse;
using OpsConsole.Tests.Infrastructure;
using OpsConsole.Tests.Warehouse;
using Xunit.Abstractions;
using static OpsConsole.Tests.Cash.Payouts.PayoutTestSupport;

namespace OpsConsole.Tests.Cash.Payouts;

/// <summary>
/// Payout runs on the BigQuery engine, over real HTTP to <see cref="FakeBigQueryServer"/>, which executes the jobs' SQL
/// (translated to PostgreSQL) on the test database: the settlement lines are read "in the warehouse", the deposits,
/// calendar and aggregate travel as query parameters, and the rows come back into the run.
/// </summary>
public sealed class BigQueryPayoutRunTests(PostgresTestDatabase db, ITestOutputHelper output)
    : IClassFixture<PostgresTestDatabase>, IAsyncLifetime
{
    private FakeBigQueryServer _server = null!;
    private BigQueryOptions _bigQuery = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeBigQueryServer.StartAsync();
        _server.Executor = new FakeBigQuerySql(db.ConnectionString);
        _bigQuery = WarehouseTestSupport.FakeServerOptions(_server);
        _bigQuery.PageSize = 7; // several result pages per job
        await ClearAsync(db.Factory);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private PayoutReconciliationService BigQueryService(CashOptions options, DateTimeOffset? now = null)
    {
        var clock = new TestClock();
        clock.Set(now ?? Now);
        var engine = new BigQueryPayoutEngine(WarehouseTestSupport.Engine(_bigQuery, db.Factory), Microsoft.Extensions.Options.Options.Create(_bigQuery));
        return new PayoutReconciliationService(db.Factory, Microsoft.Extensions.Options.Options.Create(options), Calendar, clock,
            warehouse: engine);
    }

    /// <summary>What a finding says, without the ids of the run that wrote it.</summary>
    private sealed record FindingFacts(string Key, FindingType Type, FindingVerdict Verdict, FindingStatus Status, FindingType? Pass1Type,
        string? TransientReason, DateOnly BusinessDate, long? ExternalAmount, long? InternalAmount, long? LineCount, string? Diff, long MoneyAtRisk);

    private async Task<List<FindingFacts>> FactsAsync() => (await FindingsAsync(db.Factory))
        .Select(f => new FindingFacts(f.TransactionKey, f.Type, f.Verdict, f.Status, f.Pass1Type, f.TransientReason, f.BusinessDate,
            f.ExternalAmount, f.InternalAmount, f.ExternalLineCount, f.DiffFields, f.MoneyAtRisk)).ToList();

    private async Task ForgetRunsAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        foreach (var table in new[] { "recon_finding_notes", "recon_findings", "payout_run_jobs", "payout_run_items", "payout_run_groups", "payout_runs" })
#pragma warning disable EF1002 // table names are constants of this test
            await ctx.Database.ExecuteSqlRawAsync($"DELETE FROM {table}");
#pragma warning restore EF1002
    }

    private async Task<List<PayoutRunJob>> JobsAsync(long runId)
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.Set<PayoutRunJob>().AsNoTracking().Where(j => j.RunId == runId).OrderBy(j => j.Id).ToListAsync();
    }

    [Fact]
    public async Task RunOnBigQuery_OnRandomMonths_FindsExactlyWhatThePostgresEngineFinds()
    {
        var matches = new HashSet<PayoutMatch>();
        var types = new HashSet<FindingType>();
        await FixedSamples.ForEachAsync(4, 1717, async seed =>
        {
            var (options, lines, deposits) = PayoutPropertyTests<PostgresTestDatabase>.RandomMonth(seed);
            await ClearAsync(db.Factory);
            await AddLinesAsync(db.Factory, lines);
            var ids = await AddDepositsAsync(db.Factory, deposits);
            var now = Now.AddDays(-new Random(seed).Next(0, 19));

            var local = await Service(db.Factory, options, now).RunAsync(From, To, RunTrigger.CLI, "equivalence");
            Assert.True(local.Status == RunStatus.SUCCEEDED, $"seed {seed}: {local.Error}");
            var localItems = (await ItemsAsync(db.Factory, local.Id, 1), await ItemsAsync(db.Factory, local.Id, 2));
            var localFindings = await FactsAsync();
            await ForgetRunsAsync();

            var onBigQuery = await BigQueryService(options, now).RunAsync(From, To, RunTrigger.CLI, "equivalence", engine: "bigquery");

            Assert.True(onBigQuery.Status == RunStatus.SUCCEEDED, $"seed {seed}: {onBigQuery.Error}");
            var bqItems = (await ItemsAsync(db.Factory, onBigQuery.Id, 1), await ItemsAsync(db.Factory, onBigQuery.Id, 2));
            if (!localItems.Item1.SequenceEqual(bqItems.Item1) || !localItems.Item2.SequenceEqual(bqItems.Item2))
                Assert.Fail($"seed {seed}: items differ\n database:\n  {string.Join("\n  ", localItems.Item1)}\n bigquery:\n  {string.Join("\n  ", bqItems.Item1)}");
            Assert.Equal(localFindings, await FactsAsync());
            Assert.Equal((local.Pass1Count, local.ConfirmedCount, local.ConfirmedAmount, local.TransientCount, local.ExpectedCount, local.ExpectedAmount,
                    local.DepositCount, local.DepositAmount),
                (onBigQuery.Pass1Count, onBigQuery.ConfirmedCount, onBigQuery.ConfirmedAmount, onBigQuery.TransientCount, onBigQuery.ExpectedCount,
                    onBigQuery.ExpectedAmount, onBigQuery.DepositCount, onBigQuery.DepositAmount));
            // And both agree with the oracle.
            var expected = PayoutOracle.Run(PayoutRules.From(options), Calendar, lines,
                deposits.Select((d, i) => new OracleDeposit(ids[i], d)).ToList(), From, To, BusinessCalendar.BusinessDateOf(now));
            Assert.Equal(expected, bqItems.Item1);

            // Lines and match jobs of pass 1; of pass 2 the lines job only when pass 1 flagged something.
            var jobs = await JobsAsync(onBigQuery.Id);
            Assert.Equal(onBigQuery.Pass1Count > 0
                    ? new[] { "1 lines", "1 match", "2 lines", "2 match" }
                    : new[] { "1 lines", "1 match", "2 match" },
                jobs.Select(j => $"{j.Pass} {j.Step}"));
            Assert.All(jobs, j => Assert.StartsWith("fake-job-", j.JobId));
            foreach (var i in bqItems.Item1)
            {
                if (i.Match is { } m) matches.Add(m);
                if (i.Type is { } t) types.Add(t);
            }
        }, output.WriteLine);

        // The samples exercise the N:1 and window matching and the main finding types, or the comparison proves little.
        Assert.Contains(PayoutMatch.COMBINED, matches);
        Assert.Contains(PayoutMatch.WINDOW, matches);
        Assert.Contains(FindingType.PAYOUT_MISSING, types);
        Assert.Contains(FindingType.UNEXPECTED_DEPOSIT, types);
        // The jobs really ran the payout SQL in the (fake) warehouse, with the deposits and the calendar as parameters.
        Assert.Contains(_server.Executor!.Executed, sql => sql.Contains("jsonb_to_recordset(@deposits)", StringComparison.Ordinal));
        Assert.Contains(_server.Of("query"), r => r.Body!["query"]!.GetValue<string>().Contains("`ops-proj.ledger.settlement_lines`", StringComparison.Ordinal));
    }

    /// <summary>A month with a missing payout, a short one and a stray deposit: the first run's findings are the baseline.</summary>
    private async Task<CashOptions> MonthWithFindingsAsync()
    {
        var options = Options();
        await AddLinesAsync(db.Factory,
        [
            new PayoutLine("tosspay", new(2026, 3, 2), new(2026, 3, 4), Core.Payments.PaymentMethod.CARD, 50_000),
            new PayoutLine("tosspay", new(2026, 3, 3), new(2026, 3, 5), Core.Payments.PaymentMethod.CARD, 70_000),
            new PayoutLine("inicis", new(2026, 3, 3), new(2026, 3, 6), Core.Payments.PaymentMethod.CARD, 30_000),
        ]);
        await AddDepositsAsync(db.Factory,
        [
            new Deposit("kb-operating", new(2026, 3, 5), 68_500, "토스페이먼츠(주)"),
            new Deposit("kb-operating", new(2026, 3, 16), 12_340, "KG이니시스"),
        ]);
        return options;
    }

    [Fact]
    public async Task RunOnBigQuery_WhatChangesBetweenThePasses_MakesPass1sFindingsTransient()
    {
        var options = await MonthWithFindingsAsync();
        var service = BigQueryService(options);
        service.BetweenPasses = async () =>
        {
            // The missing inicis payout arrives; the PG corrects the short tosspay day with a line (re-read by pass 2's lines job).
            await AddDepositsAsync(db.Factory, [new Deposit("kb-operating", new(2026, 3, 6), 30_000, "KG이니시스")]);
            await AddLinesAsync(db.Factory, [new PayoutLine("tosspay", new(2026, 3, 3), new(2026, 3, 5), Core.Payments.PaymentMethod.CARD, -1_500)]);
        };

        var run = await service.RunAsync(From, To, RunTrigger.CLI, "t", engine: "bigquery");

        Assert.True(run.Status == RunStatus.SUCCEEDED, run.Error);
        var findings = (await FindingsAsync(db.Factory)).ToDictionary(f => f.TransactionKey);
        Assert.Equal((FindingType.PAYOUT_MISSING, FindingVerdict.TRANSIENT, FindingStatus.AUTO_RESOLVED),
            (findings["PAYOUT:inicis:2026-03-06"].Type, findings["PAYOUT:inicis:2026-03-06"].Verdict, findings["PAYOUT:inicis:2026-03-06"].Status));
        // Pass 1: the 68,500 deposit paid 3/4 short (the earliest open payout of its window) and 3/5 was missing. Pass 2
        // re-reads the lines: 3/5 nets 68,500 and matches exactly, so 3/4 is missing.
        Assert.Equal((FindingType.PAYOUT_MISSING, FindingVerdict.TRANSIENT),
            (findings["PAYOUT:tosspay:2026-03-05"].Type, findings["PAYOUT:tosspay:2026-03-05"].Verdict));
        Assert.Equal((FindingType.PAYOUT_MISSING, FindingVerdict.CONFIRMED, FindingType.PAYOUT_AMOUNT_MISMATCH, 50_000L),
            (findings["PAYOUT:tosspay:2026-03-04"].Type, findings["PAYOUT:tosspay:2026-03-04"].Verdict,
                findings["PAYOUT:tosspay:2026-03-04"].Pass1Type, findings["PAYOUT:tosspay:2026-03-04"].MoneyAtRisk));
        Assert.Equal(2, run.TransientCount);
        // Pass 2's lines job got pass 1's flagged payouts, not the whole range.
        var pass2Lines = _server.Of("query").Last(q => q.Body?["labels"]?["pass"]?.GetValue<string>() == "2"
                                                      && q.Body?["labels"]?["step"]?.GetValue<string>() == "lines").Body!;
        Assert.Contains("\"items\"", pass2Lines["queryParameters"]!.ToJsonString());
    }

    [Fact]
    public async Task RunOnBigQuery_WhenAJobFailsForGood_FailsTheRunAndAppliesNothing()
    {
        var options = await MonthWithFindingsAsync();
        var first = await BigQueryService(options).RunAsync(From, To, RunTrigger.CLI, "t", engine: "bigquery");
        Assert.True(first.Status == RunStatus.SUCCEEDED, first.Error);
        var before = await FindingsAsync(db.Factory);
        Assert.Contains(before, f => f.Type == FindingType.PAYOUT_MISSING);
        Assert.Contains(before, f => f.Type == FindingType.PAYOUT_AMOUNT_MISMATCH);
        Assert.Contains(before, f => f.Type == FindingType.UNEXPECTED_DEPOSIT);
        // Since then the missing payout arrived: a run that finished would auto-resolve or change the findings.
        await AddDepositsAsync(db.Factory, [new Deposit("kb-operating", new(2026, 3, 6), 30_000, "KG이니시스")]);

        // Pass 2's match job, the last BigQuery call, is refused for good.
        _server.Intercept = r => r.Kind == "query" && r.Body?["dryRun"]?.GetValue<bool>() != true
                                 && r.Body?["labels"]?["pass"]?.GetValue<string>() == "2" && r.Body?["labels"]?["step"]?.GetValue<string>() == "match"
            ? Bq.Error(400, "invalidQuery", "Unrecognized name: due_ordinal at [14:40]")
            : null;
        var failed = await BigQueryService(options).RunAsync(From, To, RunTrigger.CLI, "t", engine: "bigquery");

        Assert.Equal(RunStatus.FAILED, failed.Status);
        Assert.Contains("BigQuery rejected the SQL", failed.Error);
        Assert.Contains("Unrecognized name: due_ordinal", failed.Error);
        var after = await FindingsAsync(db.Factory);
        Assert.Equal(before.Select(f => (f.Id, f.TransactionKey, f.Type, f.Status, f.Verdict, f.Version, f.SeenCount, f.LastRunId, f.MoneyAtRisk)),
            after.Select(f => (f.Id, f.TransactionKey, f.Type, f.Status, f.Verdict, f.Version, f.SeenCount, f.LastRunId, f.MoneyAtRisk)));
        await using var ctx = db.Factory.CreateDbContext();
        Assert.False(await ctx.Set<PayoutRunItem>().AnyAsync(i => i.RunId == failed.Id));
        Assert.False(await ctx.Set<PayoutRunGroup>().AnyAsync(g => g.RunId == failed.Id));
        // The jobs that did run stay on record.
        Assert.Equal(["1 lines", "1 match", "2 lines"], (await JobsAsync(failed.Id)).Select(j => $"{j.Pass} {j.Step}"));
        // The Cash page still shows the last good run.
        Assert.Equal(first.Id, (await new CashViewService(db.Factory).LatestRunAsync())!.Id);
    }

    [Fact]
    public async Task RunOnBigQuery_WhenAJobKeepsFailingOnBackendErrors_GivesUpAfterMaxJobAttemptsAndAppliesNothing()
    {
        var options = await MonthWithFindingsAsync();
        _bigQuery.MaxJobAttempts = 2;
        // Every job of pass 1's match step ends in jobBackendError (a job-level passing fault: run again as a new job).
        var matchJobs = new List<string>();
        var failedJobs = 0;
        string? lastStep = null;
        _server.Intercept = r =>
        {
            if (r.Kind == "query" && r.Body?["dryRun"]?.GetValue<bool>() != true)
            {
                lastStep = r.Body?["labels"]?["step"]?.GetValue<string>();
                if (lastStep == "match") matchJobs.Add(r.RequestId!);
            }
            if (r.Kind != "job" || lastStep != "match") return null;
            failedJobs++;
            return Bq.Job(r.Path.Split('/').Last(), 0, 0, "jobBackendError");
        };

        var run = await BigQueryService(options).RunAsync(From, To, RunTrigger.CLI, "t", engine: "bigquery");

        Assert.Equal(RunStatus.FAILED, run.Status);
        Assert.Contains("failed 2 times in a row", run.Error);
        Assert.Equal(2, failedJobs);
        Assert.Equal(2, matchJobs.Distinct().Count()); // each attempt a new job (new requestId)
        Assert.Empty(await FindingsAsync(db.Factory));
        await using var ctx = db.Factory.CreateDbContext();
        Assert.False(await ctx.Set<PayoutRunItem>().AnyAsync(i => i.RunId == run.Id));
    }

    [Fact]
    public async Task RunOnBigQuery_RetriesAPassingFaultWithTheSameRequest_AndSucceeds()
    {
        var options = await MonthWithFindingsAsync();
        var expected = await Service(db.Factory, options).RunAsync(From, To, RunTrigger.CLI, "t");
        var facts = await FactsAsync();
        await ForgetRunsAsync();
        var faulted = 0;
        _server.Intercept = r => r.Kind == "query" && r.Body?["dryRun"]?.GetValue<bool>() != true && Interlocked.Increment(ref faulted) == 1
            ? Bq.Error(503, "backendError", "Error encountered during execution. Retrying may solve the problem.")
            : null;

        var run = await BigQueryService(options).RunAsync(From, To, RunTrigger.CLI, "t", engine: "bigquery");

        Assert.True(run.Status == RunStatus.SUCCEEDED, run.Error);
        Assert.Equal(facts, await FactsAsync());
        Assert.Equal(expected.ConfirmedCount, run.ConfirmedCount);
        var jobs = _server.Of("query").Where(q => q.Body?["dryRun"]?.GetValue<bool>() != true).ToList();
        Assert.Equal(jobs[0].RequestId, jobs[1].RequestId); // the retried call, not a second job
    }

    [Fact]
    public async Task RunOnBigQuery_WhenALinesJobWouldScanTooMuch_RefusesBeforeRunningAnything()
    {
        var options = await MonthWithFindingsAsync();
        _server.Executor!.DryRunBytes = 20L * 1024 * 1024 * 1024;

        var run = await BigQueryService(options).RunAsync(From, To, RunTrigger.CLI, "t", engine: "bigquery");

        Assert.Equal(RunStatus.FAILED, run.Status);
        Assert.Contains("would scan 20 GiB", run.Error);
        Assert.All(_server.Of("query"), q => Assert.True(q.Body!["dryRun"]!.GetValue<bool>()));
        Assert.Empty(await FindingsAsync(db.Factory));
    }

    [Fact]
    public async Task Run_OnAnEngineThatIsNotConfigured_IsRefusedWithTheEnginesThatExist()
    {
        var e = await Assert.ThrowsAsync<DomainException>(() =>
            Service(db.Factory, Options()).RunAsync(From, To, RunTrigger.CLI, "t", engine: "bigquery"));

        Assert.Equal("UNKNOWN_ENGINE", e.Code);
        Assert.Contains("database", e.Message);
    }
}
