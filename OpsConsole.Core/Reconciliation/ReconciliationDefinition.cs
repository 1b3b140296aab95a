using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// The matching rules as data: what the key is, which payment statuses count as "failed", which fields are
/// compared (in priority order) and the fee schedule. <see cref="ReconRules"/> renders its rules for any
/// <see cref="IReconSqlDialect"/>, used by both the console's <see cref="ReconciliationSqlGenerator"/> and the
/// warehouse's SQL; the test oracle implements the same rules in memory.
/// <para>Fixed structure around the rules: internal transactions are full-outer-joined with the external lines
/// (grouped by key) on <see cref="KeyColumn"/>. A key only the PG has is MISSING_INTERNAL — or
/// CHARGED_BUT_FAILED when the line is an approval (amount &gt; 0) of a payment whose status is in
/// <see cref="FailedPaymentStatuses"/>; a key only we have is MISSING_EXTERNAL; a key the PG reports on
/// more than one line is DUPLICATE_EXTERNAL; otherwise the first failing <see cref="Rules"/> entry decides.</para>
/// </summary>
public sealed record ReconciliationDefinition(
    string Name,
    string KeyColumn,
    IReadOnlyList<PaymentStatus> FailedPaymentStatuses,
    IReadOnlyList<FieldRule> Rules,
    FeeSchedule Fees)
{
    /// <summary>Our ledger's transactions against the PG's settlement lines, by transaction key.</summary>
    public static ReconciliationDefinition Standard(FeeSchedule fees) => new(
        Name: "payment-transactions-vs-pg-settlement",
        KeyColumn: "transaction_key",
        FailedPaymentStatuses: PaymentStatuses.Failed,
        Rules:
        [
            // First: amounts in two currencies are not comparable. A key whose currency differs is an AMOUNT_MISMATCH
            // whose diff names "currency"; its money at risk is our amount, in our currency.
            new FieldRule("currency", FindingType.AMOUNT_MISMATCH, FieldRuleKind.Equal, "currency", "currency"),
            new FieldRule("amount", FindingType.AMOUNT_MISMATCH, FieldRuleKind.Equal, "amount", "amount"),
            new FieldRule("soldDate", FindingType.DATE_MISMATCH, FieldRuleKind.Equal, "business_date", "sold_date"),
            new FieldRule("fee", FindingType.FEE_MISMATCH, FieldRuleKind.FeeSchedule, "", "fee"),
        ],
        Fees: fees);
}

/// <summary>
/// One compared field of matched keys. <see cref="FieldRuleKind.Equal"/>: the internal column must equal the
/// external column. <see cref="FieldRuleKind.FeeSchedule"/>: the external fee must be within the tolerance
/// of the schedule's fee for the external method and amount.
/// </summary>
/// <param name="Field">Name used in a finding's diff (stable: the UI and JSON show it).</param>
/// <param name="InternalColumn">Column of the internal side (<c>amount</c> is signed, <c>business_date</c> KST).</param>
/// <param name="ExternalColumn">Column of the grouped external side.</param>
public sealed record FieldRule(string Field, FindingType Type, FieldRuleKind Kind, string InternalColumn,
    string ExternalColumn);

public enum FieldRuleKind
{
    Equal,
    FeeSchedule,
}
