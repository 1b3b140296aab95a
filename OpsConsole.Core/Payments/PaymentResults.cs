namespace OpsConsole.Core.Payments;

/// <param name="Amount">In minor units of <paramref name="Currency"/> (KRW has none: won).</param>
/// <param name="RequestedBy">Who asked: <c>api:&lt;client&gt;</c> for the checkout API; named in the payment's events.</param>
/// <param name="Currency">ISO 4217 code; must be one of <c>Pg:Currencies</c>. The checkout API documents its absence as KRW.</param>
/// <param name="Pg">The PG connection the payment goes through (<see cref="PaymentService.ConnectionFor"/>); null: the toss one.</param>
public sealed record ConfirmCommand(string PaymentKey, string OrderId, long Amount, string RequestedBy = "api",
    string Currency = Common.Money.LedgerCurrency, string? Pg = null);

/// <param name="CancelAmount">Null cancels the whole remaining balance.</param>
public sealed record CancelCommand(string PaymentKey, string IdempotencyKey, long? CancelAmount, string CancelReason,
    string RequestedBy);

public sealed record PaymentSnapshot(
    string PaymentKey,
    string OrderId,
    PaymentStatus Status,
    long Amount,
    long BalanceAmount,
    long PendingCancelAmount,
    string Currency,
    PaymentMethod? Method,
    DateTimeOffset RequestedAt,
    DateTimeOffset? ApprovedAt,
    string? FailureCode,
    string? FailureMessage,
    string TraceId)
{
    public static PaymentSnapshot Of(Payment p) => new(p.PaymentKey, p.OrderId, p.Status, p.Amount, p.BalanceAmount,
        p.PendingCancelAmount, p.Currency, p.Method, p.RequestedAt, p.ApprovedAt, p.FailureCode, p.FailureMessage,
        p.TraceId);
}

public sealed record CancelOutcome(
    CancelAttemptStatus Status,
    PaymentSnapshot Payment,
    string IdempotencyKey,
    long Amount,
    string? TransactionKey,
    string? FailureCode,
    string? FailureMessage,
    bool IsReplay);

public sealed record PaymentDetail(
    PaymentSnapshot Payment,
    IReadOnlyList<PaymentTransaction> Transactions,
    IReadOnlyList<PaymentEvent> Events,
    IReadOnlyList<CancelAttempt> CancelAttempts);
