using System.Text;
using CsvHelper;
using MiniExcelLibs;

namespace OpsConsole.Core.Common.Tabular;

/// <summary>A data row of a tabular file: its 1-based line (CSV) or row (Excel) number and its cells.</summary>
/// <remarks>CSV cells are strings; Excel cells keep their type (string, double, DateTime, bool or null).</remarks>
public sealed class TabularRow(int line, IReadOnlyList<object?> cells, IReadOnlyDictionary<string, int> columns)
{
    public int Line { get; } = line;
    public IReadOnlyList<object?> Cells { get; } = cells;

    /// <summary>The cell under the header <paramref name="header"/> (null when the row is shorter).</summary>
    public object? this[string header] =>
        columns.TryGetValue(header, out var i) && i < Cells.Count ? Cells[i] : null;
}

/// <summary>A file read through a <see cref="MappingProfile"/>: the header and the non-blank data rows below it.</summary>
public sealed record TabularTable(TabularFormat Format, IReadOnlyList<string> Header, IReadOnlyList<TabularRow> Rows)
{
    public bool HasColumn(string header) => Header.Contains(header, StringComparer.Ordinal);
}

public enum TabularFormat
{
    CSV,
    XLSX,
}

/// <summary>
/// Reads a CSV (in the profile's encoding, strictly decoded) or an Excel workbook (.xlsx, first sheet) into a header
/// and rows, for any feed described by a <see cref="MappingProfile"/> (bank statements, PG settlement files).
/// Pure: no database. Problems are returned with line numbers; the caller rejects the file when there are any.
/// </summary>
public static class TabularFileReader
{
    /// <summary>An .xlsx is a ZIP: it starts with "PK\x03\x04".</summary>
    public static bool IsXlsx(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 0x03 && bytes[3] == 0x04;

    public static (TabularTable? Table, List<ImportRowError> Errors) Read(byte[] bytes, MappingProfile profile)
    {
        var errors = new List<ImportRowError>();
        List<(int Line, object?[] Cells)> raw;
        TabularFormat format;
        if (IsXlsx(bytes))
        {
            format = TabularFormat.XLSX;
            raw = ReadXlsx(bytes, errors);
        }
        else
        {
            format = TabularFormat.CSV;
            raw = ReadCsv(bytes, profile, errors);
        }
        if (errors.Count > 0) return (null, errors);

        var headerEntry = raw.FirstOrDefault(r => r.Line == profile.HeaderRow);
        if (headerEntry.Cells is null || headerEntry.Cells.All(IsBlank))
        {
            errors.Add(new(profile.HeaderRow, "", $"the header row {profile.HeaderRow} (\"headerRow\" of profile {profile.Name}) is empty or missing"));
            return (null, errors);
        }
        var header = headerEntry.Cells.Select(c => Convert.ToString(c, System.Globalization.CultureInfo.InvariantCulture)?.Trim().TrimStart('\uFEFF') ?? "").ToArray();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++)
        {
            if (header[i].Length > 0 && !index.TryAdd(header[i], i))
                errors.Add(new(profile.HeaderRow, header[i], "column appears twice in the header"));
        }
        foreach (var (role, name) in profile.Columns)
        {
            if (!index.ContainsKey(name))
                errors.Add(new(profile.HeaderRow, name, $"column of \"{role}\" is not in the header (found: {string.Join(", ", header.Where(h => h.Length > 0))})"));
        }
        if (errors.Count > 0) return (null, errors);

        var rows = raw.Where(r => r.Line > profile.HeaderRow && !r.Cells.All(IsBlank))
            .Select(r => new TabularRow(r.Line, r.Cells, index)).ToList();
        if (rows.Count == 0)
            errors.Add(new(profile.HeaderRow, "", "the file has a header but no rows"));
        return (new TabularTable(format, header, rows), errors);
    }

    private static bool IsBlank(object? cell) => cell is null || cell is string s && string.IsNullOrWhiteSpace(s);

    private static List<(int, object?[])> ReadCsv(byte[] bytes, MappingProfile profile, List<ImportRowError> errors)
    {
        var rows = new List<(int, object?[])>();
        string text;
        try
        {
            text = profile.TextEncoding.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            var line = 1 + bytes.AsSpan(0, Math.Min(e.Index < 0 ? 0 : e.Index, bytes.Length)).Count((byte)'\n');
            errors.Add(new(line, "", $"the file is not valid {profile.Encoding} (profile {profile.Name}); is it in another encoding?"));
            return rows;
        }
        var options = new CsvReaderOptions
        {
            Separator = profile.FieldSeparator,
            HasHeader = false,
            TrackLineNumbers = true,
            SkipEmptyLines = true,
            AllowLineBreaksInQuotes = true,
            TrimWhitespace = false,
            FormatProvider = System.Globalization.CultureInfo.InvariantCulture,
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            OnMalformedRecord = r => errors.Add(new((int)r.LineNumber, "", $"malformed CSV ({r.Reason})")),
        };
        try
        {
            using var csv = CsvReader.Create(new StringReader(text.TrimStart('\uFEFF')), options, leaveOpen: false);
            while (csv.Read())
                rows.Add(((int)csv.LineNumber, csv.Current.ToArray().Select(f => (object?)f).ToArray()));
        }
        catch (CsvFormatException e)
        {
            errors.Add(new((int)e.LineNumber, "", $"malformed CSV: {e.Message.Split('\n')[0]}"));
        }
        return rows;
    }

    private static List<(int, object?[])> ReadXlsx(byte[] bytes, List<ImportRowError> errors)
    {
        var rows = new List<(int, object?[])>();
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            var line = 0;
            foreach (IDictionary<string, object?> row in MiniExcel.Query(stream, useHeaderRow: false, excelType: ExcelType.XLSX))
            {
                line++;
                rows.Add((line, row.Values.ToArray()));
            }
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException or System.Xml.XmlException or IOException or NotSupportedException)
        {
            errors.Add(new(0, "", $"the file is not a readable Excel workbook (.xlsx): {e.Message}"));
        }
        return rows;
    }
}
