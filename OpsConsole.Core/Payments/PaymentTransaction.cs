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
        TransactionKey = PaymentKey = OrderId = "";
    }

    public long Id { get; private set; }
    public long PaymentId { get; private set; }
    public string PaymentKey { get; private set; }
    public string OrderId { get; private set; }
    public string TransactionKey { get; private set; }
    public TransactionKind Kind { get; private set; }
    public long Amount { get; private set; }
    public PaymentMethod Method { get; private set; }
    public DateTimeOffset OccurredAt { get; private set; }

    public long SignedAmount => Kind == TransactionKind.CANCEL ? -Amount : Amount;

    internal static PaymentTransaction Approval(Payment payment, string transactionKey, long amount,
        DateTimeOffset at) => Create(payment, transactionKey, TransactionKind.APPROVAL, amount, at);

    internal static PaymentTransaction Cancel(Payment payment, string transactionKey, long amount,
        DateTimeOffset at) => Create(payment, transactionKey, TransactionKind.CANCEL, amount, at);

    private static PaymentTransaction Create(Payment payment, string transactionKey, TransactionKind kind,
        long amount, DateTimeOffset at) => new()
    {
        PaymentId = payment.Id,
        PaymentKey = payment.PaymentKey,
        OrderId = payment.OrderId,
        TransactionKey = transactionKey,
        Kind = kind,
        Amount = amount,
        Method = payment.Method,
        OccurredAt = at,
    };

    /// <summary>For bulk loaders (benchmarks, imports of history) that bypass the payment aggregate.</summary>
    public static PaymentTransaction ForLoad(long paymentId, string paymentKey, string orderId, string transactionKey,
        TransactionKind kind, long amount, PaymentMethod method, DateTimeOffset at) => new()
    {
        PaymentId = paymentId,
        PaymentKey = paymentKey,
        OrderId = orderId,
        TransactionKey = transactionKey,
        Kind = kind,
        Amount = amount,
        Method = method,
        OccurredAt = at,
    };
}
