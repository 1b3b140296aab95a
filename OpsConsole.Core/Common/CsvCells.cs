using System.Globalization;
using System.Text;

namespace OpsConsole.Core.Common;

/// <summary>
/// The one way OpsConsole writes CSV cells (every export: findings, audit log, repair-batch report). RFC 4180
/// quoting, and text cells are neutralised against spreadsheet formula injection (OWASP "CSV Injection"): a
/// text cell that begins with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return gets a leading
/// apostrophe, so Excel, LibreOffice and Google Sheets show it as text instead of evaluating it. Numbers are
/// written with <see cref="Number(long?)"/> and stay numbers (a negative amount keeps its minus sign).
/// Files are UTF-8 with a byte order mark (<see cref="FileEncoding"/>): without it Excel on Korean Windows reads
/// them as CP949 and the Korean text turns to mojibake.
/// </summary>
public static class CsvCells
{
    /// <summary>"text/csv; charset=utf-8", the content type of every CSV download.</summary>
    public const string ContentType = "text/csv; charset=utf-8";

    /// <summary>UTF-8 that writes its byte order mark (EF BB BF) first: the encoding of every CSV file OpsConsole writes.</summary>
    public static readonly Encoding FileEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);

    /// <summary>A writer for a CSV download streamed to <paramref name="body"/>: it starts with the byte order mark.</summary>
    public static StreamWriter Writer(Stream body)
    {
        // The mark is written as a character, not left to StreamWriter (which writes a preamble only when a seekable
        // stream is at position 0): exactly one mark, whatever the stream.
        var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024);
        writer.Write('\uFEFF');
        return writer;
    }

    /// <summary>A whole CSV file as bytes: the byte order mark, then the text.</summary>
    public static byte[] FileBytes(string csv) => [.. FileEncoding.GetPreamble(), .. Encoding.UTF8.GetBytes(csv)];

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
