using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// The finding page's run history lists what each run's passes recorded for the finding's key. The run items grow by
/// every differing key of every run, so the page reads them through the runs that saw a finding of the key.
/// </summary>
public abstract class FindingPassesTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    protected TDb Database => db;

    protected static readonly DateOnly D = ReconTestSupport.Date;
    private static readonly DateTimeOffset Noon = BusinessCalendar.StartOfDayUtc(D).AddHours(12);

    public Task InitializeAsync() => Ledger.ClearAsync(db.Factory);
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Passes_AreEveryItemOfTheKey_NewestRunFirst()
    {
        // "short": the PG reports 1,000 less (both passes bring it back, every run); "gone": reported only after the first
        // run (its items stay in that run); "other": another key, never in the answer.
        var ledger = new Ledger();
        var shortPaid = ReconTestSupport.Done("short", 9_000, Noon);
        var gone = ReconTestSupport.Done("gone", 7_000, Noon);
        var other = ReconTestSupport.Done("other", 5_000, Noon);
        ledger.Payments.AddRange([shortPaid, gone, other]);
        ledger.Lines.Add(ReconTestSupport.LineFor(shortPaid.Transactions[0], amount: 8_000));
        ledger.Lines.Add(ReconTestSupport.LineFor(other.Transactions[0], amount: 4_000));
        await ledger.SaveAsync(db.Factory);
        var recon = ReconTestSupport.Service(db.Factory);
        var first = await recon.RunAsync(D, RunTrigger.CLI, "tester", full: true);
        await Ledger.AddLinesAsync(db.Factory, [ReconTestSupport.LineFor(gone.Transactions[0])]);
        var second = await recon.RunAsync(D, RunTrigger.CLI, "tester", full: true);
        var findings = new FindingService(db.Factory, new AuditLog(db.Factory, TimeProvider.System), TimeProvider.System);

        var passes = await findings.PassesAsync("tx-short");
        var goneKey = await findings.PassesAsync("tx-gone");

        Assert.Equal([(second.Id, 2), (second.Id, 1), (first.Id, 2), (first.Id, 1)], passes.Select(p => (p.RunId, p.Pass)));
        Assert.All(passes, p => Assert.Equal("tx-short", p.TransactionKey));
        Assert.All(passes, p => Assert.Equal(FindingType.AMOUNT_MISMATCH, p.FindingType));
        Assert.Equal([(first.Id, 2), (first.Id, 1)], goneKey.Select(p => (p.RunId, p.Pass)));
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal(
            await ctx.Set<ReconRunItem>().Where(i => i.TransactionKey == "tx-short").CountAsync(),
            passes.Count);
        Assert.Equal(2, (await findings.PassesAsync("tx-short", take: 2)).Count);
    }
}

public sealed class SqliteFindingPassesTests(SqliteTestDatabase db)
    : FindingPassesTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresFindingPassesTests(PostgresTestDatabase database)
    : FindingPassesTests<PostgresTestDatabase>(database), IClassFixture<PostgresTestDatabase>
{
    /// <summary>
    /// The items' index leads with the run: a read by key alone walks the whole index (every item of every run), which
    /// is the plan PostgreSQL picks for a join of the key's runs and items when it expects few items. Both reads of the
    /// page must go through an index, the items' with the run in its condition.
    /// </summary>
    [Fact]
    public async Task Passes_AreReadThroughTheRunsOfTheKey_NotByScanningEveryRunsItems()
    {
        await using var ctx = Database.Factory.CreateDbContext();
        var sql = FindingService.PassesQuery(ctx, "needle", [7L, 9L]).ToQueryString();
        var select = Regex.Replace(sql[sql.IndexOf("SELECT", StringComparison.Ordinal)..], @"@(\w+)",
            m => m.Groups[1].Value.StartsWith("runs", StringComparison.Ordinal) ? "ARRAY[7, 9]::bigint[]" : "'needle'");

        var items = await PostgresPlan.ExplainAsync(ctx, select, "SET enable_seqscan = off");
        var runs = await PostgresPlan.ExplainAsync(ctx, FindingService.RunsOfKey(ctx, "needle"), "'needle'");

        var scan = items.Split('\n').SkipWhile(l => !l.Contains("on recon_run_items", StringComparison.Ordinal)).Take(2).ToList();
        Assert.True(scan.Count == 2, items);
        Assert.Contains("ix_recon_run_items_run_id_pass_transaction_key", scan[0]);
        Assert.Matches(@"Index Cond: \(\(run_id = ", scan[1]);
        Assert.Contains("ix_recon_findings_transaction_key_type_pg", runs);
        Assert.Contains("ix_recon_finding_sightings_finding_id_run_id", runs);
    }
}
