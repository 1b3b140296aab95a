namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// What kind of discrepancy a finding is. When one transaction key shows several problems the engine
/// reports one type, the first that applies in this order: CHARGED_BUT_FAILED, MISSING_INTERNAL,
/// MISSING_EXTERNAL, DUPLICATE_EXTERNAL, AMOUNT_MISMATCH, DATE_MISMATCH, FEE_MISMATCH. The other
/// differences still appear in the finding's <see cref="Finding.DiffFields"/>.
/// </summary>
public enum FindingType
{
    /// <summary>The PG has an approval for a payment our ledger shows ABORTED, EXPIRED or UNKNOWN.</summary>
    CHARGED_BUT_FAILED,
    /// <summary>The PG has a transaction we have no trace of.</summary>
    MISSING_INTERNAL,
    /// <summary>We have a transaction the PG does not report.</summary>
    MISSING_EXTERNAL,
    /// <summary>The PG reports the same transaction more than once.</summary>
    DUPLICATE_EXTERNAL,
    /// <summary>Same transaction, different amount.</summary>
    AMOUNT_MISMATCH,
    /// <summary>Matched, but the PG's soldDate is not our KST business date.</summary>
    DATE_MISMATCH,
    /// <summary>The PG's fee differs from the fee schedule for the method beyond the tolerance.</summary>
    FEE_MISMATCH,

    // Cash (PG payouts ↔ bank deposits, OpsConsole.Core/Cash): written by PayoutReconciliationService, never by
    // the settlement run (see FindingTypes.Settlement).

    /// <summary>An expected PG payout did not arrive by its due date + Cash:DateWindowBusinessDays.</summary>
    PAYOUT_MISSING,
    /// <summary>A deposit matched an expected payout with a different amount (the difference is at risk).</summary>
    PAYOUT_AMOUNT_MISMATCH,
    /// <summary>An expected payout arrived after its due date (within the window).</summary>
    PAYOUT_LATE,
    /// <summary>A deposit from a PG's counterparty that no expected payout explains.</summary>
    UNEXPECTED_DEPOSIT,
    /// <summary>The PG's paidOutDate breaks its contract (D+N business days after the sale, per method).</summary>
    PAYOUT_DATE_OFF_CONTRACT,
}

/// <summary>Which finding types belong to which reconciliation (both live in <c>recon_findings</c>).</summary>
public static class FindingTypes
{
    /// <summary>PG payouts ↔ bank deposits.</summary>
    public static readonly IReadOnlyList<FindingType> Payout =
    [
        FindingType.PAYOUT_MISSING, FindingType.PAYOUT_AMOUNT_MISMATCH, FindingType.PAYOUT_LATE,
        FindingType.UNEXPECTED_DEPOSIT, FindingType.PAYOUT_DATE_OFF_CONTRACT,
    ];

    /// <summary>Our ledger ↔ PG settlement lines (the settlement run's types).</summary>
    public static readonly IReadOnlyList<FindingType> Settlement =
        Enum.GetValues<FindingType>().Except(Payout).ToArray();

    public static bool IsPayout(FindingType type) => Payout.Contains(type);
}

/// <summary>Lifecycle of a finding: OPEN → ACKNOWLEDGED → RESOLVED; AUTO_RESOLVED when a run no longer sees it.</summary>
public enum FindingStatus
{
    OPEN,
    ACKNOWLEDGED,
    RESOLVED,
    AUTO_RESOLVED,
}

/// <summary>The second pass's verdict: CONFIRMED findings survived the recheck; TRANSIENT ones vanished.</summary>
public enum FindingVerdict
{
    CONFIRMED,
    TRANSIENT,
}

public enum RunStatus
{
    RUNNING,
    SUCCEEDED,
    FAILED,
}

public enum RunTrigger
{
    SCHEDULE,
    CLI,
    USER,
}

/// <summary>Where a settlement line came from.</summary>
public enum SettlementSource
{
    CSV,
    API,
}

/// <summary>Live phase of a run, for the console's progress display.</summary>
public enum RunPhase
{
    STARTING,
    PULLING,
    PASS1,
    SETTLING,
    PASS2,
    PERSISTING,
    ALERTING,
    DONE,
}

/// <summary>
/// What a run compared: the whole business date, or only the keys that changed since the date's last successful run
/// (see <see cref="ReconChangeTracking"/>).
/// </summary>
public enum RunScope
{
    FULL,
    INCREMENTAL,
}
