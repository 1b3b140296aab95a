using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation;

/// <summary>Runs generated reconciliation SQL on the context's connection (long timeout: days can be large).</summary>
internal static class ReconSql
{
    public static IReconSqlDialect DialectFor(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => new SqliteReconDialect(),
        DatabaseProvider.Postgres => new PostgresReconDialect(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "No reconciliation dialect."),
    };

    public static async Task<int> ExecuteAsync(OpsDbContext db, string sql,
        IReadOnlyDictionary<string, object?> parameters, CancellationToken ct)
    {
        await using var cmd = await CreateAsync(db, sql, parameters, ct);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task<long> ScalarAsync(OpsDbContext db, string sql,
        IReadOnlyDictionary<string, object?> parameters, CancellationToken ct)
    {
        await using var cmd = await CreateAsync(db, sql, parameters, ct);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The first column of every row, as text.</summary>
    public static async Task<IReadOnlyList<string>> StringsAsync(OpsDbContext db, string sql, CancellationToken ct)
    {
        await using var cmd = await CreateAsync(db, sql, new Dictionary<string, object?>(), ct);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var values = new List<string>();
        while (await reader.ReadAsync(ct)) values.Add(reader.GetString(0));
        return values;
    }

    /// <summary>Every row, each as its column values (DBNull as null).</summary>
    public static async Task<IReadOnlyList<object?[]>> RowsAsync(OpsDbContext db, string sql,
        IReadOnlyDictionary<string, object?> parameters, CancellationToken ct)
    {
        await using var cmd = await CreateAsync(db, sql, parameters, ct);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(ct))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Hands every row to <paramref name="onRow"/> as it is read, each as its column values (DBNull as null).</summary>
    public static async Task ReadAsync(OpsDbContext db, string sql, IReadOnlyDictionary<string, object?> parameters,
        Func<object?[], ValueTask> onRow, CancellationToken ct)
    {
        await using var cmd = await CreateAsync(db, sql, parameters, ct);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            await onRow(row);
        }
    }

    /// <summary>Every row, mapped by <paramref name="map"/>.</summary>
    public static async Task<List<T>> RowsAsync<T>(OpsDbContext db, string sql, IReadOnlyDictionary<string, object?> parameters,
        Func<DbDataReader, T> map, CancellationToken ct)
    {
        await using var cmd = await CreateAsync(db, sql, parameters, ct);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct)) rows.Add(map(reader));
        return rows;
    }

    /// <summary>A date column as the providers return it: PostgreSQL a date, SQLite its yyyy-MM-dd text.</summary>
    public static DateOnly DateOf(object value) => value switch
    {
        DateOnly d => d,
        DateTime t => DateOnly.FromDateTime(t),
        string s => DateOnly.ParseExact(s, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new InvalidCastException($"Not a date: {value.GetType().Name}."),
    };

    /// <summary>
    /// Opens the context's connection with the engine's session settings (<see cref="IReconSqlDialect.SessionSetup"/>:
    /// on PostgreSQL JIT off — compiling a persist statement's expressions cost seconds — and a large work_mem). Call it
    /// before beginning a transaction on the context: a connection that is already open is taken as set up.
    /// </summary>
    public static async Task OpenAsync(OpsDbContext db, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        var fresh = connection.State != System.Data.ConnectionState.Open;
        await db.Database.OpenConnectionAsync(ct);
        if (fresh && DialectFor(db.Provider).SessionSetup is { } setup)
        {
            await using var set = connection.CreateCommand();
            set.CommandText = setup;
            set.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            await set.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>A command on the context's connection and transaction with <paramref name="parameters"/> (those its text
    /// names), for a caller that executes it more than once, with new values each time.</summary>
    public static Task<DbCommand> CommandAsync(OpsDbContext db, string sql, IReadOnlyDictionary<string, object?> parameters,
        CancellationToken ct) => CreateAsync(db, sql, parameters, ct);

    private static async Task<DbCommand> CreateAsync(OpsDbContext db, string sql,
        IReadOnlyDictionary<string, object?> parameters, CancellationToken ct)
    {
        await OpenAsync(db, ct);
        var connection = db.Database.GetDbConnection();
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.CommandTimeout = 3600;
        cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        foreach (var (name, value) in parameters)
        {
            if (!sql.Contains("@" + name, StringComparison.Ordinal)) continue;
            var p = cmd.CreateParameter();
            p.ParameterName = "@" + name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }
}
