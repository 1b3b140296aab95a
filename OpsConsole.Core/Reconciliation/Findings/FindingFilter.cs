using System.Globalization;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation.Findings;

/// <summary>
/// The discrepancy grid's filter. It round-trips through the URL and becomes one server-side query shared
/// by the grid, the bulk actions ("all N matching") and the CSV export. Business dates are KST.
/// <see cref="Verdict"/> defaults to CONFIRMED (transient findings are noise for finance); "any" lists both.
/// </summary>
public sealed record FindingFilter
{
    /// <summary>The <see cref="Assignee"/> value that selects findings nobody works on.</summary>
    public const string Unassigned = "-";

    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
    public IReadOnlyList<FindingType> Types { get; init; } = [];
    public IReadOnlyList<FindingStatus> Statuses { get; init; } = [];
    public FindingVerdict? Verdict { get; init; } = FindingVerdict.CONFIRMED;
    public PaymentMethod? Method { get; init; }
    public long? MinAmount { get; init; }
    public long? MaxAmount { get; init; }
    public string? Assignee { get; init; }
    public string? Text { get; init; }

    /// <summary>Only the findings of this PG connection (<see cref="Finding.Pg"/>); null: every PG.</summary>
    public string? Pg { get; init; }

    /// <summary>The KST day the findings were resolved on (<see cref="FindingWorkload.ResolvedOn"/>), whatever their business date.</summary>
    public DateOnly? ResolvedOn { get; init; }

    public IQueryable<Finding> Apply(IQueryable<Finding> query)
    {
        // One day is an equality, so an index on (business_date, sort column) also returns the rows in order.
        if (From is { } day && To == day) query = query.Where(f => f.BusinessDate == day);
        else
        {
            if (From is { } from) query = query.Where(f => f.BusinessDate >= from);
            if (To is { } to) query = query.Where(f => f.BusinessDate <= to);
        }
        if (Types.Count > 0)
        {
            var types = Types.ToList();
            query = query.Where(f => types.Contains(f.Type));
        }
        if (Statuses.Count > 0)
        {
            var statuses = Statuses.ToList();
            query = query.Where(f => statuses.Contains(f.Status));
        }
        if (Verdict is { } verdict) query = query.Where(f => f.Verdict == verdict);
        if (Pg is { } pg) query = query.Where(f => f.Pg == pg);
        if (Method is { } method) query = query.Where(f => f.InternalMethod == method || f.ExternalMethod == method);
        if (MinAmount is { } min) query = query.Where(f => f.MoneyAtRisk >= min);
        if (MaxAmount is { } max) query = query.Where(f => f.MoneyAtRisk <= max);
        if (Assignee == Unassigned) query = query.Where(f => f.Assignee == null);
        else if (Assignee is { } assignee) query = query.Where(f => f.Assignee == assignee);
        if (Text is { } text)
        {
            // Keys are matched exactly or by prefix: both use the key indexes, unlike a "contains" scan.
            query = query.Where(f => f.TransactionKey.StartsWith(text) || f.PaymentKey.StartsWith(text) ||
                                     f.OrderId.StartsWith(text));
        }
        if (ResolvedOn is { } resolvedOn) query = query.Where(FindingWorkload.ResolvedOn(resolvedOn));
        return query;
    }

    /// <summary>Sorts by a grid column (property name); unknown columns fall back to money at risk.</summary>
    public static IQueryable<Finding> Sort(IQueryable<Finding> query, string? column, bool descending) =>
        (column, descending) switch
        {
            (nameof(Finding.BusinessDate), true) => query.OrderByDescending(f => f.BusinessDate).ThenByDescending(f => f.Id),
            (nameof(Finding.BusinessDate), false) => query.OrderBy(f => f.BusinessDate).ThenBy(f => f.Id),
            (nameof(Finding.Type), true) => query.OrderByDescending(f => f.Type).ThenByDescending(f => f.Id),
            (nameof(Finding.Type), false) => query.OrderBy(f => f.Type).ThenBy(f => f.Id),
            (nameof(Finding.Status), true) => query.OrderByDescending(f => f.Status).ThenByDescending(f => f.Id),
            (nameof(Finding.Status), false) => query.OrderBy(f => f.Status).ThenBy(f => f.Id),
            (nameof(Finding.Assignee), true) => query.OrderByDescending(f => f.Assignee).ThenByDescending(f => f.Id),
            (nameof(Finding.Assignee), false) => query.OrderBy(f => f.Assignee).ThenBy(f => f.Id),
            (nameof(Finding.LastSeenAt), true) => query.OrderByDescending(f => f.LastSeenAt).ThenByDescending(f => f.Id),
            (nameof(Finding.LastSeenAt), false) => query.OrderBy(f => f.LastSeenAt).ThenBy(f => f.Id),
            (nameof(Finding.MoneyAtRisk), false) => query.OrderBy(f => f.MoneyAtRisk).ThenBy(f => f.Id),
            _ => query.OrderByDescending(f => f.MoneyAtRisk).ThenByDescending(f => f.Id),
        };

    public static FindingFilter FromQuery(Func<string, string?> get)
    {
        var verdictText = get("verdict");
        return new FindingFilter
        {
            From = ParseDate(get("from")),
            To = ParseDate(get("to")),
            Types = ParseEnums<FindingType>(get("type")),
            Statuses = ParseEnums<FindingStatus>(get("status")),
            Verdict = verdictText is null ? FindingVerdict.CONFIRMED
                : verdictText.Equals("any", StringComparison.OrdinalIgnoreCase) ? null
                : Enum.TryParse<FindingVerdict>(verdictText, true, out var v) ? v : FindingVerdict.CONFIRMED,
            Method = Enum.TryParse<PaymentMethod>(get("method"), true, out var m) ? m : null,
            MinAmount = long.TryParse(get("min"), NumberStyles.None, CultureInfo.InvariantCulture, out var min) ? min : null,
            MaxAmount = long.TryParse(get("max"), NumberStyles.None, CultureInfo.InvariantCulture, out var max) ? max : null,
            Assignee = Clean(get("assignee")),
            Text = Clean(get("q")),
            Pg = Clean(get("pg")),
            ResolvedOn = ParseDate(get("resolved")),
        };
    }

    /// <summary>The query string (without '?'): only the fields that differ from the default, in a fixed order.</summary>
    public string ToQueryString()
    {
        var parts = new List<(string Name, string? Value)>
        {
            ("from", Date(From)),
            ("to", Date(To)),
            ("type", Types.Count == 0 ? null : string.Join(',', Types)),
            ("status", Statuses.Count == 0 ? null : string.Join(',', Statuses)),
            ("verdict", Verdict == FindingVerdict.CONFIRMED ? null : Verdict?.ToString() ?? "any"),
            ("method", Method?.ToString()),
            ("min", MinAmount?.ToString(CultureInfo.InvariantCulture)),
            ("max", MaxAmount?.ToString(CultureInfo.InvariantCulture)),
            ("assignee", Assignee),
            ("q", Text),
            ("resolved", Date(ResolvedOn)),
            ("pg", Pg),
        };
        return string.Join('&', parts.Where(p => !string.IsNullOrEmpty(p.Value))
            .Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));
    }

    /// <summary><c>discrepancies_2026-11-01_2026-11-25_type-AMOUNT_MISMATCH_min-10000.csv</c></summary>
    public string ToFileName()
    {
        var parts = new List<string> { "discrepancies" };
        if (From is not null || To is not null) parts.Add($"{Date(From) ?? "start"}_{Date(To) ?? "now"}");
        if (Types.Count > 0) parts.Add("type-" + string.Join('+', Types));
        if (Statuses.Count > 0) parts.Add("status-" + string.Join('+', Statuses));
        if (Verdict != FindingVerdict.CONFIRMED) parts.Add("verdict-" + (Verdict?.ToString() ?? "any"));
        if (Method is not null) parts.Add($"method-{Method}");
        if (MinAmount is not null) parts.Add($"min-{MinAmount}");
        if (MaxAmount is not null) parts.Add($"max-{MaxAmount}");
        if (Assignee is not null) parts.Add($"assignee-{(Assignee == Unassigned ? "none" : Assignee)}");
        if (Text is not null) parts.Add($"q-{Text}");
        if (ResolvedOn is not null) parts.Add($"resolved-{Date(ResolvedOn)}");
        if (Pg is not null) parts.Add($"pg-{Pg}");
        var name = string.Join('_', parts);
        var safe = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '+' or '.' ? c : '-').ToArray());
        return (safe.Length > 180 ? safe[..180] : safe) + ".csv";
    }

    public bool Equals(FindingFilter? other) => other is not null && ToQueryString() == other.ToQueryString();

    public override int GetHashCode() => ToQueryString().GetHashCode(StringComparison.Ordinal);

    private static string? Date(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static DateOnly? ParseDate(string? s) =>
        DateOnly.TryParseExact(s?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    private static List<T> ParseEnums<T>(string? s) where T : struct, Enum =>
        (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(v => Enum.TryParse<T>(v, true, out var e) ? (T?)e : null)
        .Where(e => e is not null).Select(e => e!.Value).Distinct().ToList();
}
