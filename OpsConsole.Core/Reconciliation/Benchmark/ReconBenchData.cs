using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation.Benchmark;

public readonly record struct BenchPayment(long Id, string Key, string OrderId, long Amount, long Balance,
    PaymentMethod Method, PaymentStatus Status, DateTimeOffset At, string TraceId);

public readonly record struct BenchTransaction(long Id, long PaymentId, string PaymentKey, string OrderId,
    string TransactionKey, TransactionKind Kind, long Amount, PaymentMethod Method, DateTimeOffset At);

public readonly record struct BenchLine(long Id, string PaymentKey, string TransactionKey, string OrderId,
    PaymentMethod Method, long Amount, long Fee, DateTimeOffset ApprovedAt, DateOnly SoldDate, bool KeyRepeated = false);

/// <summary>
/// The benchmark's two ledgers for one business date, generated deterministically from each payment's index
/// (streamed: nothing is held in memory). One payment in ten has a partial cancel. Per 1,000 payments one
/// of each fault is injected (0.1% per type): index % 1000 = 0 charged-but-failed, 1 missing PG line,
/// 2 amount mismatch, 3 fee mismatch, 4 duplicated line, 5 approval at 23:59:59.900 KST filed by the PG
/// under the next day; plus N/1000 PG lines we have no trace of.
/// </summary>
public sealed class ReconBenchData(int payments, DateOnly businessDate)
{
    // The methods of the measured workload (fixed, so figures stay comparable when methods are added to the enum).
    private static readonly PaymentMethod[] Methods =
        [PaymentMethod.CARD, PaymentMethod.EASY_PAY, PaymentMethod.TRANSFER, PaymentMethod.VIRTUAL_ACCOUNT, PaymentMethod.MOBILE_PHONE];
    private readonly DateTimeOffset _dayStart = BusinessCalendar.StartOfDayUtc(businessDate);
    private readonly FeeSchedule _fees = FeeSchedule.Default;

    public int Payments => payments;
    public DateOnly BusinessDate => businessDate;
    public int Orphans => Math.Max(1, payments / 1000);

    /// <summary>Confirmed findings a correct engine reports, by type.</summary>
    public IReadOnlyDictionary<FindingType, int> Expected
    {
        get
        {
            int Count(int c) => payments <= c ? 0 : (payments - 1 - c) / 1000 + 1;
            return new Dictionary<FindingType, int>
            {
                [FindingType.CHARGED_BUT_FAILED] = Count(0),
                [FindingType.MISSING_EXTERNAL] = Count(1),
                [FindingType.AMOUNT_MISMATCH] = Count(2),
                [FindingType.FEE_MISMATCH] = Count(3),
                [FindingType.DUPLICATE_EXTERNAL] = Count(4),
                [FindingType.DATE_MISMATCH] = Count(5),
                [FindingType.MISSING_INTERNAL] = Orphans,
            };
        }
    }

    private static ulong Mix(long i, int salt)
    {
        var x = (ulong)i * 0x9E3779B97F4A7C15UL + (ulong)salt * 0xBF58476D1CE4E5B9UL;
        x ^= x >> 31;
        x *= 0x94D049BB133111EBUL;
        return x ^ (x >> 29);
    }

    private (long Amount, PaymentMethod Method, DateTimeOffset At, bool Cancel, int Fault) Shape(long i)
    {
        var fault = (int)(i % 1000);
        var amount = 1000 + (long)(Mix(i, 1) % 500) * 100;
        var method = Methods[Mix(i, 2) % (ulong)Methods.Length];
        var at = fault == 5
            ? _dayStart.AddDays(1).AddMilliseconds(-100)
            : _dayStart.AddMilliseconds((double)(Mix(i, 3) % 86_000_000));
        var cancel = fault > 5 && Mix(i, 4) % 10 == 0;
        return (amount, method, at, cancel, fault);
    }

    public IEnumerable<BenchPayment> PaymentRows()
    {
        for (long i = 0; i < payments; i++)
        {
            var (amount, method, at, cancel, fault) = Shape(i);
            var status = fault == 0 ? PaymentStatus.ABORTED : cancel ? PaymentStatus.PARTIAL_CANCELED : PaymentStatus.DONE;
            var balance = fault == 0 ? 0 : cancel ? amount - amount / 4 : amount;
            yield return new BenchPayment(i + 1, $"bp{i:D10}", $"bo{i:D10}", amount, balance, method, status, at,
                i.ToString("x32", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public IEnumerable<BenchTransaction> TransactionRows()
    {
        long id = 0;
        for (long i = 0; i < payments; i++)
        {
            var (amount, method, at, cancel, fault) = Shape(i);
            if (fault == 0) continue;
            yield return new BenchTransaction(++id, i + 1, $"bp{i:D10}", $"bo{i:D10}", $"bt{i:D10}a",
                TransactionKind.APPROVAL, amount, method, at);
            if (cancel)
                yield return new BenchTransaction(++id, i + 1, $"bp{i:D10}", $"bo{i:D10}", $"bt{i:D10}c",
                    TransactionKind.CANCEL, amount / 4, method, at.AddMilliseconds(1));
        }
    }

    /// <summary>
    /// <paramref name="count"/> PG lines that arrive after the day was reconciled (<c>bench recon --late K</c>): first
    /// the missing lines of the payments whose line the PG left out (each resolves a MISSING_EXTERNAL), then lines of
    /// transactions we never had (each a new MISSING_INTERNAL).
    /// </summary>
    public IEnumerable<BenchLine> LateLines(int count)
    {
        var n = 0;
        for (long i = 1; i < payments && n < count; i += 1000, n++)
        {
            var (amount, method, at, _, _) = Shape(i);
            yield return new BenchLine(0, $"bp{i:D10}", $"bt{i:D10}a", $"bo{i:D10}", method, amount,
                _fees.ExpectedFee(method, amount)!.Value, at, businessDate);
        }
        for (var j = 0; n < count; j++, n++)
            yield return new BenchLine(0, $"bxlp{j:D9}", $"bxl{j:D9}", $"bxlo{j:D9}", PaymentMethod.CARD, 7000,
                _fees.ExpectedFee(PaymentMethod.CARD, 7000)!.Value, _dayStart.AddHours(2), businessDate);
    }

    public IEnumerable<BenchLine> LineRows()
    {
        long id = 0;
        for (long i = 0; i < payments; i++)
        {
            var (amount, method, at, cancel, fault) = Shape(i);
            if (fault != 1)
            {
                var lineAmount = fault == 2 ? amount + 100 : amount;
                var fee = _fees.ExpectedFee(method, lineAmount)!.Value + (fault == 3 ? 50 : 0);
                var sold = fault == 5 ? businessDate.AddDays(1) : businessDate;
                var line = new BenchLine(0, $"bp{i:D10}", $"bt{i:D10}a", $"bo{i:D10}", method, lineAmount, fee, at, sold,
                    KeyRepeated: fault == 4);
                yield return line with { Id = ++id };
                if (fault == 4) yield return line with { Id = ++id };
            }
            if (cancel)
                yield return new BenchLine(++id, $"bp{i:D10}", $"bt{i:D10}c", $"bo{i:D10}", method, -(amount / 4),
                    _fees.ExpectedFee(method, -(amount / 4))!.Value, at.AddMilliseconds(1), businessDate);
        }
        for (var j = 0; j < Orphans; j++)
            yield return new BenchLine(++id, $"bxp{j:D9}", $"bx{j:D9}", $"bxo{j:D9}", PaymentMethod.CARD, 5000,
                _fees.ExpectedFee(PaymentMethod.CARD, 5000)!.Value, _dayStart.AddHours(1), businessDate);
    }
}
