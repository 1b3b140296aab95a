using System.Diagnostics;
using Npgsql;

namespace OpsConsole.Core.Data;

/// <summary>
/// The fast path into a migrated PostgreSQL database, shared by the benchmarks' loaders: drop the secondary
/// indexes and foreign keys of the loaded tables (remembering their definitions), run the caller's COPYs,
/// recreate the same indexes (biggest first, several builders) and keys, refuse to finish when the index set
/// differs from the migration's, then move the id sequences past the loaded ids, VACUUM ANALYZE (until every
/// page is marked all-visible, so index-only scans are priced as such) and CHECKPOINT.
/// Maintaining indexes row by row costs several times more than building them once.
/// </summary>
public static class PostgresBulkLoad
{
    public static async Task RunAsync(string cs, IReadOnlyList<string> tables, Func<Task> copy, TextWriter? log,
        int builders, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(ct);
        var indexes = await ReadIndexesAsync(conn, tables, ct);
        var foreignKeys = new List<(string Table, string Name, string Definition)>();
        await using (var cmd = new NpgsqlCommand(
                         "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint " +
                         "WHERE contype = 'f' AND (conrelid::regclass::text = ANY(@t) OR confrelid::regclass::text = ANY(@t))", conn))
        {
            cmd.Parameters.AddWithValue("t", tables.ToArray());
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) foreignKeys.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
        }
        foreach (var fk in foreignKeys) await ExecAsync(conn, $"ALTER TABLE {fk.Table} DROP CONSTRAINT {fk.Name}", ct);
        foreach (var name in indexes.Keys) await ExecAsync(conn, $"DROP INDEX \"{name}\"", ct);
        // Insert-triggered autovacuum would vacuum the tables while COPY still fills them; one VACUUM follows.
        foreach (var table in tables) await ExecAsync(conn, $"ALTER TABLE {table} SET (autovacuum_enabled = false)", ct);

        var sw = Stopwatch.StartNew();
        await copy();
        log?.WriteLine($"bench: COPY done in {sw.Elapsed.TotalSeconds:F0} s; building {indexes.Count} indexes and {foreignKeys.Count} foreign keys");

        sw.Restart();
        // Biggest (GIN) first; each builder with enough memory to sort in RAM.
        var queue = new Queue<string>(indexes.Values.Select(i => i.Definition)
            .OrderByDescending(d => d.Contains("USING gin", StringComparison.Ordinal)).ThenBy(d => d, StringComparer.Ordinal));
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, builders)).Select(async _ =>
        {
            await using var c = new NpgsqlConnection(cs);
            await c.OpenAsync(ct);
            await ExecAsync(c, "SET maintenance_work_mem = '1GB'", ct);
            while (true)
            {
                string? sql;
                lock (queue) sql = queue.Count == 0 ? null : queue.Dequeue();
                if (sql is null) break;
                await ExecAsync(c, sql, ct);
            }
        }));
        foreach (var fk in foreignKeys)
            await ExecAsync(conn, $"ALTER TABLE {fk.Table} ADD CONSTRAINT {fk.Name} {fk.Definition}", ct);
        log?.WriteLine($"bench: indexes and keys rebuilt in {sw.Elapsed.TotalSeconds:F0} s");

        EnsureSame(await ReadIndexesAsync(conn, tables, ct), indexes);

        foreach (var table in tables)
        {
            // A table keyed by another's id (recon_finding_last_seen: finding_id) has no sequence of its own.
            await using (var hasId = new NpgsqlCommand(
                             $"SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '{table}' AND column_name = 'id'", conn))
                if ((long)(await hasId.ExecuteScalarAsync(ct))! > 0)
                    await ExecAsync(conn, $"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(1, (SELECT max(id) FROM {table})))", ct);
            await ExecAsync(conn, $"ALTER TABLE {table} RESET (autovacuum_enabled)", ct);
            await ExecAsync(conn, $"VACUUM ANALYZE {table}", ct);
            await VacuumUntilAllVisibleAsync(conn, table, log, ct);
        }
        await CheckpointAsync(conn, log, ct);
    }

    /// <summary>
    /// Writes the load's dirty pages out before anything is timed. The load leaves gigabytes of WAL behind it, and on a
    /// durable server the checkpoint they trigger writes for minutes (spread over checkpoint_completion_target) while
    /// the timed turns run: every commit's WAL flush then waits behind it (a pass-2 commit took ~100 ms instead of
    /// ~1 ms at 1M). A role without the right to CHECKPOINT (pg_checkpoint or superuser) goes on with a warning.
    /// </summary>
    private static async Task CheckpointAsync(NpgsqlConnection conn, TextWriter? log, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        try
        {
            await ExecAsync(conn, "CHECKPOINT", ct);
            log?.WriteLine($"bench: checkpoint after the load in {sw.Elapsed.TotalSeconds:F1} s");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            log?.WriteLine($"bench: warning: no checkpoint after the load ({e.MessageText}); the timed turns may share the disk with it");
        }
    }

    /// <summary>
    /// Index-only scans are priced by the share of a table's pages marked all-visible, and only VACUUM marks them. It
    /// cannot while another transaction of the database is older than the load (an autovacuum's ANALYZE of a table
    /// just emptied, say): VACUUM again until every page is marked, for at most 30 s, then go on with a warning.
    /// </summary>
    private static async Task VacuumUntilAllVisibleAsync(NpgsqlConnection conn, string table, TextWriter? log,
        CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        await using var unmarked = new NpgsqlCommand(
            $"SELECT relpages - relallvisible FROM pg_class WHERE oid = '{table}'::regclass", conn);
        while (Convert.ToInt64(await unmarked.ExecuteScalarAsync(ct)) > 0)
        {
            if (DateTime.UtcNow >= deadline)
            {
                log?.WriteLine($"bench: warning: VACUUM could not mark every page of {table} all-visible in 30 s");
                return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
            await ExecAsync(conn, $"VACUUM {table}", ct);
        }
    }

    /// <summary>
    /// Throws unless the database at <paramref name="cs"/> has the same secondary indexes on
    /// <paramref name="tables"/> as <paramref name="reference"/> (a freshly migrated one).
    /// </summary>
    public static async Task EnsureSameIndexesAsync(string cs, string reference, IReadOnlyList<string> tables,
        CancellationToken ct)
    {
        await using var a = new NpgsqlConnection(cs);
        await a.OpenAsync(ct);
        await using var b = new NpgsqlConnection(reference);
        await b.OpenAsync(ct);
        EnsureSame(await ReadIndexesAsync(a, tables, ct), await ReadIndexesAsync(b, tables, ct));
    }

    /// <summary>Streams <paramref name="rows"/> into <paramref name="table"/> with binary COPY.</summary>
    public static async Task CopyAsync<T>(NpgsqlConnection conn, string table, string columns, IEnumerable<T> rows,
        Action<NpgsqlBinaryImporter, T> write, CancellationToken ct)
    {
        await using var w = await conn.BeginBinaryImportAsync($"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)", ct);
        var n = 0;
        foreach (var row in rows)
        {
            if (++n % 100_000 == 0) ct.ThrowIfCancellationRequested();
            w.StartRow();
            write(w, row);
        }
        await w.CompleteAsync(ct);
    }

    public static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static void EnsureSame(Dictionary<string, (string Definition, string Signature)> actual,
        Dictionary<string, (string Definition, string Signature)> expected)
    {
        var differ = actual.Select(i => (i.Key, i.Value.Signature)).ToHashSet();
        differ.SymmetricExceptWith(expected.Select(i => (i.Key, i.Value.Signature)));
        if (differ.Count > 0)
            throw new InvalidOperationException("The indexes differ from the migration's: " + string.Join("; ", differ));
    }

    /// <summary>Secondary (non-constraint) indexes of the tables: name → CREATE INDEX statement and signature.</summary>
    private static async Task<Dictionary<string, (string Definition, string Signature)>> ReadIndexesAsync(
        NpgsqlConnection conn, IReadOnlyList<string> tables, CancellationToken ct)
    {
        // The signature (table, method, uniqueness, columns, operator classes, predicate) compares indexes;
        // the definition text does not, as PostgreSQL may print a re-created predicate differently.
        await using var cmd = new NpgsqlCommand(
            "SELECT c.relname, pg_get_indexdef(c.oid), concat_ws('|', x.indrelid::regclass::text, am.amname, x.indisunique, " +
            "x.indkey::text, (SELECT string_agg(o.opcname, ',') FROM unnest(x.indclass::oid[]) c(oid) JOIN pg_opclass o ON o.oid = c.oid), " +
            "x.indexprs IS NOT NULL, pg_get_expr(x.indpred, x.indrelid) IS NOT NULL) " +
            "FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_am am ON am.oid = c.relam " +
            "WHERE x.indrelid::regclass::text = ANY(@t) AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)", conn);
        cmd.Parameters.AddWithValue("t", tables.ToArray());
        var result = new Dictionary<string, (string Definition, string Signature)>(StringComparer.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) result[r.GetString(0)] = (r.GetString(1), r.GetString(2));
        return result;
    }
}
