using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Cash.Payouts.Benchmark;

/// <summary>A settlement line of the payout benchmark.</summary>
public readonly record struct PayoutBenchLine(long Id, string MId, PaymentMethod Method, DateOnly SoldDate, DateOnly PaidOutDate, long PayOut);

/// <summary>A deposit of the benchmark's bank statement.</summary>
public sealed record PayoutBenchDeposit(string Account, DateOnly Date, long Amount, string Counterparty);

/// <summary>A finding the benchmark planted: its type and key (an unexpected deposit's key names its id, unknown here).</summary>
public sealed record PlantedFinding(FindingType Type, string? Key, long MoneyAtRisk);

/// <summary>
/// <c>bench payouts</c>' data, fixed seed: N settlement lines with paidOutDates over the 30 days of
/// [<see cref="From"/>, <see cref="To"/>] for three merchant ids (two into one account, one into another; CARD on a
/// D+2 contract), and the bank statement that pays them — with one planted fault of every kind:
/// <list type="bullet">
/// <item>tosspay 03-05 never paid (PAYOUT_MISSING); tosspay 03-19 paid on 03-20 (PAYOUT_LATE);</item>
/// <item>inicis 03-10 paid 3,300 short (PAYOUT_AMOUNT_MISMATCH); an inicis deposit of 123,456 nothing explains on 03-24
/// (UNEXPECTED_DEPOSIT);</item>
/// <item>nicepay 03-12 has a line sold a business day too early (PAYOUT_DATE_OFF_CONTRACT, the payout itself is paid);</item>
/// <item>N:1 without a finding: transfers with paidOutDate on the 03-01 holiday and the 03-02 substitute holiday paid
/// with 03-03's payout in one deposit (nicepay), the weekend 03-14/15 paid with Monday 03-16 (tosspay);</item>
/// <item>a negative day without a finding: nicepay 03-25 is cancels only, carried into 03-26's deposit.</item>
/// </list>
/// </summary>
public sealed class PayoutBenchData
{
    public static readonly DateOnly From = new(2026, 3, 1);
    public static readonly DateOnly To = new(2026, 3, 30);
    public const string Toss = "tosspay", Inicis = "inicis", Nice = "nicepay";
    public const long Short = 3_300, Unexpected = 123_456;

    private static DateOnly D(int day) => new(2026, 3, day);

    private readonly KoreanBusinessCalendar _calendar;
    private readonly List<DateOnly> _businessDays;
    private readonly Dictionary<(string MId, DateOnly Date), long> _net = [];

    public PayoutBenchData(int lines, KoreanBusinessCalendar calendar)
    {
        Lines = lines;
        _calendar = calendar;
        _businessDays = Enumerable.Range(0, To.DayNumber - From.DayNumber + 1).Select(From.AddDays).Where(calendar.IsBusinessDay).ToList();
    }

    public int Lines { get; }

    public static readonly string[] MIds = [Toss, Inicis, Nice];

    /// <summary>The settings the run uses: accounts, counterparties and the CARD D+2 contract.</summary>
    public static CashOptions Options() => new()
    {
        Accounts = new(StringComparer.OrdinalIgnoreCase)
        {
            ["kb-operating"] = new() { Number = "110-123-456789", Bank = "KB국민은행" },
            ["shinhan"] = new() { Number = "140-000-111222", Bank = "신한은행" },
        },
        Pgs = new(StringComparer.Ordinal)
        {
            [Toss] = new() { Account = "kb-operating", Counterparty = "토스페이먼츠", PayoutDays = new(StringComparer.OrdinalIgnoreCase) { ["CARD"] = 2 } },
            [Inicis] = new() { Account = "kb-operating", Counterparty = "KG이니시스", PayoutDays = new(StringComparer.OrdinalIgnoreCase) { ["CARD"] = 2 } },
            [Nice] = new() { Account = "shinhan", Counterparty = "나이스페이", PayoutDays = new(StringComparer.OrdinalIgnoreCase) { ["CARD"] = 2 } },
        },
    };

    /// <summary>The lines, streamed (the same every time); each pass also sums them per merchant id and paidOutDate.</summary>
    public IEnumerable<PayoutBenchLine> LineRows()
    {
        _net.Clear();
        var random = new Random(20260301);
        long id = 0;
        // Weekend and holiday transfers (no contract for TRANSFER): paid with the next business day's payout.
        foreach (var (mId, date) in new[] { (Nice, D(1)), (Nice, D(2)), (Toss, D(14)), (Toss, D(15)) })
            for (var i = 0; i < 5; i++)
                yield return Add(new PayoutBenchLine(++id, mId, PaymentMethod.TRANSFER, date.AddDays(-1), date, 10_000 + random.Next(90_000)));
        // The off-contract line: sold one business day too early.
        yield return Add(new PayoutBenchLine(++id, Nice, PaymentMethod.CARD, _calendar.AddBusinessDays(D(12), -3), D(12), 50_000));
        var n = 0;
        while (id < Lines)
        {
            // Every (merchant id, business day) first, then at random.
            var mId = MIds[n % 3];
            var paid = n < 3 * _businessDays.Count ? _businessDays[n / 3] : _businessDays[random.Next(_businessDays.Count)];
            n++;
            var payOut = mId == Nice && paid == D(25) ? -(1_000 + random.Next(1_000)) : 1_000 + random.Next(199_000);
            yield return Add(new PayoutBenchLine(++id, mId, PaymentMethod.CARD, _calendar.AddBusinessDays(paid, -2), paid, payOut));
        }
    }

    private PayoutBenchLine Add(PayoutBenchLine line)
    {
        _net[(line.MId, line.PaidOutDate)] = _net.GetValueOrDefault((line.MId, line.PaidOutDate)) + line.PayOut;
        return line;
    }

    private long Net(string mId, int day) => _net.GetValueOrDefault((mId, D(day)));

    /// <summary>The bank statement (after <see cref="LineRows"/> was enumerated once).</summary>
    public IReadOnlyList<PayoutBenchDeposit> Deposits()
    {
        if (_net.Count == 0) throw new InvalidOperationException("Enumerate the lines first.");
        var deposits = new List<PayoutBenchDeposit>();
        var counterparty = new Dictionary<string, (string Account, string Name)>
        {
            [Toss] = ("kb-operating", "토스페이먼츠(주)"), [Inicis] = ("kb-operating", "KG이니시스 정산"), [Nice] = ("shinhan", "나이스페이먼츠"),
        };
        void Pay(string mId, DateOnly date, long amount) => deposits.Add(new(counterparty[mId].Account, date, amount, counterparty[mId].Name));
        foreach (var day in _businessDays)
        {
            foreach (var mId in MIds)
            {
                var net = _net.GetValueOrDefault((mId, day));
                switch (mId, day.Day)
                {
                    case (Toss, 5): break;
                    case (Toss, 19): Pay(mId, D(20), net); break;
                    case (Toss, 16): Pay(mId, day, Net(Toss, 14) + Net(Toss, 15) + net); break;
                    case (Inicis, 10): Pay(mId, day, net - Short); break;
                    case (Nice, 3): Pay(mId, day, Net(Nice, 1) + Net(Nice, 2) + net); break;
                    case (Nice, 25): break;
                    case (Nice, 26): Pay(mId, day, Net(Nice, 25) + net); break;
                    default: Pay(mId, day, net); break;
                }
            }
        }
        Pay(Inicis, D(24), Unexpected);
        return deposits;
    }

    /// <summary>The findings a correct run reports, and only these.</summary>
    public IReadOnlyList<PlantedFinding> Expected() =>
    [
        new(FindingType.PAYOUT_MISSING, $"PAYOUT:{Toss}:2026-03-05", Net(Toss, 5)),
        new(FindingType.PAYOUT_LATE, $"PAYOUT:{Toss}:2026-03-19", 0),
        new(FindingType.PAYOUT_AMOUNT_MISMATCH, $"PAYOUT:{Inicis}:2026-03-10", Short),
        new(FindingType.UNEXPECTED_DEPOSIT, null, Unexpected),
        new(FindingType.PAYOUT_DATE_OFF_CONTRACT, $"CONTRACT:{Nice}:2026-03-12", 0),
    ];

    /// <summary>The payouts a correct run matches without a finding: N:1 deposits (COMBINED) and the offset day.</summary>
    public static IReadOnlyList<(string Key, PayoutMatch Match)> ExpectedQuietItems =>
    [
        ($"PAYOUT:{Nice}:2026-03-01", PayoutMatch.COMBINED), ($"PAYOUT:{Nice}:2026-03-02", PayoutMatch.COMBINED),
        ($"PAYOUT:{Nice}:2026-03-03", PayoutMatch.COMBINED), ($"PAYOUT:{Toss}:2026-03-14", PayoutMatch.COMBINED),
        ($"PAYOUT:{Toss}:2026-03-15", PayoutMatch.COMBINED), ($"PAYOUT:{Toss}:2026-03-16", PayoutMatch.COMBINED),
        ($"PAYOUT:{Nice}:2026-03-25", PayoutMatch.OFFSET),
    ];
}
