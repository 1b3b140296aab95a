using OpsConsole.Core.Common;
namespace OpsConsole.Core.Audit;

/// <summary>An append-only record of who did what. Written in its own transaction; never updated.</summary>
public sealed class AuditEntry
{
    private AuditEntry()
    {
        Actor = Action = TargetType = TargetId = "";
    }

    public long Id { get; private set; }
    public DateTimeOffset At { get; private set; }
    public string Actor { get; private set; }
    public string Action { get; private set; }
    public string TargetType { get; private set; }
    public string TargetId { get; private set; }
    public string? Before { get; private set; }
    public string? After { get; private set; }
    public string? Reason { get; private set; }
    public string? Outcome { get; private set; }
    public string? TraceId { get; private set; }

    /// <summary>The payment the row is about (its payment actions, repairs, findings), so one filter finds them all.</summary>
    public string? PaymentKey { get; private set; }

    public static AuditEntry Create(DateTimeOffset at, string actor, string action, string targetType,
        string targetId, string? before = null, string? after = null, string? reason = null,
        string? outcome = null, string? traceId = null, string? paymentKey = null) => new()
    {
        At = at,
        Actor = actor,
        Action = action,
        TargetType = targetType,
        TargetId = targetId,
        // Free text is masked as it is stored (card numbers, e-mail addresses, phone numbers: see Masking).
        Before = Masking.MaskOrNull(before),
        After = Masking.MaskOrNull(after),
        Reason = Masking.MaskOrNull(reason),
        Outcome = Masking.MaskOrNull(outcome),
        TraceId = traceId,
        PaymentKey = paymentKey,
    };

    /// <summary>This row (not yet stored) with <paramref name="change"/> as its before and after.</summary>
    public AuditEntry WithChange(AuditChange change) =>
        Create(At, Actor, Action, TargetType, TargetId, change.Before, change.After, Reason, Outcome, TraceId, PaymentKey);
}
