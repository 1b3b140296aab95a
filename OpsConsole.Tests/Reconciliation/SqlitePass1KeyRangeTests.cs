using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.Benchmark;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// SQLite's pass 1 in key ranges: SQLite lets one connection write at a time, so the ranges are read at once, each on
/// its own connection, and one connection writes their rows (<see cref="IReconSqlDialect.KeySampleSql"/>).
/// </summary>
public sealed class SqlitePass1KeyRangeTests(SqliteTestDatabase db) : IClassFixture<SqliteTestDatabase>
{
    private static readonly SqliteReconDialect Dialect = new();

    private static readonly ReconciliationSqlGenerator Generator =
        new(ReconciliationDefinition.Standard(FeeSchedule.Default), Dialect);

    /// <summary>The benchmark's day: every fault type, on keys of the PG's shape.</summary>
    private static readonly ReconBenchData Day = new(4_000, ReconTestSupport.Date);

    private async Task LoadDayAsync()
    {
        await Ledger.ClearAsync(db.Factory);
        await ReconBenchLoader.LoadAsync(DatabaseProvider.Sqlite, db.ConnectionString, Day, CancellationToken.None);
    }

    private ReconciliationService Service(int partitions, int processors)
    {
        var service = ReconTestSupport.Service(db.Factory,
            options: new ReconciliationOptions { SettleDelay = TimeSpan.Zero, Pass1Partitions = partitions });
        service.Processors = processors;
        return service;
    }

    [Fact]
    public async Task KeyRanges_FromTheKeySample_AreContiguousAndOfSimilarSize()
    {
        await LoadDayAsync();

        var shares = await Service(partitions: 3, processors: 3)
            .KeySampleSharesAsync(Generator, Dialect, new Dictionary<string, object?>(), CancellationToken.None);

        Assert.Equal(3, shares.Count);
        Assert.False(shares[0].Parameters.ContainsKey("lo"));
        Assert.Equal(shares[0].Parameters["hi"], shares[1].Parameters["lo"]);
        Assert.Equal(shares[1].Parameters["hi"], shares[2].Parameters["lo"]);
        Assert.False(shares[2].Parameters.ContainsKey("hi"));
        Assert.DoesNotContain("INSERT", shares[0].Sql);
        var perShare = new List<long>();
        await using var ctx = db.Factory.CreateDbContext();
        foreach (var share in shares)
            perShare.Add(await ReconSql.ScalarAsync(ctx, "SELECT COUNT(*) FROM payment_transactions t WHERE TRUE" +
                (share.Parameters.ContainsKey("lo") ? " AND t.transaction_key >= @lo" : "") +
                (share.Parameters.ContainsKey("hi") ? " AND t.transaction_key < @hi" : ""), share.Parameters, CancellationToken.None));
        var transactions = await ctx.Database.SqlQueryRaw<long>("SELECT COUNT(*) AS \"Value\" FROM payment_transactions").SingleAsync();
        Assert.Equal(transactions, perShare.Sum());
        Assert.All(perShare, n => Assert.InRange(n, transactions / 6, transactions / 2));
    }

    /// <summary>One range per processor at most: the ranges are CPU-bound reads, and each scans the day's rows.</summary>
    [Theory]
    [InlineData(4, 1, 1)]
    [InlineData(4, 2, 2)]
    [InlineData(1, 8, 1)]
    public async Task KeyRanges_AreAtMostOnePerProcessor(int partitions, int processors, int expected)
    {
        await LoadDayAsync();

        var shares = await Service(partitions, processors)
            .KeySampleSharesAsync(Generator, Dialect, new Dictionary<string, object?>(), CancellationToken.None);

        Assert.Equal(expected, shares.Count);
    }

    /// <summary>
    /// The run in three ranges, read at once, writes exactly the pass-1 items of the run in one statement, and finds
    /// exactly the day's injected faults.
    /// </summary>
    [Fact]
    public async Task Pass1InKeyRanges_WritesWhatOneStatementWrites()
    {
        await LoadDayAsync();

        var whole = await Service(partitions: 1, processors: 1).RunAsync(Day.BusinessDate, RunTrigger.CLI, "tester", full: true);
        var ranged = await Service(partitions: 3, processors: 3).RunAsync(Day.BusinessDate, RunTrigger.CLI, "tester", full: true);

        Assert.Equal(RunStatus.SUCCEEDED, whole.Status);
        Assert.Equal(RunStatus.SUCCEEDED, ranged.Status);
        var wholeItems = await Pass1ItemsAsync(whole.Id);
        Assert.Equal(Day.Expected.Values.Sum(), wholeItems.Count);
        Assert.Equal(wholeItems, await Pass1ItemsAsync(ranged.Id));
        Assert.Equal(whole.Pass1Count, ranged.Pass1Count);
        Assert.Equal(whole.ConfirmedCount, ranged.ConfirmedCount);
    }

    /// <summary>
    /// A range that fails after the others' rows are being written fails the pass with its own error (not the
    /// cancellation it causes), and the rows already written are rolled back.
    /// </summary>
    [Fact]
    public async Task ARangeThatFails_FailsThePassWithItsError_AndWritesNothing()
    {
        await LoadDayAsync();
        var run = await Service(partitions: 1, processors: 1).RunAsync(Day.BusinessDate, RunTrigger.CLI, "tester", full: true);
        var columns = ReconciliationSqlGenerator.ItemColumnCount;
        Assert.Equal(ItemValues.Length + 3, columns);
        // Copies of one of the run's items as pass 9 (no run writes it), 20,000 per range; the failing range raises
        // SQLite's integer overflow at its 5,000th row.
        string Rows(string failAt) => $"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
            SELECT @run, 9, @prefix || i, {string.Join(", ", ItemValues.Select(c => "r." + c))}
            FROM n, (SELECT * FROM recon_run_items WHERE run_id = @run AND pass = 1 LIMIT 1) r
            WHERE {failAt}
            """;
        var shares = new List<ReconciliationService.PassShare>
        {
            new(Rows("TRUE"), new Dictionary<string, object?> { ["run"] = run.Id, ["prefix"] = "a" }),
            new(Rows("CASE WHEN i = 5000 THEN abs(-9223372036854775807 - 1) ELSE 1 END"),
                new Dictionary<string, object?> { ["run"] = run.Id, ["prefix"] = "b" }),
        };

        var error = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() =>
            Service(partitions: 2, processors: 2).ReadInSharesWriteOnceAsync(shares, Generator.ItemValuesInsert(), columns,
                CancellationToken.None));

        Assert.Contains("integer overflow", error.Message);
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal(0, await ReconSql.ScalarAsync(ctx, "SELECT COUNT(*) FROM recon_run_items WHERE pass = 9",
            new Dictionary<string, object?>(), CancellationToken.None));
        // The same ranges without the failure write every row.
        shares[1] = shares[1] with { Sql = Rows("TRUE") };
        Assert.Equal(40_000, await Service(partitions: 2, processors: 2).ReadInSharesWriteOnceAsync(shares,
            Generator.ItemValuesInsert(), columns, CancellationToken.None));
    }

    /// <summary>An item's columns after its run, pass and key.</summary>
    private static readonly string[] ItemValues =
    [
        "finding_type", "payment_key", "order_id", "trace_id", "payment_status", "internal_kind",
        "internal_amount", "internal_method", "internal_business_date", "internal_occurred_at", "external_line_count",
        "external_amount", "external_amount_total", "external_fee", "external_expected_fee", "external_method",
        "external_sold_date", "external_approved_at", "diff_fields", "money_at_risk", "currency",
    ];

    private async Task<List<string>> Pass1ItemsAsync(long runId)
    {
        await using var ctx = db.Factory.CreateDbContext();
        var columns = string.Join(" || '|' || ", ItemValues.Prepend("transaction_key")
            .Select(c => $"COALESCE(typeof({c}) || ':' || {c}, 'null')"));
        return [.. await ReconSql.StringsAsync(ctx,
            $"SELECT {columns} FROM recon_run_items WHERE run_id = {runId} AND pass = 1 ORDER BY transaction_key", CancellationToken.None)];
    }
}

