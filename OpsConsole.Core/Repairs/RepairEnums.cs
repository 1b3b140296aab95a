namespace OpsConsole.Core.Repairs;

public enum RepairKind
{
    /// <summary>Cancel (all or part of) the charge at the PG. For a payment our ledger shows failed while the
    /// PG charged it, the PG's approval is recorded first, then cancelled: both ledgers end up agreeing.</summary>
    REFUND,
    /// <summary>Record the PG's approval in our ledger (the order should stand).</summary>
    RECORD_APPROVAL,
    /// <summary>Close the finding with a reason; no money moves.</summary>
    MARK_RESOLVED,
}

public enum RepairStatus
{
    REQUESTED,
    APPROVED,
    EXECUTING,
    SUCCEEDED,
    FAILED,
    UNKNOWN,
    REJECTED,
    EXPIRED,
}

public static class RepairReasonCodes
{
    public static readonly IReadOnlyList<string> All =
    [
        "CHARGED_BUT_FAILED", "CUSTOMER_REQUEST", "DUPLICATE_CHARGE", "AMOUNT_ERROR", "LEDGER_CORRECTION", "OTHER",
    ];
}
