using OpsConsole.Core.Cash;
using OpsConsole.Core.Cash.Payouts;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Tests.Cash.Payouts;

/// <summary>One row of a payout run as the oracle and the engine both describe it.</summary>
public sealed record OracleItem(string Key, PayoutItemKind Kind, FindingType? Type, PayoutMatch? Match, string PgMid,
    string Account, DateOnly BusinessDate, DateOnly? Due, DateOnly? Deadline, long? ExpectedAmount, long? NetAmount,
    long LineCount, long? DepositId, long? ReceivedAmount, long MoneyAtRisk);

/// <summary>A stored deposit (with its id) as the oracle reads it.</summary>
public sealed record OracleDeposit(long Id, Deposit Deposit);

/// <summary>
/// The payout rules of <see cref="PayoutSqlGenerator"/> written plainly in C#, loop by loop: the engines on every
/// provider must produce exactly these rows.
/// </summary>
public static class PayoutOracle
{
    private sealed record Expected(string MId, string Account, DateOnly E, long Net, long Lines, long Amount, DateOnly Due, DateOnly Deadline);

    private sealed record Dep(long Id, string Account, DateOnly B, long Amount, string MId);

    public static List<OracleItem> Run(PayoutRules rules, KoreanBusinessCalendar cal, IReadOnlyList<PayoutLine> lines,
        IReadOnlyList<OracleDeposit> deposits, DateOnly from, DateOnly to, DateOnly asOf)
    {
        var lookback = from.AddDays(-PayoutReconciliationService.OffsetLookbackDays);
        var mfrom = from.AddDays(-PayoutReconciliationService.MatchLookbackDays);
        var w = rules.DateWindowBusinessDays;
        var tol = rules.AmountTolerance;
        var depto = cal.AddBusinessDays(cal.NextBusinessDayOnOrAfter(to), w);
        var pgs = rules.Pgs.ToDictionary(p => p.MId);

        // Expected payouts: running net, running peak, the peak's growth.
        var expd = new List<Expected>();
        foreach (var pg in rules.Pgs)
        {
            var days = lines.Where(l => l.MId == pg.MId && l.PaidOutDate >= lookback && l.PaidOutDate <= to)
                .GroupBy(l => l.PaidOutDate).OrderBy(g => g.Key)
                .Select(g => (D: g.Key, Net: g.Sum(l => l.PayOut), Lines: (long)g.Count()));
            long c = 0, peak = 0;
            foreach (var (d, net, count) in days)
            {
                c += net;
                var newPeak = Math.Max(peak, Math.Max(0, c));
                var amount = newPeak - peak;
                peak = newPeak;
                if (d < mfrom) continue;
                var due = cal.NextBusinessDayOnOrAfter(d);
                expd.Add(new Expected(pg.MId, pg.Account, d, net, count, amount, due, cal.AddBusinessDays(due, w)));
            }
        }
        var exps = expd.Where(x => x.Amount > 0).ToList();

        var deps = new List<Dep>();
        foreach (var (id, d) in deposits)
        {
            if (d.Direction != BankDirection.CREDIT || d.Date < mfrom || d.Date > depto) continue;
            var mids = rules.Pgs.Where(p => p.Account == d.Account && p.Recognises(d.Counterparty, d.Memo)).Select(p => p.MId).ToList();
            if (mids.Count == 0) continue;
            deps.Add(new Dep(id, d.Account, d.Date, d.Amount, mids.Min(StringComparer.Ordinal)!));
        }

        var matched = new Dictionary<(string, DateOnly), (long Dep, PayoutMatch How)>();
        var used = new HashSet<long>();

        // Stage 1: exact amount on the due date; duplicates pair in order.
        foreach (var g in exps.GroupBy(x => (x.MId, x.Due, x.Amount)))
        {
            var xs = g.OrderBy(x => x.E).ToList();
            var ds = deps.Where(d => d.MId == g.Key.MId && d.B == g.Key.Due && d.Amount == g.Key.Amount).OrderBy(d => d.Id).ToList();
            for (var i = 0; i < Math.Min(xs.Count, ds.Count); i++)
            {
                matched[(xs[i].MId, xs[i].E)] = (ds[i].Id, PayoutMatch.EXACT);
                used.Add(ds[i].Id);
            }
        }

        // Stage 2: runs of ≥ 2 consecutive open payouts summing to a deposit.
        var r1x = exps.Where(x => !matched.ContainsKey((x.MId, x.E))).GroupBy(x => x.MId)
            .ToDictionary(g => g.Key, g => g.OrderBy(x => x.E).ToList());
        var r1d = deps.Where(d => !used.Contains(d.Id)).ToList();
        var picks = new List<(long Dep, string MId, int Ki, int Kj)>();
        foreach (var d in r1d)
        {
            if (!r1x.TryGetValue(d.MId, out var xs)) continue;
            (int Ki, int Kj)? best = null;
            for (var j = 0; j < xs.Count; j++)
            {
                if (d.B < xs[j].Due || d.B > xs[j].Deadline) continue;
                for (var i = 0; i < j; i++)
                {
                    if (xs.Skip(i).Take(j - i + 1).Sum(x => x.Amount) != d.Amount) continue;
                    if (best is null || j > best.Value.Kj || (j == best.Value.Kj && i > best.Value.Ki)) best = (i, j);
                }
            }
            if (best is { } b) picks.Add((d.Id, d.MId, b.Ki, b.Kj));
        }
        var kept = picks.Where(p => !picks.Any(q => q.MId == p.MId && q.Dep < p.Dep && q.Ki <= p.Kj && p.Ki <= q.Kj)).ToList();
        foreach (var k in kept)
        {
            for (var i = k.Ki; i <= k.Kj; i++) matched[(k.MId, r1x[k.MId][i].E)] = (k.Dep, PayoutMatch.COMBINED);
            used.Add(k.Dep);
        }

        // Stage 3: within the window, each open payout's best deposit; a deposit keeps its earliest payout.
        var r2d = deps.Where(d => !used.Contains(d.Id)).ToList();
        var choices = new List<(Expected X, Dep D)>();
        foreach (var x in exps.Where(x => !matched.ContainsKey((x.MId, x.E))))
        {
            var best = r2d.Where(d => d.MId == x.MId && d.B >= x.Due && d.B <= x.Deadline)
                .OrderBy(d => Math.Abs(d.Amount - x.Amount) <= tol ? 0 : 1).ThenBy(d => d.B)
                .ThenBy(d => Math.Abs(d.Amount - x.Amount)).ThenBy(d => d.Id).FirstOrDefault();
            if (best is not null) choices.Add((x, best));
        }
        foreach (var g in choices.GroupBy(c => c.D.Id))
        {
            var (x, d) = g.OrderBy(c => c.X.E).First();
            matched[(x.MId, x.E)] = (d.Id, PayoutMatch.WINDOW);
            used.Add(d.Id);
        }

        var items = new List<OracleItem>();
        var depById = deps.ToDictionary(d => d.Id);
        foreach (var x in expd.Where(x => x.E >= from && x.E <= to && (x.Amount > 0 || x.Net != 0)))
        {
            var key = $"PAYOUT:{x.MId}:{x.E:yyyy-MM-dd}";
            Dep? d = null;
            PayoutMatch match;
            FindingType? type = null;
            long risk = 0;
            if (x.Amount <= 0) match = PayoutMatch.OFFSET;
            else if (matched.TryGetValue((x.MId, x.E), out var m))
            {
                d = depById[m.Dep];
                match = m.How;
                if (m.How == PayoutMatch.WINDOW && Math.Abs(d.Amount - x.Amount) > tol)
                {
                    type = FindingType.PAYOUT_AMOUNT_MISMATCH;
                    risk = Math.Abs(d.Amount - x.Amount);
                }
                else if (d.B > x.Due) type = FindingType.PAYOUT_LATE;
            }
            else if (x.Deadline < asOf)
            {
                match = PayoutMatch.NONE;
                type = FindingType.PAYOUT_MISSING;
                risk = x.Amount;
            }
            else match = PayoutMatch.PENDING;
            items.Add(new OracleItem(key, PayoutItemKind.EXPECTED, type, match, x.MId, x.Account, x.E, x.Due, x.Deadline,
                Math.Max(0, x.Amount), x.Net, x.Lines, d?.Id, d?.Amount, risk));
        }
        foreach (var d in deps.Where(d => !used.Contains(d.Id) && d.B >= from && d.B <= to))
            items.Add(new OracleItem($"DEPOSIT:{d.Id}", PayoutItemKind.DEPOSIT, FindingType.UNEXPECTED_DEPOSIT, null, d.MId,
                d.Account, d.B, null, null, null, null, 0, d.Id, d.Amount, d.Amount));

        foreach (var g in lines.Where(l => l.PaidOutDate >= from && l.PaidOutDate <= to && pgs.ContainsKey(l.MId))
                     .Where(l => pgs[l.MId].PayoutDays.TryGetValue(l.Method.ToString(), out _))
                     .Where(l => cal.AddBusinessDays(l.SoldDate, pgs[l.MId].PayoutDays[l.Method.ToString()]) != l.PaidOutDate)
                     .GroupBy(l => (l.MId, l.PaidOutDate)))
            items.Add(new OracleItem($"CONTRACT:{g.Key.MId}:{g.Key.PaidOutDate:yyyy-MM-dd}", PayoutItemKind.CONTRACT,
                FindingType.PAYOUT_DATE_OFF_CONTRACT, null, g.Key.MId, pgs[g.Key.MId].Account, g.Key.PaidOutDate, null, null,
                null, g.Sum(l => l.PayOut), g.Count(), null, null, 0));

        return items.OrderBy(i => i.Key, StringComparer.Ordinal).ThenBy(i => i.Kind).ToList();
    }
}
