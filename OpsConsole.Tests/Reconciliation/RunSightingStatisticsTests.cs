using System.Text.Json;
using Npgsql;
using OpsConsole.Core.Common;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// What a run saw is asked right after it (the Slack summary, <c>reconcile --json</c>, the grid's run filter): the run
/// refreshes the sightings' statistics when it has written them, so PostgreSQL plans for the run's real number of
/// sightings instead of one (a plan that probed the findings once per sighting: 80 ms against 0.4 ms at 1M payments);
/// as autovacuum would, only when the run's sightings are a tenth of the table or it was never analysed.
/// </summary>
public sealed class RunSightingStatisticsTests(PostgresTestDatabase db) : IClassFixture<PostgresTestDatabase>, IAsyncLifetime
{
    private static readonly DateOnly D = ReconTestSupport.Date;

    public Task InitializeAsync() => Ledger.ClearAsync(db.Factory);
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ARun_LeavesStatisticsThatCountItsSightings()
    {
        // 30 payments the PG never reported: 30 findings, fewer than autovacuum's threshold (50 rows) for an analyse.
        var ledger = new Ledger();
        var noon = BusinessCalendar.StartOfDayUtc(D).AddHours(12);
        for (var i = 0; i < 30; i++)
            ledger.Payments.Add(ReconTestSupport.Done($"unreported{i:D2}", 10_000 + i, noon.AddMinutes(i)));
        await ledger.SaveAsync(db.Factory);

        var run = await ReconTestSupport.Service(db.Factory).RunAsync(D, RunTrigger.CLI, "tester");

        Assert.Equal((RunStatus.SUCCEEDED, 30), (run.Status, run.ConfirmedCount));
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        await using var explain = new NpgsqlCommand(
            $"EXPLAIN (FORMAT JSON) SELECT 1 FROM recon_finding_sightings WHERE run_id = {run.Id} AND verdict = 'CONFIRMED'", conn);
        using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);
        var estimate = plan.RootElement[0].GetProperty("Plan").GetProperty("Plan Rows").GetDouble();
        // Never analysed, the table's estimate is a guess from its size and default selectivities: 1 row.
        Assert.InRange(estimate, 25, 35);
        Assert.Equal(30, await SampledRowsAsync(conn));

        // A late line with another amount: an incremental run compares that key alone and writes one sighting, under a
        // tenth of the table, so it leaves the statistics (and their row count) as they were.
        await Ledger.AddLinesAsync(db.Factory, [ReconTestSupport.LineFor(ledger.Payments[0].Transactions[0], amount: 9_999)]);
        var incremental = await ReconTestSupport.Service(db.Factory).RunAsync(D, RunTrigger.CLI, "tester");
        Assert.Equal((RunStatus.SUCCEEDED, RunScope.INCREMENTAL, 1), (incremental.Status, incremental.Scope, incremental.ComparedKeys));
        Assert.Equal(30, await SampledRowsAsync(conn));

        // A full run writes 30 sightings again, more than a tenth of 31: sampled again.
        var full = await ReconTestSupport.Service(db.Factory).RunAsync(D, RunTrigger.CLI, "tester", full: true);
        Assert.Equal((RunStatus.SUCCEEDED, 30), (full.Status, full.ConfirmedCount));
        Assert.Equal(61, await SampledRowsAsync(conn));
    }

    /// <summary>The sightings' row count as the last ANALYZE found it (-1: never analysed).</summary>
    private static async Task<long> SampledRowsAsync(NpgsqlConnection conn)
    {
        await using var cmd = new NpgsqlCommand("SELECT reltuples::bigint FROM pg_class WHERE oid = 'recon_finding_sightings'::regclass", conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }
}
