using OpsConsole.Core.Common;

namespace OpsConsole.Core.Payments;

/// <summary>
/// A payment in our internal ledger. State changes are methods that refuse illegal transitions;
/// every change bumps <see cref="Version"/>, the optimistic concurrency token.
/// </summary>
public sealed class Payment
{
    private readonly List<PaymentTransaction> _transactions = [];

    private Payment()
    {
        PaymentKey = OrderId = Currency = TraceId = "";
    }

    public long Id { get; private set; }

    /// <summary>The PG connection (<c>Pgs:{name}</c>) the payment was made through.</summary>
    public string Pg { get; private set; } = "";

    public string PaymentKey { get; private set; }
    public string OrderId { get; private set; }
    public long Amount { get; private set; }
    public long BalanceAmount { get; private set; }

    /// <summary>Money held by cancels whose outcome is not known yet; never refundable twice.</summary>
    public long PendingCancelAmount { get; private set; }

    /// <summary>ISO 4217 code; <see cref="Amount"/> and the other amounts are in its minor units (<see cref="MinorUnits"/>).</summary>
    public string Currency { get; private set; }

    /// <summary>Null until the PG names the method (confirm answer or a look-up); never a placeholder.</summary>
    public PaymentMethod? Method { get; private set; }

    /// <summary>The method exactly as the PG named it (e.g. <c>문화상품권</c>); the key to an <see cref="PaymentMethod.OTHER"/> payment.</summary>
    public string? MethodText { get; private set; }

    public PaymentStatus Status { get; private set; }
    public DateTimeOffset RequestedAt { get; private set; }
    public DateTimeOffset? ApprovedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public string? FailureCode { get; private set; }
    public string? FailureMessage { get; private set; }
    public string TraceId { get; private set; }
    public long Version { get; private set; }

    /// <summary>How often the janitor has looked this payment up, and when it looks next.</summary>
    public int JanitorAttempts { get; private set; }
    public DateTimeOffset? NextJanitorAt { get; private set; }

    public IReadOnlyCollection<PaymentTransaction> Transactions => _transactions.AsReadOnly();

    public long CancelableAmount => BalanceAmount - PendingCancelAmount;

    /// <summary>
    /// A confirm is about to be sent. The method stays unknown (null) until the PG names it; <paramref name="amount"/>
    /// is in minor units of <paramref name="currency"/>.
    /// </summary>
    /// <param name="pg">The PG connection the confirm goes to.</param>
    public static Payment StartConfirm(string paymentKey, string orderId, long amount, string currency,
        string traceId, DateTimeOffset now, string pg)
    {
        if (string.IsNullOrWhiteSpace(pg))
            throw new ArgumentException("A payment is made through a PG connection.", nameof(pg));
        PaymentValidation.EnsurePaymentKey(paymentKey);
        PaymentValidation.EnsureOrderId(orderId);
        PaymentValidation.EnsurePositiveAmount(amount, "amount");
        PaymentValidation.EnsureCurrency(currency);
        return new Payment
        {
            Pg = pg,
            PaymentKey = paymentKey,
            OrderId = orderId,
            Amount = amount,
            BalanceAmount = 0,
            Currency = currency,
            Status = PaymentStatus.IN_PROGRESS,
            RequestedAt = now,
            UpdatedAt = now,
            TraceId = traceId,
            Version = 1,
        };
    }

    /// <summary>
    /// A repair of a payment only the PG knows (MISSING_INTERNAL): the PG's approved payment enters our ledger as
    /// DONE with the PG's approval transaction (same transaction key, amount and approval time), so the next
    /// reconciliation run matches it.
    /// </summary>
    public static Payment RecordedFromPg(string paymentKey, string orderId, long amount, string currency, PaymentMethod method,
        string? methodText, string? transactionKey, DateTimeOffset approvedAt, string traceId, DateTimeOffset now, string pg)
    {
        var payment = StartConfirm(paymentKey, orderId, amount, currency, traceId, now, pg);
        payment.MarkApproved(transactionKey, method, approvedAt, now, methodText);
        return payment;
    }

    public bool IsUnresolved => Status is PaymentStatus.IN_PROGRESS or PaymentStatus.UNKNOWN;

    /// <summary>See <see cref="PaymentStatuses.IsFailed"/>.</summary>
    public bool IsFailed => Status.IsFailed();

    /// <summary>
    /// The PG approved: the charge exists. Adds the approval transaction. <paramref name="transactionKey"/> is null
    /// when the PG did not tell the approval's key (e.g. a look-up of a payment already partly cancelled, whose
    /// <c>lastTransactionKey</c> is the last cancel's): reconciliation learns it from the PG's settlement line.
    /// </summary>
    public PaymentTransaction MarkApproved(string? transactionKey, PaymentMethod method, DateTimeOffset approvedAt,
        DateTimeOffset now, string? methodText = null)
    {
        EnsureStatus("approve", PaymentStatus.IN_PROGRESS, PaymentStatus.UNKNOWN);
        Status = PaymentStatus.DONE;
        NextJanitorAt = null;
        Method = method;
        if (methodText is not null) MethodText = methodText;
        ApprovedAt = approvedAt;
        BalanceAmount = Amount;
        FailureCode = FailureMessage = null;
        var approval = PaymentTransaction.Approval(this, transactionKey, Amount, approvedAt);
        _transactions.Add(approval);
        Touch(now);
        return approval;
    }

    /// <summary>
    /// A repair: the PG charged a payment our ledger shows failed (or unresolved). The ledger takes the PG's
    /// approval so both sides agree; what happens to the money next (refund or keep) is a separate step.
    /// </summary>
    public PaymentTransaction RecordPgApproval(string? transactionKey, PaymentMethod method, DateTimeOffset approvedAt,
        DateTimeOffset now, string? methodText = null)
    {
        EnsureStatus("record the PG's approval for", PaymentStatus.ABORTED, PaymentStatus.EXPIRED, PaymentStatus.UNKNOWN,
            PaymentStatus.IN_PROGRESS);
        Status = PaymentStatus.IN_PROGRESS; // the transition below is the ordinary approval
        return MarkApproved(transactionKey, method, approvedAt, now, methodText);
    }

    /// <summary>The PG refused definitively; nothing was charged.</summary>
    public void MarkAborted(string code, string message, DateTimeOffset now)
    {
        EnsureStatus("abort", PaymentStatus.IN_PROGRESS, PaymentStatus.UNKNOWN);
        Status = PaymentStatus.ABORTED;
        NextJanitorAt = null;
        FailureCode = code;
        FailureMessage = message;
        Touch(now);
    }

    /// <summary>The call ended without a usable answer: the PG may or may not have charged.</summary>
    public void MarkUnknown(string reason, DateTimeOffset nextCheckAt, DateTimeOffset now)
    {
        EnsureStatus("mark unknown", PaymentStatus.IN_PROGRESS, PaymentStatus.UNKNOWN);
        Status = PaymentStatus.UNKNOWN;
        FailureCode = "OUTCOME_UNKNOWN";
        FailureMessage = reason;
        NextJanitorAt = nextCheckAt;
        Touch(now);
    }

    /// <summary>The janitor asked the PG and could not settle the outcome yet: try again later.</summary>
    public void RecordJanitorAttempt(DateTimeOffset nextCheckAt, DateTimeOffset now)
    {
        EnsureStatus("look up", PaymentStatus.IN_PROGRESS, PaymentStatus.UNKNOWN);
        JanitorAttempts++;
        NextJanitorAt = nextCheckAt;
        Touch(now);
    }

    /// <summary>The PG never approved and the authorisation window has passed.</summary>
    public void MarkExpired(string reason, DateTimeOffset now)
    {
        EnsureStatus("expire", PaymentStatus.IN_PROGRESS, PaymentStatus.UNKNOWN);
        Status = PaymentStatus.EXPIRED;
        NextJanitorAt = null;
        FailureCode = "EXPIRED";
        FailureMessage = reason;
        Touch(now);
    }

    /// <summary>Reserves <paramref name="amount"/> for a cancel about to be sent to the PG.</summary>
    public void ReserveCancel(long amount, DateTimeOffset now)
    {
        PaymentValidation.EnsurePositiveAmount(amount, "cancelAmount");
        if (Status is not (PaymentStatus.DONE or PaymentStatus.PARTIAL_CANCELED))
            throw DomainException.Conflict("NOT_CANCELABLE_STATUS",
                $"Payment {PaymentKey} is {Status}; only DONE or PARTIAL_CANCELED payments can be cancelled.");
        if (amount > CancelableAmount)
            throw DomainException.Conflict("NOT_CANCELABLE_AMOUNT",
                $"Cancel amount {amount} exceeds the cancelable balance {CancelableAmount} of payment {PaymentKey}.");
        PendingCancelAmount += amount;
        Touch(now);
    }

    /// <summary>The PG confirmed a cancel: the balance shrinks and a cancel transaction is recorded.</summary>
    public PaymentTransaction CompleteCancel(long amount, string transactionKey, DateTimeOffset canceledAt,
        DateTimeOffset now)
    {
        if (amount > PendingCancelAmount || amount > BalanceAmount)
            throw new InvalidOperationException(
                $"Cancel of {amount} on {PaymentKey} has no matching reservation (pending {PendingCancelAmount}).");
        PendingCancelAmount -= amount;
        return BookCancel(amount, transactionKey, canceledAt, now);
    }

    /// <summary>
    /// A cancel the PG lists that OpsConsole never sent (made in the PG's own dashboard, or by another system): the
    /// balance shrinks by it and a cancel transaction with the PG's key is recorded. Money reserved for our own
    /// cancels in flight stays reserved.
    /// </summary>
    public PaymentTransaction RecordPgCancel(long amount, string transactionKey, DateTimeOffset canceledAt, DateTimeOffset now)
    {
        PaymentValidation.EnsurePositiveAmount(amount, "cancelAmount");
        if (string.IsNullOrEmpty(transactionKey))
            throw DomainException.BadInput("INVALID_TRANSACTION_KEY", $"A PG cancel of payment {PaymentKey} has no transactionKey.");
        if (Status is not (PaymentStatus.DONE or PaymentStatus.PARTIAL_CANCELED))
            throw DomainException.Conflict("NOT_CANCELABLE_STATUS",
                $"Payment {PaymentKey} is {Status}; a PG cancel can only be booked on a DONE or PARTIAL_CANCELED payment.");
        if (amount > CancelableAmount)
            throw DomainException.Conflict("NOT_CANCELABLE_AMOUNT",
                $"The PG's cancel {transactionKey} of {amount} exceeds the cancelable balance {CancelableAmount} of payment {PaymentKey}.");
        return BookCancel(amount, transactionKey, canceledAt, now);
    }

    /// <summary>The balance shrinks by a cancel the PG executed, recorded as a cancel transaction with its key.</summary>
    private PaymentTransaction BookCancel(long amount, string transactionKey, DateTimeOffset canceledAt, DateTimeOffset now)
    {
        BalanceAmount -= amount;
        Status = BalanceAmount == 0 ? PaymentStatus.CANCELED : PaymentStatus.PARTIAL_CANCELED;
        var cancel = PaymentTransaction.Cancel(this, transactionKey, amount, canceledAt);
        _transactions.Add(cancel);
        Touch(now);
        return cancel;
    }

    /// <summary>The PG refused the cancel, or it provably never happened: the reservation is released.</summary>
    public void ReleaseCancel(long amount, DateTimeOffset now)
    {
        if (amount > PendingCancelAmount)
            throw new InvalidOperationException($"Releasing {amount} but only {PendingCancelAmount} is pending.");
        PendingCancelAmount -= amount;
        Touch(now);
    }

    /// <summary>
    /// A cancel of this payment changed state without moving money (outcome unknown, a janitor look-up): the
    /// version still moves, so that two writers of the same cancel conflict instead of overwriting each other.
    /// </summary>
    public void NoteCancelChange(DateTimeOffset now) => Touch(now);

    private void EnsureStatus(string action, params PaymentStatus[] allowed)
    {
        if (!allowed.Contains(Status))
            throw DomainException.Conflict("ILLEGAL_TRANSITION",
                $"Cannot {action} payment {PaymentKey}: it is {Status} (allowed from {string.Join(", ", allowed)}).");
    }

    private void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }
}
