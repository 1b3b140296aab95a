using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// Random ledgers around one business date: timestamps on and next to midnight KST of the day before, the
/// day and the day after; partial cancels; failed payments the PG charged anyway; missing, duplicated,
/// re-dated, mis-priced and mis-feed lines; orphan PG lines; lines in another currency (USD); approvals booked
/// without a key (their line is never re-dated, so every engine can learn the key from the line of the same day).
/// </summary>
public static class RandomLedger
{
    private static readonly PaymentStatus[] FailedStatuses = [PaymentStatus.ABORTED, PaymentStatus.EXPIRED, PaymentStatus.UNKNOWN];

    public static Ledger Create(int seed, int payments, DateOnly date)
    {
        var r = new Random(seed);
        var ledger = new Ledger();
        var fees = FeeSchedule.Default;
        var methods = Enum.GetValues<PaymentMethod>();

        DateTimeOffset Instant()
        {
            var start = BusinessCalendar.StartOfDayUtc(date.AddDays(r.Next(-1, 2)));
            return r.Next(5) switch
            {
                0 => start,
                1 => start.AddDays(1).AddMilliseconds(-1),
                2 => start.AddMilliseconds(r.Next(1, 1000)),
                3 => start.AddDays(1).AddMilliseconds(-r.Next(1, 1000)),
                _ => start.AddMilliseconds(r.NextInt64(0, 86_400_000)),
            };
        }

        for (var i = 0; i < payments; i++)
        {
            var pk = $"pay{seed:x8}{i:D3}";
            var order = $"order{seed:x8}{i:D3}";
            var amount = r.Next(1, 500) * 100L + r.Next(0, 2) * 37;
            var method = methods[r.Next(methods.Length)];
            var status = r.Next(10) < 7 ? PaymentStatus.DONE : FailedStatuses[r.Next(FailedStatuses.Length)];
            var approvalAt = Instant();
            var approval = new InternalTx($"tx{seed:x8}{i:D3}a", pk, order, TransactionKind.APPROVAL, amount, method, approvalAt,
                KeyKnown: status != PaymentStatus.DONE || r.Next(8) != 0);
            var txs = new List<InternalTx>();
            if (status == PaymentStatus.DONE)
            {
                txs.Add(approval);
                var remaining = amount;
                for (var c = r.Next(3); c > 0; c--)
                {
                    var cancel = Math.Max(1, remaining / 3);
                    remaining -= cancel;
                    txs.Add(new InternalTx($"tx{seed:x8}{i:D3}c{c}", pk, order, TransactionKind.CANCEL, cancel, method,
                        approvalAt.AddMilliseconds(r.NextInt64(1, 3 * 3_600_000))));
                }
            }
            ledger.Payments.Add(new LedgerPayment(pk, order, amount, method, status, txs));

            var charged = status == PaymentStatus.DONE ? txs : r.Next(2) == 0 ? [approval] : [];
            foreach (var tx in charged)
            {
                var copies = r.Next(25) switch { 0 or 1 => 0, 2 or 3 => 2, _ => 1 };
                var lineAmount = tx.SignedAmount;
                if (r.Next(12) == 0) lineAmount += r.Next(2) == 0 ? 100 : -100;
                if (lineAmount == 0) lineAmount = 1;
                var sold = tx.BusinessDate;
                if (r.Next(10) == 0 && tx.KeyKnown) sold = sold.AddDays(r.Next(2) == 0 ? 1 : -1);
                var currency = r.Next(15) == 0 ? "USD" : "KRW";
                // Gift certificates and OTHER have no rate: any fee (no fee check applies to them).
                var fee = (fees.ExpectedFee(method, lineAmount) ?? lineAmount / 20) + new long[] { 0, 0, 0, 1, -1, 50, -50 }[r.Next(7)];
                for (var k = 0; k < copies; k++)
                    ledger.Lines.Add(new ExternalLine(tx.Key, pk, order, method, lineAmount, fee, sold, tx.OccurredAt, currency));
            }
        }

        for (var j = r.Next(3); j > 0; j--)
        {
            var amount = (r.Next(2) == 0 ? 1 : -1) * r.Next(1, 300) * 100L;
            var method = methods[r.Next(methods.Length)];
            var at = Instant();
            ledger.Lines.Add(new ExternalLine($"orphan{seed:x8}{j}", $"orphanpay{seed:x8}{j}", $"orphanord{seed:x8}{j}",
                method, amount, fees.ExpectedFee(method, amount) ?? amount / 20, BusinessCalendar.BusinessDateOf(at), at));
        }
        return ledger;
    }
}
