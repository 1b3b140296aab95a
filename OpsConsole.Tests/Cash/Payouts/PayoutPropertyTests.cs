using OpsConsole.Core.Cash;
using OpsConsole.Core.Cash.Payouts;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;
using Xunit.Abstractions;
using static OpsConsole.Tests.Cash.Payouts.PayoutTestSupport;

namespace OpsConsole.Tests.Cash.Payouts;

/// <summary>The payout SQL must produce exactly the oracle's rows on random months of lines and deposits.</summary>
public abstract class PayoutPropertyTests<TDb>(TDb db, ITestOutputHelper output) where TDb : TestDatabase
{
    private static readonly string[] Mids = ["tosspay", "inicis", "nicepay"];
    private static readonly long[] Amounts = [1_000, 2_000, 3_000, 5_000, 8_000];

    [Fact]
    public async Task Engine_OnRandomMonths_AgreesWithTheOracle()
    {
        var typesSeen = new HashSet<FindingType>();
        var matchesSeen = new HashSet<PayoutMatch>();
        await FixedSamples.ForEachAsync(25, 1703, async seed =>
        {
            var (options, lines, deposits) = RandomMonth(seed);
            await ClearAsync(db.Factory);
            await AddLinesAsync(db.Factory, lines);
            var ids = await AddDepositsAsync(db.Factory, deposits);

            // "Today" from within the range to after it: recent payouts are receivables (PENDING), older ones MISSING.
            var now = Now.AddDays(-new Random(seed).Next(0, 19));
            var run = await Service(db.Factory, options, now).RunAsync(From, To, RunTrigger.CLI, "property-test");

            Assert.True(run.Status == RunStatus.SUCCEEDED, $"seed {seed}: {run.Error}");
            var expected = PayoutOracle.Run(PayoutRules.From(options), Calendar, lines,
                deposits.Select((d, i) => new OracleDeposit(ids[i], d)).ToList(), From, To,
                OpsConsole.Core.Common.BusinessCalendar.BusinessDateOf(now));
            var actual = await ItemsAsync(db.Factory, run.Id, 1);
            if (!expected.SequenceEqual(actual))
                Assert.Fail($"seed {seed} ({db.Provider}):\n expected:\n  " + string.Join("\n  ", expected) +
                            "\n actual:\n  " + string.Join("\n  ", actual));
            foreach (var i in actual)
            {
                if (i.Type is { } t) typesSeen.Add(t);
                if (i.Match is { } m) matchesSeen.Add(m);
            }
        }, output.WriteLine);

        // The generator must exercise every finding type and every way of matching, or the property proves little.
        Assert.Equal(FindingTypes.Payout.Order(), typesSeen.Order());
        Assert.Equal(Enum.GetValues<PayoutMatch>().Order(), matchesSeen.Order());
    }

    /// <summary>
    /// Lines over 3/2..3/20 (and the weeks before), some negative; deposits derived from each day's net: exact, late,
    /// short, missing, several days combined, plus stray deposits of PG counterparties. Amounts come from a few
    /// values so that duplicates and coincidental sums happen.
    /// </summary>
    internal static (CashOptions, List<PayoutLine>, List<Deposit>) RandomMonth(int seed)
    {
        var rnd = new Random(seed);
        var options = Options(window: rnd.Next(0, 4), tolerance: rnd.Next(3) == 0 ? 500 : 0);
        var lines = new List<PayoutLine>();
        var start = From.AddDays(-20);
        var methods = new[] { PaymentMethod.CARD, PaymentMethod.EASY_PAY, PaymentMethod.TRANSFER };
        for (var n = rnd.Next(5, 60); n > 0; n--)
        {
            var paid = start.AddDays(rnd.Next(0, To.DayNumber - start.DayNumber + 1));
            var amount = Amounts[rnd.Next(Amounts.Length)] * (rnd.Next(5) == 0 ? -1 : 1);
            lines.Add(new PayoutLine(Mids[rnd.Next(Mids.Length)], paid.AddDays(-rnd.Next(0, 5)), paid,
                methods[rnd.Next(methods.Length)], amount));
        }
        var deposits = new List<Deposit>();
        var names = new Dictionary<string, string[]>
        {
            ["tosspay"] = ["토스페이먼츠(주)", "TOSS PAYMENTS"], ["inicis"] = ["KG이니시스"], ["nicepay"] = ["나이스페이"],
        };
        foreach (var g in lines.GroupBy(l => (l.MId, l.PaidOutDate)).OrderBy(g => g.Key.PaidOutDate).ThenBy(g => g.Key.MId))
        {
            var net = g.Sum(l => l.PayOut);
            if (net <= 0) continue;
            var account = options.Pgs[g.Key.MId].Account!;
            var name = names[g.Key.MId][rnd.Next(names[g.Key.MId].Length)];
            var due = Calendar.NextBusinessDayOnOrAfter(g.Key.PaidOutDate);
            switch (rnd.Next(10))
            {
                case < 4: deposits.Add(new(account, due, net, name)); break;
                case 4: deposits.Add(new(account, Calendar.AddBusinessDays(due, rnd.Next(1, 4)), net, name)); break;
                case 5: deposits.Add(new(account, due, net - rnd.Next(1, 3) * 400, name)); break;
                case 6: break;
                default:
                    // Combined with the next days of the same merchant id: the sum of up to 3 days' nets, on the last due date.
                    var next = lines.Where(l => l.MId == g.Key.MId && l.PaidOutDate > g.Key.PaidOutDate && l.PaidOutDate <= g.Key.PaidOutDate.AddDays(3))
                        .GroupBy(l => l.PaidOutDate).OrderBy(x => x.Key).Take(rnd.Next(1, 3)).ToList();
                    var last = next.Count == 0 ? g.Key.PaidOutDate : next[^1].Key;
                    deposits.Add(new(account, Calendar.NextBusinessDayOnOrAfter(last), net + next.Sum(x => x.Sum(l => l.PayOut)), name));
                    break;
            }
        }
        for (var n = rnd.Next(0, 4); n > 0; n--)
        {
            var mid = Mids[rnd.Next(Mids.Length)];
            deposits.Add(new(options.Pgs[mid].Account!, From.AddDays(rnd.Next(0, 19)), Amounts[rnd.Next(Amounts.Length)],
                "입금", Memo: names[mid][0] + " 기타"));
        }
        deposits.Add(new("kb-operating", From.AddDays(rnd.Next(0, 19)), 1_000, "홍길동"));
        return (options, lines, deposits.OrderBy(_ => rnd.Next()).ToList());
    }
}

public sealed class SqlitePayoutPropertyTests(SqliteTestDatabase db, ITestOutputHelper output)
    : PayoutPropertyTests<SqliteTestDatabase>(db, output), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresPayoutPropertyTests(PostgresTestDatabase db, ITestOutputHelper output)
    : PayoutPropertyTests<PostgresTestDatabase>(db, output), IClassFixture<PostgresTestDatabase>;
