namespace OpsConsole.Core.Common;

/// <summary>
/// The one bound on money OpsConsole accepts from anywhere (the checkout API, settlement CSV files, PG answers):
/// |amount| ≤ 10^13 minor units (10 trillion KRW, far above any real transaction). Within it, sums of up to
/// 900,000 amounts fit a 64-bit integer, so no per-key or per-day SQL SUM can overflow; larger aggregates
/// (the dashboard's totals) are summed as decimals.
/// </summary>
public static class Money
{
    /// <summary>The largest absolute amount accepted: 10^13.</summary>
    public const long MaxAbsoluteAmount = 10_000_000_000_000L;

    /// <summary>
    /// The ledger's currency. Our payments are KRW only (<see cref="Payments.Payment"/>); a PG line or answer in
    /// any other currency is refused at ingestion instead of being compared with KRW amounts.
    /// </summary>
    public const string LedgerCurrency = "KRW";

    /// <summary>An amount as people read it: <c>45,800 KRW</c>.</summary>
    public static string Format(long amount) =>
        $"{amount.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} {LedgerCurrency}";

    public static bool IsWithinBound(long amount) => amount is >= -MaxAbsoluteAmount and <= MaxAbsoluteAmount;

    /// <summary>"is outside ±10,000,000,000,000 KRW" — the common wording of every refusal.</summary>
    public const string OutOfBoundText = "is outside ±10,000,000,000,000 (10^13) KRW";
}
