using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// A temporary table <c>settlement_staging</c> in the caller's transaction that a settlement file streams into
/// (binary COPY on PostgreSQL, one prepared INSERT per row on SQLite — SQLite's fast path inside a transaction)
/// before it replaces the stored lines of its dates (<see cref="SettlementLineWriter.SupersedeFromStagingAsync"/>).
/// Values are stored as the provider stores <see cref="SettlementLine"/>'s columns, so the move is a plain
/// INSERT … SELECT. The table goes with the transaction (PostgreSQL: ON COMMIT DROP; SQLite: dropped before the
/// commit, and a rollback undoes its creation).
/// </summary>
public abstract class SettlementStaging : IAsyncDisposable
{
    public const string Table = "settlement_staging";

    private const string Columns = "line_number, payment_key, transaction_key, order_id, method, amount, fee, supply_amount, " +
                                   "vat, pay_out_amount, approved_at, sold_date, paid_out_date, currency, m_id";

    /// <summary>Column list of both tables (staging and settlement_lines) for the move.</summary>
    public static string MovedColumns => Columns;

    public int Count { get; private set; }

    public static async Task<SettlementStaging> CreateAsync(OpsDbContext db, CancellationToken cancellationToken)
    {
        var tx = db.Database.CurrentTransaction
                 ?? throw new InvalidOperationException("Staging settlement lines needs the caller's transaction.");
        var conn = db.Database.GetDbConnection();
        if (db.Provider == DatabaseProvider.Postgres)
        {
            await ExecAsync(conn, tx, $"""
                CREATE TEMP TABLE {Table} (line_number integer NOT NULL, payment_key varchar(200) NOT NULL,
                  transaction_key varchar(200) NOT NULL, order_id varchar(64) NOT NULL, method varchar(32) NOT NULL,
                  amount bigint NOT NULL, fee bigint NOT NULL, supply_amount bigint NOT NULL, vat bigint NOT NULL,
                  pay_out_amount bigint NOT NULL, approved_at timestamptz NOT NULL, sold_date date NOT NULL,
                  paid_out_date date NOT NULL, currency varchar(3) NOT NULL, m_id varchar(64),
                  key_repeated boolean NOT NULL DEFAULT false) ON COMMIT DROP
                """, cancellationToken);
            var importer = await ((NpgsqlConnection)conn).BeginBinaryImportAsync(
                $"COPY {Table} ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
            return new PostgresStaging(conn, tx, importer);
        }

        await ExecAsync(conn, tx, $"""
            DROP TABLE IF EXISTS temp.{Table};
            CREATE TEMP TABLE {Table} (line_number INTEGER NOT NULL, payment_key TEXT NOT NULL,
              transaction_key TEXT NOT NULL, order_id TEXT NOT NULL, method TEXT NOT NULL, amount INTEGER NOT NULL,
              fee INTEGER NOT NULL, supply_amount INTEGER NOT NULL, vat INTEGER NOT NULL, pay_out_amount INTEGER NOT NULL,
              approved_at INTEGER NOT NULL, sold_date TEXT NOT NULL, paid_out_date TEXT NOT NULL, currency TEXT NOT NULL,
              m_id TEXT, key_repeated INTEGER NOT NULL DEFAULT 0)
            """, cancellationToken);
        return new SqliteStaging((SqliteConnection)conn, tx);
    }

    public async ValueTask AddAsync(ParsedSettlementLine line, CancellationToken cancellationToken)
    {
        await WriteAsync(line, cancellationToken);
        Count++;
    }

    /// <summary>Ends the load: the rows are in, indexed by key and analysed for the move's planner.</summary>
    public abstract Task CompleteAsync(CancellationToken cancellationToken);

    /// <summary>Drops the table (SQLite; PostgreSQL drops it at commit).</summary>
    public abstract Task DropAsync(CancellationToken cancellationToken);

    protected abstract ValueTask WriteAsync(ParsedSettlementLine line, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    internal static async Task ExecAsync(DbConnection conn, IDbContextTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx.GetDbTransaction();
        cmd.CommandText = sql;
        cmd.CommandTimeout = 0;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private sealed class PostgresStaging(DbConnection conn, IDbContextTransaction tx, NpgsqlBinaryImporter importer)
        : SettlementStaging
    {
        private bool _completed;

        protected override async ValueTask WriteAsync(ParsedSettlementLine l, CancellationToken ct)
        {
            await importer.StartRowAsync(ct);
            await importer.WriteAsync(l.LineNumber, NpgsqlDbType.Integer, ct);
            await importer.WriteAsync(l.PaymentKey, NpgsqlDbType.Varchar, ct);
            await importer.WriteAsync(l.TransactionKey, NpgsqlDbType.Varchar, ct);
            await importer.WriteAsync(l.OrderId, NpgsqlDbType.Varchar, ct);
            await importer.WriteAsync(l.Method.ToString(), NpgsqlDbType.Varchar, ct);
            await importer.WriteAsync(l.Amount, NpgsqlDbType.Bigint, ct);
            await importer.WriteAsync(l.Fee, NpgsqlDbType.Bigint, ct);
            await importer.WriteAsync(l.SupplyAmount, NpgsqlDbType.Bigint, ct);
            await importer.WriteAsync(l.Vat, NpgsqlDbType.Bigint, ct);
            await importer.WriteAsync(l.PayOutAmount, NpgsqlDbType.Bigint, ct);
            await importer.WriteAsync(l.ApprovedAt.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
            await importer.WriteAsync(l.SoldDate, NpgsqlDbType.Date, ct);
            await importer.WriteAsync(l.PaidOutDate, NpgsqlDbType.Date, ct);
            await importer.WriteAsync(l.Currency, NpgsqlDbType.Varchar, ct);
            if (l.MId is null) await importer.WriteNullAsync(ct);
            else await importer.WriteAsync(l.MId, NpgsqlDbType.Varchar, ct);
        }

        public override async Task CompleteAsync(CancellationToken ct)
        {
            _completed = true;
            await importer.CompleteAsync(ct);
            await importer.DisposeAsync();
            await ExecAsync(conn, tx, $"CREATE INDEX ON {Table} (transaction_key); ANALYZE {Table}", ct);
        }

        public override Task DropAsync(CancellationToken ct) => Task.CompletedTask;

        public override async ValueTask DisposeAsync()
        {
            // An unfinished COPY is cancelled; the caller's rollback removes the table.
            if (!_completed) await importer.DisposeAsync();
        }
    }

    private sealed class SqliteStaging : SettlementStaging
    {
        private readonly SqliteConnection _conn;
        private readonly IDbContextTransaction _tx;
        private readonly SqliteCommand _insert;
        private readonly SqliteParameter[] _p;

        public SqliteStaging(SqliteConnection conn, IDbContextTransaction tx)
        {
            _conn = conn;
            _tx = tx;
            _insert = conn.CreateCommand();
            _insert.Transaction = (SqliteTransaction)tx.GetDbTransaction();
            var names = Columns.Split(", ");
            _insert.CommandText = $"INSERT INTO temp.{Table} ({Columns}) VALUES ({string.Join(", ", names.Select((_, i) => "$p" + i))})";
            _p = names.Select((_, i) => _insert.Parameters.Add(new SqliteParameter("$p" + i, null))).ToArray();
            _insert.Prepare();
        }

        protected override async ValueTask WriteAsync(ParsedSettlementLine l, CancellationToken ct)
        {
            _p[0].Value = l.LineNumber;
            _p[1].Value = l.PaymentKey;
            _p[2].Value = l.TransactionKey;
            _p[3].Value = l.OrderId;
            _p[4].Value = l.Method.ToString();
            _p[5].Value = l.Amount;
            _p[6].Value = l.Fee;
            _p[7].Value = l.SupplyAmount;
            _p[8].Value = l.Vat;
            _p[9].Value = l.PayOutAmount;
            _p[10].Value = l.ApprovedAt.ToUnixTimeMilliseconds(); // as UnixMillisecondsConverter stores it
            _p[11].Value = l.SoldDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            _p[12].Value = l.PaidOutDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            _p[13].Value = l.Currency;
            _p[14].Value = (object?)l.MId ?? DBNull.Value;
            await _insert.ExecuteNonQueryAsync(ct);
        }

        public override Task CompleteAsync(CancellationToken ct) =>
            ExecAsync(_conn, _tx, $"CREATE INDEX temp.ix_{Table}_key ON {Table} (transaction_key)", ct);

        public override Task DropAsync(CancellationToken ct) => ExecAsync(_conn, _tx, $"DROP TABLE temp.{Table}", ct);

        public override async ValueTask DisposeAsync() => await _insert.DisposeAsync();
    }
}
