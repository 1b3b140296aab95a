using System.Globalization;
using OpsConsole.Components.Shared;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Components.Pages.Discrepancies;

/// <summary>One compared field of a finding: our ledger's value, the PG's value, and whether they differ.</summary>
public sealed record SideRow(string Field, string Internal, string External, bool Differs);

/// <summary>
/// Both sides of a finding as the engine last saw them, and the fields it reported as different
/// (<see cref="Finding.DiffFields"/>: internal, external, lineCount, amount, soldDate, fee).
/// </summary>
public sealed record FindingSides(
    string? InternalKind, long? InternalAmount, string? InternalMethod, DateOnly? InternalBusinessDate,
    DateTimeOffset? InternalOccurredAt, string? PaymentStatus,
    int ExternalLineCount, long? ExternalAmount, long? ExternalAmountTotal, long? ExternalFee, long? ExternalExpectedFee,
    string? ExternalMethod, DateOnly? ExternalSoldDate, DateTimeOffset? ExternalApprovedAt,
    IReadOnlyCollection<string> Diff)
{
    public static FindingSides From(Finding f) => new(f.InternalKind?.ToString(), f.InternalAmount,
        f.InternalMethod?.ToString(), f.InternalBusinessDate, f.InternalOccurredAt, f.PaymentStatus?.ToString(),
        f.ExternalLineCount, f.ExternalAmount, f.ExternalAmountTotal, f.ExternalFee, f.ExternalExpectedFee,
        f.ExternalMethod?.ToString(), f.ExternalSoldDate, f.ExternalApprovedAt, f.Diff);

    public IReadOnlyList<SideRow> Rows()
    {
        bool D(string field) => Diff.Contains(field, StringComparer.OrdinalIgnoreCase);
        const string none = "—";
        var hasInternal = InternalKind is not null;
        var hasExternal = ExternalLineCount > 0;
        return
        [
            new("Present", hasInternal ? $"yes ({InternalKind})" : "no", hasExternal ? "yes" : "no",
                D("internal") || D("external") || hasInternal != hasExternal),
            new("Lines", hasInternal ? "1" : "0", ExternalLineCount.ToString(CultureInfo.InvariantCulture), D("lineCount")),
            new("Amount (KRW)", Kst.Money(InternalAmount) is { Length: > 0 } ia ? ia : none,
                ExternalAmount is null ? none
                    : ExternalAmountTotal is { } total && total != ExternalAmount
                        ? $"{Kst.Money(ExternalAmount)} (total {Kst.Money(total)})"
                        : Kst.Money(ExternalAmount),
                D("amount")),
            new("Business date (KST) / soldDate", Date(InternalBusinessDate), Date(ExternalSoldDate), D("soldDate")),
            new("Fee (expected / PG)", ExternalExpectedFee is null ? none : Kst.Money(ExternalExpectedFee),
                ExternalFee is null ? none : Kst.Money(ExternalFee), D("fee")),
            new("Method", InternalMethod ?? none, ExternalMethod ?? none,
                InternalMethod is not null && ExternalMethod is not null && InternalMethod != ExternalMethod),
            new("Occurred / approvedAt", Kst.Format(InternalOccurredAt) is { Length: > 0 } io ? io : none,
                Kst.Format(ExternalApprovedAt) is { Length: > 0 } ea ? ea : none, false),
            new("Payment status", PaymentStatus ?? none, none, false),
        ];
    }

    private static string Date(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "—";
}
