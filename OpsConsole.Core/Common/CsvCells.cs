using System.Globalization;

namespace OpsConsole.Core.Common;

/// <summary>
/// The one way OpsConsole writes CSV cells (every export: findings, audit log, repair-batch report). RFC 4180
/// quoting, and text cells are neutralised against spreadsheet formula injection (OWASP "CSV Injection"): a
/// text cell that begins with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return gets a leading
/// apostrophe, so Excel, LibreOffice and Google Sheets show it as text instead of evaluating it. Numbers are
/// written with <see cref="Number(long?)"/> and stay numbers (a negative amount keeps its minus sign).
/// </summary>
public static class CsvCells
{
    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];
    private static readonly char[] NeedsQuotes = [',', '"', '\n', '\r'];

    /// <summary>A text cell: neutralised when it could start a formula, quoted when RFC 4180 needs it.</summary>
    public static string Text(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (Array.IndexOf(FormulaStarts, value[0]) >= 0) value = "'" + value;
        return Quote(value);
    }

    /// <summary>A number cell: invariant digits, never neutralised; empty for null.</summary>
    public static string Number(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    /// <summary>A date cell as yyyy-MM-dd; empty for null.</summary>
    public static string Date(DateOnly? value) => value?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";

    /// <summary>A UTC timestamp cell as yyyy-MM-ddTHH:mm:ss.fffZ.</summary>
    public static string Utc(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    /// <summary>One line of cells already made by <see cref="Text"/>, <see cref="Number"/>, <see cref="Date"/> or <see cref="Utc"/>.</summary>
    public static string Row(params string[] cells) => string.Join(',', cells);

    private static string Quote(string value) => value.IndexOfAny(NeedsQuotes) >= 0
        ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\""
        : value;
}
