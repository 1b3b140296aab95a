using System.Globalization;

namespace OpsConsole.Core.Common;

/// <summary>ISO 4217 minor-unit exponents, and exact conversion of a decimal amount to <c>long</c> minor units.</summary>
public static class MinorUnits
{
    private static readonly HashSet<string> NoDecimals = new(StringComparer.OrdinalIgnoreCase)
    {
        "KRW", "JPY", "VND", "CLP", "ISK", "PYG", "UGX", "XAF", "XOF", "XPF", "KMF", "RWF", "DJF", "GNF", "VUV", "BIF",
    };

    private static readonly HashSet<string> ThreeDecimals = new(StringComparer.OrdinalIgnoreCase)
    {
        "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND",
    };

    public static int ExponentOf(string currency) =>
        NoDecimals.Contains(currency) ? 0 : ThreeDecimals.Contains(currency) ? 3 : 2;

    /// <summary>
    /// <paramref name="amount"/> in minor units of <paramref name="currency"/>; false when it has more decimals than
    /// the currency has (never rounded) or does not fit a <c>long</c>.
    /// </summary>
    public static bool TryToMinor(decimal amount, string currency, out long minor)
    {
        minor = 0;
        var scaled = amount;
        for (var i = 0; i < ExponentOf(currency); i++) scaled *= 10;
        if (scaled != decimal.Truncate(scaled) || scaled > long.MaxValue || scaled < long.MinValue) return false;
        minor = (long)scaled;
        return true;
    }

    /// <summary><paramref name="minor"/> minor units of <paramref name="currency"/> as the decimal amount the PG writes (72624 USD → 726.24).</summary>
    public static decimal ToMajor(long minor, string currency)
    {
        decimal value = minor;
        for (var i = 0; i < ExponentOf(currency); i++) value /= 10;
        return value;
    }

    /// <summary>For people: "12,300 KRW", "726.24 USD" (always the currency's decimals, invariant culture).</summary>
    public static string Format(long minor, string currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{ToMajor(minor, currency).ToString("N" + ExponentOf(currency), CultureInfo.InvariantCulture)} {currency}");

    public static string Describe(decimal amount, string currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{amount} {currency} has more decimals than the currency's {ExponentOf(currency)}");
}
