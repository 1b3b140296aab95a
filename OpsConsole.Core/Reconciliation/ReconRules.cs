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
/// <c>{row}.e_expected_fee</c> (the PG's side, grouped by key), and with contracts <see cref="FeeInputColumns"/> and
/// <see cref="FeeDetailColumns"/> as <c>{row}.e_…</c>.</para>
/// </summary>
public sealed class ReconRules(ReconciliationDefinition definition, IReconSqlDialect dialect)
{
    private string S(string value) => dialect.Text(value);

    /// <summary>Whether any merchant id has a contract (then the fee rule reads <see cref="FeeInputColumns"/>).</summary>
    public bool UsesContracts => definition.Fees.Contracts.Count > 0;

    /// <summary>The lines' columns the fee rule reads on every row (beyond <c>method</c>, <c>amount</c>, <c>fee</c>):
    /// the merchant id and what its contract prices by, and the VAT.</summary>
    public IReadOnlyList<string> FeeInputColumns => UsesContracts
        ? ["m_id", "card_issuer_code", "easy_pay_provider", "card_installment_plan_months", "card_interest_payer", "vat"]
        : [];

    /// <summary>The lines' columns only the diff of a differing row reads: the reported fee breakdown.</summary>
    public IReadOnlyList<string> FeeDetailColumns => UsesContracts ? ["fee_base", "fee_installment"] : [];

    private string Tolerance => dialect.Integer(definition.Fees.Tolerance);

    private IEnumerable<FeeContractTimeline> Contracts =>
        definition.Fees.Contracts.Values.OrderBy(c => c.MId, StringComparer.Ordinal);

    /// <summary>Whether some merchant id's contracts change over time: then the fee rule reads the line's
    /// <c>approved_at</c> (the date that picks the contract, see <see cref="FeeContractTimeline"/>).</summary>
    public bool UsesPeriods => Contracts.Any(t => !t.IsTimeless);

    /// <summary>
    /// The fee expected for a line (VAT included): the contract of its merchant id in force on the KST date of its
    /// <c>approved_at</c> (BASE + INSTALLMENT, see <see cref="FeeContract"/>; NULL when the merchant id has contracts but
    /// none on that date) or, for a merchant id without any contract, the flat rate of its method; truncated toward
    /// zero; NULL for a method without a rate. <paramref name="column"/> maps an external column name (<c>method</c>,
    /// <c>amount</c>, <c>m_id</c>, <c>approved_at</c>, …) to its SQL.
    /// </summary>
    public string ExpectedFee(Func<string, string> column) => ByContract(column, FeePart.Total);

    private enum FeePart { Base, Installment, Total }

    private string ByContract(Func<string, string> column, FeePart part)
    {
        var flat = part == FeePart.Installment ? "0" : FlatFee(column);
        if (!UsesContracts) return flat;
        var sb = new StringBuilder($"CASE {column("m_id")}");
        foreach (var timeline in Contracts)
            sb.Append($" WHEN {S(timeline.MId)} THEN {InForce(timeline, column, p => ContractFee(p.Contract, column, part))}");
        sb.Append($" ELSE {flat} END");
        return sb.ToString();
    }

    /// <summary>The value of the period in force on the line's approval date; NULL when no period covers it.</summary>
    private string InForce(FeeContractTimeline timeline, Func<string, string> column, Func<FeeContractPeriod, string> value)
    {
        if (timeline.IsTimeless) return value(timeline.Periods[0]);
        var sb = new StringBuilder("CASE");
        foreach (var period in timeline.Periods)
            sb.Append($" WHEN {Covers(period, column("approved_at"))} THEN {value(period)}");
        sb.Append($" ELSE CAST(NULL AS {dialect.IntegerType}) END");
        return sb.ToString();
    }

    /// <summary>The period covers an instant: compared as UTC instants (the KST day bounds), so no row is converted.</summary>
    private string Covers(FeeContractPeriod period, string approvedAt)
    {
        var (start, end) = period.Instants;
        var parts = new List<string>();
        if (start is { } s) parts.Add($"{approvedAt} >= {dialect.InstantLiteral(s)}");
        if (end is { } e) parts.Add($"{approvedAt} < {dialect.InstantLiteral(e)}");
        return parts.Count == 0 ? "1 = 1" : string.Join(" AND ", parts);
    }

    /// <summary>
    /// True for a line (columns by <paramref name="column"/>) of a merchant id that has contracts, none of them in force
    /// on its approval date: it is not fee-checked, and the run counts it (<see cref="LinesWithoutContractCount"/>).
    /// </summary>
    public string WithoutContract(Func<string, string> column)
    {
        var gapped = Contracts.Where(t => !t.IsTimeless).ToList();
        if (gapped.Count == 0) return "1 = 0";
        var sb = new StringBuilder($"CASE {column("m_id")}");
        foreach (var timeline in gapped)
            sb.Append($" WHEN {S(timeline.MId)} THEN CASE WHEN {string.Join(" OR ", timeline.Periods.Select(p => $"({Covers(p, column("approved_at"))})"))} THEN 0 ELSE 1 END");
        sb.Append(" ELSE 0 END = 1");
        return sb.ToString();
    }

    /// <summary>How many lines of <c>@date</c> (sold date) and PG <c>@pg</c> (in <paramref name="pgColumn"/>) are not
    /// fee-checked for want of a contract in force (<see cref="WithoutContract"/>); null when no contract has a period
    /// (then there are none).</summary>
    public string? LinesWithoutContractCount(string linesTable, string soldDateColumn = "sold_date", string pgColumn = "pg") => UsesPeriods
        ? $"SELECT COUNT(*) FROM {linesTable} l WHERE l.{soldDateColumn} = {dialect.Parameter("date")} AND l.{pgColumn} = {dialect.Parameter("pg")} AND {WithoutContract(c => "l." + c)}"
        : null;

    private string FlatFee(Func<string, string> column)
    {
        if (definition.Fees.RatesPpm.Count == 0) return $"CAST(NULL AS {dialect.IntegerType})";
        // The rate by method, then one product and one division: the same value as a product per branch (no rate:
        // NULL, not fee-checked), and cheaper on every matched line of a day.
        var rate = new StringBuilder($"CASE {column("method")}");
        foreach (var (m, ppm) in definition.Fees.RatesPpm.OrderBy(r => r.Key))
            rate.Append($" WHEN {S(m.ToString())} THEN {dialect.Integer(ppm)}");
        rate.Append(" END");
        return dialect.IntDiv($"{column("amount")} * {rate}", "1000000");
    }

    private string Rated(string amount, long ppm) => dialect.IntDiv($"{amount} * {dialect.Integer(ppm)}", "1000000");

    private string ContractFee(FeeContract contract, Func<string, string> column, FeePart part)
    {
        string method = column("method"), amount = column("amount");
        var rate = new StringBuilder("CASE");
        foreach (var (issuer, ppm) in contract.CardIssuerRatesPpm.OrderBy(r => r.Key, StringComparer.Ordinal))
            rate.Append($" WHEN {method} = {S(nameof(PaymentMethod.CARD))} AND {column("card_issuer_code")} = {S(issuer)} THEN {dialect.Integer(ppm)}");
        foreach (var (provider, ppm) in contract.EasyPayProviderRatesPpm.OrderBy(r => r.Key, StringComparer.Ordinal))
            rate.Append($" WHEN {method} = {S(nameof(PaymentMethod.EASY_PAY))} AND {column("easy_pay_provider")} = {S(provider)} THEN {dialect.Integer(ppm)}");
        foreach (var (m, ppm) in contract.BaseRatesPpm.OrderBy(r => r.Key))
            rate.Append($" WHEN {method} = {S(m.ToString())} THEN {dialect.Integer(ppm)}");
        rate.Append(" END");
        var proportional = dialect.IntDiv($"{amount} * {rate}", "1000000");
        var baseFee = contract.MinimumFee > 0
            ? $"CASE WHEN {amount} > 0 AND {proportional} < {dialect.Integer(contract.MinimumFee)} THEN {dialect.Integer(contract.MinimumFee)} ELSE {proportional} END"
            : proportional;

        var installment = "0";
        if (contract.InstallmentRatesPpm.Count > 0)
        {
            var byMonths = new StringBuilder($"CASE {column("card_installment_plan_months")}");
            foreach (var (months, ppm) in contract.InstallmentRatesPpm.OrderBy(r => r.Key))
                byMonths.Append($" WHEN {dialect.Integer(months)} THEN {Rated(amount, ppm)}");
            byMonths.Append(" ELSE 0 END");
            installment = $"CASE WHEN {method} = {S(nameof(PaymentMethod.CARD))} AND {column("card_interest_payer")} = " +
                          $"{S(FeeContract.MerchantPaysInterest)} THEN {byMonths} ELSE 0 END";
        }
        return part switch
        {
            FeePart.Base => baseFee,
            FeePart.Installment => installment,
            // A method without a rate has no BASE: the total stays NULL (not fee-checked).
            _ => installment == "0" ? baseFee : $"({baseFee}) + ({installment})",
        };
    }

    /// <summary>The VAT included in a fee: fee / 11 rounded to the nearest won, half away from zero.</summary>
    private string VatOf(string fee) =>
        $"CASE WHEN {fee} >= 0 THEN {dialect.IntDiv($"{fee} + 5", "11")} ELSE -{dialect.IntDiv($"5 - {fee}", "11")} END";

    /// <summary>True when the row's merchant id has contracts (with a non-NULL expected fee: one is in force).</summary>
    private string Contracted(string row) =>
        $"{row}.e_m_id IN ({string.Join(", ", Contracts.Select(c => S(c.MId)))})";

    /// <summary>A contracted line's VAT is not the one included in its fee.</summary>
    private string VatDiffers(string row) =>
        $"{Contracted(row)} AND ABS({row}.e_vat - ({VatOf($"{row}.e_fee")})) > {Tolerance}";

    /// <summary>The condition under which a rule reports its field as different (both sides present).</summary>
    public string RuleFails(FieldRule rule, string row) => rule.Kind switch
    {
        FieldRuleKind.Equal => $"{row}.i_{rule.InternalColumn} <> {row}.e_{rule.ExternalColumn}",
        FieldRuleKind.FeeSchedule =>
            $"{row}.e_expected_fee IS NOT NULL AND (ABS({row}.e_{rule.ExternalColumn} - {row}.e_expected_fee) > {Tolerance}" +
            (UsesContracts ? $" OR ({VatDiffers(row)})" : "") + ")",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule.Kind, "Unknown rule kind."),
    };

    /// <summary>
    /// The row differs at all: one side missing or a rule failing (pass 1's filter, evaluated for every row of the day).
    /// Only for a WHERE clause, where NULL counts as false: the fee rule drops its <c>e_expected_fee IS NOT NULL</c> guard,
    /// as <c>ABS(fee - NULL) &gt; tolerance</c> is NULL, so the expected fee (a CASE on the method, inlined by the
    /// planner at each use) is computed once per row instead of twice: 8 % of a pass-1 share at 1M on PostgreSQL.
    /// Not to be negated or selected as a value: there NULL and false differ.
    /// </summary>
    public string Differs(string row) =>
        string.Join(" OR ", new[] { $"{row}.i_k IS NULL", $"{row}.e_k IS NULL" }
            .Concat(definition.Rules.Select(r => $"({RuleFailsWhere(r, row)})")));

    /// <summary><see cref="RuleFails"/> for a WHERE clause (<see cref="Differs"/>): TRUE exactly when it is, NULL
    /// where it is false because the line has no expected fee.</summary>
    private string RuleFailsWhere(FieldRule rule, string row) => rule.Kind switch
    {
        FieldRuleKind.FeeSchedule =>
            $"ABS({row}.e_{rule.ExternalColumn} - {row}.e_expected_fee) > {Tolerance}" +
            (UsesContracts ? $" OR ({row}.e_expected_fee IS NOT NULL AND {VatDiffers(row)})" : ""),
        _ => RuleFails(rule, row),
    };

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
        var both = $"{row}.i_k IS NOT NULL AND {row}.e_k IS NOT NULL";
        foreach (var rule in definition.Rules)
        {
            if (rule.Kind != FieldRuleKind.FeeSchedule)
            {
                parts.Add($"COALESCE(CASE WHEN {both} AND {RuleFails(rule, row)} THEN {S(rule.Field + ",")} END, '')");
                continue;
            }
            // The fee names its components: the total, and on a contracted line the reported BASE and INSTALLMENT
            // (when the PG gave the breakdown) and the VAT.
            var fee = $"{row}.e_{rule.ExternalColumn}";
            var priced = $"{both} AND {row}.e_expected_fee IS NOT NULL";
            parts.Add($"COALESCE(CASE WHEN {priced} AND ABS({fee} - {row}.e_expected_fee) > {Tolerance} THEN {S(rule.Field + ",")} END, '')");
            if (!UsesContracts) continue;
            string Column(string c) => $"{row}.e_{c}";
            parts.Add($"COALESCE(CASE WHEN {priced} AND {Contracted(row)} AND {row}.e_fee_base IS NOT NULL AND " +
                      $"ABS({row}.e_fee_base - ({ByContract(Column, FeePart.Base)})) > {Tolerance} THEN {S(rule.Field + ".base,")} END, '')");
            parts.Add($"COALESCE(CASE WHEN {priced} AND {Contracted(row)} AND ({row}.e_fee_base IS NOT NULL OR {row}.e_fee_installment IS NOT NULL) AND " +
                      $"ABS(COALESCE({row}.e_fee_installment, 0) - ({ByContract(Column, FeePart.Installment)})) > {Tolerance} THEN {S(rule.Field + ".installment,")} END, '')");
            parts.Add($"COALESCE(CASE WHEN {priced} AND {VatDiffers(row)} THEN {S("vat,")} END, '')");
        }
        return $"RTRIM({string.Join(" || ", parts)}, ',')";
    }

    /// <summary>
    /// Money at risk by base type: MISSING_INTERNAL (and CHARGED_BUT_FAILED) |Σ PG amounts|; MISSING_EXTERNAL and
    /// DATE_MISMATCH |our amount|; DUPLICATE_EXTERNAL and AMOUNT_MISMATCH |Σ PG amounts − our amount|; FEE_MISMATCH
    /// |fee − expected fee| (+ |VAT − the VAT of the fee| on a contracted line); 0 when the ledgers agree.
    /// </summary>
    public string MoneyAtRisk(string row)
    {
        var fee = definition.Rules.FirstOrDefault(r => r.Kind == FieldRuleKind.FeeSchedule);
        var sb = new StringBuilder($"CASE {row}.base_type");
        sb.Append($" WHEN {S(nameof(FindingType.MISSING_INTERNAL))} THEN ABS({row}.e_amount_total)");
        sb.Append($" WHEN {S(nameof(FindingType.MISSING_EXTERNAL))} THEN ABS({row}.i_amount)");
        sb.Append($" WHEN {S(nameof(FindingType.DUPLICATE_EXTERNAL))} THEN ABS({row}.e_amount_total - {row}.i_amount)");
        // Another currency (diff "currency"): our amount is at risk; minor units of two currencies are never subtracted.
        sb.Append($" WHEN {S(nameof(FindingType.AMOUNT_MISMATCH))} THEN CASE WHEN {row}.i_currency <> {row}.e_currency THEN ABS({row}.i_amount) ELSE ABS({row}.e_amount_total - {row}.i_amount) END");
        sb.Append($" WHEN {S(nameof(FindingType.DATE_MISMATCH))} THEN ABS({row}.i_amount)");
        if (fee is not null)
            sb.Append($" WHEN {S(nameof(FindingType.FEE_MISMATCH))} THEN ABS({row}.e_{fee.ExternalColumn} - {row}.e_expected_fee)" +
                      (UsesContracts ? $" + CASE WHEN {Contracted(row)} THEN ABS({row}.e_vat - ({VatOf($"{row}.e_{fee.ExternalColumn}")})) ELSE 0 END" : ""));
        sb.Append(" ELSE 0 END");
        return sb.ToString();
    }
}
