using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation.Findings;

/// <summary>How long unresolved findings have waited since a run first found them.</summary>
public enum AgeBucket
{
    UpToOneDay,
    OneToThreeDays,
    ThreeToSevenDays,
    OverSevenDays,
}

/// <summary>Unresolved confirmed findings of one type and age bucket.</summary>
public sealed record AgingCell(FindingType Type, AgeBucket Age, int Count, decimal MoneyAtRisk);

/// <summary>Resolved findings of a date by one resolver (<see cref="FindingWorkload.SystemResolver"/>: auto-resolved by a run).</summary>
public sealed record ResolverTotal(string ResolvedBy, int Count, decimal Money)
{
    public bool IsSystem => ResolvedBy == FindingWorkload.SystemResolver;
}

/// <summary>Findings resolved on one day in a currency other than KRW: never added to the KRW sum.</summary>
public sealed record ResolvedCurrencyTotal(string Currency, int Count, long Money);

/// <summary>
/// Confirmed findings whose resolution (RESOLVED by a person, AUTO_RESOLVED by a run) happened on <see cref="Day"/>
/// (KST), whatever their business date: <see cref="Count"/> over every currency, <see cref="Money"/> in KRW,
/// <see cref="OtherCurrencies"/> apart, <see cref="ByWhom"/> with counts over every currency and KRW money.
/// </summary>
public sealed record ResolvedOnDay(DateOnly Day, int Count, decimal Money, IReadOnlyList<ResolverTotal> ByWhom,
    IReadOnlyList<ResolvedCurrencyTotal> OtherCurrencies);

/// <summary>
/// The work around findings, for the dashboard: the unresolved backlog by age and type (<see cref="AgingAsync"/>) and
/// who resolved a date's findings (<see cref="ResolvedByAsync"/>). Unresolved and resolved as <see cref="Finding"/> defines them.
/// </summary>
public static class FindingWorkload
{
    /// <summary>The resolver name of findings a run auto-resolved.</summary>
    public const string SystemResolver = ReconciliationSqlGenerator.ResolvedBySystem;

    public static readonly IReadOnlyList<(AgeBucket Bucket, string Label)> Buckets =
    [
        (AgeBucket.UpToOneDay, "0–1 d"),
        (AgeBucket.OneToThreeDays, "1–3 d"),
        (AgeBucket.ThreeToSevenDays, "3–7 d"),
        (AgeBucket.OverSevenDays, "> 7 d"),
    ];

    /// <summary>Unresolved confirmed findings by type and by age (since first seen, at <paramref name="now"/>).</summary>
    /// <param name="pg">Only this PG connection's findings; null: every PG.</param>
    public static async Task<IReadOnlyList<AgingCell>> AgingAsync(OpsDbContext db, DateTimeOffset now,
        CancellationToken cancellationToken = default, string? pg = null)
    {
        var oneDay = now.AddDays(-1);
        var threeDays = now.AddDays(-3);
        var sevenDays = now.AddDays(-7);
        var rows = await OfPg(db.Set<Finding>().AsNoTracking(), pg)
            .Where(f => f.Verdict == FindingVerdict.CONFIRMED).Where(Finding.IsUnresolved)
            .GroupBy(f => new
            {
                f.Type,
                Age = f.FirstSeenAt >= oneDay ? 0 : f.FirstSeenAt >= threeDays ? 1 : f.FirstSeenAt >= sevenDays ? 2 : 3,
            })
            .Select(g => new { g.Key.Type, g.Key.Age, Count = g.Count(), Money = g.Sum(f => (decimal)f.MoneyAtRisk) })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new AgingCell(r.Type, (AgeBucket)r.Age, r.Count, r.Money)).ToList();
    }

    /// <summary>
    /// Resolved findings (<see cref="Finding.IsResolved"/>) whose resolution happened on the KST day <paramref name="day"/>:
    /// THE definition of "resolved on a day", used by the dashboard's "resolved today" and the grid's resolution-date filter.
    /// A range of <see cref="Finding.ResolvedAt"/> (answered by its index), never a function of it.
    /// </summary>
    public static Expression<Func<Finding, bool>> ResolvedOn(DateOnly day)
    {
        var from = BusinessCalendar.StartOfDayUtc(day);
        var to = BusinessCalendar.StartOfDayUtc(day.AddDays(1));
        return f => f.ResolvedAt >= from && f.ResolvedAt < to &&
                    (f.Status == FindingStatus.RESOLVED || f.Status == FindingStatus.AUTO_RESOLVED);
    }

    /// <summary>The confirmed findings resolved on the KST day <paramref name="day"/> (any business date): count, KRW, other currencies, by whom.</summary>
    public static async Task<ResolvedOnDay> ResolvedOnAsync(OpsDbContext db, DateOnly day,
        CancellationToken cancellationToken = default, string? pg = null)
    {
        var rows = await OfPg(db.Set<Finding>().AsNoTracking(), pg)
            .Where(f => f.Verdict == FindingVerdict.CONFIRMED).Where(ResolvedOn(day))
            .GroupBy(f => new { f.ResolvedBy, f.Currency })
            .Select(g => new { By = g.Key.ResolvedBy, g.Key.Currency, Count = g.Count(), Money = g.Sum(f => (decimal)f.MoneyAtRisk) })
            .ToListAsync(cancellationToken);
        static bool Krw(string? currency) => currency is null or Common.Money.LedgerCurrency;
        var byWhom = rows.GroupBy(r => r.By ?? "unknown")
            .Select(g => new ResolverTotal(g.Key, g.Sum(r => r.Count), g.Where(r => Krw(r.Currency)).Sum(r => r.Money)))
            .OrderByDescending(r => r.Count).ThenBy(r => r.ResolvedBy, StringComparer.Ordinal).ToList();
        var others = rows.Where(r => !Krw(r.Currency)).GroupBy(r => r.Currency!)
            .Select(g => new ResolvedCurrencyTotal(g.Key, g.Sum(r => r.Count), (long)g.Sum(r => r.Money)))
            .OrderBy(c => c.Currency, StringComparer.Ordinal).ToList();
        return new ResolvedOnDay(day, rows.Sum(r => r.Count), rows.Where(r => Krw(r.Currency)).Sum(r => r.Money), byWhom, others);
    }

    /// <summary>The confirmed findings of <paramref name="date"/> that are resolved, by who resolved them (most first).</summary>
    public static Task<IReadOnlyList<ResolverTotal>> ResolvedByAsync(OpsDbContext db, DateOnly date,
        CancellationToken cancellationToken = default, string? pg = null) =>
        ResolvedByAsync(OfPg(db.Set<Finding>(), pg).Where(f => f.Verdict == FindingVerdict.CONFIRMED && f.BusinessDate == date),
            cancellationToken);

    /// <summary>The findings of PG connection <paramref name="pg"/>; all of them for null.</summary>
    public static IQueryable<Finding> OfPg(IQueryable<Finding> findings, string? pg) =>
        pg is null ? findings : findings.Where(f => f.Pg == pg);

    /// <summary>The resolved findings among <paramref name="findings"/> (e.g. a grid filter's), by who resolved them (money in KRW only).</summary>
    public static async Task<IReadOnlyList<ResolverTotal>> ResolvedByAsync(IQueryable<Finding> findings,
        CancellationToken cancellationToken = default)
    {
        var rows = await findings.AsNoTracking().Where(Finding.IsResolved)
            .GroupBy(f => f.ResolvedBy)
            .Select(g => new { By = g.Key, Count = g.Count(), Money = g.Sum(f => f.Currency == null || f.Currency == Common.Money.LedgerCurrency ? (decimal)f.MoneyAtRisk : 0m) })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new ResolverTotal(r.By ?? "unknown", r.Count, r.Money))
            .OrderByDescending(r => r.Count).ThenBy(r => r.ResolvedBy, StringComparer.Ordinal).ToList();
    }
}

/// <summary>
/// The dashboard's backlog look-ups read only unresolved confirmed findings: "Needs attention" (unassigned, oldest
/// first — reads its ten rows from the index), and the date's unresolved by type, the 30-day trend and the aging matrix
/// (answered from the backlog index alone). Partial, so resolved findings, the bulk of a long history, are not in them. "Resolved on a
/// day" (<see cref="FindingWorkload.ResolvedOn"/>) reads its range of the resolved_at index.
/// </summary>
internal sealed class FindingWorkloadIndexConfiguration : Microsoft.EntityFrameworkCore.IEntityTypeConfiguration<Finding>
{
    private const string Unresolved = "verdict = 'CONFIRMED' AND status IN ('OPEN', 'ACKNOWLEDGED')";

    public void Configure(Microsoft.EntityFrameworkCore.Metadata.Builders.EntityTypeBuilder<Finding> b)
    {
        b.HasIndex(f => f.FirstSeenAt, "unassigned_backlog").HasFilter(Unresolved + " AND assignee IS NULL")
            .HasDatabaseName("ix_recon_findings_unassigned_backlog");
        // The unresolved backlog by business date, with what the dashboard groups and sums: the date's unresolved by type
        // and currency (one date's range), the 30-day trend (30 dates' range) and the aging matrix (the whole index) are
        // index-only scans of the backlog alone. Before it the trend read every finding of its 30 days from the table,
        // resolved ones included (13,429 pages against 1,332 at 300,000 findings).
        b.HasIndex(f => f.BusinessDate, "backlog").HasFilter(Unresolved)
            .IncludeProperties(f => new { f.Type, f.FirstSeenAt, f.Currency, f.MoneyAtRisk })
            .HasDatabaseName("ix_recon_findings_backlog");
        // "Resolved today" and the grid's resolution-date filter: a day's range of resolved_at; on PostgreSQL the
        // dashboard's grouping is answered from the index alone.
        b.HasIndex(f => f.ResolvedAt, "resolved_at").IncludeProperties(f => new { f.Status, f.Verdict, f.ResolvedBy, f.Currency, f.MoneyAtRisk })
            .HasDatabaseName("ix_recon_findings_resolved_at");
    }
}
