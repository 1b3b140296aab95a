using System.Text.RegularExpressions;
using Npgsql;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.Benchmark;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// PostgreSQL's pass 1 (<see cref="ReconJoinStrategy.OrderedMergeJoin"/>): the key ranges the run splits it into, and
/// the plan that makes it fast — a merge of two key-ordered index-only scans instead of hashing the day.
/// </summary>
public sealed class Pass1KeyRangeTests(PostgresTestDatabase db) : IClassFixture<PostgresTestDatabase>
{
    private static readonly PostgresReconDialect Dialect = new();

    private static readonly ReconciliationSqlGenerator Generator =
        new(ReconciliationDefinition.Standard(FeeSchedule.Default), Dialect);

    private static Dictionary<string, object?> Parameters() => new() { ["run"] = 1L, ["date"] = ReconTestSupport.Date };

    [Fact]
    public async Task KeyRanges_FromTheKeyHistogram_AreContiguousAndOfSimilarSize()
    {
        var transactions = await SaveLedgerAsync("ANALYZE payment_transactions");
        var service = ReconTestSupport.Service(db.Factory,
            options: new ReconciliationOptions { SettleDelay = TimeSpan.Zero, Pass1Partitions = 3 });

        var shares = await service.KeyRangeSharesAsync(Generator, Dialect, Parameters(), CancellationToken.None);

        Assert.Equal(3, shares.Count);
        Assert.False(shares[0].Parameters.ContainsKey("lo"));
        Assert.Equal(shares[0].Parameters["hi"], shares[1].Parameters["lo"]);
        Assert.Equal(shares[1].Parameters["hi"], shares[2].Parameters["lo"]);
        Assert.False(shares[2].Parameters.ContainsKey("hi"));
        Assert.DoesNotContain("@lo", shares[0].Sql);
        Assert.DoesNotContain("@hi", shares[2].Sql);
        // Each range holds about a third of the transactions (the histogram's steps), and together all of them.
        var perShare = new List<long>();
        foreach (var share in shares)
            perShare.Add(await CountAsync("SELECT COUNT(*) FROM payment_transactions t WHERE TRUE" +
                (share.Parameters.ContainsKey("lo") ? " AND t.transaction_key >= @lo" : "") +
                (share.Parameters.ContainsKey("hi") ? " AND t.transaction_key < @hi" : ""), share.Parameters));
        Assert.Equal(transactions, perShare.Sum());
        Assert.All(perShare, n => Assert.InRange(n, transactions / 6, transactions / 2));
    }

    /// <summary>
    /// The PG's keys compare by byte on PostgreSQL, whatever the database's default collation: a linguistic one
    /// (C.UTF-8 included, before PostgreSQL 17) calls strcoll for every comparison of pass 1's merge and of every
    /// B-tree look-up by key, which halved the merge's speed.
    /// </summary>
    [Fact]
    public async Task KeyColumns_UseTheByteOrderCollation()
    {
        await using var ctx = db.Factory.CreateDbContext();
        var columns = await ReconSql.StringsAsync(ctx, """
            SELECT c.table_name || '.' || c.column_name || ' ' || COALESCE(c.collation_name, 'default')
            FROM information_schema.columns c
            WHERE c.table_schema = current_schema() AND c.column_name IN ('transaction_key', 'payment_key')
            ORDER BY 1
            """, CancellationToken.None);

        Assert.Contains("payment_transactions.transaction_key C", columns);
        Assert.Contains("settlement_lines.transaction_key C", columns);
        Assert.Contains("payments.payment_key C", columns);
        Assert.Contains("recon_findings.transaction_key C", columns);
        Assert.All(columns, c => Assert.EndsWith(" C", c));
    }

    [Fact]
    public async Task KeyRanges_OfOnePart_AreTheWholePass()
    {
        await SaveLedgerAsync("ANALYZE payment_transactions");
        var service = ReconTestSupport.Service(db.Factory,
            options: new ReconciliationOptions { SettleDelay = TimeSpan.Zero, Pass1Partitions = 1 });

        var share = Assert.Single(await service.KeyRangeSharesAsync(Generator, Dialect, Parameters(), CancellationToken.None));

        Assert.Equal(Generator.Pass1Insert(KeyRange.All), share.Sql);
    }

    /// <summary>
    /// With the engine's pass-1 settings, on a day of some size (the benchmark's data: fast to load, and a day of 20,000
    /// payments is past where PostgreSQL would rather sort the rows), the pass reads both ledgers from their covering
    /// indexes alone, in key order, and merges them: no hash table of the day, no visit to the tables' rows except for
    /// the differing keys.
    /// </summary>
    [Fact]
    public async Task Pass1_MergesTheDaysKeyOrderedCoveringIndexes()
    {
        await Ledger.ClearAsync(db.Factory);
        await ReconBenchLoader.LoadAsync(DatabaseProvider.Postgres, db.ConnectionString,
            new ReconBenchData(20_000, ReconTestSupport.Date), CancellationToken.None);
        var sql = Regex.Replace(Generator.Pass1Insert(new KeyRange(HasLower: true, HasUpper: false)), @"@(\w+)",
            m => m.Groups[1].Value switch
            {
                "date" => "DATE '2026-03-15'",
                "run" => "1",
                _ => "'bt0000010000a'",
            });

        await using var explain = db.Factory.CreateDbContext();
        var plan = await PostgresPlan.ExplainAsync(explain, sql, Dialect.Pass1Settings!.Value.Set);

        Assert.True(plan.Contains("Merge Full Join", StringComparison.Ordinal), plan);
        // Both ledgers are read in key order from their day's covering index alone (no sort of the day, no hash, no
        // visit to the rows): with the default random_page_cost the lines were read through their key index and rows.
        Assert.Contains("Index Only Scan using ix_payment_transactions_business_date_key on payment_transactions t", plan);
        Assert.Contains("Index Only Scan using ix_settlement_lines_day_single_lines on settlement_lines l", plan);
        Assert.False(plan.Contains("Hash", StringComparison.Ordinal), plan);
        // The merge marks its place in the lines' index itself: no copy of the day's lines in a Materialize under it
        // (which it needed when each side was a fenced subquery), and no sort of either side.
        Assert.False(plan.Contains("Materialize", StringComparison.Ordinal), plan);
        var mergeStart = plan.IndexOf("Merge Full Join", StringComparison.Ordinal);
        var sides = plan[mergeStart..plan.IndexOf("ix_settlement_lines_day_single_lines", mergeStart, StringComparison.Ordinal)];
        Assert.False(sides.Contains("Sort", StringComparison.Ordinal), plan);
    }

    /// <summary>Saves a random ledger of the test date, runs the statistics statements, returns the transaction count.</summary>
    private async Task<long> SaveLedgerAsync(params string[] statistics)
    {
        await Ledger.ClearAsync(db.Factory);
        await RandomLedger.Create(seed: 20261125, payments: 90, ReconTestSupport.Date).SaveAsync(db.Factory);
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        foreach (var statement in statistics)
        {
            await using var cmd = new NpgsqlCommand(statement, conn);
            await cmd.ExecuteNonQueryAsync();
        }
        // Approvals without a key (RandomLedger makes some) are in no key range: pass 1 does not compare them by key.
        return await CountAsync("SELECT COUNT(*) FROM payment_transactions WHERE transaction_key IS NOT NULL", new Dictionary<string, object?>());
    }

    private async Task<long> CountAsync(string sql, IReadOnlyDictionary<string, object?> parameters)
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters)
            if (sql.Contains("@" + name, StringComparison.Ordinal)) cmd.Parameters.AddWithValue(name, value!);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
