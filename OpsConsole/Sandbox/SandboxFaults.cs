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
    public const string CancelTimeout = "CANCEL_TIMEOUT";
    public const string CancelThenTimeout = "CANCEL_THEN_TIMEOUT";
    public const string CancelServerError = "CANCEL_SERVER_ERROR";

    /// <summary>Looking the payment up (<c>GET /v1/payments/{paymentKey}</c>) answers 500.</summary>
    public const string LookupServerError = "LOOKUP_SERVER_ERROR";

    public static readonly IReadOnlyList<string> All =
    [
        Decline, Timeout, ServerError, ApproveThenTimeout, DeclineAfterCharge, SettlementMissing,
        SettlementAmountOff, SettlementDuplicate, SettlementFeeOff, SettlementDateOff, CancelTimeout,
        CancelThenTimeout, CancelServerError, LookupServerError,
    ];

    /// <summary>A fault spec may combine faults with commas, e.g. <c>DECLINE_AFTER_CHARGE,CANCEL_TIMEOUT</c>.</summary>
    public static IReadOnlySet<string> Parse(string? spec) =>
        string.IsNullOrWhiteSpace(spec)
            ? new HashSet<string>()
            : spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);

    /// <summary>Amount by which SETTLEMENT_AMOUNT_OFF misreports a line, and SETTLEMENT_FEE_OFF a fee.</summary>
    public const long AmountOffBy = 1000;
    public const long FeeOffBy = 500;
}
