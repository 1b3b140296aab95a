using System.Globalization;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Cash.Payouts;

/// <summary>
/// The payout reconciliation as set-based SQL, written once and rendered for SQLite, PostgreSQL and BigQuery through
/// <see cref="IReconSqlDialect"/> (plus the three string functions of <see cref="PayoutSqlFunctions"/>). The rules:
/// <list type="number">
/// <item><b>Expected payouts</b>: per merchant id and paidOutDate the net of <c>payOutAmount</c>; a negative net is
/// carried into the following days (offset). With C the running net from <c>@lookback</c>, what has been paid out by a
/// day is max(0, max C so far), so a day's payout is that peak's growth (running SUM, running MAX, LAG).</item>
/// <item><b>Due</b> = the first business day on or after the paidOutDate; <b>deadline</b> = due + the window
/// (business days, from <c>cash_calendar_days</c>).</item>
/// <item><b>Deposits</b>: credits of the merchant id's account whose counterparty or memo contains one of its
/// patterns (case-insensitive); a deposit several merchant ids recognise belongs to the smallest id.</item>
/// <item><b>Stage 1, exact</b>: a deposit of the exact amount booked on the due date (duplicates pair in order).</item>
/// <item><b>Stage 2, N:1</b>: among the payouts still open, a run of ≥ 2 consecutive ones (by date) of one merchant
/// id whose sum is a remaining deposit booked between the last one's due date and deadline; per deposit the run
/// ending latest, then the shortest; a run overlapping the run of a deposit with a smaller id is dropped.</item>
/// <item><b>Stage 3, window</b>: each payout still open takes the remaining deposit booked between its due date and
/// deadline that is within the tolerance, then earliest, then closest in amount, then smallest id; a deposit chosen
/// by several keeps the earliest payout.</item>
/// </list>
/// Classification: a matched payout whose amount differs beyond the tolerance is PAYOUT_AMOUNT_MISMATCH (the
/// difference at risk), else one booked after its due date PAYOUT_LATE; an unmatched one whose deadline is before
/// <c>@asof</c> PAYOUT_MISSING (its amount at risk; else PENDING, a receivable); an unmatched deposit booked in the
/// range UNEXPECTED_DEPOSIT (its amount); lines whose paidOutDate is not their soldDate + the contract's D+N
/// (per method) PAYOUT_DATE_OFF_CONTRACT, one per merchant id and paidOutDate.
/// </summary>
/// <param name="connections">The PG connections: a payout finding carries the one serving its merchant id (<c>pg</c>).</param>
public sealed class PayoutSqlGenerator(IReconSqlDialect dialect, PayoutSqlFunctions functions, PayoutRules rules,
    Gateway.PgConnections? connections = null)
{
    public IReconSqlDialect Dialect => dialect;

    private string T(string table) => dialect.Table(table);
    private string P(string name) => dialect.Parameter(name);
    private string S(string text) => dialect.Text(text);
    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    private string MidList => string.Join(", ", rules.Pgs.Select(p => S(p.MId)));

    /// <summary>
    /// The PG connection of a merchant id (SQL over <paramref name="mId"/>): the one serving it; NULL for a merchant id
    /// no connection serves, so the finding's insert fails naming the column rather than storing a made-up PG.
    /// </summary>
    private string PgOf(string mId)
    {
        var all = (connections ?? Gateway.PgConnections.Single).All;
        if (all.Count == 1 && all[0].MerchantIds.Count == 0) return S(all[0].Name);
        var cases = rules.Pgs.Select(p => (p.MId, Pg: all.FirstOrDefault(c => c.Serves(p.MId))?.Name))
            .Where(m => m.Pg is not null).Select(m => $" WHEN {S(m.MId)} THEN {S(m.Pg!)}");
        return $"CASE {mId}{string.Concat(cases)} ELSE NULL END";
    }

    /// <summary>
    /// Pass 1: the lines of the configured merchant ids with paidOutDate in [@lookback, @to], aggregated once
    /// (m_id, paid_out_date, sold_date, method, net, lines). A plain SELECT on purpose: PostgreSQL never runs the SELECT
    /// of an INSERT with parallel workers, so the engines read this and write its few rows back.
    /// </summary>
    public string SelectGroups() => $"""
        SELECT l.m_id, l.paid_out_date, l.sold_date, l.method, SUM(l.pay_out_amount), COUNT(*)
        FROM {T("settlement_lines")} l
        WHERE l.m_id IN ({MidList}) AND l.paid_out_date >= {P("lookback")} AND l.paid_out_date <= {P("to")}
        GROUP BY l.m_id, l.paid_out_date, l.sold_date, l.method
        """;

    private string FlaggedPairs => $"""
        SELECT DISTINCT i.pg_mid, i.expected_date FROM {T("payout_run_items")} i
        WHERE i.run_id = {P("run")} AND i.pass = 1 AND i.finding_type IS NOT NULL AND i.kind <> {S(nameof(PayoutItemKind.DEPOSIT))}
        """;

    /// <summary>Pass 2, first: forget pass 1's aggregate of the (merchant id, paidOutDate) pairs it flagged …</summary>
    public string DeleteFlaggedGroups() => $"""
        DELETE FROM {T("payout_run_groups")}
        WHERE run_id = {P("run")} AND EXISTS (
          SELECT 1 FROM {T("payout_run_items")} i
          WHERE i.run_id = {P("run")} AND i.pass = 1 AND i.finding_type IS NOT NULL AND i.kind <> {S(nameof(PayoutItemKind.DEPOSIT))}
            AND i.pg_mid = {T("payout_run_groups")}.pg_mid AND i.expected_date = {T("payout_run_groups")}.paid_out_date)
        """;

    /// <summary>… then re-read those pairs' lines on fresh data (an index look-up per pair; see <see cref="SelectGroups"/>).</summary>
    public string SelectFlaggedGroups() => $"""
        SELECT l.m_id, l.paid_out_date, l.sold_date, l.method, SUM(l.pay_out_amount), COUNT(*)
        FROM ({FlaggedPairs}) f
        JOIN {T("settlement_lines")} l ON l.m_id = f.pg_mid AND l.paid_out_date = f.expected_date
        GROUP BY l.m_id, l.paid_out_date, l.sold_date, l.method
        """;

    private static string Rows(IReadOnlyList<string[]> rows, string[] names, string empty) =>
        rows.Count == 0
            ? empty
            : string.Join("\n          UNION ALL ", rows.Select((r, i) =>
                "SELECT " + string.Join(", ", r.Select((v, c) => i == 0 ? $"{v} AS {names[c]}" : v))));

    /// <summary>The columns of <see cref="Items"/>, in order.</summary>
    public static readonly IReadOnlyList<string> ItemColumns =
    [
        "run_id", "pass", "item_key", "kind", "finding_type", "match_kind", "pg_mid", "account_name", "business_date",
        "expected_date", "due_date", "deadline_date", "expected_amount", "net_amount", "line_count", "deposit_id",
        "deposit_date", "received_amount", "money_at_risk",
    ];

    private string Window => I(rules.DateWindowBusinessDays);
    private string Tolerance => I(rules.AmountTolerance);

    /// <summary>
    /// Matches and classifies the run's groups against the deposits, writing pass <c>@pass</c>'s items: every
    /// expected payout and offset day of [@from, @to], every unexplained deposit booked in it, every off-contract date.
    /// </summary>
    public string InsertItems() => $"""
        INSERT INTO {T("payout_run_items")} (run_id, pass, item_key, kind, finding_type, match_kind, pg_mid, account_name,
          business_date, expected_date, due_date, deadline_date, expected_amount, net_amount, line_count, deposit_id,
          deposit_date, received_amount, money_at_risk)

        """ + Items();

    /// <summary>
    /// <see cref="InsertItems"/>' SELECT alone: the item columns in the order of <see cref="ItemColumns"/> (the BigQuery
    /// engine brings these rows back and writes them to the console's <c>payout_run_items</c>).
    /// </summary>
    public string Items()
    {
        var pgs = Rows(rules.Pgs.Select(p => new[] { S(p.MId), S(p.Account) }).ToList(), ["m_id", "account_name"], "");
        var pats = Rows(rules.Pgs.SelectMany(p => p.Patterns.Select(x => new[] { S(p.MId), S(p.Account), S(x.ToUpperInvariant()) })).ToList(),
            ["m_id", "account_name", "pattern"], "");
        var contract = Rows(rules.Pgs.SelectMany(p => p.PayoutDays.Select(d => new[] { S(p.MId), S(d.Key), I(d.Value) })).ToList(),
            ["m_id", "method", "days"],
            $"SELECT {S("")} AS m_id, {S("")} AS method, 0 AS days FROM {T("cash_calendar_days")} WHERE 1 = 0");
        var tol = Tolerance;
        string Key(string prefix, string mid, string date) => $"{S(prefix)} || {mid} || {S(":")} || {functions.DateText(date)}";
        var upTo = "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW";
        return $"""
            WITH pgs AS (
              {pgs}
            ), pats AS (
              {pats}
            ), contract AS (
              {contract}
            ), cal AS (
              SELECT c.date AS d, c.is_business_day AS bd, c.business_ordinal AS bo, c.due_ordinal AS dueo FROM {T("cash_calendar_days")} c
            ), bdays AS (
              SELECT c.date AS d, c.business_ordinal AS bo FROM {T("cash_calendar_days")} c WHERE c.is_business_day
            ), days AS (
              SELECT g.pg_mid AS m_id, g.paid_out_date AS d, SUM(g.net_amount) AS net, SUM(g.line_count) AS lines
              FROM {T("payout_run_groups")} g WHERE g.run_id = {P("run")}
              GROUP BY g.pg_mid, g.paid_out_date
            ), cum AS (
              SELECT m_id, d, net, lines, SUM(net) OVER (PARTITION BY m_id ORDER BY d {upTo}) AS c FROM days
            ), peak AS (
              SELECT m_id, d, net, lines, MAX(CASE WHEN c > 0 THEN c ELSE 0 END) OVER (PARTITION BY m_id ORDER BY d {upTo}) AS pk FROM cum
            ), pay AS (
              SELECT m_id, d, net, lines, pk - COALESCE(LAG(pk) OVER (PARTITION BY m_id ORDER BY d), 0) AS amount FROM peak
            ), expd AS (
              SELECT p.m_id, pg.account_name, p.d AS e, p.net, p.lines, p.amount, due.d AS due, dl.d AS deadline
              FROM pay p
              JOIN pgs pg ON pg.m_id = p.m_id
              JOIN cal c ON c.d = p.d
              JOIN bdays due ON due.bo = c.dueo
              JOIN bdays dl ON dl.bo = c.dueo + {Window}
              WHERE p.d >= {P("mfrom")}
            ), exps AS (
              SELECT * FROM expd WHERE amount > 0
            ), dep AS (
              SELECT t.id, t.account_name, t.booking_date AS b, t.amount, MIN(pt.m_id) AS m_id
              FROM {T("bank_transactions")} t
              JOIN pats pt ON pt.account_name = t.account_name
                AND ({functions.Contains("UPPER(COALESCE(t.counterparty, ''))", "pt.pattern")}
                     OR {functions.Contains("UPPER(COALESCE(t.memo, ''))", "pt.pattern")})
              WHERE t.direction = {S(nameof(BankDirection.CREDIT))} AND t.booking_date >= {P("mfrom")} AND t.booking_date <= {P("depto")}
              GROUP BY t.id, t.account_name, t.booking_date, t.amount
            ), x1 AS (
              SELECT x.m_id, x.e, x.due, x.amount, ROW_NUMBER() OVER (PARTITION BY x.m_id, x.due, x.amount ORDER BY x.e) AS rn FROM exps x
            ), d1 AS (
              SELECT d.id, d.m_id, d.b, d.amount, ROW_NUMBER() OVER (PARTITION BY d.m_id, d.b, d.amount ORDER BY d.id) AS rn FROM dep d
            ), s1 AS (
              SELECT x.m_id, x.e, d.id AS dep_id FROM x1 x
              JOIN d1 d ON d.m_id = x.m_id AND d.b = x.due AND d.amount = x.amount AND d.rn = x.rn
            ), r1x AS (
              SELECT x.m_id, x.e, x.due, x.deadline, x.amount,
                     ROW_NUMBER() OVER (PARTITION BY x.m_id ORDER BY x.e) AS k,
                     SUM(x.amount) OVER (PARTITION BY x.m_id ORDER BY x.e {upTo}) AS ps
              FROM exps x LEFT JOIN s1 ON s1.m_id = x.m_id AND s1.e = x.e
              WHERE s1.dep_id IS NULL
            ), r1d AS (
              SELECT d.id, d.m_id, d.b, d.amount FROM dep d LEFT JOIN s1 ON s1.dep_id = d.id WHERE s1.dep_id IS NULL
            ), c2 AS (
              SELECT d.id AS dep_id, j.m_id, i.k AS ki, j.k AS kj,
                     ROW_NUMBER() OVER (PARTITION BY d.id ORDER BY j.k DESC, i.k DESC) AS rk
              FROM r1d d
              JOIN r1x j ON j.m_id = d.m_id AND d.b >= j.due AND d.b <= j.deadline
              JOIN r1x i ON i.m_id = j.m_id AND i.k < j.k AND j.ps - i.ps + i.amount = d.amount
            ), p2 AS (
              SELECT dep_id, m_id, ki, kj FROM c2 WHERE rk = 1
            ), k2 AS (
              SELECT p.dep_id, p.m_id, p.ki, p.kj FROM p2 p
              WHERE NOT EXISTS (SELECT 1 FROM p2 q WHERE q.m_id = p.m_id AND q.dep_id < p.dep_id AND q.ki <= p.kj AND p.ki <= q.kj)
            ), s2 AS (
              SELECT x.m_id, x.e, k.dep_id FROM r1x x JOIN k2 k ON k.m_id = x.m_id AND x.k >= k.ki AND x.k <= k.kj
            ), r2x AS (
              SELECT x.m_id, x.e, x.due, x.deadline, x.amount FROM r1x x LEFT JOIN s2 ON s2.m_id = x.m_id AND s2.e = x.e
              WHERE s2.dep_id IS NULL
            ), r2d AS (
              SELECT d.id, d.m_id, d.b, d.amount FROM r1d d LEFT JOIN k2 ON k2.dep_id = d.id WHERE k2.dep_id IS NULL
            ), c3 AS (
              SELECT x.m_id, x.e, d.id AS dep_id,
                     ROW_NUMBER() OVER (PARTITION BY x.m_id, x.e ORDER BY CASE WHEN ABS(d.amount - x.amount) <= {tol} THEN 0 ELSE 1 END,
                                        d.b, ABS(d.amount - x.amount), d.id) AS rx
              FROM r2x x JOIN r2d d ON d.m_id = x.m_id AND d.b >= x.due AND d.b <= x.deadline
            ), c3b AS (
              SELECT m_id, e, dep_id, ROW_NUMBER() OVER (PARTITION BY dep_id ORDER BY e) AS rd FROM c3 WHERE rx = 1
            ), matched AS (
              SELECT m_id, e, dep_id, {S(nameof(PayoutMatch.EXACT))} AS how FROM s1
              UNION ALL SELECT m_id, e, dep_id, {S(nameof(PayoutMatch.COMBINED))} FROM s2
              UNION ALL SELECT m_id, e, dep_id, {S(nameof(PayoutMatch.WINDOW))} FROM c3b WHERE rd = 1
            ), used AS (
              SELECT DISTINCT dep_id FROM matched
            ), offc AS (
              SELECT g.pg_mid, g.paid_out_date, SUM(g.line_count) AS lines, SUM(g.net_amount) AS net
              FROM {T("payout_run_groups")} g
              JOIN contract k ON k.m_id = g.pg_mid AND k.method = g.method
              JOIN cal s ON s.d = g.sold_date
              JOIN cal p ON p.d = g.paid_out_date
              WHERE g.run_id = {P("run")} AND g.paid_out_date >= {P("from")} AND g.paid_out_date <= {P("to")}
                AND NOT (p.bd AND p.bo = CASE WHEN k.days = 0 THEN s.dueo ELSE s.bo + k.days END)
              GROUP BY g.pg_mid, g.paid_out_date
            ), classified AS (
              SELECT x.*, m.how, d.id AS dep_id, d.b AS dep_b, d.amount AS dep_amount,
                     CASE WHEN x.amount <= 0 THEN NULL
                          WHEN m.how IS NULL THEN CASE WHEN x.deadline < {P("asof")} THEN {S(nameof(FindingType.PAYOUT_MISSING))} END
                          WHEN m.how = {S(nameof(PayoutMatch.WINDOW))} AND ABS(d.amount - x.amount) > {tol} THEN {S(nameof(FindingType.PAYOUT_AMOUNT_MISMATCH))}
                          WHEN d.b > x.due THEN {S(nameof(FindingType.PAYOUT_LATE))}
                     END AS finding_type
              FROM expd x
              LEFT JOIN matched m ON m.m_id = x.m_id AND m.e = x.e
              LEFT JOIN dep d ON d.id = m.dep_id
              WHERE x.e >= {P("from")} AND x.e <= {P("to")} AND (x.amount > 0 OR x.net <> 0)
            )
            SELECT {P("run")}, {P("pass")}, {Key("PAYOUT:", "x.m_id", "x.e")}, {S(nameof(PayoutItemKind.EXPECTED))}, x.finding_type,
                   CASE WHEN x.amount <= 0 THEN {S(nameof(PayoutMatch.OFFSET))} WHEN x.how IS NOT NULL THEN x.how
                        WHEN x.deadline < {P("asof")} THEN {S(nameof(PayoutMatch.NONE))} ELSE {S(nameof(PayoutMatch.PENDING))} END,
                   x.m_id, x.account_name, x.e, x.e, x.due, x.deadline, CASE WHEN x.amount > 0 THEN x.amount ELSE 0 END, x.net, x.lines,
                   x.dep_id, x.dep_b, x.dep_amount,
                   CASE x.finding_type WHEN {S(nameof(FindingType.PAYOUT_MISSING))} THEN x.amount
                        WHEN {S(nameof(FindingType.PAYOUT_AMOUNT_MISMATCH))} THEN ABS(x.dep_amount - x.amount) ELSE 0 END
            FROM classified x
            UNION ALL
            SELECT {P("run")}, {P("pass")}, {S("DEPOSIT:")} || {functions.IntText("d.id")}, {S(nameof(PayoutItemKind.DEPOSIT))},
                   {S(nameof(FindingType.UNEXPECTED_DEPOSIT))}, NULL, d.m_id, d.account_name, d.b, NULL, NULL, NULL, NULL, NULL, 0,
                   d.id, d.b, d.amount, d.amount
            FROM dep d LEFT JOIN used u ON u.dep_id = d.id
            WHERE u.dep_id IS NULL AND d.b >= {P("from")} AND d.b <= {P("to")}
            UNION ALL
            SELECT {P("run")}, {P("pass")}, {Key("CONTRACT:", "o.pg_mid", "o.paid_out_date")}, {S(nameof(PayoutItemKind.CONTRACT))},
                   {S(nameof(FindingType.PAYOUT_DATE_OFF_CONTRACT))}, NULL, o.pg_mid, pg.account_name, o.paid_out_date, o.paid_out_date,
                   NULL, NULL, NULL, o.net, o.lines, NULL, NULL, NULL, 0
            FROM offc o JOIN pgs pg ON pg.m_id = o.pg_mid
            """;
    }

    /// <summary>
    /// Persisting (the console's database: SQLite or PostgreSQL, also when the passes ran elsewhere). Pass-2 findings whose
    /// key pass 1 flagged become CONFIRMED findings in <c>recon_findings</c> (an AUTO_RESOLVED one reopens); evidence
    /// columns: expected amount → external_amount, received → internal_amount, lines → external_line_count.
    /// </summary>
    public string UpsertConfirmed() => UpsertFindings(confirmed: true);

    /// <summary>Pass-1 findings whose key pass 2 no longer flags: TRANSIENT (and AUTO_RESOLVED when still workable).</summary>
    public string UpsertTransient() => UpsertFindings(confirmed: false);

    /// <summary>
    /// After <see cref="UpsertConfirmed"/> and <see cref="UpsertTransient"/>: the findings they wrote are last seen by this
    /// run (<see cref="FindingConfiguration.LastSeenTable"/>, the findings' per-run columns).
    /// </summary>
    public string UpsertLastSeen()
    {
        var lastSeen = T(FindingConfiguration.LastSeenTable);
        return $"""
            INSERT INTO {lastSeen} (finding_id, last_run_id, last_seen_at, seen_count)
            SELECT f.id, {P("frun")}, {P("now")}, 1
            FROM {T("recon_findings")} f JOIN (
              SELECT p2.item_key AS k, p2.finding_type AS type {FindingsFrom(confirmed: true)}
              UNION ALL
              SELECT p1.item_key, p1.finding_type {FindingsFrom(confirmed: false)}
            ) s ON f.transaction_key = s.k AND f.type = s.type
            WHERE 1 = 1
            ON CONFLICT (finding_id) DO UPDATE SET last_run_id = excluded.last_run_id, last_seen_at = excluded.last_seen_at,
              seen_count = {lastSeen}.seen_count + 1
            """;
    }

    /// <summary>The run items that become the run's CONFIRMED (pass-2 survivors) or TRANSIENT findings.</summary>
    private string FindingsFrom(bool confirmed) => confirmed
        ? $"FROM {T("payout_run_items")} p2 JOIN {T("payout_run_items")} p1 ON p1.run_id = p2.run_id AND p1.pass = 1 AND p1.item_key = p2.item_key AND p1.finding_type IS NOT NULL\n" +
          $"WHERE p2.run_id = {P("run")} AND p2.pass = 2 AND p2.finding_type IS NOT NULL"
        : $"FROM {T("payout_run_items")} p1 LEFT JOIN {T("payout_run_items")} p2 ON p2.run_id = p1.run_id AND p2.pass = 2 AND p2.item_key = p1.item_key AND p2.finding_type IS NOT NULL\n" +
          $"WHERE p1.run_id = {P("run")} AND p1.pass = 1 AND p1.finding_type IS NOT NULL AND p2.id IS NULL";

    private string UpsertFindings(bool confirmed)
    {
        var src = confirmed ? "p2" : "p1";
        var diff = $"CASE {src}.finding_type WHEN {S(nameof(FindingType.PAYOUT_MISSING))} THEN {S("deposit")}" +
                   $" WHEN {S(nameof(FindingType.PAYOUT_AMOUNT_MISMATCH))} THEN CASE WHEN {src}.deposit_date > {src}.due_date THEN {S("amount,date")} ELSE {S("amount")} END" +
                   $" WHEN {S(nameof(FindingType.PAYOUT_LATE))} THEN {S("date")}" +
                   $" WHEN {S(nameof(FindingType.UNEXPECTED_DEPOSIT))} THEN {S("payout")}" +
                   $" ELSE {S("paidOutDate")} END";
        var reason = "CASE" +
                     $" WHEN p1.finding_type = {S(nameof(FindingType.PAYOUT_MISSING))} THEN {S("the deposit arrived (or a statement was imported) after pass 1")}" +
                     $" WHEN p1.finding_type = {S(nameof(FindingType.UNEXPECTED_DEPOSIT))} THEN {S("an expected payout explains the deposit on recheck")}" +
                     $" WHEN p1.finding_type = {S(nameof(FindingType.PAYOUT_DATE_OFF_CONTRACT))} THEN {S("the lines agree with the contract on recheck")}" +
                     $" ELSE {S("the deposit matches on recheck")} END";
        var from = FindingsFrom(confirmed);
        const string f = "recon_findings";
        var workable = $"{f}.status IN ({S(nameof(FindingStatus.OPEN))}, {S(nameof(FindingStatus.ACKNOWLEDGED))})";
        var auto = $"{f}.status = {S(nameof(FindingStatus.AUTO_RESOLVED))}";
        var updates = new List<string>
        {
            "verdict = excluded.verdict", "transient_reason = excluded.transient_reason", "pass1_type = excluded.pass1_type",
            $"version = {f}.version + 1",
        };
        if (confirmed)
        {
            updates.AddRange(["business_date = excluded.business_date", "external_amount = excluded.external_amount",
                "internal_amount = excluded.internal_amount", "external_line_count = excluded.external_line_count",
                "diff_fields = excluded.diff_fields", "money_at_risk = excluded.money_at_risk",
                $"status = CASE WHEN {auto} THEN {S(nameof(FindingStatus.OPEN))} ELSE {f}.status END",
                $"resolved_at = CASE WHEN {auto} THEN NULL ELSE {f}.resolved_at END",
                $"resolved_by = CASE WHEN {auto} THEN NULL ELSE {f}.resolved_by END"]);
        }
        else
        {
            updates.AddRange([
                $"status = CASE WHEN {workable} THEN {S(nameof(FindingStatus.AUTO_RESOLVED))} ELSE {f}.status END",
                $"resolved_at = CASE WHEN {workable} THEN excluded.resolved_at ELSE {f}.resolved_at END",
                $"resolved_by = CASE WHEN {workable} THEN excluded.resolved_by ELSE {f}.resolved_by END"]);
        }
        return $"""
            INSERT INTO {T(f)} (transaction_key, type, pg, business_date, verdict, status, pass1_type, transient_reason, payment_key,
              order_id, external_line_count, external_amount, internal_amount, diff_fields, money_at_risk, first_run_id,
              first_seen_at, version, resolved_at, resolved_by)
            SELECT {src}.item_key, {src}.finding_type, {PgOf($"{src}.pg_mid")}, {src}.business_date,
                   {S(confirmed ? nameof(FindingVerdict.CONFIRMED) : nameof(FindingVerdict.TRANSIENT))},
                   {S(confirmed ? nameof(FindingStatus.OPEN) : nameof(FindingStatus.AUTO_RESOLVED))}, p1.finding_type,
                   {(confirmed ? "NULL" : reason)}, '', '', {src}.line_count, {src}.expected_amount, {src}.received_amount, {diff},
                   {src}.money_at_risk, {P("frun")}, {P("now")}, 1,
                   {(confirmed ? "NULL" : P("now"))}, {(confirmed ? "NULL" : S(ReconciliationSqlGenerator.ResolvedBySystem))}
            {from}
            ON CONFLICT (transaction_key, type, pg) DO UPDATE SET {string.Join(", ", updates)}
            """;
    }

    /// <summary>Open/acknowledged payout findings of the range that this run did not see become AUTO_RESOLVED.</summary>
    public string AutoResolveUnseen() => $"""
        UPDATE {T("recon_findings")} SET status = {S(nameof(FindingStatus.AUTO_RESOLVED))}, resolved_at = {P("now")},
               resolved_by = {S(ReconciliationSqlGenerator.ResolvedBySystem)}, version = version + 1
        WHERE business_date >= {P("from")} AND business_date <= {P("to")} 
          AND id NOT IN (SELECT ls.finding_id FROM {T(FindingConfiguration.LastSeenTable)} ls WHERE ls.last_run_id = {P("frun")})
          AND type IN ({string.Join(", ", FindingTypes.Payout.Select(t => S(t.ToString())))})
          AND status IN ({S(nameof(FindingStatus.OPEN))}, {S(nameof(FindingStatus.ACKNOWLEDGED))})
        """;

    /// <summary>A bare GROUP BY of the lines by merchant id and paidOutDate joined to the deposits (the benchmark's yardstick).</summary>
    public string BareGroupByJoin() => $"""
        SELECT COUNT(*), COALESCE(SUM(g.net), 0), COALESCE(SUM(t.amount), 0) FROM (
          SELECT l.m_id, l.paid_out_date, SUM(l.pay_out_amount) AS net FROM {T("settlement_lines")} l
          WHERE l.m_id IN ({MidList}) AND l.paid_out_date >= {P("from")} AND l.paid_out_date <= {P("to")}
          GROUP BY l.m_id, l.paid_out_date) g
        LEFT JOIN {T("bank_transactions")} t ON t.booking_date = g.paid_out_date AND t.direction = {S(nameof(BankDirection.CREDIT))}
        """;
}

/// <summary>The configuration the payout SQL is rendered from (<see cref="CashOptions"/>, possibly with console overrides).</summary>
public sealed record PayoutRules(IReadOnlyList<PayoutPgRule> Pgs, int DateWindowBusinessDays, long AmountTolerance)
{
    public static PayoutRules From(CashOptions o) => new(
        o.Pgs.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new PayoutPgRule(p.Key, p.Value.Account!, p.Value.CounterpartyPatterns,
                p.Value.PayoutDays.ToDictionary(d => d.Key.ToUpperInvariant(), d => d.Value)))
            .ToList(),
        o.DateWindowBusinessDays, o.AmountTolerance);
}

public sealed record PayoutPgRule(string MId, string Account, IReadOnlyList<string> Patterns, IReadOnlyDictionary<string, int> PayoutDays)
{
    /// <summary>Whether a deposit's counterparty or memo contains one of the patterns (case-insensitive), as the SQL decides.</summary>
    public bool Recognises(string? counterparty, string? memo) =>
        Patterns.Any(p => (counterparty ?? "").ToUpperInvariant().Contains(p.ToUpperInvariant(), StringComparison.Ordinal)
                          || (memo ?? "").ToUpperInvariant().Contains(p.ToUpperInvariant(), StringComparison.Ordinal));
}

/// <summary>The string functions the payout SQL needs that engines spell differently.</summary>
public sealed record PayoutSqlFunctions(Func<string, string, string> Contains, Func<string, string> DateText, Func<string, string> IntText)
{
    public static PayoutSqlFunctions Sqlite { get; } = new((s, p) => $"instr({s}, {p}) > 0", d => d, i => $"CAST({i} AS TEXT)");
    public static PayoutSqlFunctions Postgres { get; } = new((s, p) => $"strpos({s}, {p}) > 0", d => $"to_char({d}, 'YYYY-MM-DD')", i => $"CAST({i} AS TEXT)");
    public static PayoutSqlFunctions BigQuery { get; } = new((s, p) => $"STRPOS({s}, {p}) > 0", d => $"FORMAT_DATE('%Y-%m-%d', {d})", i => $"CAST({i} AS STRING)");

    public static PayoutSqlFunctions For(IReconSqlDialect dialect) => dialect.Name switch
    {
        "sqlite" => Sqlite,
        "postgres" => Postgres,
        "bigquery" => BigQuery,
        _ => throw new ArgumentOutOfRangeException(nameof(dialect), dialect.Name, "No payout SQL functions for this engine."),
    };
}
