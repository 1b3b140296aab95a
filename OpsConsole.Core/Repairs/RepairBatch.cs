using OpsConsole.Core.Common;

namespace OpsConsole.Core.Repairs;

public enum RepairBatchStatus
{
    REQUESTED,
    APPROVED,
    DONE,
    REJECTED,
    /// <summary>Not approved before its earliest item expired; its items expired with it.</summary>
    EXPIRED,
}

public enum RepairBatchItemResult
{
    PENDING,
    SUCCEEDED,
    FAILED,
    UNKNOWN,
    SKIPPED,
}

/// <summary>
/// Many refunds requested together (selected findings, or all matching a filter), approved once by a
/// different person and executed with bounded concurrency. Each item is an ordinary frozen
/// <see cref="RepairRequest"/>, so exactly-once and the one-open-repair-per-payment rule hold per item.
/// </summary>
public sealed class RepairBatch
{
    private RepairBatch()
    {
        RequestedBy = ReasonCode = Comment = "";
    }

    public long Id { get; private set; }
    public string RequestedBy { get; private set; }
    public DateTimeOffset RequestedAt { get; private set; }
    public string ReasonCode { get; private set; }
    public string Comment { get; private set; }
    public RepairBatchStatus Status { get; private set; }
    public string? ApprovedBy { get; private set; }
    public DateTimeOffset? ApprovedAt { get; private set; }
    public string? RejectedBy { get; private set; }
    public string? RejectReason { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }
    /// <summary>When the earliest item expires (<c>Repairs:ApprovalTtl</c> after the request); null when nothing was planned.</summary>
    public DateTimeOffset? ExpiresAt { get; private set; }

    /// <summary>Last sign of life of the execution: set on approval and after each item. The sweep finishes a batch whose executor went quiet.</summary>
    public DateTimeOffset? HeartbeatAt { get; private set; }

    public int ItemCount { get; private set; }
    public long TotalAmount { get; private set; }
    public long Version { get; private set; }

    public static RepairBatch Create(string requestedBy, string reasonCode, string comment, DateTimeOffset now)
    {
        if (!RepairReasonCodes.All.Contains(reasonCode))
            throw DomainException.BadInput("INVALID_REASON_CODE", $"Reason code must be one of {string.Join(", ", RepairReasonCodes.All)}.");
        if (string.IsNullOrWhiteSpace(comment) || comment.Length > 1000)
            throw DomainException.BadInput("COMMENT_REQUIRED", "A bulk repair needs a reason comment (at most 1000 characters).");
        return new RepairBatch
        {
            RequestedBy = requestedBy, RequestedAt = now, ReasonCode = reasonCode, Comment = Masking.Mask(comment.Trim()),
            Status = RepairBatchStatus.REQUESTED, Version = 1,
        };
    }

    public void SetTotals(int items, long amount, DateTimeOffset? expiresAt)
    {
        ItemCount = items;
        TotalAmount = amount;
        ExpiresAt = expiresAt;
    }

    /// <summary>Still waiting for a decision, but too late: approving now would only find expired items.</summary>
    public bool IsExpiredAt(DateTimeOffset now) => Status == RepairBatchStatus.REQUESTED && now >= ExpiresAt;

    public string ExpiredMessage => $"Batch #{Id} expired at {ExpiresAt:u} before anyone approved it; request the refunds again.";

    /// <summary>Why <paramref name="approver"/> cannot approve this batch at <paramref name="now"/>, or null when they can.</summary>
    public Refusal? WhyCannotApprove(string? approver, DateTimeOffset now) =>
        Status != RepairBatchStatus.REQUESTED
            ? new Refusal("ILLEGAL_TRANSITION", $"Batch #{Id} is {Status}{(ApprovedBy is null ? "" : $" (approved by {ApprovedBy})")}: only REQUESTED batches can be approved.")
        : IsExpiredAt(now) ? new Refusal("BATCH_EXPIRED", ExpiredMessage)
        : string.Equals(approver, RequestedBy, StringComparison.OrdinalIgnoreCase)
            ? new Refusal("SELF_APPROVAL", $"You requested batch #{Id}; a different finance, on-call or admin user must approve it.")
        : null;

    /// <summary>Why this batch cannot be rejected now (a reason aside), or null when it can.</summary>
    public Refusal? WhyCannotReject() =>
        Status == RepairBatchStatus.REQUESTED ? null
            : new Refusal("ILLEGAL_TRANSITION", $"Batch #{Id} is {Status}: only REQUESTED batches can be rejected.");

    public void Approve(string approver, DateTimeOffset now)
    {
        if (WhyCannotApprove(approver, now) is { } refusal)
            throw refusal.ToException();
        Status = RepairBatchStatus.APPROVED;
        ApprovedBy = approver;
        ApprovedAt = now;
        HeartbeatAt = now;
        Version++;
    }

    public void Expire(DateTimeOffset now)
    {
        if (!IsExpiredAt(now))
            throw DomainException.Conflict("ILLEGAL_TRANSITION", $"Batch #{Id} is {Status}, expiring at {ExpiresAt:u}: it cannot expire now.");
        Status = RepairBatchStatus.EXPIRED;
        CompletedAt = now;
        Version++;
    }

    public void Reject(string by, string reason, DateTimeOffset now)
    {
        if (WhyCannotReject() is { } refusal)
            throw refusal.ToException();
        if (string.IsNullOrWhiteSpace(reason))
            throw DomainException.BadInput("REASON_REQUIRED", "Rejecting a batch needs a reason.");
        Status = RepairBatchStatus.REJECTED;
        RejectedBy = by;
        RejectReason = Masking.Mask(reason.Trim());
        CompletedAt = now;
        Version++;
    }

    public void Complete(DateTimeOffset now)
    {
        if (Status != RepairBatchStatus.APPROVED)
            throw DomainException.Conflict("ILLEGAL_TRANSITION", $"Batch #{Id} is {Status}: only an APPROVED batch completes.");
        Status = RepairBatchStatus.DONE;
        CompletedAt = now;
        Version++;
    }
}

public sealed class RepairBatchItem
{
    private RepairBatchItem()
    {
        PaymentKey = "";
    }

    public long Id { get; private set; }
    public long BatchId { get; private set; }
    public long FindingId { get; private set; }
    public string PaymentKey { get; private set; }
    public long? RepairId { get; private set; }
    public long Amount { get; private set; }
    public RepairBatchItemResult Result { get; private set; }
    public string? Why { get; private set; }

    public static RepairBatchItem Planned(long batchId, long findingId, string paymentKey, long repairId, long amount) => new()
    {
        BatchId = batchId, FindingId = findingId, PaymentKey = paymentKey, RepairId = repairId, Amount = amount,
        Result = RepairBatchItemResult.PENDING,
    };

    public static RepairBatchItem Skipped(long batchId, long findingId, string paymentKey, string why) => new()
    {
        BatchId = batchId, FindingId = findingId, PaymentKey = paymentKey, Result = RepairBatchItemResult.SKIPPED,
        Why = Masking.Mask(why.Length <= 1000 ? why : why[..1000]),
    };

    /// <summary>The item as its repair stands now: the repair row is the source of truth.</summary>
    public void Reflect(RepairRequest repair)
    {
        var (result, why) = repair.Status switch
        {
            RepairStatus.SUCCEEDED => (RepairBatchItemResult.SUCCEEDED, repair.Outcome),
            RepairStatus.FAILED => (RepairBatchItemResult.FAILED, repair.Outcome),
            RepairStatus.UNKNOWN => (RepairBatchItemResult.UNKNOWN, repair.Outcome),
            RepairStatus.APPROVED or RepairStatus.EXECUTING =>
                (RepairBatchItemResult.UNKNOWN, $"repair #{repair.Id} is {repair.Status}: the repair sweep finishes it"),
            RepairStatus.REJECTED => (RepairBatchItemResult.SKIPPED, $"repair #{repair.Id} was rejected by {repair.RejectedBy}: {repair.RejectReason}"),
            RepairStatus.EXPIRED => (RepairBatchItemResult.SKIPPED, $"repair #{repair.Id} expired: {repair.Outcome}"),
            _ => (RepairBatchItemResult.PENDING, null),
        };
        Record(result, why);
    }

    public void Record(RepairBatchItemResult result, string? why)
    {
        Result = result;
        Why = Masking.MaskOrNull(why is { Length: > 1000 } ? why[..1000] : why);
    }
}
