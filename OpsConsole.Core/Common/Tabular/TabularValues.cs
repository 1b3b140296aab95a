using System.Globalization;

namespace OpsConsole.Core.Common.Tabular;

/// <summary>
/// Strict conversions of tabular cells through a <see cref="MappingProfile"/>. A blank cell is never read as zero or
/// today: callers decide whether a field may be blank and report it otherwise.
/// </summary>
public static class TabularValues
{
    public static string? Text(object? cell) => cell switch
    {
        null => null,
        string s => string.IsNullOrWhiteSpace(s) ? null : s.Trim(),
        double d => d.ToString("0.############", CultureInfo.InvariantCulture),
        DateTime dt => dt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString(),
    };

    /// <summary>A date (and a time when the date format carries one) from a text cell or an Excel date cell.</summary>
    public static bool TryDate(object? cell, MappingProfile profile, out DateOnly date, out TimeOnly? time)
    {
        switch (cell)
        {
            case DateTime dt:
                date = DateOnly.FromDateTime(dt);
                time = dt.TimeOfDay == TimeSpan.Zero ? null : TimeOnly.FromDateTime(dt);
                return true;
            case double d when d == Math.Floor(d) && d is >= 10_000_000 and <= 99_991_231:
                // A yyyyMMdd date that Excel stored as a number.
                return profile.TryParseDate(((long)d).ToString(CultureInfo.InvariantCulture), out date, out time);
            case string s:
                return profile.TryParseDate(s, out date, out time);
            default:
                date = default;
                time = null;
                return false;
        }
    }

    public static bool TryTime(object? cell, MappingProfile profile, out TimeOnly time)
    {
        switch (cell)
        {
            case DateTime dt:
                time = TimeOnly.FromDateTime(dt);
                return true;
            case TimeSpan ts when ts >= TimeSpan.Zero && ts < TimeSpan.FromDays(1):
                time = TimeOnly.FromTimeSpan(ts);
                return true;
            case double d when d is >= 0 and < 1:
                // Excel keeps a time of day as a fraction of a day.
                time = TimeOnly.FromTimeSpan(TimeSpan.FromSeconds(Math.Round(d * 86_400)));
                return true;
            case string s:
                var formats = profile.TimeFormat is { } f ? new[] { f } : ["HH:mm:ss", "HH:mm"];
                return TimeOnly.TryParseExact(s.Trim(), formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
            default:
                time = default;
                return false;
        }
    }

    /// <summary>
    /// A number written in the profile's number format (<c>1,234,000</c>, <c>-500</c>, <c>(500)</c>, <c>1.234,50</c>)
    /// or an Excel number cell. Group separators must sit between digits; at most one decimal separator.
    /// </summary>
    public static bool TryDecimal(object? cell, MappingProfile profile, out decimal value)
    {
        value = 0;
        switch (cell)
        {
            case double d when !double.IsNaN(d) && !double.IsInfinity(d):
                value = (decimal)d;
                return true;
            case decimal m:
                value = m;
                return true;
            case long or int:
                value = Convert.ToDecimal(cell, CultureInfo.InvariantCulture);
                return true;
            case string s:
                return TryParseNumber(s, profile.NumberSeparators, out value);
            default:
                return false;
        }
    }

    public static bool TryParseNumber(string text, (char Group, char Decimal) separators, out decimal value)
    {
        value = 0;
        var s = text.Trim();
        var negative = false;
        if (s.StartsWith('(') && s.EndsWith(')'))
        {
            negative = true;
            s = s[1..^1].Trim();
        }
        if (s.StartsWith('-') || s.StartsWith('+'))
        {
            negative ^= s[0] == '-';
            s = s[1..].Trim();
        }
        if (s.Length == 0) return false;
        var normalized = new System.Text.StringBuilder(s.Length);
        var seenDecimal = false;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsAsciiDigit(c)) normalized.Append(c);
            else if (c == separators.Group && !seenDecimal && i > 0 && i < s.Length - 1 && char.IsAsciiDigit(s[i - 1]) && char.IsAsciiDigit(s[i + 1]))
                continue;
            else if (c == separators.Decimal && !seenDecimal && i > 0 && i < s.Length - 1)
            {
                seenDecimal = true;
                normalized.Append('.');
            }
            else return false;
        }
        if (!decimal.TryParse(normalized.ToString(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value))
            return false;
        if (negative) value = -value;
        return true;
    }
}
