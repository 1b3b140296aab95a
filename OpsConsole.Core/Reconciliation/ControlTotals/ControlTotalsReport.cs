namespace OpsConsole.Core.Reconciliation.ControlTotals;

/// <summary>One currency's totals over the reconciled dates of a report.</summary>
public sealed record CurrencyTotals(string Currency, LedgerSide Ours, PgSide Pg)
{
    /// <summary>Our net minus the PG's gross: what the findings must explain.</summary>
    public long Difference => Ours.Net - Pg.Gross;
}

/// <summary>The findings of one type that explain part of the difference: how many and their signed differences (ours − PG).</summary>
public sealed record FindingDifference(FindingType Type, int Count, long Difference);

/// <summary>One reconciled date of one PG connection (<see cref="Pg"/>) in a report: its run, the ledgers' difference and
/// what the findings explain. A date reconciled for several PGs has one per PG.</summary>
public sealed record DayControl(DateOnly Date, long RunId, long OurNet, long PgGross, long FindingsDifference, string Pg = "")
{
    public long Unexplained => OurNet - PgGross - FindingsDifference;
    public bool AddsUp => Unexplained == 0;
}

/// <summary>
/// The control totals finance signs a day (or a range of days) off with, in the ledger currency (KRW):
/// our ledger, the PG's lines, how many of our transactions matched, and the reconciling line
/// <c>our net − PG gross = Σ findings' signed differences</c> (<see cref="AddsUp"/>). Only dates with a successful
/// run that recorded totals count (<see cref="Days"/>); the others are listed, never treated as clean.
/// Other currencies' PG lines are reported apart (<see cref="OtherCurrencies"/>), never summed into KRW.
/// </summary>
public sealed record ControlTotalsReport(
    DateOnly From,
    DateOnly To,
    CurrencyTotals Ledger,
    IReadOnlyList<CurrencyTotals> OtherCurrencies,
    long UnmatchedTransactions,
    IReadOnlyList<FindingDifference> ByType,
    IReadOnlyList<DayControl> Days,
    IReadOnlyList<DateOnly> NotReconciled,
    IReadOnlyList<DateOnly> WithoutTotals,
    IReadOnlyList<TotalsCheck>? Checks = null)
{
    /// <summary>The latest verification of each (date, PG) of the report (<see cref="ControlTotalsVerifier"/>).</summary>
    public IReadOnlyList<TotalsCheck> LastChecks => Checks ?? [];

    /// <summary>The dates and PGs whose latest verification found the totals drifted from the ledgers (and corrected them).</summary>
    public IReadOnlyList<TotalsCheck> Drifted => LastChecks.Where(c => c.Drifted).ToList();

    /// <summary>Each PG's sums over its reconciled dates (KRW), in name order: each adds up on its own.</summary>
    public IReadOnlyList<PgControl> ByPg => Days.GroupBy(d => d.Pg)
        .OrderBy(g => g.Key, StringComparer.Ordinal)
        .Select(g => new PgControl(g.Key, g.Sum(d => d.OurNet), g.Sum(d => d.PgGross), g.Sum(d => d.FindingsDifference)))
        .ToList();

    public bool HasTotals => Days.Count > 0;

    public long FindingsDifference => ByType.Sum(t => t.Difference);

    public int FindingsCount => ByType.Sum(t => t.Count);

    /// <summary>What no finding explains: 0 when the day adds up.</summary>
    public long Unexplained => Ledger.Difference - FindingsDifference;

    /// <summary>Every covered date adds up (and so does their sum).</summary>
    public bool AddsUp => HasTotals && Unexplained == 0 && Days.All(d => d.AddsUp);

    /// <summary>Our transactions without a confirmed finding: both ledgers agree on every compared field.</summary>
    public long Matched => Math.Max(0, Ledger.Ours.Count - UnmatchedTransactions);

    /// <summary>Matched share of our transactions (null without transactions).</summary>
    public double? MatchRate => Ledger.Ours.Count == 0 ? null : (double)Matched / Ledger.Ours.Count;

    public bool IsRange => From != To;
}

/// <summary>One PG's control totals over a report's reconciled dates (KRW).</summary>
public sealed record PgControl(string Pg, long OurNet, long PgGross, long FindingsDifference)
{
    public long Unexplained => OurNet - PgGross - FindingsDifference;
    public bool AddsUp => Unexplained == 0;
}

/// <summary>The latest check of one (date, PG)'s recorded control totals against the ledgers: when, and whether it found
/// (and corrected) a drift — a write that bypassed the write paths — of <see cref="OurNetDrift"/> / <see cref="PgGrossDrift"/> KRW.</summary>
public sealed record TotalsCheck(DateOnly Date, string Pg, DateTimeOffset VerifiedAt, bool Drifted, long OurNetDrift,
    long PgGrossDrift, string? Drift);
