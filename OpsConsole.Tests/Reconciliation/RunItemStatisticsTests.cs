using Npgsql;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// The run items' statistics are refreshed twice per run, on a table that is never pruned: PostgreSQL samples them
/// at a small statistics target (<see cref="PostgresReconDialect.StatisticsTarget"/>), and the connection goes back
/// to the default afterwards.
/// </summary>
public sealed class RunItemStatisticsTests(PostgresTestDatabase db) : IClassFixture<PostgresTestDatabase>
{
    [Fact]
    public async Task RefreshStatistics_SamplesAtTheSmallTarget_AndResetsTheSession()
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        await ExecAsync(conn, """
            DROP TABLE IF EXISTS items_sample;
            CREATE TABLE items_sample AS SELECT g % 60 AS run_id, 1 + g % 2 AS pass FROM generate_series(1, 6000) g;
            """);

        await ExecAsync(conn, new PostgresReconDialect().RefreshStatistics("items_sample", "run_id", "pass")!);

        // 60 run ids of equal frequency: the default target (100) keeps a bucket bound for each of them.
        await using var bounds = new NpgsqlCommand(
            "SELECT cardinality(histogram_bounds::text::int[]) FROM pg_stats WHERE tablename = 'items_sample' AND attname = 'run_id'", conn);
        Assert.InRange(Convert.ToInt32(await bounds.ExecuteScalarAsync()), 2, PostgresReconDialect.StatisticsTarget + 1);
        await using var target = new NpgsqlCommand("SHOW default_statistics_target", conn);
        Assert.Equal("100", await target.ExecuteScalarAsync());
    }

    private static async Task ExecAsync(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
