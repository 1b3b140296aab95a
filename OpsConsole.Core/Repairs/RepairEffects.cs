using System.Globalization;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Repairs;

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
                var ledgerBalance = ledger?.BalanceAmount ?? 0;
                var ledgerStatus = ledger?.Status.ToString() ?? "not in our ledger";
                if (ledger is null && pg is not null)
                {
                    changes.Add(RecordedFromPg(pg));
                    ledgerBalance = pg.BalanceAmount;
                    ledgerStatus = "DONE";
                }
                else if (ledger is not null && ledger.Status.IsFailed() && pg is not null)
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
            case RepairKind.RECORD_APPROVAL when ledger is null:
                if (pg is not null) changes.Add(RecordedFromPg(pg));
                changes.Add("nothing is sent to the PG; the order stands and the customer stays charged; the next run matches the PG's line");
                if (resolves is not null) changes.Add(resolves);
                return new RepairEffect(pg?.BalanceAmount, pg?.BalanceAmount, changes);
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

    public static string Label(RepairKind kind) => kind switch
    {
        RepairKind.REFUND => "Refund (cancel at the PG)",
        RepairKind.RECORD_APPROVAL => "Record the PG's approval",
        _ => "Mark resolved (no money moves)",
    };

    /// <summary>The label of an option in the preview: a payment only the PG knows is recorded whole, not just its approval.</summary>
    public static string Label(RepairPreview preview, RepairKind kind) => kind switch
    {
        RepairKind.REFUND when preview.OnlyAtPg => "Refund at the PG by paymentKey",
        RepairKind.RECORD_APPROVAL when preview.OnlyAtPg => "Record the payment from the PG",
        _ => Label(kind),
    };

    private static string RecordedFromPg(Gateway.TossPayment pg) =>
        $"payment {pg.PaymentKey} (order {pg.OrderId}) is added to our ledger from the PG's data: approval transaction " +
        $"{pg.LastTransactionKey ?? "(approval)"} of {Money(pg.TotalAmount)} KRW, status DONE, ledger balance {Money(pg.BalanceAmount)}";

    private static string Money(long amount) => amount.ToString("N0", CultureInfo.InvariantCulture);
}
