using OpsConsole.Core.Common;

namespace OpsConsole.Core.Payments;

/// <summary>
/// One intent to cancel (part of) a payment, keyed by the idempotency key it is sent to the PG with.
/// The key is unique: a replay of the same intent finds this row and never moves money twice.
/// At most one attempt per payment is PENDING or UNKNOWN at a time (a filtered unique index).
/// </summary>
public sealed class CancelAttempt
{
    private CancelAttempt()
    {
        IdempotencyKey = PaymentKey = Reason = RequestedBy = TraceId = "";
    }

    public long Id { get; private set; }
    public long PaymentId { get; private set; }
    public string PaymentKey { get; private set; }
    public string IdempotencyKey { get; private set; }
    public long Amount { get; private set; }

    /// <summary>True when the caller asked for a full cancel (no amount): sent to the PG without cancelAmount.</summary>
    public bool IsFullCancel { get; private set; }

    public string Reason { get; private set; }
    public string RequestedBy { get; private set; }
    public CancelAttemptStatus Status { get; private set; }
    public string? TransactionKey { get; private set; }
    public string? FailureCode { get; private set; }
    public string? FailureMessage { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public string TraceId { get; private set; }
    public int JanitorAttempts { get; private set; }
    public DateTimeOffset? NextJanitorAt { get; private set; }

    public static CancelAttempt Start(Payment payment, string idempotencyKey, long amount, bool isFullCancel,
        string reason, string requestedBy, string traceId, DateTimeOffset now)
    {
        PaymentValidation.EnsureIdempotencyKey(idempotencyKey);
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > 200)
            throw DomainException.BadInput("INVALID_CANCEL_REASON", "cancelReason is required (at most 200 characters).");
        return new CancelAttempt
        {
            PaymentId = payment.Id,
            PaymentKey = payment.PaymentKey,
            IdempotencyKey = idempotencyKey,
            Amount = amount,
            IsFullCancel = isFullCancel,
            Reason = Masking.Mask(reason.Trim()),
            RequestedBy = requestedBy,
            Status = CancelAttemptStatus.PENDING,
            CreatedAt = now,
            UpdatedAt = now,
            TraceId = traceId,
        };
    }

    public bool IsOpen => Status is CancelAttemptStatus.PENDING or CancelAttemptStatus.UNKNOWN;

    public void Succeed(string transactionKey, DateTimeOffset now)
    {
        EnsureOpen();
        Status = CancelAttemptStatus.SUCCEEDED;
        TransactionKey = transactionKey;
        FailureCode = FailureMessage = null;
        NextJanitorAt = null;
        UpdatedAt = now;
    }

    public void Fail(string code, string message, DateTimeOffset now)
    {
        EnsureOpen();
        Status = CancelAttemptStatus.FAILED;
        FailureCode = code;
        FailureMessage = Masking.Mask(message);
        NextJanitorAt = null;
        UpdatedAt = now;
    }

    public void MarkUnknown(string reason, DateTimeOffset nextCheckAt, DateTimeOffset now)
    {
        EnsureOpen();
        Status = CancelAttemptStatus.UNKNOWN;
        FailureCode = "OUTCOME_UNKNOWN";
        FailureMessage = reason;
        NextJanitorAt = nextCheckAt;
        UpdatedAt = now;
    }

    public void RecordJanitorAttempt(DateTimeOffset nextCheckAt, DateTimeOffset now)
    {
        JanitorAttempts++;
        NextJanitorAt = nextCheckAt;
        UpdatedAt = now;
    }

    private void EnsureOpen()
    {
        if (!IsOpen)
            throw new InvalidOperationException($"Cancel attempt {IdempotencyKey} is already {Status}.");
    }
}
