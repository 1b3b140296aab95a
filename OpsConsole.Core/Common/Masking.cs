using System.Text.RegularExpressions;

namespace OpsConsole.Core.Common;

/// <summary>
/// Masks card numbers (Luhn-valid 13–19 digit runs, last four kept), e-mail addresses and Korean mobile
/// numbers in free text. The one place that decides what is masked. Applied when free text is stored — by the
/// factories of the entities that hold it (audit entries, payment events, cancel attempts, repair requests and
/// batches, finding notes) — so the database, exports, the API and every page see masked text; the pages also
/// mask what they show, for rows stored before this rule. PG summaries are already redacted at the gateway.
/// </summary>
public static partial class Masking
{
    /// <summary>As <see cref="Mask"/>, keeping null as null (for optional fields).</summary>
    public static string? MaskOrNull(string? text) => text is null ? null : Mask(text);

    public static string Mask(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var masked = CardNumber().Replace(text, m => IsLuhnValid(m.Value) ? MaskCard(m.Value) : m.Value);
        masked = Email().Replace(masked, m => $"{m.Groups["first"].Value}***@{m.Groups["domain"].Value}");
        masked = MobilePhone().Replace(masked, m => $"{m.Groups["prefix"].Value}-****-{m.Groups["last"].Value}");
        return masked;
    }

    private static string MaskCard(string value)
    {
        var digits = value.Count(char.IsAsciiDigit);
        var seen = 0;
        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsAsciiDigit(chars[i])) continue;
            seen++;
            if (seen <= digits - 4) chars[i] = '*';
        }
        return new string(chars);
    }

    private static bool IsLuhnValid(string value)
    {
        var digits = value.Where(char.IsAsciiDigit).Select(c => c - '0').ToArray();
        if (digits.Length is < 13 or > 19) return false;
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i];
            if (i % 2 == 1)
            {
                d *= 2;
                if (d > 9) d -= 9;
            }
            sum += d;
        }
        return sum % 10 == 0;
    }

    [GeneratedRegex(@"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")]
    private static partial Regex CardNumber();

    [GeneratedRegex(@"(?<first>[A-Za-z0-9])[A-Za-z0-9._%+-]*@(?<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")]
    private static partial Regex Email();

    [GeneratedRegex(@"(?<!\d)(?<prefix>01[016789])[- ]?\d{3,4}[- ]?(?<last>\d{4})(?!\d)")]
    private static partial Regex MobilePhone();
}
