using System.Globalization;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// What differs between SQL engines for the reconciliation queries. Everything else — the CTEs, the full
/// outer join, the classifying CASE, the upserts — is written once in <see cref="ReconciliationSqlGenerator"/>
/// in the common subset (ANSI joins, CASE, COALESCE, <c>||</c>, RTRIM(x, chars), ON CONFLICT upserts).
/// To add an engine (e.g. BigQuery), implement this interface; override the generator's upserts only if
/// the engine lacks <c>INSERT … ON CONFLICT</c> (BigQuery: MERGE).
/// </summary>
public interface IReconSqlDialect
{
    string Name { get; }

    /// <summary>False makes the generator emulate FULL OUTER JOIN with LEFT JOIN ∪ anti-join.</summary>
    bool SupportsFullOuterJoin { get; }

    /// <summary>A table reference (BigQuery qualifies it with the dataset).</summary>
    string Table(string name) => name;

    /// <summary>A named parameter reference.</summary>
    string Parameter(string name) => "@" + name;

    /// <summary>The KST (UTC+9, no DST) calendar date of a UTC instant column, as the engine's date value.</summary>
    string KstDate(string instantColumn);

    /// <summary>A UTC instant as the engine stores it (the parameter value).</summary>
    object InstantValue(DateTimeOffset instant);

    /// <summary>A business date as the engine stores it (the parameter value).</summary>
    object DateValue(DateOnly date);

    /// <summary>A string literal.</summary>
    string Text(string value) => "'" + value.Replace("'", "''") + "'";

    /// <summary>An integer literal.</summary>
    string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// SQLite. Instants are INTEGER Unix ms, dates TEXT yyyy-MM-dd. The bundled SQLite (3.4x) parses FULL OUTER
/// JOIN, but does not build an automatic index on a CTE for it and falls back to a nested scan (quadratic:
/// 12 s for 10k rows); the LEFT JOIN ∪ anti-join form gets automatic covering indexes, so it is the default.
/// </summary>
public sealed class SqliteReconDialect : IReconSqlDialect
{
    public string Name => "sqlite";
    public bool SupportsFullOuterJoin { get; init; }
    public string KstDate(string instantColumn) => $"date({instantColumn} / 1000, 'unixepoch', '+9 hours')";
    public object InstantValue(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds();
    public object DateValue(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>PostgreSQL: instants are timestamptz (UTC), dates are date.</summary>
public sealed class PostgresReconDialect : IReconSqlDialect
{
    public string Name => "postgres";
    public bool SupportsFullOuterJoin => true;
    public string KstDate(string instantColumn) => $"({instantColumn} AT TIME ZONE 'Asia/Seoul')::date";
    public object InstantValue(DateTimeOffset instant) => instant.ToUniversalTime();
    public object DateValue(DateOnly date) => date;
}
