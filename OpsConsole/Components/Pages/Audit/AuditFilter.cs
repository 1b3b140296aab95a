using System.Globalization;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;

namespace OpsConsole.Components.Pages.Audit;

/// <summary>
/// The audit page's filter. It round-trips through the URL (a link shows a colleague the same view) and
/// becomes one server-side query, shared by the grid and the CSV export. Dates are KST business dates.
/// <see cref="Payment"/> selects every row about one payment (its payment actions, repairs and findings) by the
/// rows' indexed payment key.
/// </summary>
public sealed record AuditFilter(string? Actor = null, string? Action = null, DateOnly? From = null,
    DateOnly? To = null, string? Target = null, string? Payment = null)
{
    public static AuditFilter FromQuery(string? actor, string? action, string? from, string? to, string? target,
        string? payment = null) =>
        new(Clean(actor), Clean(action), ParseDate(from), ParseDate(to), Clean(target), Clean(payment));

    public IQueryable<AuditEntry> Apply(IQueryable<AuditEntry> query)
    {
        if (Actor is { } actor) query = query.Where(a => a.Actor == actor);
        // Action matches a prefix so "auth." finds sign-ins and sign-outs.
        if (Action is { } action) query = query.Where(a => a.Action.StartsWith(action));
        if (Target is { } target) query = query.Where(a => a.TargetId == target || a.TargetType == target);
        if (Payment is { } payment) query = query.Where(a => a.PaymentKey == payment);
        if (From is { } from)
        {
            var start = BusinessCalendar.StartOfDayUtc(from);
            query = query.Where(a => a.At >= start);
        }
        if (To is { } to)
        {
            var end = BusinessCalendar.StartOfDayUtc(to.AddDays(1));
            query = query.Where(a => a.At < end);
        }
        return query;
    }

    /// <summary>The query string (without '?'), only the set fields, in a fixed order.</summary>
    public string ToQueryString()
    {
        var parts = new List<string>();
        Add(parts, "actor", Actor);
        Add(parts, "action", Action);
        Add(parts, "from", From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add(parts, "to", To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add(parts, "target", Target);
        Add(parts, "payment", Payment);
        return string.Join('&', parts);
    }

    /// <summary>A file name that says what is inside: <c>audit_actor-admin_2026-11-01_2026-11-25.csv</c>.</summary>
    public string ToFileName()
    {
        var parts = new List<string> { "audit" };
        if (Actor is not null) parts.Add($"actor-{Actor}");
        if (Action is not null) parts.Add($"action-{Action}");
        if (Target is not null) parts.Add($"target-{Target}");
        if (Payment is not null) parts.Add($"payment-{Payment}");
        if (From is not null || To is not null)
            parts.Add($"{From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "start"}_{To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "now"}");
        var name = string.Join('_', parts);
        var safe = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray());
        return (safe.Length > 150 ? safe[..150] : safe) + ".csv";
    }

    private static void Add(List<string> parts, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value)) parts.Add($"{name}={Uri.EscapeDataString(value)}");
    }

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static DateOnly? ParseDate(string? s) =>
        DateOnly.TryParseExact(s?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : null;
}
