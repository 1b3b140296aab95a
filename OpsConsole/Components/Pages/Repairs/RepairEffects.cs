using OpsConsole.Components.Shared;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Repairs;

namespace OpsConsole.Components.Pages.Repairs;

/// <summary>What a repair will change, in words, shown before anything moves.</summary>
/// <param name="PgBalanceBefore">The refundable balance at the PG now (null when the PG could not be asked).</param>
/// <param name="PgBalanceAfter">The balance at the PG once the repair has executed.</param>
/// <param name="Changes">One line per ledger row or record that will change, in order.</param>
public sealed record RepairEffect(long? PgBalanceBefore, long? PgBalanceAfter, IReadOnlyList<string> Changes);

/// <summary>
/// Describes a repair's effect from the server's preview: the same rules the core applies when it executes
/// (a refund of a payment our ledger shows failed first records the PG's approval, then cancels it).
/// </summary>
public static class RepairEffects
{
    public static RepairEffect Describe(RepairPreview preview, RepairKind kind, long amount, long? findingId)
    {
        var ledger = preview.Ledger;
        var pg = preview.Pg;
        var changes = new List<string>();
        var resolves = findingId is { } id
            ? $"finding #{id} becomes RESOLVED, linked to the repair, once a recheck finds both ledgers agree"
            : null;
        switch (kind)
        {
            case RepairKind.REFUND:
            {
                var before = pg?.BalanceAmount ?? 0;
                var after = before - amount;
                var ledgerBalance = ledger.BalanceAmount;
                var ledgerStatus = ledger.Status.ToString();
                if (IsFailed(ledger.Status) && pg is not null)
                {
                    changes.Add($"payment {ledger.PaymentKey}: the PG's approval transaction {pg.LastTransactionKey ?? "(approval)"} " +
                                $"of {Money(pg.TotalAmount)} KRW is recorded; status {ledger.Status} → DONE, ledger balance " +
                                $"{Money(ledger.BalanceAmount)} → {Money(pg.BalanceAmount)}");
                    ledgerBalance = pg.BalanceAmount;
                    ledgerStatus = "DONE";
                }
                var newStatus = after == 0 ? "CANCELED" : "PARTIAL_CANCELED";
                changes.Add($"a cancel transaction of {Money(amount)} KRW is added; status {ledgerStatus} → {newStatus}, " +
                            $"ledger balance {Money(ledgerBalance)} → {Money(ledgerBalance - amount)}");
                changes.Add($"at the PG: {(after == 0 ? "full" : "partial")} cancel of {Money(amount)} KRW with an idempotency key " +
                            $"fixed at request time; balance {Money(before)} → {Money(after)}");
                if (resolves is not null) changes.Add(resolves);
                return new RepairEffect(pg?.BalanceAmount, pg is null ? null : after, changes);
            }
            case RepairKind.RECORD_APPROVAL:
                changes.Add($"payment {ledger.PaymentKey}: the PG's approval transaction {pg?.LastTransactionKey ?? "(approval)"} " +
                            $"of {Money(pg?.TotalAmount ?? ledger.Amount)} KRW is recorded; status {ledger.Status} → DONE, " +
                            $"ledger balance {Money(ledger.BalanceAmount)} → {Money(pg?.BalanceAmount ?? ledger.Amount)}");
                changes.Add("nothing is sent to the PG; the order stands and the customer stays charged");
                if (resolves is not null) changes.Add(resolves);
                return new RepairEffect(pg?.BalanceAmount, pg?.BalanceAmount, changes);
            default:
                changes.Add("no ledger rows change and nothing is sent to the PG");
                changes.Add(findingId is { } f
                    ? $"finding #{f} becomes RESOLVED with your reason code and comment"
                    : "no finding is linked");
                return new RepairEffect(pg?.BalanceAmount, pg?.BalanceAmount, changes);
        }
    }

    public static bool IsFailed(PaymentStatus status) =>
        status is PaymentStatus.ABORTED or PaymentStatus.EXPIRED or PaymentStatus.UNKNOWN or PaymentStatus.IN_PROGRESS;

    public static string Label(RepairKind kind) => kind switch
    {
        RepairKind.REFUND => "Refund (cancel at the PG)",
        RepairKind.RECORD_APPROVAL => "Record the PG's approval",
        _ => "Mark resolved (no money moves)",
    };

    private static string Money(long amount) => Kst.Money(amount);
}
