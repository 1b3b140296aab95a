using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation.Findings;

/// <summary>
/// How many findings match a filter, and the money at risk of the unresolved ones among them
/// (<see cref="Finding.IsUnresolved"/>): resolved findings match the filter but put nothing at risk.
/// </summary>
public sealed record FindingTotals(int Count, long MoneyAtRisk);

/// <summary>
/// One page of the discrepancy grid. <see cref="Totals"/> is exact when <see cref="TotalsAreExact"/>; otherwise
/// more than <see cref="FindingGridQuery.ExactTotalLimit"/> findings match and it covers the first of them only.
/// </summary>
public sealed record FindingGridPage(IReadOnlyList<Finding> Items, FindingTotals Totals, bool TotalsAreExact);

/// <summary>
/// The discrepancy grid's server query: <see cref="FindingFilter.Apply"/> → count and sum → <see cref="FindingFilter.Sort"/>
/// → Skip/Take. Counting every match of a broad filter reads every matching row (a million findings: hundreds
/// of milliseconds), so a page counts at most <see cref="ExactTotalLimit"/> + 1 matches — exact whenever a bulk
/// action may apply to them all (<see cref="FindingBulkActions.MaxFindings"/>; beyond it the action refuses) — and the page asks
/// <see cref="TotalsAsync"/> for the exact figures separately, without holding up the rows.
/// The page and <c>bench console</c> both call this, so the benchmark times what operators wait for.
/// </summary>
public static class FindingGridQuery
{
    public const int ExactTotalLimit = FindingBulkActions.MaxFindings;

    public static async Task<FindingGridPage> LoadAsync(OpsDbContext db, FindingFilter filter, string? sortBy,
        bool descending, int page, int pageSize, CancellationToken cancellationToken)
    {
        var query = filter.Apply(db.Set<Finding>().AsNoTracking());
        var totals = await TotalsAsync(query.Select(Finding.UnresolvedMoneyAtRisk).Take(ExactTotalLimit + 1), cancellationToken);
        var items = totals.Count == 0
            ? []
            : await FindingFilter.Sort(query, sortBy, descending).Skip(page * pageSize).Take(pageSize)
                .ToListAsync(cancellationToken);
        return new FindingGridPage(items, totals, totals.Count <= ExactTotalLimit);
    }

    /// <summary>The exact count of everything <paramref name="filter"/> matches and the money at risk of the unresolved among them.</summary>
    public static Task<FindingTotals> TotalsAsync(OpsDbContext db, FindingFilter filter, CancellationToken cancellationToken) =>
        TotalsAsync(filter.Apply(db.Set<Finding>().AsNoTracking()).Select(Finding.UnresolvedMoneyAtRisk), cancellationToken);

    private static async Task<FindingTotals> TotalsAsync(IQueryable<long> moneyAtRisk, CancellationToken cancellationToken) =>
        await moneyAtRisk.GroupBy(_ => 1).Select(g => new FindingTotals(g.Count(), g.Sum()))
            .FirstOrDefaultAsync(cancellationToken) ?? new FindingTotals(0, 0);
}
