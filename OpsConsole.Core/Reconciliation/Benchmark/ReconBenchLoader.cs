using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation.Benchmark;

/// <summary>Bulk loads <see cref="ReconBenchData"/>: PostgreSQL binary COPY, SQLite prepared inserts in big transactions.</summary>
public static class ReconBenchLoader
{
    private const string PaymentColumns = "id, payment_key, order_id, amount, balance_amount, pending_cancel_amount, currency, method, status, requested_at, approved_at, updated_at, trace_id, version, janitor_attempts, pg";
    private const string TransactionColumns = "id, payment_id, payment_key, order_id, transaction_key, kind, amount, method, occurred_at, currency, pg";
    private const string LineColumns = "id, import_id, source, line_number, payment_key, transaction_key, order_id, method, amount, fee, supply_amount, vat, pay_out_amount, approved_at, sold_date, paid_out_date, currency, key_repeated, pg";
    private const string ImportSql = "INSERT INTO settlement_imports (id, source, name, sha256, row_count, imported_by, imported_at, pg) VALUES (1, 'API', 'bench', 'bench', 0, 'bench', {0}, '" + Gateway.PgConnections.LegacyName + "')";

    public static async Task LoadAsync(DatabaseProvider provider, string connectionString, ReconBenchData data,
        CancellationToken ct, TextWriter? log = null)
    {
        if (provider == DatabaseProvider.Postgres) await LoadPostgresAsync(connectionString, data, log, ct);
        else await LoadSqliteAsync(connectionString, data, ct);
    }

    private static readonly string[] LoadedTables = ["payments", "payment_transactions", "settlement_lines"];

    // One connection: the load is CPU-bound in this process, and the index builds get both cores.
    private static Task LoadPostgresAsync(string cs, ReconBenchData data, TextWriter? log, CancellationToken ct) =>
        PostgresBulkLoad.RunAsync(cs, LoadedTables, async () =>
        {
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync(ct);
            await using (var cmd = new NpgsqlCommand(string.Format(CultureInfo.InvariantCulture, ImportSql, "now()") +
                                                     "; SELECT setval(pg_get_serial_sequence('settlement_imports', 'id'), 1)", conn))
                await cmd.ExecuteNonQueryAsync(ct);

            await PostgresBulkLoad.CopyAsync(conn, "payments", PaymentColumns, data.PaymentRows(), (w, p) =>
            {
                w.Write(p.Id, NpgsqlDbType.Bigint);
                w.Write(p.Key, NpgsqlDbType.Varchar);
                w.Write(p.OrderId, NpgsqlDbType.Varchar);
                w.Write(p.Amount, NpgsqlDbType.Bigint);
                w.Write(p.Balance, NpgsqlDbType.Bigint);
                w.Write(0L, NpgsqlDbType.Bigint);
                w.Write("KRW", NpgsqlDbType.Varchar);
                w.Write(p.Method.ToString(), NpgsqlDbType.Varchar);
                w.Write(p.Status.ToString(), NpgsqlDbType.Varchar);
                w.Write(p.At.UtcDateTime, NpgsqlDbType.TimestampTz);
                if (p.Balance > 0) w.Write(p.At.UtcDateTime, NpgsqlDbType.TimestampTz);
                else w.WriteNull();
                w.Write(p.At.UtcDateTime, NpgsqlDbType.TimestampTz);
                w.Write(p.TraceId, NpgsqlDbType.Varchar);
                w.Write(1L, NpgsqlDbType.Bigint);
                w.Write(0, NpgsqlDbType.Integer);
                w.Write(Gateway.PgConnections.LegacyName, NpgsqlDbType.Varchar);
            }, ct);

            await PostgresBulkLoad.CopyAsync(conn, "payment_transactions", TransactionColumns, data.TransactionRows(), (w, t) =>
            {
                w.Write(t.Id, NpgsqlDbType.Bigint);
                w.Write(t.PaymentId, NpgsqlDbType.Bigint);
                w.Write(t.PaymentKey, NpgsqlDbType.Varchar);
                w.Write(t.OrderId, NpgsqlDbType.Varchar);
                w.Write(t.TransactionKey, NpgsqlDbType.Varchar);
                w.Write(t.Kind.ToString(), NpgsqlDbType.Varchar);
                w.Write(t.Amount, NpgsqlDbType.Bigint);
                w.Write(t.Method.ToString(), NpgsqlDbType.Varchar);
                w.Write(t.At.UtcDateTime, NpgsqlDbType.TimestampTz);
                w.Write("KRW", NpgsqlDbType.Varchar);
                w.Write(Gateway.PgConnections.LegacyName, NpgsqlDbType.Varchar);
            }, ct);

            await PostgresBulkLoad.CopyAsync(conn, "settlement_lines", LineColumns, data.LineRows(), (w, l) =>
            {
                w.Write(l.Id, NpgsqlDbType.Bigint);
                w.Write(1L, NpgsqlDbType.Bigint);
                w.Write("API", NpgsqlDbType.Varchar);
                w.Write((int)Math.Min(l.Id, int.MaxValue), NpgsqlDbType.Integer);
                w.Write(l.PaymentKey, NpgsqlDbType.Varchar);
                w.Write(l.TransactionKey, NpgsqlDbType.Varchar);
                w.Write(l.OrderId, NpgsqlDbType.Varchar);
                w.Write(l.Method.ToString(), NpgsqlDbType.Varchar);
                w.Write(l.Amount, NpgsqlDbType.Bigint);
                w.Write(l.Fee, NpgsqlDbType.Bigint);
                w.Write(l.Amount - l.Amount / 11, NpgsqlDbType.Bigint);
                w.Write(l.Amount / 11, NpgsqlDbType.Bigint);
                w.Write(l.Amount - l.Fee, NpgsqlDbType.Bigint);
                w.Write(l.ApprovedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                w.Write(l.SoldDate, NpgsqlDbType.Date);
                w.Write(l.SoldDate.AddDays(2), NpgsqlDbType.Date);
                w.Write("KRW", NpgsqlDbType.Varchar);
                w.Write(l.KeyRepeated, NpgsqlDbType.Boolean);
                w.Write(Gateway.PgConnections.LegacyName, NpgsqlDbType.Varchar);
            }, ct);
        }, log, builders: 2, ct);

    private static async Task LoadSqliteAsync(string cs, ReconBenchData data, CancellationToken ct)
    {
        await using var conn = new SqliteConnection(cs);
        await conn.OpenAsync(ct);
        await ExecAsync(conn, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;", ct);
        await ExecAsync(conn, string.Format(CultureInfo.InvariantCulture, ImportSql, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ct);

        await InsertAsync(conn, "payments", PaymentColumns, data.PaymentRows(), (p, v) =>
        {
            v[0] = p.Id; v[1] = p.Key; v[2] = p.OrderId; v[3] = p.Amount; v[4] = p.Balance; v[5] = 0L; v[6] = "KRW";
            v[7] = p.Method.ToString(); v[8] = p.Status.ToString(); v[9] = p.At.ToUnixTimeMilliseconds();
            v[10] = p.Balance > 0 ? p.At.ToUnixTimeMilliseconds() : DBNull.Value; v[11] = p.At.ToUnixTimeMilliseconds();
            v[12] = p.TraceId; v[13] = 1L; v[14] = 0; v[15] = Gateway.PgConnections.LegacyName;
        }, ct);
        await InsertAsync(conn, "payment_transactions", TransactionColumns, data.TransactionRows(), (t, v) =>
        {
            v[0] = t.Id; v[1] = t.PaymentId; v[2] = t.PaymentKey; v[3] = t.OrderId; v[4] = t.TransactionKey;
            v[5] = t.Kind.ToString(); v[6] = t.Amount; v[7] = t.Method.ToString(); v[8] = t.At.ToUnixTimeMilliseconds();
            v[9] = "KRW"; v[10] = Gateway.PgConnections.LegacyName;
        }, ct);
        await InsertAsync(conn, "settlement_lines", LineColumns, data.LineRows(), (l, v) =>
        {
            v[0] = l.Id; v[1] = 1L; v[2] = "API"; v[3] = (int)Math.Min(l.Id, int.MaxValue); v[4] = l.PaymentKey;
            v[5] = l.TransactionKey; v[6] = l.OrderId; v[7] = l.Method.ToString(); v[8] = l.Amount; v[9] = l.Fee;
            v[10] = l.Amount - l.Amount / 11; v[11] = l.Amount / 11; v[12] = l.Amount - l.Fee;
            v[13] = l.ApprovedAt.ToUnixTimeMilliseconds(); v[14] = l.SoldDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            v[15] = l.SoldDate.AddDays(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture); v[16] = "KRW"; v[17] = l.KeyRepeated;
            v[18] = Gateway.PgConnections.LegacyName;
        }, ct);
        await ExecAsync(conn, "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE); PRAGMA synchronous=NORMAL;", ct);
    }

    private static async Task InsertAsync<T>(SqliteConnection conn, string table, string columns, IEnumerable<T> rows,
        Action<T, object[]> fill, CancellationToken ct)
    {
        var names = columns.Split(", ");
        var values = new object[names.Length];
        var tx = conn.BeginTransaction();
        var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"INSERT INTO {table} ({columns}) VALUES ({string.Join(", ", names.Select((_, i) => "$p" + i))})";
        var ps = names.Select((_, i) => cmd.Parameters.Add(new SqliteParameter("$p" + i, null))).ToArray();
        cmd.Prepare();
        var n = 0;
        foreach (var row in rows)
        {
            fill(row, values);
            for (var i = 0; i < ps.Length; i++) ps[i].Value = values[i];
            cmd.ExecuteNonQuery();
            if (++n % 200_000 == 0)
            {
                ct.ThrowIfCancellationRequested();
                tx.Commit();
                tx.Dispose();
                tx = conn.BeginTransaction();
                cmd.Transaction = tx;
            }
        }
        tx.Commit();
        tx.Dispose();
        await cmd.DisposeAsync();
    }

    private static async Task ExecAsync(SqliteConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
