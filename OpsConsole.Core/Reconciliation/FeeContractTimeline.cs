using OpsConsole.Core.Common;

namespace OpsConsole.Core.Reconciliation;

/// <summary>One contract and the KST dates it is in force (both inclusive; null: unbounded on that side).</summary>
public sealed record FeeContractPeriod(FeeContract Contract, DateOnly? From, DateOnly? Until)
{
    public bool Covers(DateOnly date) => (From is null || date >= From) && (Until is null || date <= Until);

    /// <summary>The UTC instants bounding the period: from the start of <see cref="From"/> (KST) to the start of the day
    /// after <see cref="Until"/> (exclusive); null: unbounded.</summary>
    public (DateTimeOffset? Start, DateTimeOffset? End) Instants =>
        (From is { } f ? BusinessCalendar.StartOfDayUtc(f) : null, Until is { } u ? BusinessCalendar.StartOfDayUtc(u.AddDays(1)) : null);

    public string Describe() => $"{From?.ToString("yyyy-MM-dd") ?? "the first day"} to {Until?.ToString("yyyy-MM-dd") ?? "open end"}";
}

/// <summary>
/// A merchant id's contracts over time, in date order, without overlaps. A contract without
/// <see cref="FeeContract.ValidUntil"/> runs until the day before the next one's <see cref="FeeContract.ValidFrom"/>
/// (a new rate from the 1st of a month is just a new contract from that date); an explicit
/// <see cref="FeeContract.ValidUntil"/> that reaches into the next contract is an overlap and refused, and the days
/// between an explicit end and the next start have no contract.
/// <para><b>Which date picks the contract</b>: the KST date of the line's <c>approvedAt</c>. That is the day the fee was
/// incurred (the approval), not the day the PG booked or paid the line (<c>soldDate</c>, <c>paidOutDate</c>: a line sold
/// just after midnight of the 1st must not take the new rate for an approval of the 31st). A <b>cancel</b> line carries the
/// original approval's <c>approvedAt</c> (Toss's Settlement object), so a cancel refunds the fee under the contract the
/// approval was charged under, even when the cancel itself happens after a new contract started.</para>
/// <para>A line of a merchant id that has contracts, on a date none of them covers, is <b>not fee-checked</b> (no
/// expected fee): the run counts such lines of its date (<see cref="ReconRun.LinesWithoutContract"/>) and says so.
/// A merchant id without any contract is checked against the flat <c>Reconciliation:FeeRates</c>, as before.</para>
/// </summary>
public sealed class FeeContractTimeline
{
    private FeeContractTimeline(string mId, IReadOnlyList<FeeContractPeriod> periods)
    {
        MId = mId;
        Periods = periods;
    }

    public string MId { get; }

    /// <summary>The contracts in date order, each with the dates it is in force.</summary>
    public IReadOnlyList<FeeContractPeriod> Periods { get; }

    /// <summary>True when one contract covers every date (no start, no end): no date needs to be looked at.</summary>
    public bool IsTimeless => Periods is [{ From: null, Until: null }];

    /// <summary>The contract in force on <paramref name="date"/> (KST); null when none is.</summary>
    public FeeContract? On(DateOnly date) => Periods.FirstOrDefault(p => p.Covers(date))?.Contract;

    /// <summary>
    /// Orders <paramref name="contracts"/> (all of <paramref name="mId"/>) by date and refuses overlaps, each named with
    /// both periods under <paramref name="path"/>; nothing is adjusted to make them fit.
    /// </summary>
    public static FeeContractTimeline Build(string mId, IEnumerable<FeeContract> contracts, string path)
    {
        var ordered = contracts.OrderBy(c => c.ValidFrom ?? DateOnly.MinValue).ToList();
        if (ordered.Count == 0) throw new ConfigurationError($"{path}: {mId} has no contract.");
        var errors = new List<string>();
        var periods = new List<FeeContractPeriod>();
        for (var i = 0; i < ordered.Count; i++)
        {
            var c = ordered[i];
            if (c.MId != mId) throw new ArgumentException($"A contract of {c.MId} is not one of {mId}.", nameof(contracts));
            var next = i + 1 < ordered.Count ? ordered[i + 1] : null;
            var until = c.ValidUntil ?? next?.ValidFrom?.AddDays(-1);
            periods.Add(new FeeContractPeriod(c, c.ValidFrom, until));
            if (next is null) continue;
            var period = new FeeContractPeriod(c, c.ValidFrom, c.ValidUntil);
            if (next.ValidFrom is null || c.ValidFrom == next.ValidFrom || (c.ValidUntil is { } end && end >= next.ValidFrom))
                errors.Add($"{path}: the contracts of {mId} overlap: {period.Describe()} and " +
                           $"{new FeeContractPeriod(next, next.ValidFrom, next.ValidUntil).Describe()}. " +
                           "Give each a ValidFrom; an earlier one ends the day before the next starts or at its ValidUntil.");
        }
        if (errors.Count > 0) throw new ConfigurationError(string.Join(" ", errors));
        return new FeeContractTimeline(mId, periods);
    }

    /// <summary>The timelines of <paramref name="contracts"/> by merchant id (overlaps refused, see <see cref="Build"/>).</summary>
    public static IReadOnlyDictionary<string, FeeContractTimeline> ByMerchant(IEnumerable<FeeContract> contracts, string path) =>
        contracts.GroupBy(c => c.MId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Build(g.Key, g, path), StringComparer.Ordinal);
}
