using System.Globalization;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// What differs between SQL engines for the reconciliation queries. The classification rules (expected fee,
/// rule failures, type, diff, money at risk) are written once in <see cref="ReconRules"/> and rendered through
/// this interface for every engine (SQLite, PostgreSQL, BigQuery); the console's joins and upserts are in
/// <see cref="ReconciliationSqlGenerator"/>, the warehouse's in <c>WarehouseReconciliationSql</c>, all in the
/// common subset (ANSI joins, CASE, COALESCE, <c>||</c>, RTRIM(x, chars)).
/// </summary>
public interface IReconSqlDialect
{
    string Name { get; }

    /// <summary>How the generator joins the two ledgers (see <see cref="ReconJoinStrategy"/>).</summary>
    ReconJoinStrategy JoinStrategy { get; }

    /// <summary>
    /// A column in a range filter that should be evaluated while scanning rather than through its index
    /// (SQLite: <c>+column</c>; a day is usually a large share of the table and index order means random reads).
    /// </summary>
    string ScanFilterColumn(string column) => column;

    /// <summary>Statements run once on each connection before reconciliation SQL (null: none).</summary>
    string? SessionSetup => null;

    /// <summary>
    /// Refreshes the planner's statistics of the given columns of a table that a pass just filled (null: not
    /// needed). Without it PostgreSQL plans the pass-1/pass-2 self-join of the run items as if they were empty
    /// (quadratic).
    /// </summary>
    string? RefreshStatistics(string table, params string[] columns) => null;

    /// <summary>A scalar query of the planner's row estimate of a table, negative when it was never analysed (null:
    /// the dialect keeps none).</summary>
    string? RowEstimateSql(string table) => null;

    /// <summary>
    /// Joins the row of <paramref name="table"/> whose unique <paramref name="column"/> equals
    /// <paramref name="value"/> as <paramref name="alias"/> (NULLs when there is none): used after the
    /// classification, for the differing rows only.
    /// </summary>
    string LookupJoin(string table, string alias, string column, string value) =>
        $"LEFT JOIN {table} {alias} ON {alias}.{column} = {value}";

    /// <summary>
    /// A condition true for one share of the keys: <paramref name="key"/>'s hash modulo <paramref name="parts"/>
    /// equals the parameter <c>@part</c>; null when the engine gains nothing from splitting pass 1.
    /// </summary>
    string? KeyPartition(string key, int parts) => null;

    /// <summary>
    /// For an engine whose writers wait for one another (SQLite), with <see cref="ReconJoinStrategy.IndexedLookup"/>: a
    /// statement returning about a hundred values of <paramref name="column"/> of <paramref name="table"/>, spread over
    /// its rows, in key order. Pass 1 then splits at them into key ranges (<c>ReconciliationSqlGenerator.Pass1Select</c>)
    /// read at once, each on its own connection, and one connection writes their rows. Null: pass 1 is one statement.
    /// </summary>
    string? KeySampleSql(string table, string column) => null;

    /// <summary>
    /// With <see cref="ReconJoinStrategy.OrderedMergeJoin"/>: the boundaries that split the keys into about
    /// <paramref name="parts"/> ranges of similar size, from the planner's histogram of <paramref name="column"/> of
    /// <paramref name="table"/> (one text value per row, in order; no rows: not analysed yet, one range). Null: the
    /// engine does not split by key range.
    /// </summary>
    string? KeyHistogramSql(string table, string column) => null;

    /// <summary>Settings for pass 1 (and what undoes them); null: none.</summary>
    (string Set, string Reset)? Pass1Settings => null;

    /// <summary>Settings for pass 2, which looks up a few keys (and what undoes them); null: none.</summary>
    (string Set, string Reset)? KeyLookupSettings => null;

    /// <summary>Settings for comparing a run's items with its base's before their statistics count the run's items
    /// (<see cref="ReconciliationSqlGenerator.InsertChangedKeys"/> on pass 2's connections); null: none.</summary>
    (string Set, string Reset)? ChangedKeysSettings => null;

    /// <summary>A table reference (BigQuery qualifies it with the dataset).</summary>
    string Table(string name) => name;

    /// <summary>A named parameter reference.</summary>
    string Parameter(string name) => "@" + name;

    /// <summary>The KST (UTC+9, no DST) calendar date of a UTC instant column, as the engine's date value.</summary>
    string KstDate(string instantColumn);

    /// <summary>A UTC instant as the engine stores it (the parameter value).</summary>
    object InstantValue(DateTimeOffset instant);

    /// <summary>A UTC instant as a literal comparable with the engine's instant columns.</summary>
    string InstantLiteral(DateTimeOffset instant);

    /// <summary>A business date as the engine stores it (the parameter value).</summary>
    object DateValue(DateOnly date);

    /// <summary>A string literal.</summary>
    string Text(string value) => "'" + value.Replace("'", "''") + "'";

    /// <summary>An integer literal.</summary>
    string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Integer division truncating toward zero, as the fee rules define it (BigQuery: <c>DIV</c>).</summary>
    string IntDiv(string dividend, string divisor) => $"({dividend}) / ({divisor})";

    /// <summary>The engine's 64-bit integer type (for casts).</summary>
    string IntegerType => "BIGINT";
}

/// <summary>
/// SQLite. Instants are INTEGER Unix ms, dates TEXT yyyy-MM-dd. The bundled SQLite (3.4x) parses FULL OUTER
/// JOIN, but does not index a CTE for it and falls back to nested scans (quadratic: 12 s for 10k rows), and
/// even a LEFT JOIN ∪ anti-join over materialized CTEs is slow; SQLite is fastest probing the base tables'
/// indexes, so it uses <see cref="ReconJoinStrategy.IndexedLookup"/>.
/// </summary>
public sealed class SqliteReconDialect : IReconSqlDialect
{
    public string Name => "sqlite";
    public ReconJoinStrategy JoinStrategy => ReconJoinStrategy.IndexedLookup;
    public string ScanFilterColumn(string column) => "+" + column;
    public string KstDate(string instantColumn) => $"date({instantColumn} / 1000, 'unixepoch', '+9 hours')";
    public object InstantValue(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds();
    public string InstantLiteral(DateTimeOffset instant) => Integer(instant.ToUnixTimeMilliseconds());
    private static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);
    public object DateValue(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// The keys of rows at 99 evenly spaced ids (rowid look-ups, not a scan): the table's keys split into about equal
    /// ranges when ids and keys are unrelated, as a PG's opaque keys are; when they are not, the ranges are uneven and
    /// pass 1 just as exact. Ordered as SQLite compares them (BINARY: byte order), as the range filters do.
    /// </summary>
    public string KeySampleSql(string table, string column) => $"""
        WITH RECURSIVE b(lo, hi) AS (SELECT MIN(id), MAX(id) FROM {table}),
        s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 99)
        SELECT x.{column} FROM s, b JOIN {table} x ON x.id = b.lo + (b.hi - b.lo) * s.n / 100
        WHERE x.{column} IS NOT NULL
        ORDER BY x.{column}
        """;
}

/// <summary>PostgreSQL: instants are timestamptz (UTC), dates are date.</summary>
public sealed class PostgresReconDialect : IReconSqlDialect
{
    public string Name => "postgres";
    public ReconJoinStrategy JoinStrategy => ReconJoinStrategy.OrderedMergeJoin;

    /// <summary>
    /// The correlated look-ups of the differing rows inflate cost estimates past jit_above_cost; JIT then
    /// spends seconds compiling a query that runs in less. A bigger work_mem (only on the reconciliation's own
    /// connection) keeps the hash join of a 10-million-transaction day in memory instead of spilling it in batches.
    /// </summary>
    public string? SessionSetup => "SET jit = off; SET work_mem = '512MB'";

    /// <summary>
    /// Pass 2 looks up a few thousand keys in tables of millions of rows: priced with the default random_page_cost
    /// the planner scans both tables whole (10 s at 10M); at SSD cost it probes the key indexes (3 s).
    /// </summary>
    public (string Set, string Reset)? KeyLookupSettings => ("SET random_page_cost = 1.1", "RESET random_page_cost");

    /// <summary>
    /// Right after pass 2 the items' statistics do not count the run's items yet: the planner expects one, nests a loop
    /// over the range's items of one run for each item of the other, and one 1M range took 254 ms instead of 11 ms. Without
    /// nested loops it hashes or merges the two runs' items of the range, whatever it expects.
    /// </summary>
    public (string Set, string Reset)? ChangedKeysSettings => ("SET enable_nestloop = off", "RESET enable_nestloop");

    /// <summary>
    /// ANALYZE with a statistics target of <see cref="StatisticsTarget"/> for the statement: it samples 300 rows per
    /// point of target, so 3,000 rows instead of 30,000. The passes only need to know how many items a run and a
    /// pass have (a handful of distinct values), and the run items are never pruned: at the default target one ANALYZE
    /// of 42,000 items took 108–128 ms, at 10 it takes 18–21 ms, and it is run twice per reconciliation.
    /// </summary>
    public string? RefreshStatistics(string table, params string[] columns) =>
        $"SET default_statistics_target = {StatisticsTarget}; " +
        (columns.Length == 0 ? $"ANALYZE {table}" : $"ANALYZE {table} ({string.Join(", ", columns)})") +
        "; RESET default_statistics_target";

    /// <summary>The statistics target of <see cref="RefreshStatistics"/>.</summary>
    public const int StatisticsTarget = 10;

    public string? RowEstimateSql(string table) =>
        $"SELECT COALESCE((SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass('{table}')), -1)";

    public string KeyPartition(string key, int parts) => $"(hashtext({key}) & 2147483647) % {parts} = @part";

    /// <summary>
    /// The histogram PostgreSQL keeps of a column (ANALYZE, autovacuum): about 100 values that split its rows into
    /// equal shares, in the column's collation — the order of its index and of the range filters.
    /// </summary>
    public string KeyHistogramSql(string table, string column) => $"""
        SELECT b.v FROM pg_stats s, unnest(s.histogram_bounds::text::text[]) WITH ORDINALITY AS b(v, n)
        WHERE s.schemaname = current_schema() AND s.tablename = '{table}' AND s.attname = '{column}'
        ORDER BY b.n
        """;

    /// <summary>
    /// Pass 1 merge-joins two key-ordered index scans (<see cref="ReconJoinStrategy.OrderedMergeJoin"/>); a day that is
    /// most of the table is costed cheaper as two sequential scans and a hash join, which at 10 million rows spends
    /// seconds building the hash table from memory-latency-bound inserts. The merge reads both sides in order once.
    /// Each side is read from its day's covering index alone (an index-only scan): the pages of a random read cost what
    /// those of a sequential one do (<c>random_page_cost</c> 1.1, the usual setting for SSDs and for data in memory, as
    /// the day just ingested is). With the default 4, the planner reads the lines through their key index and the
    /// table's rows instead (when the table is in key order, as the benchmark loads it), twice the pages: one pass-1
    /// share of a 10M-payment day 3.37–3.46 s instead of 2.99–3.07 s (docs/benchmarks.md, session 15).
    /// </summary>
    public (string Set, string Reset)? Pass1Settings =>
        ("SET enable_hashjoin = off; SET random_page_cost = 1.1", "RESET enable_hashjoin; RESET random_page_cost");

    /// <summary>
    /// A LATERAL index probe: the planner cannot estimate how few rows the classification keeps and would
    /// otherwise hash the whole transactions table to look up a few thousand (OFFSET 0 keeps it a probe).
    /// </summary>
    public string LookupJoin(string table, string alias, string column, string value) =>
        $"LEFT JOIN LATERAL (SELECT x.* FROM {table} x WHERE x.{column} = {value} OFFSET 0) {alias} ON TRUE";
    public string KstDate(string instantColumn) => $"({instantColumn} AT TIME ZONE 'Asia/Seoul')::date";
    public object InstantValue(DateTimeOffset instant) => instant.ToUniversalTime();
    public string InstantLiteral(DateTimeOffset instant) =>
        $"TIMESTAMPTZ '{instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}+00'";
    public object DateValue(DateOnly date) => date;
}

/// <summary>Equivalent ways to express the full outer join of the two ledgers on the key.</summary>
public enum ReconJoinStrategy
{
    /// <summary><c>i FULL OUTER JOIN e</c> over the two CTEs (hash or merge join): BigQuery, the PostgreSQL warehouse.</summary>
    FullOuterJoin,

    /// <summary>
    /// PostgreSQL: the day's transactions and single lines, each read in key order from a covering index (the
    /// transactions' generated <c>business_date</c>, the lines' <c>sold_date</c>, then the key), merge-full-joined;
    /// only the differing rows look up the rest. Pass 1 splits into key ranges rather than hash shares, so each
    /// share reads only its part of each index.
    /// </summary>
    OrderedMergeJoin,

    /// <summary>
    /// Our transactions LEFT JOIN the PG's lines of the base table (and the grouped repeated keys), UNION ALL
    /// the lines whose key has no transaction (NOT EXISTS): every match is an index probe on a base table.
    /// </summary>
    IndexedLookup,
}
