using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation.ControlTotals;

/// <summary>
/// Builds a <see cref="ControlTotalsReport"/> for a KST date or range: the stored totals of each (date, PG)'s latest
/// successful run (<see cref="RunControlTotal"/>, a few rows per date and PG) and the signed differences of the findings
/// that run left standing, in two grouped queries over the findings' date indexes. Runs are per PG connection: a date's
/// totals are the sum over its PGs' runs (or one PG's, with <c>pg</c>), and each (date, PG) is one <see cref="DayControl"/>.
/// <para>The findings that explain a date: CONFIRMED findings seen by the latest successful run of their own business
/// date (older sightings no longer describe the ledgers). A finding's signed difference on a date is its internal
/// amount when its transaction belongs to the date, minus the PG's amount when its lines' sold date is the date (cancels
/// are negative on both sides). So a DATE_MISMATCH adds our amount to our date and takes the PG's amount from the PG's
/// date: over a range holding both it nets to zero, exactly like the ledgers.</para>
/// </summary>
public static class ControlTotalsQuery
{
    /// <param name="pg">One PG connection's totals; null: every PG's, summed per date.</param>
    public static async Task<ControlTotalsReport> LoadAsync(OpsDbContext db, DateOnly from, DateOnly to,
        CancellationToken cancellationToken = default, string? pg = null)
    {
        if (to < from) throw DomainException.BadInput("RANGE_REVERSED", "The range ends before it starts.");
        if (to.DayNumber - from.DayNumber > 366)
            throw DomainException.BadInput("RANGE_TOO_LONG", "Control totals cover at most a year at a time.");

        var ofRange = db.Set<ReconRun>().Where(r => r.BusinessDate >= from && r.BusinessDate <= to);
        if (pg is not null) ofRange = ofRange.Where(r => r.Pg == pg);
        var latest = await LatestRuns(ofRange).ToListAsync(cancellationToken);
        var runIds = latest.Select(r => r.RunId).ToList();
        var pgOfRun = latest.ToDictionary(r => r.RunId, r => r.Pg);
        var stored = await db.Set<RunControlTotal>().AsNoTracking().Where(t => runIds.Contains(t.RunId))
            .ToListAsync(cancellationToken);
        var coveredRuns = stored.Select(t => (t.BusinessDate, Pg: pgOfRun[t.RunId])).ToHashSet();
        var covered = coveredRuns.Select(c => c.BusinessDate).ToHashSet();

        var allDates = Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(from.AddDays).ToList();
        var reconciled = latest.Select(r => r.Date).ToHashSet();
        var notReconciled = allDates.Where(d => !reconciled.Contains(d)).ToList();
        var withoutTotals = allDates.Where(d => reconciled.Contains(d) && !covered.Contains(d)).ToList();

        var groups = await FindingGroupsAsync(db, from, to, pg, cancellationToken);
        var byType = new Dictionary<FindingType, (int Count, long Difference)>();
        var perDay = coveredRuns.ToDictionary(d => d, _ => 0L);
        long unmatched = 0;
        foreach (var g in groups)
        {
            var internalCounts = g.InternalDate is { } id && coveredRuns.Contains((id, g.Pg));
            var externalCounts = g.ExternalDate is { } ed && coveredRuns.Contains((ed, g.Pg));
            if (!internalCounts && !externalCounts) continue;
            var difference = (internalCounts ? g.Internal : 0) - (externalCounts ? g.External : 0);
            if (internalCounts)
            {
                perDay[(g.InternalDate!.Value, g.Pg)] += g.Internal;
                unmatched += g.InternalCount;
            }
            if (externalCounts) perDay[(g.ExternalDate!.Value, g.Pg)] -= g.External;
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
        var days = krw.OrderBy(t => t.BusinessDate).ThenBy(t => pgOfRun[t.RunId], StringComparer.Ordinal)
            .Select(t => new DayControl(t.BusinessDate, t.RunId, t.Ours.Net, t.Pg.Gross,
                perDay[(t.BusinessDate, pgOfRun[t.RunId])], pgOfRun[t.RunId]))
            .ToList();
        var types = byType.Select(kv => new FindingDifference(kv.Key, kv.Value.Count, kv.Value.Difference))
            .OrderBy(t => t.Type).ToList();
        return new ControlTotalsReport(from, to, ledger, others, unmatched, types, days, notReconciled, withoutTotals,
            await LastChecksAsync(db, from, to, pg, cancellationToken));
    }

    /// <summary>The latest verification of each date and PG of the range (<see cref="ControlTotalsVerifier"/>; a small table).</summary>
    private static async Task<IReadOnlyList<TotalsCheck>> LastChecksAsync(OpsDbContext db, DateOnly from, DateOnly to,
        string? pg, CancellationToken ct)
    {
        var ofRange = db.Set<ControlTotalsVerification>().AsNoTracking().Where(v => v.BusinessDate >= from && v.BusinessDate <= to);
        if (pg is not null) ofRange = ofRange.Where(v => v.Pg == pg);
        var latest = ofRange.GroupBy(v => new { v.BusinessDate, v.Pg }).Select(g => g.Max(v => v.Id));
        var rows = await ofRange.Where(v => latest.Contains(v.Id)).ToListAsync(ct);
        return rows.OrderBy(v => v.BusinessDate).ThenBy(v => v.Pg, StringComparer.Ordinal)
            .Select(v => new TotalsCheck(v.BusinessDate, v.Pg, v.VerifiedAt, v.Drifted, v.OurNetDrift, v.PgGrossDrift, v.Drift))
            .ToList();
    }

    /// <summary>The latest SUCCEEDED run of each business date and PG.</summary>
    private static IQueryable<LatestRun> LatestRuns(IQueryable<ReconRun> runs) =>
        runs.Where(r => r.Status == RunStatus.SUCCEEDED)
            .GroupBy(r => new { r.BusinessDate, r.Pg })
            .Select(g => new LatestRun { Date = g.Key.BusinessDate, Pg = g.Key.Pg, RunId = g.Max(r => r.Id) });

    private sealed class LatestRun
    {
        public DateOnly Date { get; init; }
        public string Pg { get; init; } = "";
        public long RunId { get; init; }
    }

    private sealed record FindingGroup(DateOnly? InternalDate, DateOnly? ExternalDate, FindingType Type, string Pg, int Count,
        int InternalCount, long Internal, long External);

    /// <summary>
    /// The standing findings with a side in the range, grouped by (internal date, sold date, type): those of the
    /// range's business dates (index on business date), then those of other dates whose PG lines were sold in the
    /// range (a DATE_MISMATCH of the day before; partial index on the sold date of such findings).
    /// </summary>
    private static async Task<List<FindingGroup>> FindingGroupsAsync(OpsDbContext db, DateOnly from, DateOnly to,
        string? pg, CancellationToken ct)
    {
        // A finding stands when the date's latest run that carried nothing (a full run that wrote every finding it saw)
        // or a later run saw it, and no later successful run took its key without seeing it (a run that carries writes
        // only its keys — an incremental run's changed keys, a full run's keys whose data or state changed — and the
        // findings of the other keys stand as the run before left them: RunSightings). Only a date with a successful
        // carrying run after that run can have such a later run, so only that date's findings pay for the anti-join
        // against the run keys; the others (a date run once) are read from the date index.
        // Per PG: a finding stands by the runs of its own (business date, PG).
        var runs = db.Set<ReconRun>().AsNoTracking().Where(r => r.Status == RunStatus.SUCCEEDED);
        if (pg is not null) runs = runs.Where(r => r.Pg == pg);
        var latestWritingAll = runs.Where(r => r.CarriedFromRunId == null).GroupBy(r => new { r.BusinessDate, r.Pg })
            .Select(g => new { Date = g.Key.BusinessDate, g.Key.Pg, RunId = g.Max(r => r.Id) });
        var reruns = await runs.Where(r => r.CarriedFromRunId != null
                                           && latestWritingAll.Any(f => f.Date == r.BusinessDate && f.Pg == r.Pg && f.RunId < r.Id))
            .Select(r => new { r.BusinessDate, r.Pg }).Distinct().ToListAsync(ct);
        // The (date, PG) pairs are few; the dates × PGs of them may include a pair without a rerun, which then merely
        // pays for the anti-join (exact either way).
        var rerunDates = reruns.Select(r => r.BusinessDate).Distinct().ToList();
        var rerunPgs = reruns.Select(r => r.Pg).Distinct().ToList();
        var seenByLatest = from f in db.Set<Finding>().AsNoTracking()
                           join full in latestWritingAll on new { f.BusinessDate, f.Pg } equals new { BusinessDate = full.Date, full.Pg }
                           where f.Verdict == FindingVerdict.CONFIRMED && f.LastRunId >= full.RunId
                           select f;
        var standingSets = new List<IQueryable<Finding>>
        {
            seenByLatest.Where(f => !(rerunDates.Contains(f.BusinessDate) && rerunPgs.Contains(f.Pg))),
        };
        if (reruns.Count > 0)
            standingSets.Add(seenByLatest.Where(f => rerunDates.Contains(f.BusinessDate) && rerunPgs.Contains(f.Pg)
                && !db.Set<ReconRunKey>().Any(k => k.TransactionKey == f.TransactionKey && k.RunId > f.LastRunId
                    && runs.Any(r => r.Id == k.RunId && r.BusinessDate == f.BusinessDate && r.Pg == f.Pg))));
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
                    .GroupBy(f => new { f.InternalBusinessDate, f.ExternalSoldDate, f.Type, f.Pg })
                    .Select(g => new FindingGroup(g.Key.InternalBusinessDate, g.Key.ExternalSoldDate, g.Key.Type, g.Key.Pg, g.Count(),
                        g.Count(f => f.InternalAmount != null), g.Sum(f => f.InternalAmount ?? 0),
                        g.Sum(f => f.ExternalAmountTotal ?? 0)))
                    .ToListAsync(ct));
            }
        }
        return groups;
    }
}
