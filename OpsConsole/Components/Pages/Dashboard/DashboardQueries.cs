using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.ControlTotals;
using OpsConsole.Core.Reconciliation.Findings;

namespace OpsConsole.Components.Pages.Dashboard;

/// <summary>Money sums are decimals: a day of many large findings can exceed a 64-bit integer.</summary>
public sealed record TypeTotal(FindingType Type, int Count, decimal MoneyAtRisk);

public sealed record DayTotal(DateOnly Date, int Count, decimal MoneyAtRisk);

/// <summary>Unresolved findings of a date in a currency other than KRW: their money is shown apart, never added to KRW.</summary>
public sealed record CurrencyTotal(string Currency, int Count, long MoneyAtRisk);

/// <summary>One PG's unresolved findings of the date (money in KRW) and whether its run of the date succeeded.</summary>
public sealed record PgTotal(string Pg, int Count, decimal MoneyAtRisk, bool Reconciled);

/// <summary>Confirmed findings of a date that are resolved (RESOLVED or AUTO_RESOLVED): the work done.</summary>
public sealed record ResolvedTotal(int Count, decimal Money);

/// <summary>
/// <see cref="ByType"/> and <see cref="MoneyAtRisk"/> cover unresolved findings only (<see cref="Finding.IsUnresolved"/>);
/// <see cref="Resolved"/> the resolved ones; <see cref="ResolvedToday"/> every finding resolved today (KST), whatever its
/// business date. <see cref="Reconciled"/>: every PG shown (<see cref="Pg"/>, or each configured one) has a SUCCEEDED
/// run of the date — without one, no findings means "not reconciled yet", never "clean"; <see cref="NotReconciledPgs"/>
/// names the PGs still missing one. <see cref="ByPg"/>: the date's figures per PG (every PG shown, also those without
/// findings).
/// </summary>
public sealed record DashboardData(DateOnly Date, IReadOnlyList<TypeTotal> ByType, IReadOnlyList<DayTotal> Trend,
    IReadOnlyList<ReconRun> LatestRuns, IReadOnlyList<Finding> NeedsAttention, int NeedsAttentionTotal,
    ResolvedTotal Resolved, bool Reconciled, IReadOnlyList<ResolverTotal> ResolvedBy, ControlTotalsReport ControlTotals,
    IReadOnlyList<AgingCell> Aging, IReadOnlyList<CurrencyTotal>? OtherCurrencies = null, ResolvedOnDay? ResolvedToday = null,
    string? Pg = null, IReadOnlyList<PgTotal>? ByPg = null, IReadOnlyList<string>? NotReconciledPgs = null)
{
    /// <summary>Money at risk is KRW; counts include every currency (see <see cref="OtherCurrencies"/>).</summary>
    public int Count => ByType.Sum(t => t.Count);
    public decimal MoneyAtRisk => ByType.Sum(t => t.MoneyAtRisk);
}

/// <summary>
/// The landing page's numbers, each one grouped query: confirmed findings of a KST business date by type,
/// a 30-day trend, the latest runs, confirmed findings nobody has picked up (oldest, then largest first), the date's
/// control totals (<see cref="ControlTotalsQuery"/>) and the unresolved backlog by age (<see cref="FindingWorkload"/>).
/// Money at risk counts unresolved findings only; resolved ones (by a person, or auto-resolved because a later run
/// no longer saw them) are reported separately for the date.
/// </summary>
/// <para>Every figure is of one PG connection (<c>pg</c>) or of every PG (null): runs are per (date, PG), so "reconciled"
/// means each shown PG has a successful run of the date.</para>
public sealed class DashboardQueries(IDbContextFactory<OpsDbContext> dbFactory, TimeProvider clock,
    Core.Gateway.PgConnections? connections = null)
{
    private readonly Core.Gateway.PgConnections _connections = connections ?? Core.Gateway.PgConnections.Single;

    public const int TrendDays = 30;

    /// <summary>The date of the latest run, else yesterday (KST): the day finance reviews in the morning.</summary>
    public async Task<DateOnly> DefaultDateAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var latest = await db.Set<ReconRun>().OrderByDescending(r => r.Id).Select(r => (DateOnly?)r.BusinessDate)
            .FirstOrDefaultAsync(cancellationToken);
        return latest ?? BusinessCalendar.Today(clock).AddDays(-1);
    }

    /// <param name="pg">One PG connection's figures; null: every PG's.</param>
    public async Task<DashboardData> LoadAsync(DateOnly date, CancellationToken cancellationToken = default, string? pg = null)
    {
        // Three independent groups of queries, each on its own context (connection), run at the same time: the date's
        // cards, the backlog (aging and who needs attention), and the date's control totals with the resolved work. At
        // 10M payments / 1M findings the aging matrix and the control totals are ~100 ms each; one after the other the
        // page took their sum.
        var today = BusinessCalendar.Today(clock);
        var now = clock.GetUtcNow();
        var ofDate = DateCardsAsync(date, pg, cancellationToken);
        var backlog = BacklogAsync(now, pg, cancellationToken);
        var totals = TotalsAsync(date, today, pg, cancellationToken);
        await Task.WhenAll(ofDate, backlog, totals);
        var (byType, trend, runs, otherCurrencies, byPg) = await ofDate;
        var (aging, attention, attentionTotal) = await backlog;
        var (controlTotals, resolvedBy, resolvedToday) = await totals;
        var resolved = new ResolvedTotal(resolvedBy.Sum(r => r.Count), resolvedBy.Sum(r => r.Money));
        var notReconciled = byPg.Where(p => !p.Reconciled).Select(p => p.Pg).ToList();

        return new DashboardData(date, byType, trend, runs, attention, attentionTotal, resolved, notReconciled.Count == 0,
            resolvedBy, controlTotals, aging, otherCurrencies, resolvedToday, pg, byPg, notReconciled);
    }

    private static IQueryable<Finding> Unresolved(OpsDbContext db, string? pg) =>
        FindingWorkload.OfPg(db.Set<Finding>().AsNoTracking(), pg).Where(f => f.Verdict == FindingVerdict.CONFIRMED)
            .Where(Finding.IsUnresolved);

    /// <summary>The PGs the dashboard shows: the one picked, else every configured one and any other that has runs.</summary>
    private async Task<List<string>> ShownPgsAsync(OpsDbContext db, string? pg, CancellationToken cancellationToken)
    {
        if (pg is not null) return [pg];
        var withRuns = await db.Set<ReconRun>().Select(r => r.Pg).Distinct().ToListAsync(cancellationToken);
        return _connections.All.Select(c => c.Name).Union(withRuns, StringComparer.Ordinal)
            .Order(StringComparer.Ordinal).ToList();
    }

    private async Task<(List<TypeTotal>, List<DayTotal>, List<ReconRun>, List<CurrencyTotal>, List<PgTotal>)> DateCardsAsync(
        DateOnly date, string? pg, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var unresolved = Unresolved(db, pg);
        var byType = (await unresolved.Where(f => f.BusinessDate == date)
                .GroupBy(f => f.Type)
                .Select(g => new { Type = g.Key, Count = g.Count(), Money = g.Sum(f => f.Currency == null || f.Currency == Money.LedgerCurrency ? (decimal)f.MoneyAtRisk : 0m) })
                .ToListAsync(cancellationToken))
            .Select(t => new TypeTotal(t.Type, t.Count, t.Money))
            .OrderByDescending(t => t.MoneyAtRisk).ToList();

        var first = date.AddDays(-(TrendDays - 1));
        var days = await unresolved.Where(f => f.BusinessDate >= first && f.BusinessDate <= date)
            .GroupBy(f => f.BusinessDate)
            .Select(g => new { Date = g.Key, Count = g.Count(), Money = g.Sum(f => f.Currency == null || f.Currency == Money.LedgerCurrency ? (decimal)f.MoneyAtRisk : 0m) })
            .ToListAsync(cancellationToken);
        var byDay = days.ToDictionary(d => d.Date);
        var trend = Enumerable.Range(0, TrendDays).Select(i => first.AddDays(i))
            .Select(d => byDay.TryGetValue(d, out var v) ? new DayTotal(d, v.Count, v.Money) : new DayTotal(d, 0, 0))
            .ToList();

        var ofPg = db.Set<ReconRun>().AsNoTracking().Where(r => pg == null || r.Pg == pg);
        var runs = await ofPg.OrderByDescending(r => r.Id).Take(5).ToListAsync(cancellationToken);

        var otherCurrencies = (await unresolved.Where(f => f.BusinessDate == date && f.Currency != null && f.Currency != Money.LedgerCurrency)
                .GroupBy(f => f.Currency!)
                .Select(g => new { Currency = g.Key, Count = g.Count(), Money = g.Sum(f => f.MoneyAtRisk) })
                .ToListAsync(cancellationToken))
            .Select(c => new CurrencyTotal(c.Currency, c.Count, c.Money)).OrderBy(c => c.Currency, StringComparer.Ordinal).ToList();

        var reconciledPgs = await ofPg.Where(r => r.BusinessDate == date && r.Status == RunStatus.SUCCEEDED)
            .Select(r => r.Pg).Distinct().ToListAsync(cancellationToken);
        var perPg = await unresolved.Where(f => f.BusinessDate == date)
            .GroupBy(f => f.Pg)
            .Select(g => new { Pg = g.Key, Count = g.Count(), Money = g.Sum(f => f.Currency == null || f.Currency == Money.LedgerCurrency ? (decimal)f.MoneyAtRisk : 0m) })
            .ToListAsync(cancellationToken);
        var byPg = (await ShownPgsAsync(db, pg, cancellationToken)).Union(perPg.Select(p => p.Pg), StringComparer.Ordinal)
            .Select(name => perPg.FirstOrDefault(p => p.Pg == name) is { } p
                ? new PgTotal(name, p.Count, p.Money, reconciledPgs.Contains(name))
                : new PgTotal(name, 0, 0, reconciledPgs.Contains(name)))
            .OrderBy(p => p.Pg, StringComparer.Ordinal).ToList();
        return (byType, trend, runs, otherCurrencies, byPg);
    }

    private async Task<(IReadOnlyList<AgingCell>, List<Finding>, int)> BacklogAsync(DateTimeOffset now, string? pg,
        CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var aging = await FindingWorkload.AgingAsync(db, now, cancellationToken, pg);
        var unassigned = Unresolved(db, pg).Where(f => f.Assignee == null);
        var attentionTotal = await unassigned.CountAsync(cancellationToken);
        var attention = await unassigned.OrderBy(f => f.FirstSeenAt).ThenByDescending(f => f.MoneyAtRisk).ThenBy(f => f.Id)
            .Take(10).ToListAsync(cancellationToken);
        return (aging, attention, attentionTotal);
    }

    private async Task<(ControlTotalsReport, IReadOnlyList<ResolverTotal>, ResolvedOnDay)> TotalsAsync(DateOnly date,
        DateOnly today, string? pg, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var controlTotals = await ControlTotalsQuery.LoadAsync(db, date, date, cancellationToken, pg);
        var resolvedBy = await FindingWorkload.ResolvedByAsync(db, date, cancellationToken, pg);
        var resolvedToday = await FindingWorkload.ResolvedOnAsync(db, today, cancellationToken, pg);
        return (controlTotals, resolvedBy, resolvedToday);
    }
}
