using OpsConsole.Core.Common;

namespace OpsConsole.Core.Repairs;

/// <summary>
/// When a refund may skip the second person (<c>Repairs:SingleApproverMaxAmount</c>): only while the sum of
/// single-approved refunds stays within the limit per payment (ever) and per requester per KST business day,
/// this request included. Splitting a refund into small requests does not get past the second approver.
/// </summary>
public static class SingleApproverRule
{
    /// <summary>The approver recorded on a refund approved without a second person.</summary>
    public const string Approver = "system:single-approver";

    /// <param name="amount">This request's refund.</param>
    /// <param name="paymentSum">Refunds of the same payment counted against the limit, this one excluded.</param>
    /// <param name="requesterDaySum">Refunds of the same requester that business day counted against the limit, this one excluded.</param>
    public static bool Allows(long amount, long paymentSum, long requesterDaySum, long maxAmount) =>
        maxAmount > 0 && amount > 0 && amount <= maxAmount &&
        paymentSum <= maxAmount - amount && requesterDaySum <= maxAmount - amount;

    /// <summary>
    /// Counted against the limit: refunds approved by this rule that did not fail, and earlier refund requests
    /// still waiting (they may be approved by this rule a moment later, so two requests racing cannot both pass).
    /// </summary>
    public static bool Counts(RepairRequest r, long maxAmount) =>
        r.Kind == RepairKind.REFUND && r.BatchId is null &&
        (r.ApprovedBy == Approver
            ? r.Status is not (RepairStatus.FAILED or RepairStatus.REJECTED)
            : r.Status == RepairStatus.REQUESTED && r.Amount <= maxAmount);

    /// <summary>The KST business day [start, end) of <paramref name="at"/> in UTC.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) DayOf(DateTimeOffset at)
    {
        var start = BusinessCalendar.StartOfDayUtc(BusinessCalendar.BusinessDateOf(at));
        return (start, start.AddDays(1));
    }
}
