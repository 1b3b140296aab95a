using System.Text;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// The classification rules of a <see cref="ReconciliationDefinition"/> as SQL fragments for one
/// <see cref="IReconSqlDialect"/>: the expected fee, when a rule fails, the type (and CHARGED_BUT_FAILED), the diff
/// and the money at risk. This is the only place they are written: the console's passes
/// (<see cref="ReconciliationSqlGenerator"/>, SQLite and PostgreSQL) and the warehouse's
/// (<c>WarehouseReconciliationSql</c>, BigQuery) both take them from here, around their own joins. The test oracle
/// (<c>ReconOracle</c>) writes the same rules again in plain C#, on purpose, as the independent check.
/// <para>Every fragment reads the joined row's columns by alias: <c>{row}.i_k</c>, <c>{row}.i_amount</c>,
/// <c>{row}.i_business_date</c> (our side), <c>{row}.e_k</c>, <c>{row}.e_line_count</c>, <c>{row}.e_amount</c>,
/// <c>{row}.e_amount_total</c>, <c>{row}.e_fee</c>, <c>{row}.e_method</c>, <c>{row}.e_sold_date</c> and
/// <c>{row}.e_expected_fee</c> (the PG's side, grouped by key).</para>
/// </summary>
public sealed class ReconRules(ReconciliationDefinition definition, IReconSqlDialect dialect)
{
    private string S(string value) => dialect.Text(value);

    /// <summary>The fee the schedule expects for the PG's method and (signed) amount, truncated toward zero; NULL for
    /// methods without a rate. <paramref name="column"/> maps an external column name (<c>method</c>, <c>amount</c>)
    /// to its SQL.</summary>
    public string ExpectedFee(Func<string, string> column)
    {
        if (definition.Fees.RatesPpm.Count == 0) return $"CAST(NULL AS {dialect.IntegerType})";
        var sb = new StringBuilder($"CASE {column("method")}");
        foreach (var (m, ppm) in definition.Fees.RatesPpm.OrderBy(r => r.Key))
            sb.Append($" WHEN {S(m.ToString())} THEN {dialect.IntDiv($"{column("amount")} * {dialect.Integer(ppm)}", "1000000")}");
        sb.Append(" END");
        return sb.ToString();
    }

    /// <summary>The condition under which a rule reports its field as different (both sides present).</summary>
    public string RuleFails(FieldRule rule, string row) => rule.Kind switch
    {
        FieldRuleKind.Equal => $"{row}.i_{rule.InternalColumn} <> {row}.e_{rule.ExternalColumn}",
        FieldRuleKind.FeeSchedule =>
            $"{row}.e_expected_fee IS NOT NULL AND ABS({row}.e_{rule.ExternalColumn} - {row}.e_expected_fee) > {dialect.Integer(definition.Fees.Tolerance)}",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule.Kind, "Unknown rule kind."),
    };

    /// <summary>True when the row differs at all: one side missing or a rule failing (the merge join's filter).</summary>
    public string Differs(string row) =>
        string.Join(" OR ", new[] { $"{row}.i_k IS NULL", $"{row}.e_k IS NULL" }
            .Concat(definition.Rules.Select(r => $"({RuleFails(r, row)})")));

    /// <summary>The base type of a row: the first that applies; NULL when both ledgers agree.</summary>
    public string Classify(string row)
    {
        var sb = new StringBuilder("CASE");
        sb.Append($" WHEN {row}.i_k IS NULL THEN {S(nameof(FindingType.MISSING_INTERNAL))}");
        sb.Append($" WHEN {row}.e_k IS NULL THEN {S(nameof(FindingType.MISSING_EXTERNAL))}");
        sb.Append($" WHEN {row}.e_line_count > 1 THEN {S(nameof(FindingType.DUPLICATE_EXTERNAL))}");
        foreach (var rule in definition.Rules)
            sb.Append($" WHEN {RuleFails(rule, row)} THEN {S(rule.Type.ToString())}");
        sb.Append(" END");
        return sb.ToString();
    }

    /// <summary>The final type: a MISSING_INTERNAL approval (amount &gt; 0) of a payment whose status
    /// (<paramref name="paymentStatus"/>) is a failed one is CHARGED_BUT_FAILED.</summary>
    public string FinalType(string row, string paymentStatus)
    {
        var failed = string.Join(", ", definition.FailedPaymentStatuses.Select(s => S(s.ToString())));
        return $"CASE WHEN {row}.base_type = {S(nameof(FindingType.MISSING_INTERNAL))} AND {row}.e_amount > 0 " +
               $"AND {paymentStatus} IN ({failed}) THEN {S(nameof(FindingType.CHARGED_BUT_FAILED))} ELSE {row}.base_type END";
    }

    /// <summary>The differing fields, comma-separated, in rule order.</summary>
    public string Diff(string row)
    {
        var parts = new List<string>
        {
            $"COALESCE(CASE WHEN {row}.i_k IS NULL THEN {S("internal,")} END, '')",
            $"COALESCE(CASE WHEN {row}.e_k IS NULL THEN {S("external,")} END, '')",
            $"COALESCE(CASE WHEN {row}.e_line_count > 1 THEN {S("lineCount,")} END, '')",
        };
        foreach (var rule in definition.Rules)
            parts.Add($"COALESCE(CASE WHEN {row}.i_k IS NOT NULL AND {row}.e_k IS NOT NULL AND {RuleFails(rule, row)} " +
                      $"THEN {S(rule.Field + ",")} END, '')");
        return $"RTRIM({string.Join(" || ", parts)}, ',')";
    }

    /// <summary>
    /// Money at risk by base type: MISSING_INTERNAL (and CHARGED_BUT_FAILED) |Σ PG amounts|; MISSING_EXTERNAL and
    /// DATE_MISMATCH |our amount|; DUPLICATE_EXTERNAL and AMOUNT_MISMATCH |Σ PG amounts − our amount|; FEE_MISMATCH
    /// |fee − expected fee|; 0 when the ledgers agree.
    /// </summary>
    public string MoneyAtRisk(string row)
    {
        var fee = definition.Rules.FirstOrDefault(r => r.Kind == FieldRuleKind.FeeSchedule);
        var sb = new StringBuilder($"CASE {row}.base_type");
        sb.Append($" WHEN {S(nameof(FindingType.MISSING_INTERNAL))} THEN ABS({row}.e_amount_total)");
        sb.Append($" WHEN {S(nameof(FindingType.MISSING_EXTERNAL))} THEN ABS({row}.i_amount)");
        sb.Append($" WHEN {S(nameof(FindingType.DUPLICATE_EXTERNAL))} THEN ABS({row}.e_amount_total - {row}.i_amount)");
        sb.Append($" WHEN {S(nameof(FindingType.AMOUNT_MISMATCH))} THEN ABS({row}.e_amount_total - {row}.i_amount)");
        sb.Append($" WHEN {S(nameof(FindingType.DATE_MISMATCH))} THEN ABS({row}.i_amount)");
        if (fee is not null)
            sb.Append($" WHEN {S(nameof(FindingType.FEE_MISMATCH))} THEN ABS({row}.e_{fee.ExternalColumn} - {row}.e_expected_fee)");
        sb.Append(" ELSE 0 END");
        return sb.ToString();
    }
}
