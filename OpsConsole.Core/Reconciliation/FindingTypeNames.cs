namespace OpsConsole.Core.Reconciliation;

/// <summary>A finding type as people read it: a plain name and one line saying what happened to the money.</summary>
public sealed record FindingTypeName(FindingType Type, string Name, string Explanation)
{
    /// <summary>The stable code (<c>CHARGED_BUT_FAILED</c>): exports, JSON and URLs keep using it.</summary>
    public string Code => Type.ToString();
}

/// <summary>
/// THE plain-language names of the finding types, one row per type: the grid, the finding page, the dashboard and
/// the legend read them from here; exports and JSON keep the codes. A new type adds its row here (a test checks that
/// every <see cref="FindingType"/> has one).
/// </summary>
public static class FindingTypeNames
{
    public static readonly IReadOnlyList<FindingTypeName> All =
    [
        new(FindingType.CHARGED_BUT_FAILED, "Charged but failed",
            "The customer was told the payment failed, but the PG charged them: refund at the PG."),
        new(FindingType.MISSING_INTERNAL, "Missing in our ledger",
            "The PG reports a transaction we have no record of: the customer may have been charged without an order."),
        new(FindingType.MISSING_EXTERNAL, "Missing at the PG",
            "We recorded a transaction the PG does not report: it will not be paid out to us."),
        new(FindingType.DUPLICATE_EXTERNAL, "Reported twice by the PG",
            "The PG reports the same transaction on more than one line: the settlement counts it twice."),
        new(FindingType.AMOUNT_MISMATCH, "Amounts differ",
            "The same transaction has a different amount at the PG than in our ledger."),
        new(FindingType.DATE_MISMATCH, "Different business date",
            "Both sides have the transaction, but the PG files it under another day (KST) than we do."),
        new(FindingType.FEE_MISMATCH, "Fee differs from the contract",
            "The PG charged a fee that differs from the fee schedule for the method beyond the tolerance."),
        new(FindingType.PAYOUT_MISSING, "Payout not received",
            "The PG owes us a payout for this day, but no matching deposit reached the bank account by its date and window."),
        new(FindingType.PAYOUT_AMOUNT_MISMATCH, "Payout amount differs",
            "A deposit arrived for the PG's payout, but for a different amount: the difference is missing or extra cash."),
        new(FindingType.PAYOUT_LATE, "Payout arrived late",
            "The PG's payout reached the bank after its payout date: the money is here, the contract's timing was not kept."),
        new(FindingType.UNEXPECTED_DEPOSIT, "Unexpected deposit",
            "A deposit from a PG arrived that no expected payout explains: find what it pays before booking it."),
        new(FindingType.PAYOUT_DATE_OFF_CONTRACT, "Payout date off contract",
            "The PG scheduled the payout on a date its contract (D+N business days) does not allow."),
    ];

    private static readonly Dictionary<FindingType, FindingTypeName> ByType = All.ToDictionary(n => n.Type);

    public static FindingTypeName Of(FindingType type) =>
        ByType.TryGetValue(type, out var name) ? name : new FindingTypeName(type, type.ToString(), "");

    public static string NameOf(FindingType type) => Of(type).Name;
}
