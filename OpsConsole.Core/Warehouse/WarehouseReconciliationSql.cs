using System.Text;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Warehouse;

/// <summary>
/// Set-based SQL for a reconciliation that runs where the ledgers live (BigQuery) and returns only the
/// differing keys, generated from the same <see cref="ReconciliationDefinition"/> as the console engines, with
/// the same classification fragments (<see cref="ReconRules"/>: expected fee, rule failures, type,
/// CHARGED_BUT_FAILED, diff, money at risk) — only the join and the output differ. Unlike the console engines, whose passes
/// <c>INSERT</c> into <c>recon_run_items</c> in the same database, these queries <c>SELECT</c> the item columns,
/// so the rows can be brought back and written to the console's database.
/// <para>A run is one PG connection's (<c>@pg</c>, both passes): our transactions of that PG's payments against that
/// PG's settlement lines, matched on (PG, key) as the console engines do; the payment looked up for a key is the PG's.</para>
/// <para>Parameters: pass 1 <c>@pg</c>, <c>@date</c> (partition filter of both tables), <c>@from</c>, <c>@to</c> (the UTC
/// instants bounding the KST day); pass 2 <c>@pg</c>, <c>@keys</c> (ARRAY&lt;STRING&gt;) and, with a recheck window,
/// <c>@recheck_from</c>, <c>@recheck_to</c> (partition range).</para>
/// </summary>
public sealed class WarehouseReconciliationSql(
    ReconciliationDefinition definition,
    IWarehouseSqlDialect dialect,
    WarehouseTableLayout layout)
{
    /// <summary>The columns each pass returns, in order (the recon_run_items columns without run and pass).</summary>
    public static readonly IReadOnlyList<string> ItemColumns =
    [
        "transaction_key", "finding_type", "payment_key", "order_id", "trace_id", "payment_status",
        "internal_kind", "internal_amount", "internal_method", "internal_business_date", "internal_occurred_at",
        "external_line_count", "external_amount", "external_amount_total", "external_fee", "external_expected_fee",
        "external_method", "external_sold_date", "external_approved_at", "diff_fields", "money_at_risk", "currency",
    ];

    public IWarehouseSqlDialect Dialect => dialect;

    private readonly ReconRules _rules = new(definition, dialect);

    /// <summary>The lines' fee columns the contracts need (none without contracts).</summary>
    private IEnumerable<string> FeeColumns => _rules.FeeInputColumns.Concat(_rules.FeeDetailColumns);

    private string P(string name) => dialect.Parameter(name);
    private string S(string value) => dialect.Text(value);
    private TransactionColumns Tc => layout.TransactionColumns;
    private SettlementColumns Sc => layout.SettlementColumns;

    /// <summary>Pass 1: the business date's partitions; one row per differing key.</summary>
    public string Pass1()
    {
        var t = Tc;
        var internalFilter = (t.BusinessDate is { Length: > 0 } bd ? $"t.{bd} = {P("date")} AND " : "") +
                             $"t.{t.OccurredAt} >= {P("from")} AND t.{t.OccurredAt} < {P("to")} AND t.{t.Pg} = {P("pg")}";
        var externalFilter = $"l.{Sc.SoldDate} = {P("date")} AND l.{Sc.Pg} = {P("pg")}";
        return Pass(1, internalFilter, externalFilter, onlyDiffering: true);
    }

    /// <summary>Pass 2: only the pass-1 keys, on fresh data; one row per key still present in either ledger
    /// (finding_type NULL when it now matches).</summary>
    /// <param name="recheckWindow">Bound the partitions read by <c>@recheck_from</c>/<c>@recheck_to</c>.</param>
    public string Pass2(bool recheckWindow)
    {
        // An approval without a key whose learnt key (lk) is a pass-1 key is rechecked too.
        var internalFilter = $"({dialect.InArray($"t.{Tc.TransactionKey}", P("keys"))} OR (t.{Tc.TransactionKey} IS NULL AND t.{Tc.PaymentKey} IN (SELECT lk.payment_key FROM lk)))" +
                             $" AND t.{Tc.Pg} = {P("pg")}";
        var externalFilter = $"{dialect.InArray($"l.{Sc.TransactionKey}", P("keys"))} AND l.{Sc.Pg} = {P("pg")}";
        if (recheckWindow)
        {
            if (Tc.BusinessDate is { Length: > 0 } bd)
                internalFilter += $" AND t.{bd} BETWEEN {P("recheck_from")} AND {P("recheck_to")}";
            externalFilter += $" AND l.{Sc.SoldDate} BETWEEN {P("recheck_from")} AND {P("recheck_to")}";
        }
        return Pass(2, internalFilter, externalFilter, onlyDiffering: false);
    }

    private string Pass(int pass, string internalFilter, string externalFilter, bool onlyDiffering)
    {
        var t = Tc;
        var l = Sc;
        var pc = layout.PaymentColumns;
        var sb = new StringBuilder();
        sb.Append($"""
            -- OpsConsole reconciliation '{definition.Name}', pass {pass} ({dialect.Name})
            WITH lk AS (
              -- The key of each payment's one approval line: an approval our ledger holds without a key (the PG's answer
              -- did not tell it) is matched by it, as the console engines do after learning it (ApprovalKeyLearning).
              SELECT l.{l.PaymentKey} AS payment_key, MIN(l.{l.TransactionKey}) AS k
              FROM {dialect.Table(layout.SettlementLines)} l
              WHERE {externalFilter} AND l.{l.Amount} > 0
              GROUP BY l.{l.PaymentKey}
              HAVING COUNT(DISTINCT l.{l.TransactionKey}) = 1
            ),
            i AS (
              SELECT COALESCE(t.{t.TransactionKey}, lk.k) AS k, t.{t.PaymentKey} AS payment_key, t.{t.OrderId} AS order_id, t.{t.Kind} AS kind,
                     CASE WHEN t.{t.Kind} = {S(nameof(TransactionKind.CANCEL))} THEN -t.{t.Amount} ELSE t.{t.Amount} END AS amount,
                     t.{t.Method} AS method, {dialect.KstDate($"t.{t.OccurredAt}")} AS business_date, t.{t.OccurredAt} AS occurred_at,
                     t.{t.Currency} AS currency
              FROM {dialect.Table(layout.Transactions)} t
                LEFT JOIN lk ON t.{t.TransactionKey} IS NULL AND t.{t.Kind} = {S(nameof(TransactionKind.APPROVAL))} AND lk.payment_key = t.{t.PaymentKey}
              WHERE {internalFilter} AND (t.{t.TransactionKey} IS NOT NULL OR lk.k IS NOT NULL)
            ),
            e AS (
              SELECT l.{l.TransactionKey} AS k, COUNT(*) AS line_count, MIN(l.{l.PaymentKey}) AS payment_key,
                     MIN(l.{l.OrderId}) AS order_id, MIN(l.{l.Method}) AS method, MIN(l.{l.Amount}) AS amount,
                     SUM(l.{l.Amount}) AS amount_total, MIN(l.{l.Fee}) AS fee, MIN(l.{l.SoldDate}) AS sold_date,
                     MIN(l.{l.ApprovedAt}) AS approved_at, MIN(l.{l.Currency}) AS currency{string.Concat(FeeColumns.Select(c => $", MIN(l.{Sc.Column(c)}) AS {c}"))}
              FROM {dialect.Table(layout.SettlementLines)} l
              WHERE {externalFilter}
              GROUP BY l.{l.TransactionKey}
            ),
            j AS (
              SELECT i.k AS i_k, i.payment_key AS i_payment_key, i.order_id AS i_order_id, i.kind AS i_kind,
                     i.amount AS i_amount, i.method AS i_method, i.business_date AS i_business_date,
                     i.occurred_at AS i_occurred_at, i.currency AS i_currency, e.currency AS e_currency,
                     e.k AS e_k, e.line_count AS e_line_count, e.payment_key AS e_payment_key, e.order_id AS e_order_id,
                     e.method AS e_method, e.amount AS e_amount, e.amount_total AS e_amount_total, e.fee AS e_fee,
                     e.sold_date AS e_sold_date, e.approved_at AS e_approved_at{string.Concat(FeeColumns.Select(c => $", e.{c} AS e_{c}"))}
              FROM i FULL OUTER JOIN e ON e.k = i.k
            ),
            d AS (
              SELECT j.*, {_rules.ExpectedFee(c => "j.e_" + c)} AS e_expected_fee
              FROM j
            ),
            c AS (
              SELECT d.*, {_rules.Classify("d")} AS base_type
              FROM d
            )
            SELECT COALESCE(c.i_k, c.e_k) AS transaction_key,
                   {_rules.FinalType("c", $"p.{pc.Status}")} AS finding_type,
                   COALESCE(c.i_payment_key, c.e_payment_key) AS payment_key, COALESCE(c.i_order_id, c.e_order_id) AS order_id,
                   p.{pc.TraceId} AS trace_id, p.{pc.Status} AS payment_status,
                   c.i_kind AS internal_kind, c.i_amount AS internal_amount, c.i_method AS internal_method,
                   c.i_business_date AS internal_business_date, c.i_occurred_at AS internal_occurred_at,
                   COALESCE(c.e_line_count, 0) AS external_line_count, c.e_amount AS external_amount,
                   CAST(c.e_amount_total AS {dialect.IntegerType}) AS external_amount_total, c.e_fee AS external_fee, c.e_expected_fee AS external_expected_fee,
                   c.e_method AS external_method, c.e_sold_date AS external_sold_date, c.e_approved_at AS external_approved_at,
                   {_rules.Diff("c")} AS diff_fields,
                   CAST({_rules.MoneyAtRisk("c")} AS {dialect.IntegerType}) AS money_at_risk,
                   COALESCE(c.i_currency, c.e_currency) AS currency
            FROM c LEFT JOIN {dialect.Table(layout.Payments)} p ON p.{pc.PaymentKey} = COALESCE(c.i_payment_key, c.e_payment_key) AND p.{pc.Pg} = {P("pg")}
            """);
        if (onlyDiffering)
            sb.Append("\nWHERE c.base_type IS NOT NULL");
        sb.Append("\nORDER BY transaction_key");
        return sb.ToString();
    }
}
