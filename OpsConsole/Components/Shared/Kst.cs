using System.Globalization;
using OpsConsole.Core.Common;

namespace OpsConsole.Components.Shared;

/// <summary>Formats instants for people: KST wall-clock time, labelled, because business dates are KST.</summary>
public static class Kst
{
    public static string Format(DateTimeOffset? instant) =>
        instant is { } i ? BusinessCalendar.ToKst(i).ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + " KST" : "";

    public static string Short(DateTimeOffset? instant) =>
        instant is { } i ? BusinessCalendar.ToKst(i).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "";

    /// <summary>Grouped digits ("45,800") for a column headed "(KRW)"; <see cref="Core.Common.Money.Krw"/> names the currency.</summary>
    public static string Money(long? amount) => amount is { } a ? Core.Common.Money.Digits(a) : "";

    /// <summary>"45,800 KRW".</summary>
    public static string Krw(long? amount) => amount is { } a ? Core.Common.Money.Krw(a) : "";

    /// <summary>A sum of amounts (the dashboard sums as decimals).</summary>
    public static string MoneyTotal(decimal amount) => amount.ToString("N0", CultureInfo.InvariantCulture);
}
