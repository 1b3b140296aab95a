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
    /// By default (<see cref="ReconciliationOptions.Pass1Partitions"/> 0) a pass has one key range per processor: the
    /// ranges are CPU-bound, and on 2 cores 4 ranges took longer than 2 (docs/benchmarks.md, session 19).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task KeyRanges_ByDefault_OnePerProcessor(int processors)
    {
        await SaveLedgerAsync("ANALYZE payment_transactions");
        var service = ReconTestSupport.Service(db.Factory, options: new ReconciliationOptions { SettleDelay = TimeSpan.Zero });
        service.Processors = processors;

        var shares = await service.KeyRangeSharesAsync(Generator, Dialect, Parameters(), CancellationToken.None);

        Assert.Equal(processors, shares.Count);
    }

    /// <summary>
    /// A full run that carries compares each range's items with its base's on pass 2's connection, before the run items'
    /// statistics count the run's own (they are refreshed once, for the persist). The planner then expects one item of the
    /// run and nests a loop over the range's items of one run for each item of the other (a 1M range: 254 ms instead of
    /// 11); with the dialect's settings for that comparison it hashes or merges them whatever it expects.
    /// </summary>
    [Fact]
    public async Task ChangedKeys_BeforeTheStatisticsCountTheRun_AreNotComparedInNestedLoops()
    {
        await using (var conn = new NpgsqlConnection(db.ConnectionString))
        {
            await conn.OpenAsync();
            foreach (var statement in new[]
                     {
                         "DELETE FROM recon_run_items WHERE run_id IN (901, 902)",
                         // The base: 3,000 keys' items in both passes, counted by the statistics.
                         """
                         INSERT INTO recon_run_items (run_id, pass, transaction_key, payment_key, order_id, external_line_count, diff_fields, money_at_risk)
                         SELECT 901, p, 'ck' || lpad(g::text, 6, '0'), 'pk' || g, 'o' || g, 1, 'amount', g
                         FROM generate_series(1, 3000) g, (VALUES (1), (2)) v(p)
                         """,
                         "ANALYZE recon_run_items",
                         // The run: the same items, written after the statistics were gathered.
                         """
                         INSERT INTO recon_run_items (run_id, pass, transaction_key, payment_key, order_id, external_line_count, diff_fields, money_at_risk)
                         SELECT 902, pass, transaction_key, payment_key, order_id, external_line_count, diff_fields, money_at_risk
                         FROM recon_run_items WHERE run_id = 901
                         """,
                     })
            {
                await using var cmd = new NpgsqlCommand(statement, conn);
                await cmd.ExecuteNonQueryAsync();
            }
        }
        var sql = Regex.Replace(Generator.InsertChangedKeys(new KeyRange(HasLower: true, HasUpper: true)), @"@(\w+)",
            m => m.Groups[1].Value switch
            {
                "run" => "902",
                "base" => "901",
                "lo" => "'ck000500'",
                _ => "'ck002500'",
            });

        await using var explain = db.Factory.CreateDbContext();
        var settled = await PostgresPlan.ExplainAsync(explain, sql, Dialect.ChangedKeysSettings!.Value.Set);
        await using var unset = db.Factory.CreateDbContext();
        var unsettled = await PostgresPlan.ExplainAsync(unset, sql, "SET jit = off");

        Assert.False(settled.Contains("Nested Loop", StringComparison.Ordinal), settled);
        // What the settings are for: left to itself on these statistics, the planner nests a loop.
        Assert.True(unsettled.Contains("Nested Loop", StringComparison.Ordinal), unsettled);
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
