using System.Text;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// Turns a <see cref="ReconciliationDefinition"/> into set-based SQL for one <see cref="IReconSqlDialect"/>.
/// Pure string building, no I/O. The database does the join; C# never loops over the day's rows.
/// <para>Pass SQL: CTE <c>em</c> (the lines of keys the PG reported more than once — a small partial index —
/// grouped by key: line count, MIN of each field, SUM of amounts), <c>j</c> (our transactions —
/// cancels signed negative, KST business date — full-outer-joined on the key with the single lines and
/// <c>em</c>), <c>d</c>/<c>c</c> (the classifying CASE), then <c>INSERT INTO recon_run_items … SELECT</c>.
/// The transaction's other columns and its payment (status, trace id) are looked up by unique key for the
/// differing rows only. Pass 2 starts from the pass-1 keys instead (CTE <c>ks</c>): each key probes our
/// transactions' unique key once and the lines' key once (all its lines grouped, <c>e</c>).</para>
/// <para>Money at risk: MISSING_INTERNAL / CHARGED_BUT_FAILED |Σ PG amounts|; MISSING_EXTERNAL and
/// DATE_MISMATCH |our amount|; DUPLICATE_EXTERNAL and AMOUNT_MISMATCH |Σ PG amounts − our amount|;
/// FEE_MISMATCH |fee − expected fee|.</para>
/// <para>The PG dimension: a run compares one PG connection's ledgers (<c>@pg</c>, <see cref="ReconRun.Pg"/>) — our
/// transactions of that PG's payments (<c>payment_transactions.pg</c>) against that PG's settlement lines — so a key
/// is matched on (PG, key): a payment of one PG and another PG's line with the same key never match. The payment
/// looked up for a key counts (its status, trace id) only when it is the run's PG's.</para>
/// <para>Parameters: pass 1 <c>@run, @pg, @from, @to</c> (UTC instants bounding the KST day), <c>@date</c>;
/// pass 2 <c>@run, @pg</c>; persistence <c>@run, @pg, @date, @now</c>.</para>
/// </summary>
public sealed class ReconciliationSqlGenerator(ReconciliationDefinition definition, IReconSqlDialect dialect)
{
    public const string ResolvedBySystem = "reconciliation";

    private static readonly string[] ItemColumns =
    [
        "run_id", "pass", "transaction_key", "finding_type", "payment_key", "order_id", "trace_id", "payment_status",
        "internal_kind", "internal_amount", "internal_method", "internal_business_date", "internal_occurred_at",
        "external_line_count", "external_amount", "external_amount_total", "external_fee", "external_expected_fee",
        "external_method", "external_sold_date", "external_approved_at", "diff_fields", "money_at_risk", "currency",
    ];

    /// <summary>The run items' values a finding is made of (all but their run, pass and key): what a full run that carries
    /// compares with its base's (<see cref="InsertChangedKeys"/>).</summary>
    private static readonly string[] CarriedItemColumns =
        [.. ItemColumns.Except(["run_id", "pass", "transaction_key"]), "pg_live_status", "pg_live_balance", "pg_live_checked_at"];

    /// <summary>The evidence columns shared by run items and findings.</summary>
    private static readonly string[] EvidenceColumns =
    [
        "payment_key", "order_id", "trace_id", "payment_status", "internal_kind", "internal_amount", "internal_method",
        "internal_business_date", "internal_occurred_at", "external_line_count", "external_amount",
        "external_amount_total", "external_fee", "external_expected_fee", "external_method", "external_sold_date",
        "external_approved_at", "diff_fields", "money_at_risk", "pg_live_status", "pg_live_balance", "pg_live_checked_at",
        "currency",
    ];

    public ReconciliationDefinition Definition => definition;
    public IReconSqlDialect Dialect => dialect;

    private readonly ReconRules _rules = new(definition, dialect);

    private string P(string name) => dialect.Parameter(name);
    private string T(string name) => dialect.Table(name);
    private string S(string value) => dialect.Text(value);

    /// <summary>Pass 1: the business date's transactions (by occurred_at in the KST day) against the lines
    /// with that soldDate; inserts one pass-1 item per differing key. With <paramref name="parts"/> &gt; 1 (and a
    /// dialect that supports <see cref="IReconSqlDialect.KeyPartition"/>), the statement covers only the keys of
    /// share <c>@part</c>: the shares together are exactly the whole pass, as a key falls in one share on both sides.
    /// A dialect with <see cref="ReconJoinStrategy.OrderedMergeJoin"/> splits by key range instead
    /// (<see cref="Pass1Insert(KeyRange)"/>); here it gets the whole pass.</summary>
    public string Pass1Insert(int parts = 1)
    {
        if (dialect.JoinStrategy == ReconJoinStrategy.OrderedMergeJoin) return Pass1Insert(KeyRange.All);
        if (parts > 1 && dialect.KeyPartition($"t.{definition.KeyColumn}", parts) is { } internalShare)
        {
            var externalShare = dialect.KeyPartition($"l.{definition.KeyColumn}", parts);
            return Pass1Sql(s => s + " AND " + internalShare, s => s + " AND " + externalShare, asSelect: false,
                shareProbe: true);
        }
        return Pass1Sql(s => s, s => s, asSelect: false);
    }

    /// <summary>
    /// Pass 1's rows of the keys of <paramref name="range"/> (<c>@lo</c> ≤ key &lt; <c>@hi</c>), as a query whose columns
    /// are those of <see cref="ItemValuesInsert"/>, for a dialect with <see cref="IReconSqlDialect.KeySampleSql"/>: the
    /// ranges together are exactly the whole pass (<see cref="Pass1Insert(int)"/>). The range filters compare the key
    /// on the rows each branch reads anyway ("+": no index), so the scans stay scans and only the look-ups split.
    /// </summary>
    public string Pass1Select(KeyRange range)
    {
        if (dialect.KeySampleSql("t", "k") is null)
            throw new NotSupportedException($"The {dialect.Name} dialect does not read pass 1 in key ranges.");
        var key = definition.KeyColumn;
        return Pass1Sql(s => s + RangeFilter(range, "+t." + key), s => s + RangeFilter(range, "+l." + key), asSelect: true);
    }

    /// <summary>Inserts one run item from parameters <c>@v0</c>… in the order of <see cref="Pass1Select"/>'s columns.</summary>
    public string ItemValuesInsert() =>
        $"INSERT INTO {T("recon_run_items")} ({string.Join(", ", ItemColumns)}) VALUES ({string.Join(", ", ItemColumns.Select((_, i) => P("v" + i)))})";

    /// <summary>How many values <see cref="ItemValuesInsert"/> takes.</summary>
    public static int ItemColumnCount => ItemColumns.Length;

    /// <summary>Pass 1 with <paramref name="internalShare"/> and <paramref name="externalShare"/> applied to the filters of
    /// our transactions and of the PG's lines read (and, with <paramref name="shareProbe"/>, of the lines probed).</summary>
    private string Pass1Sql(Func<string, string> internalShare, Func<string, string> externalShare, bool asSelect,
        bool shareProbe = false)
    {
        var key = definition.KeyColumn;
        var occurredAt = dialect.ScanFilterColumn("t.occurred_at");
        // An approval without a key (not learnt yet: ApprovalKeyLearning) cannot be compared by key.
        var internalFilter = internalShare($"{occurredAt} >= {P("from")} AND {occurredAt} < {P("to")} AND t.pg = {P("pg")} AND t.{key} IS NOT NULL");
        var externalProbe = $"{dialect.ScanFilterColumn("l.sold_date")} = {P("date")} AND {dialect.ScanFilterColumn("l.pg")} = {P("pg")}";
        if (shareProbe) externalProbe = externalShare(externalProbe);
        var externalScan = externalShare($"{dialect.ScanFilterColumn("l.sold_date")} = {P("date")} AND l.pg = {P("pg")}");
        var externalFilter = new ExternalFilter(externalProbe, externalScan);
        // Every transaction that passes the filter belongs to @date: no per-row KST conversion needed.
        return PassInsert(1, RepeatedKeysSql(externalScan) + ",\n" + JoinSql(internalFilter, externalFilter, P("date")),
            onlyDiffering: true, asSelect: asSelect);
    }

    /// <summary>
    /// Pass 1 of a dialect with <see cref="ReconJoinStrategy.OrderedMergeJoin"/>, for the keys of
    /// <paramref name="range"/> (<c>@lo</c> ≤ key &lt; <c>@hi</c>; an open end has no parameter). The ranges of a
    /// run together are exactly the whole pass: a key falls in one range on every side.
    /// </summary>
    public string Pass1Insert(KeyRange range)
    {
        if (dialect.JoinStrategy != ReconJoinStrategy.OrderedMergeJoin)
            throw new NotSupportedException($"The {dialect.Name} dialect does not split pass 1 by key range.");
        var key = definition.KeyColumn;
        // An approval without a key cannot be compared by key; a lower bound excludes it already.
        var internalFilter = $"t.business_date = {P("date")} AND t.pg = {P("pg")}{RangeFilter(range, "t." + key)}" + (range.HasLower ? "" : $" AND t.{key} IS NOT NULL");
        var externalScan = $"l.sold_date = {P("date")} AND l.pg = {P("pg")}{RangeFilter(range, "l." + key)}";
        return PassInsert(1, RepeatedKeysSql(externalScan) + ",\n" + OrderedMergeJoinSql(internalFilter, externalScan),
            onlyDiffering: true);
    }

    /// <summary>The conditions (each after AND) that keep <paramref name="column"/> in <paramref name="range"/>.</summary>
    private string RangeFilter(KeyRange range, string column) =>
        (range.HasLower ? $" AND {column} >= {P("lo")}" : "") + (range.HasUpper ? $" AND {column} < {P("hi")}" : "");

    /// <summary>Pass 2: only the keys pass 1 found, without the date filter, on current data; inserts one
    /// pass-2 item per key (finding_type NULL when the key now matches). With <paramref name="parts"/> &gt; 1,
    /// only the pass-1 keys of share <c>@part</c> (as in <see cref="Pass1Insert"/>).</summary>
    public string Pass2Insert(int parts = 1)
    {
        var keys = Pass1KeysSql();
        if (parts > 1 && dialect.KeyPartition("r.transaction_key", parts) is { } share) keys += " AND " + share;
        return Pass2InsertOf(keys);
    }

    /// <summary>
    /// Pass 2 of a dialect with <see cref="ReconJoinStrategy.OrderedMergeJoin"/> for the pass-1 keys of
    /// <paramref name="range"/> (as in <see cref="Pass1Insert(KeyRange)"/>): after a full pass 1 in key ranges, the
    /// pass-1 keys of a range are those its pass-1 share found, read from their part of the items' index alone.
    /// </summary>
    public string Pass2Insert(KeyRange range)
    {
        if (dialect.JoinStrategy != ReconJoinStrategy.OrderedMergeJoin)
            throw new NotSupportedException($"The {dialect.Name} dialect does not split pass 2 by key range.");
        return Pass2InsertOf(Pass1KeysSql() + RangeFilter(range, "r.transaction_key"));
    }

    private string Pass1KeysSql() =>
        $"SELECT r.transaction_key AS k FROM {T("recon_run_items")} r WHERE r.run_id = {P("run")} AND r.pass = 1";

    /// <summary>Pass 2 for the pass-1 keys <paramref name="keys"/> selects (as <c>k</c>).</summary>
    private string Pass2InsertOf(string keys)
    {
        var key = definition.KeyColumn;
        // A few keys: each is one probe of our transactions' unique key (which brings the whole row) and one of the
        // lines' key (all its lines, single or repeated, grouped), so no key is looked up twice on a side.
        if (dialect.JoinStrategy == ReconJoinStrategy.OrderedMergeJoin)
            // PostgreSQL: both probes as LATERAL subqueries, key by key as the pass-1 items come in key order: no hash of
            // the keys, no hash of the grouped lines and no join of the two (a 10M share of 17,000 keys: see
            // docs/benchmarks.md, session 16). OFFSET 0 keeps the transaction's look-up a probe.
            return PassInsert(2, $"""
                j AS (
                  SELECT t.{key} AS i_k, {SignedAmountSql()} AS i_amount, {dialect.KstDate("t.occurred_at")} AS i_business_date,
                         t.currency AS i_currency,
                         {string.Join(", ", TransactionDetail.Select(c => $"t.{c} AS t_{c}"))},
                         {ExternalAs(c => "e." + c)}
                  FROM ({keys}) ks
                    LEFT JOIN LATERAL (SELECT x.* FROM {T("payment_transactions")} x WHERE x.{key} = ks.k AND x.pg = {P("pg")} OFFSET 0) t ON TRUE
                    LEFT JOIN LATERAL ({GroupedLinesSql($"l.{key} = ks.k AND l.pg = {P("pg")}")}) e ON TRUE
                  WHERE t.{key} IS NOT NULL OR e.k IS NOT NULL
                )
                """, onlyDiffering: false, joinCarriesTransaction: true);
        return PassInsert(2, $"""
            ks AS (
              {keys}
            ),
            e AS (
              {GroupedLinesSql($"l.{key} IN (SELECT ks.k FROM ks) AND l.pg = {P("pg")}")}
            ),
            j AS (
              SELECT t.{key} AS i_k, {SignedAmountSql()} AS i_amount, {dialect.KstDate("t.occurred_at")} AS i_business_date,
                     t.currency AS i_currency,
                     {string.Join(", ", TransactionDetail.Select(c => $"t.{c} AS t_{c}"))},
                     {ExternalAs(c => "e." + c)}
              FROM ks LEFT JOIN {T("payment_transactions")} t ON t.{key} = ks.k AND t.pg = {P("pg")}
                LEFT JOIN e ON e.k = ks.k
              WHERE t.{key} IS NOT NULL OR e.k IS NOT NULL
            )
            """, onlyDiffering: false, joinCarriesTransaction: true);
    }

    /// <summary>
    /// Pass 1 of an incremental run (<see cref="RunScope.INCREMENTAL"/>): the same comparison as <see cref="Pass1Insert(int)"/>
    /// — our transactions of <c>@date</c> against the lines sold on <c>@date</c> — for only the run's keys
    /// (<c>recon_run_keys</c> of <c>@run</c>): each key one probe of our transactions' unique key and one of the lines'
    /// key. Inserts one pass-1 item per differing key, exactly as the full pass would for that key.
    /// </summary>
    public string Pass1KeysInsert()
    {
        var key = definition.KeyColumn;
        // The date only filters the rows found by key; it is kept off the day's (date, key) indexes so that the planner
        // has no reason to read the whole day. (What made the difference on PostgreSQL, 1.4-2.2 s down to 54 ms for 1,000
        // keys in a 1M day, was the statistics of recon_run_keys gathered after the claim; see ReconciliationService.)
        string ByKeyOnly(string column) => dialect.JoinStrategy == ReconJoinStrategy.OrderedMergeJoin
            ? $"COALESCE({column}, {column})"
            : dialect.ScanFilterColumn(column);
        var ofDate = dialect.JoinStrategy == ReconJoinStrategy.OrderedMergeJoin
            ? $"{ByKeyOnly("t.business_date")} = {P("date")}"
            : $"t.occurred_at >= {P("from")} AND t.occurred_at < {P("to")}";
        return PassInsert(1, $"""
            ks AS (
              SELECT r.transaction_key AS k FROM {T("recon_run_keys")} r WHERE r.run_id = {P("run")}
            ),
            e AS (
              {GroupedLinesSql($"l.{key} IN (SELECT ks.k FROM ks) AND {ByKeyOnly("l.sold_date")} = {P("date")} AND l.pg = {P("pg")}")}
            ),
            j AS (
              SELECT t.{key} AS i_k, {SignedAmountSql()} AS i_amount, CASE WHEN t.{key} IS NOT NULL THEN {P("date")} END AS i_business_date,
                     t.currency AS i_currency, {string.Join(", ", TransactionDetail.Select(c => $"t.{c} AS t_{c}"))},
                     {ExternalAs(c => "e." + c)}
              FROM ks LEFT JOIN {T("payment_transactions")} t ON t.{key} = ks.k AND {ofDate} AND t.pg = {P("pg")}
                LEFT JOIN e ON e.k = ks.k
              WHERE t.{key} IS NOT NULL OR e.k IS NOT NULL
            )
            """, onlyDiffering: true, joinCarriesTransaction: true);
    }

    /// <summary>The external side's filter, as an index probe condition and as a scan condition.</summary>
    private sealed record ExternalFilter(string Probe, string Scan);

    /// <summary>How many lines sold on <c>@date</c> have no fee contract in force (<see cref="ReconRules.WithoutContract"/>);
    /// null when no contract has a period, so there can be none.</summary>
    public string? LinesWithoutContractCount() => _rules.LinesWithoutContractCount(T("settlement_lines"));

    /// <summary>The bare FULL OUTER JOIN of both ledgers on the key (the benchmark's yardstick).</summary>
    public string BareFullJoinCount()
    {
        var key = definition.KeyColumn;
        return $"SELECT COUNT(*) FROM {T("payment_transactions")} t FULL OUTER JOIN {T("settlement_lines")} l ON l.{key} = t.{key}";
    }

    /// <summary>CTE <c>em</c>: the lines of the pass's keys that the PG reported more than once, grouped.</summary>
    private string RepeatedKeysSql(string externalScan) => $"""
        em AS (
          {GroupedLinesSql($"{externalScan} AND l.key_repeated")}
        )
        """;

    /// <summary>The lines matching <paramref name="filter"/> grouped by key, as the join's external side: line
    /// count, MIN of each field, SUM of the amounts.</summary>
    private string GroupedLinesSql(string filter)
    {
        var key = definition.KeyColumn;
        return $"""
            SELECT l.{key} AS k, COUNT(*) AS line_count, MIN(l.payment_key) AS payment_key, MIN(l.order_id) AS order_id,
                     MIN(l.method) AS method, MIN(l.amount) AS amount, SUM(l.amount) AS amount_total, MIN(l.fee) AS fee,
                     MIN(l.sold_date) AS sold_date, MIN(l.approved_at) AS approved_at, MIN(l.currency) AS currency{FeeColumnsGrouped()}
              FROM {T("settlement_lines")} l
              WHERE {filter}
              GROUP BY l.{key}
            """;
    }

    /// <summary>The lines' fee columns the contracts need (none without contracts), each as MIN of the key's lines.</summary>
    private string FeeColumnsGrouped() =>
        string.Concat(_rules.FeeInputColumns.Concat(_rules.FeeDetailColumns).Select(c => $", MIN(l.{c}) AS {c}"));

    /// <summary>Our transaction's columns that only the differing rows need (<see cref="PassInsert"/>).</summary>
    private static readonly string[] TransactionDetail = ["payment_key", "order_id", "kind", "method", "occurred_at"];

    /// <summary>The pass's INSERT: <paramref name="joinCtes"/> (the CTEs up to <c>j</c>, one row per key with
    /// the <c>i_</c> and <c>e_</c> columns), then the classification and the look-ups of the rest. When
    /// <paramref name="joinCarriesTransaction"/>, <c>j</c> also has our transaction's
    /// <see cref="TransactionDetail"/> as <c>t_</c> columns and the transaction is not looked up again.</summary>
    private string PassInsert(int pass, string joinCtes, bool onlyDiffering, bool joinCarriesTransaction = false,
        bool asSelect = false)
    {
        string Tx(string column) => joinCarriesTransaction ? "c.t_" + column : "t." + column;
        // The payment of a key counts only when it is the run's PG's (a line's payment key may be another PG's).
        string ofRunPg(string column) => $"CASE WHEN p.pg = {P("pg")} THEN {column} END";
        var transactionLookup = joinCarriesTransaction
            ? ""
            : dialect.LookupJoin(T("payment_transactions"), "t", definition.KeyColumn, "c.i_k");
        var sb = new StringBuilder();
        sb.Append($"""
            WITH {joinCtes},
            d AS (
              SELECT j.*, {_rules.ExpectedFee(c => "j.e_" + c)} AS e_expected_fee
              FROM j
            ),
            c AS (
              SELECT d.*, {_rules.Classify("d")} AS base_type
              FROM d
            )
            {(asSelect ? "" : $"INSERT INTO {T("recon_run_items")} ({string.Join(", ", ItemColumns)})\n")}SELECT {P("run")}, {pass}, COALESCE(c.i_k, c.e_k),
                   {_rules.FinalType("c", ofRunPg("p.status"))},
                   COALESCE({Tx("payment_key")}, c.e_payment_key), COALESCE({Tx("order_id")}, c.e_order_id),
                   {ofRunPg("p.trace_id")}, {ofRunPg("p.status")},
                   {Tx("kind")}, c.i_amount, {Tx("method")}, c.i_business_date, {Tx("occurred_at")},
                   COALESCE(c.e_line_count, 0), c.e_amount, c.e_amount_total, c.e_fee, c.e_expected_fee,
                   c.e_method, c.e_sold_date, c.e_approved_at,
                   {_rules.Diff("c")},
                   {_rules.MoneyAtRisk("c")},
                   COALESCE(c.i_currency, c.e_currency)
            FROM c {transactionLookup}
              {dialect.LookupJoin(T("payments"), "p", "payment_key", $"COALESCE({Tx("payment_key")}, c.e_payment_key)")}
            """);
        if (onlyDiffering)
            sb.Append("\nWHERE c.base_type IS NOT NULL");
        return sb.ToString();
    }

    /// <summary>The external columns of the join: the compared ones, then the fee columns the contracts need.</summary>
    private IEnumerable<string> ExternalColumns =>
        new[] { "k", "line_count", "payment_key", "order_id", "method", "amount", "amount_total", "fee", "sold_date", "approved_at", "currency" }
            .Concat(_rules.FeeInputColumns).Concat(_rules.FeeDetailColumns);

    private string ExternalAs(Func<string, string> value) =>
        string.Join(", ", ExternalColumns.Select(c => $"{value(c)} AS e_{c}"));

    /// <summary>One line as the grouped external side: a key the PG reported once needs no grouping.</summary>
    private string SingleLine(string column) => column switch
    {
        "k" => "l." + definition.KeyColumn,
        "line_count" => "1",
        "amount_total" => "l.amount",
        _ => "l." + column,
    };

    /// <summary>
    /// CTE <c>j</c>: our transactions of the pass (only the key, id, signed amount and business date — the rest
    /// is fetched for the differing rows only) joined with the PG's lines grouped by key. Lines of keys the PG
    /// reported once (<c>NOT key_repeated</c>) join as they are; only the few lines of repeated keys are grouped
    /// (<c>em</c>), so the day's lines are never aggregated. A key's lines are either all single or all repeated,
    /// so at most one of <c>l</c> and <c>em</c> matches a transaction (the lines' columns are NOT NULL).
    /// </summary>
    private string JoinSql(string internalFilter, ExternalFilter externalFilter, string businessDate)
    {
        var key = definition.KeyColumn;
        var singleLines = $"{T("settlement_lines")} l WHERE {externalFilter.Scan} AND NOT l.key_repeated";
        return dialect.JoinStrategy switch
        {
            ReconJoinStrategy.FullOuterJoin => $"""
                i AS (
                  SELECT t.{key} AS k, {SignedAmountSql()} AS amount, {businessDate} AS business_date, t.currency
                  FROM {T("payment_transactions")} t
                  WHERE {internalFilter}
                ),
                e AS (
                  SELECT {string.Join(", ", ExternalColumns.Select(c => $"{SingleLine(c)} AS {c}"))}
                  FROM {singleLines}
                  UNION ALL
                  SELECT {string.Join(", ", ExternalColumns)} FROM em
                ),
                j AS (
                  SELECT i.k AS i_k, i.amount AS i_amount, i.business_date AS i_business_date, i.currency AS i_currency,
                         {ExternalAs(c => "e." + c)}
                  FROM i FULL OUTER JOIN e ON e.k = i.k
                )
                """,
            // Only the transactions that differ from their single line leave the first branch (one side missing or a
            // rule fails), as in the ordered merge join; only those then look for their key's repeated lines (em), and the
            // classification, the diff and the look-ups run for a few rows instead of the whole day. The single line is
            // probed by key alone (the date and PG filter the row found): the unique index of single lines is a cheaper
            // probe than the (sold date, PG, key) index — on SQLite at 1M payments 0.68 s of CPU instead of 1.21 s.
            ReconJoinStrategy.IndexedLookup => $"""
                j AS (
                  SELECT y.i_k, y.i_amount, y.i_business_date, y.i_currency, {ExternalAs(c => $"COALESCE(y.e_{c}, em.{c})")}
                  FROM (
                    SELECT x.*, {_rules.ExpectedFee(c => "x.e_" + c)} AS e_expected_fee
                    FROM (
                      SELECT t.{key} AS i_k, {SignedAmountSql()} AS i_amount, {businessDate} AS i_business_date, t.currency AS i_currency,
                             {ExternalAs(c => c == "line_count" ? "CASE WHEN l.id IS NOT NULL THEN 1 END" : SingleLine(c))}
                      FROM {T("payment_transactions")} t
                      LEFT JOIN {T("settlement_lines")} l ON l.{key} = t.{key} AND NOT l.key_repeated AND {externalFilter.Probe}
                      WHERE {internalFilter}
                    ) x
                  ) y
                  LEFT JOIN em ON y.e_k IS NULL AND em.k = y.i_k
                  WHERE {_rules.Differs("y")}
                  UNION ALL
                  SELECT NULL, NULL, NULL, NULL, {ExternalAs(SingleLine)}
                  FROM {singleLines}
                    AND NOT EXISTS (SELECT 1 FROM {T("payment_transactions")} t WHERE t.{key} = l.{key} AND {internalFilter})
                  UNION ALL
                  SELECT NULL, NULL, NULL, NULL, {ExternalAs(c => "em." + c)}
                  FROM em
                  WHERE NOT EXISTS (SELECT 1 FROM {T("payment_transactions")} t WHERE t.{key} = em.k AND {internalFilter})
                )
                """,
            _ => throw new ArgumentOutOfRangeException(nameof(dialect), dialect.JoinStrategy, "Unknown join strategy."),
        };
    }

    /// <summary>
    /// CTE <c>j</c> for <see cref="ReconJoinStrategy.OrderedMergeJoin"/>: our transactions of the pass (<c>i</c>) and the
    /// PG's single lines (<c>s</c>), each read in key order from a covering index with only the compared columns, are
    /// merge-full-joined, and only the rows that differ leave the join (<c>js</c>: one side missing, or a rule fails).
    /// Those few then take the lines' other columns (one probe each), and a transaction without a single line takes
    /// its key's grouped repeated lines (<c>em</c>); the repeated keys without a transaction of the pass join last.
    /// <para>The join matches on the covering indexes' whole key — (business date, PG, key) with (sold date, PG, key) — not
    /// on the key alone, though every row of both sides has the pass's date and PG, so the result is the same. Below a
    /// full join PostgreSQL does not treat a column fixed by a side's own filter as constant, so it would not take either
    /// index as ordered by the key alone: unfenced it read the lines through their key index and the table's rows, and
    /// fenced (each side an <c>ORDER BY … OFFSET 0</c> subquery, as before) it had to put a Materialize under the
    /// merge, which cannot mark and restore a subquery's position. Joined on the indexes' order, the merge reads both
    /// covering indexes directly and marks its place in the lines' index: one 1M-payment share 342–350 ms → 253–262 ms.</para>
    /// </summary>
    private string OrderedMergeJoinSql(string internalFilter, string externalScan)
    {
        var key = definition.KeyColumn;
        string External(string c) => c switch
        {
            "k" => "COALESCE(js.e_k, em.k)",
            "line_count" => "CASE WHEN js.e_k IS NOT NULL THEN 1 ELSE em.line_count END",
            "amount_total" => "CASE WHEN js.e_k IS NOT NULL THEN js.e_amount ELSE em.amount_total END",
            "payment_key" or "order_id" or "approved_at" or "fee_base" or "fee_installment" =>
                $"CASE WHEN js.e_k IS NOT NULL THEN sl.{c} ELSE em.{c} END",
            _ => $"CASE WHEN js.e_k IS NOT NULL THEN js.e_{c} ELSE em.{c} END",
        };
        return $"""
            i AS (
              SELECT t.business_date AS d, t.pg, t.{key} AS k, {SignedAmountSql()} AS amount, t.currency
              FROM {T("payment_transactions")} t
              WHERE {internalFilter}
            ),
            s AS (
              SELECT l.pg, l.{key} AS k, l.amount, l.fee, l.method, l.sold_date, l.currency{string.Concat(_rules.FeeInputColumns.Select(c => ", l." + c))}{(_rules.UsesPeriods ? ", l.approved_at" : "")}
              FROM {T("settlement_lines")} l
              WHERE {externalScan} AND NOT l.key_repeated
            ),
            js AS (
              SELECT x.* FROM (
                SELECT i.k AS i_k, i.amount AS i_amount, CASE WHEN i.k IS NOT NULL THEN {P("date")} END AS i_business_date,
                       i.currency AS i_currency, s.currency AS e_currency,
                       s.k AS e_k, s.amount AS e_amount, s.fee AS e_fee, s.method AS e_method, s.sold_date AS e_sold_date,{string.Concat(_rules.FeeInputColumns.Select(c => $" s.{c} AS e_{c},"))}
                       {_rules.ExpectedFee(c => "s." + c)} AS e_expected_fee
                FROM i FULL OUTER JOIN s ON s.sold_date = i.d AND s.pg = i.pg AND s.k = i.k
              ) x
              WHERE {_rules.Differs("x")}
            ),
            j AS (
              SELECT js.i_k, js.i_amount, js.i_business_date, js.i_currency, {ExternalAs(External)}
              FROM js LEFT JOIN em ON js.e_k IS NULL AND em.k = js.i_k
                LEFT JOIN LATERAL (SELECT y.payment_key, y.order_id, y.approved_at{string.Concat(_rules.FeeDetailColumns.Select(c => ", y." + c))} FROM {T("settlement_lines")} y
                                   WHERE y.{key} = js.e_k AND NOT y.key_repeated OFFSET 0) sl ON TRUE
              UNION ALL
              SELECT NULL, NULL, NULL, NULL, {ExternalAs(c => "em." + c)}
              FROM em
              WHERE NOT EXISTS (SELECT 1 FROM {T("payment_transactions")} t WHERE t.{key} = em.k AND {internalFilter})
            )
            """;
    }

    /// <summary>Our transaction's amount signed as the PG reports it: cancels negative.</summary>
    private string SignedAmountSql() =>
        $"CASE WHEN t.kind = {S(nameof(TransactionKind.CANCEL))} THEN -t.amount ELSE t.amount END";

    /// <summary>
    /// One statement for the run's findings: the pass-2 survivors as CONFIRMED (an AUTO_RESOLVED finding reopens) and
    /// the pass-1 keys that no longer differ in pass 2 as TRANSIENT (with the reason; a workable finding becomes
    /// AUTO_RESOLVED), each pass-1 key exactly one of the two, read from the run items once. A re-seen finding keeps every
    /// value a run did not change (the transient side leaves the evidence and business date as they were) and is not
    /// written at all when none changes (nor is its version moved). On PostgreSQL (<see cref="UpsertFindingsAndSightings"/>) the
    /// sightings come from the same statement.
    /// </summary>
    public string UpsertFindings(bool onlyRunKeys = false) => UpsertSql(onlyRunKeys);

    /// <summary>
    /// PostgreSQL: <see cref="UpsertFindings"/>, the findings' last-seen rows (<see cref="UpsertLastSeen"/>) and the run's
    /// sightings (<see cref="InsertSightings"/>) in one statement. The run's findings are first matched to the stored ones
    /// by their unique key (a read: no row lock); only new findings are inserted (an upsert, should another run insert the
    /// same one meanwhile) and only those whose values change are updated, so a finding seen again unchanged costs no
    /// write, no lock and no WAL in <c>recon_findings</c> — only its row of the narrow last-seen table and its sighting.
    /// An updated row is re-evaluated on its latest version, as the upsert would. With <paramref name="withTotals"/> the
    /// run's totals by type come from the same statement; an incremental run carries findings forward afterwards, so it
    /// sums its totals from all its sightings at the end (<see cref="InsertTotals"/>). With <paramref name="onlyRunKeys"/>
    /// (a full run that carries: <see cref="InsertChangedKeys"/>) only the findings of the run's keys are written.
    /// </summary>
    public string UpsertFindingsAndSightings(bool withTotals = true, bool onlyRunKeys = false)
    {
        var cols = FindingColumns();
        const string f = "recon_findings";
        // s is read once, row by row into x's probes: not copied into a CTE of its own first (−5–7 % of the statement at
        // 1M: docs/benchmarks.md, session 16). x is read by every write below and must be evaluated once, before them.
        return $"""
            WITH s AS NOT MATERIALIZED (
            {RunFindingsSql(cols, onlyRunKeys)}
            ),
            x AS MATERIALIZED (
              SELECT s.*, f.id AS fid, f.money_at_risk AS f_money_at_risk, f.currency AS f_currency,
                     f.id IS NOT NULL AND ({FindingChanged("f", "s")}) AS changed
              -- One probe of the unique key per finding (OFFSET 0 keeps it a probe, not a scan of every date's findings).
              FROM s LEFT JOIN LATERAL (SELECT f.id, {string.Join(", ", FindingNewValues("f", "s").Select(v => "f." + v.Column).Distinct())}
                                        FROM {T(f)} f WHERE f.transaction_key = s.transaction_key AND f.type = s.type AND f.pg = s.pg OFFSET 0) f ON TRUE
            ),
            ins AS (
              INSERT INTO {T(f)} ({string.Join(", ", cols)})
              -- Sorted: x is read whole before the first insert, so no probe of x meets this statement's own new rows (an
              -- unanalysed, empty findings table can get a plan whose probes scan them: quadratic), and the unique index
              -- is filled in key order.
              SELECT {string.Join(", ", cols.Select(c => "x." + c))} FROM x WHERE x.fid IS NULL ORDER BY x.transaction_key, x.type
              ON CONFLICT (transaction_key, type, pg) DO UPDATE SET {string.Join(", ", FindingUpdates(f, "excluded"))}
              RETURNING id, type, verdict, money_at_risk, currency
            ),
            upd AS (
              UPDATE {T(f)} SET {string.Join(", ", FindingUpdates(f, "x"))}
              FROM x WHERE {f}.id = x.fid AND x.changed
              RETURNING {f}.id, {f}.type, {f}.verdict, {f}.money_at_risk, {f}.currency
            ),
            up AS (
              SELECT ins.id, ins.type, ins.verdict, ins.money_at_risk, ins.currency FROM ins
              UNION ALL SELECT upd.id, upd.type, upd.verdict, upd.money_at_risk, upd.currency FROM upd
              UNION ALL SELECT x.fid, x.type, x.verdict, x.f_money_at_risk, x.f_currency FROM x WHERE x.fid IS NOT NULL AND NOT x.changed
            ),
            moved AS (
            {MovedFindingsMark("SELECT x.fid AS id, x.transaction_key FROM x WHERE x.fid IS NOT NULL")}
            ),
            seen AS (
            {LastSeenUpsert("SELECT up.id FROM up")}
            ){(withTotals ? $",\n            totals AS (\n            {TotalsInsert("up", "up")}\n            )" : "")}
            INSERT INTO {T("recon_finding_sightings")} (finding_id, run_id, run_business_date, verdict, money_at_risk, seen_at)
            SELECT up.id, {P("run")}, {P("date")}, up.verdict, up.money_at_risk, {P("now")} FROM up
            """;
    }

    /// <summary>
    /// SQLite, after <see cref="UpsertFindings"/>: every finding the run upserted (the same (key, type) pairs, read from
    /// the run items again) is last seen by this run (<see cref="FindingConfiguration.LastSeenTable"/>).
    /// </summary>
    public string UpsertLastSeen(bool onlyRunKeys = false) => LastSeenUpsert($"""
        SELECT f.id FROM {T("recon_findings")} f
          JOIN ({RunFindingsSql(onlyRunKeys: onlyRunKeys)}) s ON f.transaction_key = s.transaction_key AND f.type = s.type AND f.pg = {P("pg")}
        """);

    /// <summary>SQLite, after <see cref="UpsertFindings"/> and before <see cref="UpsertLastSeen"/>: marks the keys of the
    /// run's findings last seen by a run of another date (<see cref="MovedFindingsMark"/>).</summary>
    public string MarkMovedFindings(bool onlyRunKeys = false) => MovedFindingsMark($"""
        SELECT f.id, f.transaction_key FROM {T("recon_findings")} f
          JOIN ({RunFindingsSql(onlyRunKeys: onlyRunKeys)}) s ON f.transaction_key = s.transaction_key AND f.type = s.type AND f.pg = {P("pg")}
        """);

    /// <summary>
    /// A finding this run sees that a run of another date saw last moves away from that date's run: that date's next run
    /// must compare its key again rather than carry it (<see cref="MarkCarried"/>), so this marks the key for that date
    /// (<c>recon_dirty_keys</c>), as every write path marks a change, in the statement that moves the last-seen row.
    /// <paramref name="findings"/> selects (id, transaction_key) of the run's stored findings, read before the move.
    /// </summary>
    private string MovedFindingsMark(string findings) => $"""
        INSERT INTO {T("recon_dirty_keys")} (business_date, pg, transaction_key)
        SELECT DISTINCT r.business_date, {P("pg")}, m.transaction_key
        FROM ({findings}) m JOIN {T(FindingConfiguration.LastSeenTable)} ls ON ls.finding_id = m.id
          JOIN {T("recon_runs")} r ON r.id = ls.last_run_id
        WHERE r.business_date <> {P("date")}
        """;

    /// <summary>The per-run columns of the findings <paramref name="findingIds"/> selects: inserted for a new finding,
    /// moved to this run for a re-seen one. Only this narrow table's rows change when an unchanged finding is seen again.</summary>
    private string LastSeenUpsert(string findingIds) => $"""
        INSERT INTO {T(FindingConfiguration.LastSeenTable)} (finding_id, last_run_id, last_seen_at, seen_count)
        SELECT x.id, {P("run")}, {P("now")}, 1 FROM ({findingIds}) x WHERE 1 = 1
        ON CONFLICT (finding_id) DO UPDATE SET last_run_id = excluded.last_run_id, last_seen_at = excluded.last_seen_at,
          seen_count = {T(FindingConfiguration.LastSeenTable)}.seen_count + 1
        """;

    /// <summary>SQLite: the upsert of <see cref="UpsertFindings"/>; a conflicting row is rewritten only when one of its
    /// values changes (<see cref="FindingChanged"/>), so a finding seen again unchanged is not written.</summary>
    private string UpsertSql(bool onlyRunKeys)
    {
        var cols = FindingColumns();
        const string f = "recon_findings";
        // The WHERE makes SQLite read ON CONFLICT as the upsert clause rather than a join constraint.
        return $"""
            INSERT INTO {T(f)} ({string.Join(", ", cols)})
            SELECT * FROM (
            {RunFindingsSql(cols, onlyRunKeys)}
            ) s WHERE 1 = 1
            ON CONFLICT (transaction_key, type, pg) DO UPDATE SET {string.Join(", ", FindingUpdates(f, "excluded"))}
            WHERE {FindingChanged(f, "excluded")}
            """;
    }

    /// <summary>
    /// A re-seen finding's new values (<c>column = value</c>), from its stored row <paramref name="stored"/> and the run's
    /// row <paramref name="seen"/>. The evidence of a confirmed sighting replaces the stored one; a transient one keeps it.
    /// The run's own columns (last run, last seen, seen count) are not here: they live in the narrow table
    /// (<see cref="LastSeenUpsert"/>). The version moves only with a write, which happens only when a value changes.
    /// </summary>
    private List<string> FindingUpdates(string stored, string seen) =>
        [.. FindingNewValues(stored, seen).Select(v => $"{v.Column} = {v.Value}"), $"version = {stored}.version + 1"];

    /// <summary>True when the run's row <paramref name="seen"/> changes any value of the stored finding <paramref name="stored"/>.</summary>
    private string FindingChanged(string stored, string seen) =>
        string.Join(" OR ", FindingNewValues(stored, seen).Select(v => $"({v.Value}) IS DISTINCT FROM {stored}.{v.Column}"));

    private List<(string Column, string Value)> FindingNewValues(string f, string seen)
    {
        var confirmedRow = $"{seen}.verdict = {S(nameof(FindingVerdict.CONFIRMED))}";
        var workable = $"{f}.status IN ({S(nameof(FindingStatus.OPEN))}, {S(nameof(FindingStatus.ACKNOWLEDGED))})";
        var auto = $"{f}.status = {S(nameof(FindingStatus.AUTO_RESOLVED))}";
        (string, string) Evidence(string c) => (c, $"CASE WHEN {confirmedRow} THEN {seen}.{c} ELSE {f}.{c} END");
        var values = new List<(string, string)>
        {
            ("verdict", $"{seen}.verdict"),
            ("transient_reason", $"{seen}.transient_reason"),
            ("pass1_type", $"{seen}.pass1_type"),
            Evidence("business_date"),
        };
        values.AddRange(EvidenceColumns.Select(Evidence));
        values.Add(("status", $"CASE WHEN {confirmedRow} THEN CASE WHEN {auto} THEN {S(nameof(FindingStatus.OPEN))} ELSE {f}.status END" +
                              $" WHEN {workable} THEN {S(nameof(FindingStatus.AUTO_RESOLVED))} ELSE {f}.status END"));
        values.Add(("resolved_at", $"CASE WHEN {confirmedRow} THEN CASE WHEN {auto} THEN NULL ELSE {f}.resolved_at END" +
                                   $" WHEN {workable} THEN {seen}.resolved_at ELSE {f}.resolved_at END"));
        values.Add(("resolved_by", $"CASE WHEN {confirmedRow} THEN CASE WHEN {auto} THEN NULL ELSE {f}.resolved_by END" +
                                   $" WHEN {workable} THEN {seen}.resolved_by ELSE {f}.resolved_by END"));
        return values;
    }

    /// <summary>The findings' columns a run writes (<see cref="UpsertFindings"/>), in order.</summary>
    private static List<string> FindingColumns()
    {
        var cols = new List<string>
        {
            "pg", "transaction_key", "type", "business_date", "verdict", "status", "pass1_type", "transient_reason",
        };
        cols.AddRange(EvidenceColumns);
        cols.AddRange(["first_run_id", "first_seen_at", "version", "resolved_at", "resolved_by"]);
        return cols;
    }

    /// <summary>
    /// One row per finding the run saw, read from the run items: the pass-2 survivors as CONFIRMED, the pass-1 keys that
    /// no longer differ in pass 2 as TRANSIENT (each pass-1 key exactly one of the two), as <paramref name="columns"/>
    /// (<see cref="FindingColumns"/>; by default only the finding's identity, transaction_key and type). With
    /// <paramref name="onlyRunKeys"/>, only the keys of the run's <c>recon_run_keys</c>.
    /// </summary>
    private string RunFindingsSql(IReadOnlyList<string>? columns = null, bool onlyRunKeys = false)
    {
        var cols = columns ?? ["transaction_key", "type"];
        // One read of the run items: each pass-1 key with its pass-2 row (if any); confirmed when the recheck still saw it
        // differ, on this date; transient otherwise (the pass-1 view, with the reason).
        var confirmed = $"p2.finding_type IS NOT NULL AND NOT ({OfAnotherDate("p2")})";
        string Pick(string c) => $"CASE WHEN {confirmed} THEN p2.{c} ELSE p1.{c} END";
        string Either(string ifConfirmed, string ifTransient) => $"CASE WHEN {confirmed} THEN {ifConfirmed} ELSE {ifTransient} END";
        var values = new List<string>
        {
            P("pg"), "p1.transaction_key", Pick("finding_type"),
            Either("COALESCE(p2.internal_business_date, p2.external_sold_date)", "COALESCE(p1.internal_business_date, p1.external_sold_date)"),
            Either(S(nameof(FindingVerdict.CONFIRMED)), S(nameof(FindingVerdict.TRANSIENT))),
            Either(S(nameof(FindingStatus.OPEN)), S(nameof(FindingStatus.AUTO_RESOLVED))),
            "p1.finding_type",
            Either("NULL", TransientReasonSql()),
        };
        values.AddRange(EvidenceColumns.Select(Pick));
        values.AddRange([P("run"), P("now"), "1", Either("NULL", P("now")), Either("NULL", S(ResolvedBySystem))]);
        var selected = values.Select((v, i) => (Value: v, Column: FindingColumns()[i]))
            .Where(c => cols.Contains(c.Column)).Select(c => $"{c.Value} AS {c.Column}");
        return $"""
            SELECT {string.Join(", ", selected)}
            FROM {T("recon_run_items")} p1 LEFT JOIN {T("recon_run_items")} p2 ON p2.run_id = p1.run_id AND p2.pass = 2 AND p2.transaction_key = p1.transaction_key
            WHERE p1.run_id = {P("run")} AND p1.pass = 1{(onlyRunKeys ? $"\n  AND {RunKeysFilter("p1.transaction_key")}" : "")}
            """;
    }

    /// <summary>The run's keys (<c>recon_run_keys</c> of <c>@run</c>) contain <paramref name="key"/>.</summary>
    private string RunKeysFilter(string key) =>
        $"{key} IN (SELECT rk.transaction_key FROM {T("recon_run_keys")} rk WHERE rk.run_id = {P("run")})";

    /// <summary>
    /// A full run that carries from <c>@base</c> (a full run of the date with the same rules, whose run items hold every key
    /// that differed then): adds to the run's keys each key whose run items differ from the base's — an item of either
    /// run that the other has not, value for value, pass for pass. Every other key's items are the base's, so its findings
    /// would be written with the values the base wrote (their state aside, which the claimed keys cover:
    /// <see cref="ReconChangeTracking.ClaimSql"/>); the run carries them forward (<see cref="MarkCarried"/>). Two anti-joins
    /// over the items' (run, pass, key) index, portable (SQLite plans a full join of two subqueries as nested scans).
    /// Returns the keys added. Only the keys in <paramref name="range"/> (<see cref="KeyRange.All"/>: every key): PostgreSQL
    /// compares a full run's items in pass 1's key ranges, at once (the range is repeated on the inner side of each
    /// anti-join: the planner does not carry an inequality across the key's equality, and would hash the other run's
    /// items whole in every share).
    /// </summary>
    public string InsertChangedKeys(KeyRange range)
    {
        string Same(string a, string b) => string.Join(" AND ",
            CarriedItemColumns.Select(c => $"{b}.{c} IS NOT DISTINCT FROM {a}.{c}"));
        return $"""
            INSERT INTO {T("recon_run_keys")} (run_id, transaction_key)
            SELECT {P("run")}, d.k FROM (
              SELECT a.transaction_key AS k FROM {T("recon_run_items")} a
              WHERE a.run_id = {P("run")}{RangeFilter(range, "a.transaction_key")} AND NOT EXISTS (
                SELECT 1 FROM {T("recon_run_items")} b
                WHERE b.run_id = {P("base")} AND b.pass = a.pass AND b.transaction_key = a.transaction_key{RangeFilter(range, "b.transaction_key")}
                  AND {Same("a", "b")})
              UNION
              SELECT b.transaction_key FROM {T("recon_run_items")} b
              WHERE b.run_id = {P("base")}{RangeFilter(range, "b.transaction_key")} AND NOT EXISTS (
                SELECT 1 FROM {T("recon_run_items")} a
                WHERE a.run_id = {P("run")} AND a.pass = b.pass AND a.transaction_key = b.transaction_key{RangeFilter(range, "a.transaction_key")})
            ) d
            WHERE NOT EXISTS (SELECT 1 FROM {T("recon_run_keys")} rk WHERE rk.run_id = {P("run")} AND rk.transaction_key = d.k)
            """;
    }

    /// <summary>
    /// A pass-2 survivor whose transaction belongs to another business date: a line the PG filed under this date
    /// for a transaction of the day before (or after). That date's run confirms and alerts it (its finding's
    /// business date is the transaction's); this run keeps its pass-1 view of the key as TRANSIENT, with the reason.
    /// </summary>
    private string OfAnotherDate(string row) =>
        $"{row}.internal_business_date IS NOT NULL AND {row}.internal_business_date <> {P("date")}";

    // A pass-2 row with a type reaches the transient upsert only as one of another date (see UpsertFindings).
    private string TransientReasonSql() =>
        "CASE" +
        $" WHEN p2.id IS NULL THEN {S("gone from both ledgers on recheck")}" +
        $" WHEN p2.finding_type IS NOT NULL THEN {S("the transaction belongs to another business date; that date's run reports it")}" +
        $" WHEN p1.finding_type = {S(nameof(FindingType.CHARGED_BUT_FAILED))} THEN {S("payment resolved (e.g. by the janitor) between passes")}" +
        $" WHEN p1.finding_type = {S(nameof(FindingType.MISSING_EXTERNAL))} THEN {S("PG line arrived after pass 1")}" +
        $" WHEN p1.finding_type = {S(nameof(FindingType.MISSING_INTERNAL))} THEN {S("internal transaction recorded after pass 1")}" +
        $" WHEN p1.finding_type = {S(nameof(FindingType.DUPLICATE_EXTERNAL))} THEN {S("duplicate PG line withdrawn before the recheck")}" +
        $" ELSE {S("ledgers agree on recheck")} END";

    /// <summary>
    /// An incremental run (<see cref="RunScope.INCREMENTAL"/>, after the upsert of the keys it compared and their sightings)
    /// carries forward, at <c>@now</c>, every finding that the date's previous successful run <c>@base</c> saw and whose key
    /// this run did not compare (<c>recon_run_keys</c>): no comparison — no mark reached its key since a run of the chain
    /// compared it, so the data a comparison reads are the same (<see cref="ReconChangeTracking.ClaimSql"/> compares again
    /// the findings whose state <c>@base</c> did not leave). The run records only that it carried from <c>@base</c>; no row of
    /// a carried finding is written — not the finding, not a sighting, not its last-seen row, which keeps the run that last
    /// compared and saw it. Readers resolve "seen by this run" through the runs' carry records (<see cref="RunSightings"/>).
    /// </summary>
    public string MarkCarried() =>
        $"UPDATE {T("recon_runs")} SET carried_from_run_id = {P("base")}, carried_at = {P("now")} WHERE id = {P("run")}";

    /// <summary>
    /// An incremental run's totals by type, from its base's (<c>@base</c>, whose totals count every finding it saw): minus
    /// the findings of the keys this run compared as the base saw them (their sightings through the base's chain, see
    /// <see cref="RunSightings"/>), plus this run's own sightings. Reads what the run compared, not what it carried.
    /// </summary>
    public string InsertCarriedTotals()
    {
        var confirmed = S(nameof(FindingVerdict.CONFIRMED));
        var transient = S(nameof(FindingVerdict.TRANSIENT));
        var ledger = S(Common.Money.LedgerCurrency);
        string Sums(string sign) => $"""
            {sign}SUM(CASE WHEN s.verdict = {confirmed} THEN 1 ELSE 0 END),
                   {sign}SUM(CASE WHEN s.verdict = {confirmed} AND COALESCE(f.currency, {ledger}) = {ledger} THEN s.money_at_risk ELSE 0 END),
                   {sign}SUM(CASE WHEN s.verdict = {transient} THEN 1 ELSE 0 END)
            """;
        return $"""
            WITH RECURSIVE {RunSightings.ChainCte(T("recon_runs"), P("base"))},
            t(finding_type, cc, ca, tc) AS (
              SELECT finding_type, confirmed_count, confirmed_amount, transient_count FROM {T("recon_run_totals")} WHERE run_id = {P("base")}
              UNION ALL
              SELECT f.type, {Sums("-")}
              FROM {BaseSightingsOfRunKeys()}
              GROUP BY f.type
              UNION ALL
              SELECT f.type, {Sums("")}
              FROM {T("recon_finding_sightings")} s JOIN {T("recon_findings")} f ON f.id = s.finding_id
              WHERE s.run_id = {P("run")}
              GROUP BY f.type
            )
            INSERT INTO {T("recon_run_totals")} (run_id, finding_type, confirmed_count, confirmed_amount, transient_count)
            SELECT {P("run")}, finding_type, SUM(cc), SUM(ca), SUM(tc) FROM t
            GROUP BY finding_type HAVING SUM(cc) + SUM(tc) > 0
            """;
    }

    /// <summary>
    /// For <see cref="InsertCarriedTotals"/>: the findings of the run's keys (<c>f</c>) with the sighting through which the
    /// base's chain saw them (<c>s</c>; <see cref="RunSightings"/>). PostgreSQL probes key by key — each key its findings by
    /// the unique index, each finding its newest sighting of the chain (a run of the chain with a sighting of a finding took
    /// its key, so an older one cannot qualify) — whatever the statistics say: the findings just written are often not yet
    /// analysed, and a hash of every finding of the PG then cost 0.4 s at 1M payments for 1,000 keys.
    /// </summary>
    private string BaseSightingsOfRunKeys()
    {
        var notLater = RunSightings.NotComparedLaterSql(T("recon_run_keys"), "s.run_id", "f.transaction_key");
        if (dialect.JoinStrategy != ReconJoinStrategy.OrderedMergeJoin)
            return $"""
                {T("recon_run_keys")} rk
                    JOIN {T("recon_findings")} f ON f.transaction_key = rk.transaction_key AND f.pg = {P("pg")}
                    JOIN {T("recon_finding_sightings")} s ON s.finding_id = f.id AND s.run_id IN (SELECT id FROM chain)
                  WHERE rk.run_id = {P("run")}
                    AND {notLater}
                """;
        return $"""
            {T("recon_run_keys")} rk
                {RunKeyFindingsProbe("f", "f.id, f.type, f.currency, f.transaction_key")}
                CROSS JOIN LATERAL (SELECT s.run_id, s.verdict, s.money_at_risk FROM {T("recon_finding_sightings")} s
                                    WHERE s.finding_id = f.id AND s.run_id IN (SELECT id FROM chain)
                                    ORDER BY s.run_id DESC LIMIT 1) s
              WHERE rk.run_id = {P("run")}
                AND {notLater}
            """;
    }

    /// <summary>
    /// PostgreSQL: for each run key <c>rk</c>, its findings of the run's PG as <paramref name="alias"/> (<paramref name="columns"/>
    /// of <c>f</c>), one probe of the findings' unique index per key (<c>OFFSET 0</c> keeps it a probe). Only that index's
    /// columns are inside: with the date's too, the planner probed the date index and filtered the keys (1.6 ms a key at 1M
    /// payments); callers filter the rest outside.
    /// </summary>
    private string RunKeyFindingsProbe(string alias, string columns) => $"""
        CROSS JOIN LATERAL (SELECT {columns} FROM {T("recon_findings")} f
                            WHERE f.transaction_key = rk.transaction_key AND f.pg = {P("pg")} OFFSET 0) {alias}
        """;

    /// <summary>Records that this run saw each finding it upserted (the finding's history).</summary>
    public string InsertSightings() => $"""
        INSERT INTO {T("recon_finding_sightings")} (finding_id, run_id, run_business_date, verdict, money_at_risk, seen_at)
        SELECT f.id, {P("run")}, {P("date")}, f.verdict, f.money_at_risk, {P("now")}
        FROM {T(FindingConfiguration.LastSeenTable)} ls JOIN {T("recon_findings")} f ON f.id = ls.finding_id
        WHERE ls.last_run_id = {P("run")}
        """;

    /// <summary>Open/acknowledged findings of the date and the run's PG that this run did not see become AUTO_RESOLVED
    /// (another PG's findings are its runs'); an incremental run (<paramref name="onlyRunKeys"/>) speaks only for the
    /// keys it compared.</summary>
    public string AutoResolveUnseen(bool onlyRunKeys = false)
    {
        var workable = $"status IN ({S(nameof(FindingStatus.OPEN))}, {S(nameof(FindingStatus.ACKNOWLEDGED))})";
        var settlement = $"type IN ({string.Join(", ", FindingTypes.Settlement.Select(t => S(t.ToString())))})";
        var update = $"""
            UPDATE {T("recon_findings")} SET status = {S(nameof(FindingStatus.AUTO_RESOLVED))}, resolved_at = {P("now")},
                   resolved_by = {S(ResolvedBySystem)}, version = version + 1
            """;
        // PostgreSQL, the run's keys: their findings probed key by key by the unique index, as BaseSightingsOfRunKeys, and
        // updated through the primary key by their ids as one array (as "id IN (…)" the planner may hash-join a scan of
        // every finding: 114 ms at 10M payments for 1,000 keys).
        if (onlyRunKeys && dialect.JoinStrategy == ReconJoinStrategy.OrderedMergeJoin)
            return $"""
                {update}
                WHERE id = ANY (ARRAY(SELECT x.id FROM {T("recon_run_keys")} rk
                               {RunKeyFindingsProbe("x", "f.id, f.business_date, f.status, f.type")}
                             WHERE rk.run_id = {P("run")} AND x.business_date = {P("date")} AND x.{workable} AND x.{settlement}
                               AND NOT EXISTS (SELECT 1 FROM {T(FindingConfiguration.LastSeenTable)} ls
                                               WHERE ls.finding_id = x.id AND ls.last_run_id = {P("run")})))
                """;
        return $"""
            {update}
            WHERE business_date = {P("date")} AND pg = {P("pg")}
              AND id NOT IN (SELECT ls.finding_id FROM {T(FindingConfiguration.LastSeenTable)} ls WHERE ls.last_run_id = {P("run")})
              AND {workable}
              AND {settlement}{(onlyRunKeys ? $"\n  AND {RunKeysFilter("transaction_key")}" : "")}
            """;
    }

    /// <summary>Counts and amounts by type for a full run, from its sightings (SQLite; a full run on PostgreSQL writes them
    /// in <see cref="UpsertFindingsAndSightings"/>, an incremental run sums them with <see cref="InsertCarriedTotals"/>).</summary>
    public string InsertTotals() => TotalsInsert("s", "f", $"""
        {T("recon_finding_sightings")} s JOIN {T("recon_findings")} f ON f.id = s.finding_id
        WHERE s.run_id = {P("run")}
        """);

    /// <summary>The run's totals by type: <paramref name="sighting"/> has the verdict and money at risk of each finding the
    /// run saw, <paramref name="finding"/> its type and currency; <paramref name="from"/> defaults to <paramref name="sighting"/>.</summary>
    private string TotalsInsert(string sighting, string finding, string? from = null) => $"""
        INSERT INTO {T("recon_run_totals")} (run_id, finding_type, confirmed_count, confirmed_amount, transient_count)
        SELECT {P("run")}, {finding}.type,
               SUM(CASE WHEN {sighting}.verdict = {S(nameof(FindingVerdict.CONFIRMED))} THEN 1 ELSE 0 END),
               SUM(CASE WHEN {sighting}.verdict = {S(nameof(FindingVerdict.CONFIRMED))} AND COALESCE({finding}.currency, {S(Common.Money.LedgerCurrency)}) = {S(Common.Money.LedgerCurrency)} THEN {sighting}.money_at_risk ELSE 0 END),
               SUM(CASE WHEN {sighting}.verdict = {S(nameof(FindingVerdict.TRANSIENT))} THEN 1 ELSE 0 END)
        FROM {from ?? sighting}
        GROUP BY {finding}.type
        """;
}

/// <summary>
/// The keys of one share of pass 1 (<see cref="ReconJoinStrategy.OrderedMergeJoin"/>): from the parameter <c>@lo</c>
/// (inclusive) when <see cref="HasLower"/>, below <c>@hi</c> when <see cref="HasUpper"/>.
/// </summary>
public readonly record struct KeyRange(bool HasLower, bool HasUpper)
{
    public static KeyRange All => new(false, false);
}
