namespace OpsConsole.Core.Payments;

/// <summary>
/// One approval or one cancel of a payment: the rows reconciliation compares with the PG's settlement
/// lines (one line per transaction). Cancel amounts are stored positive; <see cref="SignedAmount"/> is
/// what the PG reports (cancels negative).
/// </summary>
public sealed class PaymentTransaction
{
    private PaymentTransaction()
    {
        PaymentKey = OrderId = Currency = Pg = "";
    }

    public long Id { get; private set; }
    public long PaymentId { get; private set; }

    /// <summary>The payment's PG connection (<see cref="Payment.Pg"/>), copied so that a run of one PG reads only its
    /// transactions without joining the payments.</summary>
    public string Pg { get; private set; }

    public string PaymentKey { get; private set; }
    public string OrderId { get; private set; }
    /// <summary>
    /// The PG's key of this transaction; null for an approval whose key the PG has not told yet (reconciliation
    /// learns it from the settlement line: <see cref="Reconciliation.ApprovalKeyLearning"/>). Never made up.
    /// </summary>
    public string? TransactionKey { get; private set; }

    public TransactionKind Kind { get; private set; }

    /// <summary>In minor units of <see cref="Currency"/>.</summary>
    public long Amount { get; private set; }

    /// <summary>ISO 4217 code of <see cref="Amount"/>, the payment's.</summary>
    public string Currency { get; private set; }

    /// <summary>The payment's method when the transaction was recorded; null when the PG had not named it.</summary>
    public PaymentMethod? Method { get; private set; }
    public DateTimeOffset OccurredAt { get; private set; }

    public long SignedAmount => Kind == TransactionKind.CANCEL ? -Amount : Amount;

    internal static PaymentTransaction Approval(Payment payment, string? transactionKey, long amount,
        DateTimeOffset at) => Create(payment, transactionKey, TransactionKind.APPROVAL, amount, at);

    internal static PaymentTransaction Cancel(Payment payment, string transactionKey, long amount,
        DateTimeOffset at) => Create(payment, transactionKey, TransactionKind.CANCEL, amount, at);

    private static PaymentTransaction Create(Payment payment, string? transactionKey, TransactionKind kind,
        long amount, DateTimeOffset at) => new()
    {
        PaymentId = payment.Id,
        Pg = payment.Pg,
        PaymentKey = payment.PaymentKey,
        OrderId = payment.OrderId,
        TransactionKey = transactionKey,
        Kind = kind,
        Amount = amount,
        Currency = payment.Currency,
        Method = payment.Method,
        OccurredAt = at,
    };

    /// <summary>For bulk loaders (benchmarks, imports of history) that bypass the payment aggregate.</summary>
    public static PaymentTransaction ForLoad(long paymentId, string pg, string paymentKey, string orderId, string? transactionKey,
        TransactionKind kind, long amount, PaymentMethod? method, DateTimeOffset at, string currency) => new()
    {
        PaymentId = paymentId,
        Pg = pg,
        PaymentKey = paymentKey,
        OrderId = orderId,
        TransactionKey = transactionKey,
        Kind = kind,
        Amount = amount,
        Method = method,
        OccurredAt = at,
        Currency = currency,
    };
}
