using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation.ControlTotals;

/// <summary>
/// Builds a <see cref="ControlTotalsReport"/> for a KST date or range: the stored totals of each date's latest
/// successful run (<see cref="RunControlTotal"/>, a few rows per date) and the signed differences of the findings
/// that run left standing, in two grouped queries over the findings' date indexes.
/// <para>The findings that explain a date: CONFIRMED findings seen by the latest successful run of their own business
/// date (older sightings no longer describe the ledgers). A finding's signed difference on a date is its internal
/// amount when its transaction belongs to the date, minus the PG's amount when its lines' sold date is the date (cancels
/// are negative on both sides). So a DATE_MISMATCH adds our amount to our date and takes the PG's amount from the PG's
/// date: over a range holding both it nets to zero, exactly like the ledgers.</para>
/// </summary>
public static class ControlTotalsQuery
{
    public static async Task<ControlTotalsReport> LoadAsync(OpsDbContext db, DateOnly from, DateOnly to,
        CancellationToken cancellationToken = default)
    {
        if (to < from) throw DomainException.BadInput("RANGE_REVERSED", "The range ends before it starts.");
        if (to.DayNumber - from.DayNumber > 366)
            throw DomainException.BadInput("RANGE_TOO_LONG", "Control totals cover at most a year at a time.");

        var latest = await LatestRuns(db.Set<ReconRun>().Where(r => r.BusinessDate >= from && r.BusinessDate <= to))
            .ToListAsync(cancellationToken);
        var runIds = latest.Select(r => r.RunId).ToList();
        var stored = await db.Set<RunControlTotal>().AsNoTracking().Where(t => runIds.Contains(t.RunId))
            .ToListAsync(cancellationToken);
        var covered = stored.Select(t => t.BusinessDate).ToHashSet();

        var allDates = Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(from.AddDays).ToList();
        var reconciled = latest.Select(r => r.Date).ToHashSet();
        var notReconciled = allDates.Where(d => !reconciled.Contains(d)).ToList();
        var withoutTotals = allDates.Where(d => reconciled.Contains(d) && !covered.Contains(d)).ToList();

        var groups = await FindingGroupsAsync(db, from, to, cancellationToken);
        var byType = new Dictionary<FindingType, (int Count, long Difference)>();
        var perDay = covered.ToDictionary(d => d, _ => 0L);
        long unmatched = 0;
        foreach (var g in groups)
        {
            var internalCounts = g.InternalDate is { } id && covered.Contains(id);
            var externalCounts = g.ExternalDate is { } ed && covered.Contains(ed);
            if (!internalCounts && !externalCounts) continue;
            var difference = (internalCounts ? g.Internal : 0) - (externalCounts ? g.External : 0);
            if (internalCounts)
            {
                perDay[g.InternalDate!.Value] += g.Internal;
                unmatched += g.InternalCount;
            }
            if (externalCounts) perDay[g.ExternalDate!.Value] -= g.External;
            var t = byType.GetValueOrDefault(g.Type);
            byType[g.Type] = (t.Count + g.Count, t.Difference + difference);
        }

        var krw = stored.Where(t => t.Currency == Money.LedgerCurrency).ToList();
        var ledger = new CurrencyTotals(Money.LedgerCurrency,
            krw.Aggregate(LedgerSide.Empty, (s, t) => s.Plus(t.Ours)), krw.Aggregate(PgSide.Empty, (s, t) => s.Plus(t.Pg)));
        var others = stored.Where(t => t.Currency != Money.LedgerCurrency).GroupBy(t => t.Currency)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new CurrencyTotals(g.Key, g.Aggregate(LedgerSide.Empty, (s, t) => s.Plus(t.Ours)),
                g.Aggregate(PgSide.Empty, (s, t) => s.Plus(t.Pg))))
            .ToList();
        var days = krw.OrderBy(t => t.BusinessDate)
            .Select(t => new DayControl(t.BusinessDate, t.RunId, t.Ours.Net, t.Pg.Gross, perDay[t.BusinessDate]))
            .ToList();
        var types = byType.Select(kv => new FindingDifference(kv.Key, kv.Value.Count, kv.Value.Difference))
            .OrderBy(t => t.Type).ToList();
        return new ControlTotalsReport(from, to, ledger, others, unmatched, types, days, notReconciled, withoutTotals);
    }

    /// <summary>The latest SUCCEEDED run of each business date.</summary>
    private static IQueryable<LatestRun> LatestRuns(IQueryable<ReconRun> runs) =>
        runs.Where(r => r.Status == RunStatus.SUCCEEDED)
            .GroupBy(r => r.BusinessDate)
            .Select(g => new LatestRun { Date = g.Key, RunId = g.Max(r => r.Id) });

    private sealed class LatestRun
    {
        public DateOnly Date { get; init; }
        public long RunId { get; init; }
    }

    private sealed record FindingGroup(DateOnly? InternalDate, DateOnly? ExternalDate, FindingType Type, int Count,
        int InternalCount, long Internal, long External);

    /// <summary>
    /// The standing findings with a side in the range, grouped by (internal date, sold date, type): those of the
    /// range's business dates (index on business date), then those of other dates whose PG lines were sold in the
    /// range (a DATE_MISMATCH of the day before; partial index on the sold date of such findings).
    /// </summary>
    private static async Task<List<FindingGroup>> FindingGroupsAsync(OpsDbContext db, DateOnly from, DateOnly to,
        CancellationToken ct)
    {
        // A finding stands when the date's latest full run or a later incremental run saw it, and no later successful
        // run compared its key without seeing it (an incremental run compares only changed keys: the findings of
        // unchanged keys stand as the full run left them). Only a date with a successful incremental run after its
        // latest full run can have such a later run, so only that date's findings pay for the anti-join against the
        // run keys; the others (most dates: the day's scheduled full run, nothing after) are read from the date index.
        var runs = db.Set<ReconRun>().AsNoTracking().Where(r => r.Status == RunStatus.SUCCEEDED);
        var latestFull = runs.Where(r => r.Scope == RunScope.FULL).GroupBy(r => r.BusinessDate)
            .Select(g => new { Date = g.Key, RunId = g.Max(r => r.Id) });
        var rerunDates = await runs.Where(r => r.Scope != RunScope.FULL
                                               && latestFull.Any(f => f.Date == r.BusinessDate && f.RunId < r.Id))
            .Select(r => r.BusinessDate).Distinct().ToListAsync(ct);
        var seenByLatest = from f in db.Set<Finding>().AsNoTracking()
                           join full in latestFull on f.BusinessDate equals full.Date
                           where f.Verdict == FindingVerdict.CONFIRMED && f.LastRunId >= full.RunId
                           select f;
        var standingSets = new List<IQueryable<Finding>> { seenByLatest.Where(f => !rerunDates.Contains(f.BusinessDate)) };
        if (rerunDates.Count > 0)
            standingSets.Add(seenByLatest.Where(f => rerunDates.Contains(f.BusinessDate)
                && !db.Set<ReconRunKey>().Any(k => k.TransactionKey == f.TransactionKey && k.RunId > f.LastRunId
                    && runs.Any(r => r.Id == k.RunId && r.BusinessDate == f.BusinessDate))));
        var groups = new List<FindingGroup>();
        foreach (var standing in standingSets)
        {
            var ofRange = standing.Where(f => f.BusinessDate >= from && f.BusinessDate <= to);
            var soldInRange = standing.Where(f => f.ExternalSoldDate != null && f.ExternalSoldDate != f.BusinessDate
                                                  && f.ExternalSoldDate >= from && f.ExternalSoldDate <= to
                                                  && (f.BusinessDate < from || f.BusinessDate > to));
            foreach (var query in new[] { ofRange, soldInRange })
            {
                groups.AddRange(await query
                    .GroupBy(f => new { f.InternalBusinessDate, f.ExternalSoldDate, f.Type })
                    .Select(g => new FindingGroup(g.Key.InternalBusinessDate, g.Key.ExternalSoldDate, g.Key.Type, g.Count(),
                        g.Count(f => f.InternalAmount != null), g.Sum(f => f.InternalAmount ?? 0),
                        g.Sum(f => f.ExternalAmountTotal ?? 0)))
                    .ToListAsync(ct));
            }
        }
        return groups;
    }
}
