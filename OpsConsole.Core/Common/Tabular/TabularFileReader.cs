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
        if (IndexHeader(profile, headerEntry.Cells, errors) is not { } indexed) return (null, errors);
        var (header, index) = indexed;

        var rows = raw.Where(r => r.Line > profile.HeaderRow && !r.Cells.All(IsBlank))
            .Select(r => new TabularRow(r.Line, r.Cells, index)).ToList();
        if (rows.Count == 0)
            errors.Add(new(profile.HeaderRow, "", "the file has a header but no rows"));
        return (new TabularTable(format, header, rows), errors);
    }

    /// <summary>
    /// The header of a file read through <paramref name="profile"/>: its trimmed names and their positions, with every
    /// column the profile names present. Null (and the problems in <paramref name="errors"/>) when the header row is
    /// blank or missing, a name appears twice, or a column the profile names is not there.
    /// </summary>
    public static (string[] Header, Dictionary<string, int> Index)? IndexHeader(MappingProfile profile, IReadOnlyList<object?>? cells,
        List<ImportRowError> errors)
    {
        if (cells is null || cells.All(IsBlank))
        {
            errors.Add(new(profile.HeaderRow, "", $"the header row {profile.HeaderRow} (\"headerRow\" of profile {profile.Name}) is empty or missing"));
            return null;
        }
        var before = errors.Count;
        var header = cells.Select(c => Convert.ToString(c, System.Globalization.CultureInfo.InvariantCulture)?.Trim().TrimStart('\uFEFF') ?? "").ToArray();
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
        return errors.Count > before ? null : (header, index);
    }

    public static bool IsBlank(object? cell) => cell is null || cell is string s && string.IsNullOrWhiteSpace(s);

    private static List<(int, object?[])> ReadCsv(byte[] bytes, MappingProfile profile, List<ImportRowError> errors)
    {
        using var input = new TabularByteStream(new MemoryStream(bytes, writable: false), long.MaxValue, profile.TextEncoding);
        var rows = TabularCsvReader.ReadAsync(input, profile.TextEncoding, profile.FieldSeparator, errors.Add, CancellationToken.None)
            .ToBlockingEnumerable().Select(r => (r.Line, r.Cells.Select(f => (object?)f).ToArray())).ToList();
        input.DrainAsync(CancellationToken.None).GetAwaiter().GetResult();
        if (input.InvalidLine is { } line)
        {
            errors.Clear();
            errors.Add(NotInEncoding(profile, line));
        }
        return rows;
    }

    public static ImportRowError NotInEncoding(MappingProfile profile, long line) =>
        new((int)line, "", $"the file is not valid {profile.Encoding} (profile {profile.Name}); is it in another encoding?");

    private static List<(int, object?[])> ReadXlsx(byte[] bytes, List<ImportRowError> errors)
    {
        var rows = new List<(int, object?[])>();
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            rows.AddRange(XlsxRows(stream));
        }
        catch (Exception e) when (IsXlsxError(e))
        {
            errors.Add(XlsxUnreadable(e));
        }
        return rows;
    }

    /// <summary>The rows of the first sheet of an .xlsx (seekable stream), read lazily: 1-based row number and typed cells.</summary>
    public static IEnumerable<(int Line, object?[] Cells)> XlsxRows(Stream seekable)
    {
        var line = 0;
        foreach (IDictionary<string, object?> row in MiniExcel.Query(seekable, useHeaderRow: false, excelType: ExcelType.XLSX))
        {
            line++;
            yield return (line, row.Values.ToArray());
        }
    }

    public static bool IsXlsxError(Exception e) =>
        e is InvalidDataException or InvalidOperationException or System.Xml.XmlException or IOException or NotSupportedException;

    public static ImportRowError XlsxUnreadable(Exception e) =>
        new(0, "", $"the file is not a readable Excel workbook (.xlsx): {e.Message}");
}
