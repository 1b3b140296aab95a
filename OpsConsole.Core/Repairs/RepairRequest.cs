using OpsConsole.Core.Common;

namespace OpsConsole.Core.Repairs;

/// <summary>
/// A request to repair one payment. Frozen when made: kind, target, amount and the idempotency key the PG
/// call will carry cannot change. Maker-checker: a different person approves a money-moving request
/// (also a database CHECK). At most one request per payment is open at a time (a filtered unique index).
/// </summary>
public sealed class RepairRequest
{
    private RepairRequest()
    {
        PaymentKey = OrderId = IdempotencyKey = ReasonCode = Comment = RequestedBy = "";
    }

    public long Id { get; private set; }
    public long? FindingId { get; private set; }
    public long? BatchId { get; private set; }
    public string PaymentKey { get; private set; }
    public string OrderId { get; private set; }
    public RepairKind Kind { get; private set; }

    /// <summary>KRW to refund (REFUND), 0 otherwise.</summary>
    public long Amount { get; private set; }

    /// <summary>True when the refund is the whole remaining balance (sent without cancelAmount).</summary>
    public bool IsFullRefund { get; private set; }

    public string IdempotencyKey { get; private set; }
    public string ReasonCode { get; private set; }
    public string Comment { get; private set; }
    public RepairStatus Status { get; private set; }
    public string RequestedBy { get; private set; }
    public DateTimeOffset RequestedAt { get; private set; }
    public DateTimeOffset ExpiresAt { get; private set; }
    public string? ApprovedBy { get; private set; }
    public DateTimeOffset? ApprovedAt { get; private set; }
    public string? RejectedBy { get; private set; }
    public string? RejectReason { get; private set; }
    public DateTimeOffset? ExecutionStartedAt { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }
    public string? Outcome { get; private set; }
    public string? TransactionKey { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public long Version { get; private set; }

    public bool MovesMoney => Kind is RepairKind.REFUND or RepairKind.RECORD_APPROVAL;

    public bool IsOpen => Status is RepairStatus.REQUESTED or RepairStatus.APPROVED or RepairStatus.EXECUTING or RepairStatus.UNKNOWN;

    public static RepairRequest Create(RepairKind kind, string paymentKey, string orderId, long? findingId, long amount,
        bool isFullRefund, string reasonCode, string comment, string requestedBy, DateTimeOffset now, TimeSpan ttl,
        long? batchId = null)
    {
        if (!RepairReasonCodes.All.Contains(reasonCode))
            throw DomainException.BadInput("INVALID_REASON_CODE", $"Reason code must be one of {string.Join(", ", RepairReasonCodes.All)}.");
        if (string.IsNullOrWhiteSpace(comment) || comment.Length > 1000)
            throw DomainException.BadInput("COMMENT_REQUIRED", "A comment (at most 1000 characters) is required.");
        if (kind == RepairKind.REFUND && amount <= 0)
            throw DomainException.BadInput("INVALID_AMOUNT", "A refund needs a positive amount.");
        return new RepairRequest
        {
            Kind = kind,
            PaymentKey = paymentKey,
            OrderId = orderId,
            FindingId = findingId,
            BatchId = batchId,
            Amount = kind == RepairKind.REFUND ? amount : 0,
            IsFullRefund = kind == RepairKind.REFUND && isFullRefund,
            IdempotencyKey = $"repair-{Guid.NewGuid():N}",
            ReasonCode = reasonCode,
            Comment = Masking.Mask(comment.Trim()),
            Status = RepairStatus.REQUESTED,
            RequestedBy = requestedBy,
            RequestedAt = now,
            ExpiresAt = now + ttl,
            UpdatedAt = now,
            Version = 1,
        };
    }

    /// <summary>
    /// Why <paramref name="approver"/> cannot approve this request at <paramref name="now"/>, or null when they can.
    /// The console shows it next to a disabled button; <see cref="Approve"/> throws it.
    /// </summary>
    /// <param name="singleApprover">The single-approver rule approves (the requester's second person is the rule).</param>
    /// <param name="viaBatch">The batch deciding; an item of a batch is decided only with its batch.</param>
    public Refusal? WhyCannotApprove(string? approver, DateTimeOffset now, bool singleApprover = false, long? viaBatch = null) =>
        Status != RepairStatus.REQUESTED
            ? new Refusal("ILLEGAL_TRANSITION", $"Repair #{Id} is {Status}{(ApprovedBy is null ? "" : $" (approved by {ApprovedBy})")}: only REQUESTED repairs can be approved.")
        : BatchItem(viaBatch) ?? (now >= ExpiresAt
            ? new Refusal("REPAIR_EXPIRED", $"Repair #{Id} expired at {ExpiresAt:u}; request it again.")
        : !singleApprover && string.Equals(approver, RequestedBy, StringComparison.OrdinalIgnoreCase)
            ? new Refusal("SELF_APPROVAL", $"You requested repair #{Id}; a different finance, on-call or admin user must approve it.")
        : null);

    /// <summary>Why this request cannot be rejected now (a reason aside), or null when it can.</summary>
    public Refusal? WhyCannotReject(long? viaBatch = null) =>
        Status is not (RepairStatus.REQUESTED or RepairStatus.APPROVED)
            ? new Refusal("ILLEGAL_TRANSITION", $"Repair #{Id} is {Status}: only REQUESTED or APPROVED repairs can be rejected.")
            : BatchItem(viaBatch);

    /// <param name="viaBatch">The batch deciding; an item of a batch is decided only with its batch.</param>
    public void Approve(string approver, DateTimeOffset now, bool singleApprover = false, long? viaBatch = null)
    {
        if (WhyCannotApprove(approver, now, singleApprover, viaBatch) is { } refusal)
            throw refusal.ToException();
        Status = RepairStatus.APPROVED;
        ApprovedBy = approver;
        ApprovedAt = now;
        Touch(now);
    }

    /// <param name="viaBatch">The batch deciding; an item of a batch is decided only with its batch.</param>
    public void Reject(string by, string reason, DateTimeOffset now, long? viaBatch = null)
    {
        if (WhyCannotReject(viaBatch) is { } refusal)
            throw refusal.ToException();
        if (string.IsNullOrWhiteSpace(reason))
            throw DomainException.BadInput("REASON_REQUIRED", "Rejecting a repair needs a reason.");
        Status = RepairStatus.REJECTED;
        RejectedBy = by;
        RejectReason = Masking.Mask(reason.Trim());
        CompletedAt = now;
        Touch(now);
    }

    public void Expire(DateTimeOffset now)
    {
        EnsureStatus("expire", RepairStatus.REQUESTED);
        Status = RepairStatus.EXPIRED;
        CompletedAt = now;
        Outcome = $"not approved before {ExpiresAt:u}";
        Touch(now);
    }

    public void StartExecution(DateTimeOffset now)
    {
        EnsureStatus("execute", RepairStatus.APPROVED);
        Status = RepairStatus.EXECUTING;
        ExecutionStartedAt = now;
        Touch(now);
    }

    public void Complete(RepairStatus outcome, string message, string? transactionKey, DateTimeOffset now)
    {
        if (outcome is not (RepairStatus.SUCCEEDED or RepairStatus.FAILED or RepairStatus.UNKNOWN))
            throw new ArgumentOutOfRangeException(nameof(outcome));
        EnsureStatus("complete", RepairStatus.EXECUTING, RepairStatus.UNKNOWN);
        Status = outcome;
        Outcome = message.Length <= 1000 ? message : message[..1000];
        TransactionKey = transactionKey ?? TransactionKey;
        if (outcome != RepairStatus.UNKNOWN) CompletedAt = now;
        Touch(now);
    }

    /// <summary>Closes a request that moves no money (MARK_RESOLVED) at once.</summary>
    public void CompleteWithoutMoney(string message, DateTimeOffset now)
    {
        EnsureStatus("complete", RepairStatus.REQUESTED);
        Status = RepairStatus.SUCCEEDED;
        Outcome = message;
        CompletedAt = now;
        Touch(now);
    }

    private Refusal? BatchItem(long? viaBatch) =>
        BatchId is { } batch && batch != viaBatch
            ? new Refusal("BATCH_ITEM", $"Repair #{Id} is part of batch #{batch}: approve or reject the batch.")
            : null;

    private void EnsureStatus(string action, params RepairStatus[] allowed)
    {
        if (!allowed.Contains(Status))
            throw DomainException.Conflict("ILLEGAL_TRANSITION",
                $"Cannot {action} repair #{Id}: it is {Status}.");
    }

    private void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }
}
