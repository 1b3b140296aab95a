namespace OpsConsole.Sandbox;

/// <summary>
/// Faults a checkout can ask for (<c>fault</c>), making that payment's later calls misbehave. A single
/// request can also ask for one with the <c>TossPayments-Test-Code</c> header.
/// </summary>
public static class SandboxFaults
{
    public const string Decline = "DECLINE";
    public const string Timeout = "TIMEOUT";
    public const string ServerError = "SERVER_ERROR";
    public const string ApproveThenTimeout = "APPROVE_THEN_TIMEOUT";
    public const string DeclineAfterCharge = "DECLINE_AFTER_CHARGE";
    public const string SettlementMissing = "SETTLEMENT_MISSING";
    public const string SettlementAmountOff = "SETTLEMENT_AMOUNT_OFF";
    public const string SettlementDuplicate = "SETTLEMENT_DUPLICATE";
    public const string SettlementFeeOff = "SETTLEMENT_FEE_OFF";
    public const string SettlementDateOff = "SETTLEMENT_DATE_OFF";
    /// <summary>A cancel request is lost before the PG acts (no answer), during the <see cref="CancelOutage"/>.</summary>
    public const string CancelTimeout = "CANCEL_TIMEOUT";

    /// <summary>The PG executes a cancel and its answer is lost; replays of the same key lose theirs too.</summary>
    public const string CancelThenTimeout = "CANCEL_THEN_TIMEOUT";

    /// <summary>A cancel request answers 500 before the PG acts, during the <see cref="CancelOutage"/>.</summary>
    public const string CancelServerError = "CANCEL_SERVER_ERROR";

    /// <summary>The PG refuses every cancel of the payment (403 <c>NOT_CANCELABLE_PAYMENT</c>).</summary>
    public const string CancelDecline = "CANCEL_DECLINE";

    /// <summary>Looking the payment up (<c>GET /v1/payments/{paymentKey}</c>) answers 500.</summary>
    public const string LookupServerError = "LOOKUP_SERVER_ERROR";

    /// <summary>
    /// The PG approves, the confirm's answer is lost, and a partial cancel of a third of the amount is then made at the
    /// PG outside OpsConsole (as in Toss's own dashboard): a later look-up shows PARTIAL_CANCELED with that cancel in
    /// <c>cancels[]</c> and the cancel's key as <c>lastTransactionKey</c>; the approval's key is told only by its
    /// settlement line.
    /// </summary>
    public const string CanceledOutside = "CANCELED_OUTSIDE";

    /// <summary>
    /// The confirm's answer is lost and the PG never charges: the payment expires at the PG, and a look-up answers
    /// EXPIRED with <c>method</c> null (as Toss does for a payment whose method was never chosen).
    /// </summary>
    public const string Expire = "EXPIRE";

    public static readonly IReadOnlyList<string> All =
    [
        Decline, Timeout, ServerError, ApproveThenTimeout, DeclineAfterCharge, SettlementMissing,
        SettlementAmountOff, SettlementDuplicate, SettlementFeeOff, SettlementDateOff, CancelTimeout,
        CancelThenTimeout, CancelServerError, LookupServerError, CancelDecline, CanceledOutside, Expire,
    ];

    /// <summary>
    /// How long after the payment's approval (sandbox clock) <see cref="CancelTimeout"/> and <see cref="CancelServerError"/>
    /// last: an outage of the cancel path, not a payment that can never be cancelled. A request carrying the fault
    /// in its <c>TossPayments-Test-Code</c> header gets it whenever it is sent.
    /// </summary>
    public static readonly TimeSpan CancelOutage = TimeSpan.FromMinutes(10);

    /// <summary>A fault spec may combine faults with commas, e.g. <c>DECLINE_AFTER_CHARGE,CANCEL_TIMEOUT</c>.</summary>
    public static IReadOnlySet<string> Parse(string? spec) =>
        string.IsNullOrWhiteSpace(spec)
            ? new HashSet<string>()
            : spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);

    /// <summary>Amount by which SETTLEMENT_AMOUNT_OFF misreports a line, and SETTLEMENT_FEE_OFF a fee.</summary>
    public const long AmountOffBy = 1000;
    public const long FeeOffBy = 500;
}
