using System.Text;
using OpsConsole.Core.Common.Tabular;

namespace OpsConsole.Core.Reconciliation;

/// <summary>What one streaming pass over a settlement file found.</summary>
/// <param name="Errors">The first <see cref="SettlementCsvScanner.KeptErrors"/> problems, in line order.</param>
/// <param name="TooLarge">The file passed <see cref="SettlementCsvScanner.MaxBytes"/>; reading stopped there.</param>
public sealed record SettlementCsvScan(string Sha256, long Bytes, int LineCount, IReadOnlyList<SettlementRowError> Errors,
    int TotalErrorCount, IReadOnlyList<DateOnly> SoldDates, bool TooLarge);

/// <summary>
/// Reads a settlement file once, as a stream: the settlement CSV (columns by header name, UTF-8 with or without BOM,
/// RFC 4180, LF or CRLF), or a PG's own file through a mapping profile (<see cref="SettlementFileProfile"/>: CSV in the
/// profile's encoding, or .xlsx). Hashes the bytes (SHA-256), checks they decode in the file's encoding, validates
/// every row with <see cref="SettlementLineParser"/> and hands each valid line to a sink while no row has failed.
/// Memory stays bounded whatever the size: one read buffer, the current record, the distinct sold dates and the
/// first <see cref="KeptErrors"/> errors. CSV records come from <see cref="TabularCsvReader"/>, the one CSV loop of
/// every tabular feed.
/// </summary>
public static class SettlementCsvScanner
{
    /// <summary>At most this many errors are kept (the total is counted).</summary>
    public const int KeptErrors = 200;

    private static readonly Encoding Utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

    public static Task<SettlementCsvScan> ScanAsync(Stream content, long maxBytes,
        Func<ParsedSettlementLine, ValueTask>? sink, CancellationToken cancellationToken) =>
        ScanAsync(content, maxBytes, null, sink, cancellationToken);

    /// <param name="profile">A PG's own layout (null: the settlement CSV). An .xlsx needs a seekable stream.</param>
    public static async Task<SettlementCsvScan> ScanAsync(Stream content, long maxBytes, MappingProfile? profile,
        Func<ParsedSettlementLine, ValueTask>? sink, CancellationToken cancellationToken)
    {
        var scan = new Scan(sink);
        if (profile is not null && content.CanSeek && await IsXlsxAsync(content, cancellationToken))
            return await ScanXlsxAsync(content, maxBytes, profile, scan, cancellationToken);

        var encoding = profile?.TextEncoding ?? Utf8;
        await using var input = new TabularByteStream(content, maxBytes, encoding);
        try
        {
            var records = TabularCsvReader.ReadAsync(input, encoding, profile?.FieldSeparator ?? ',',
                e => scan.Error(new(e.Line, e.Field, e.Message)), cancellationToken);
            if (profile is null) await scan.CsvAsync(records, cancellationToken);
            else await scan.ProfiledAsync(profile, records.Select(r => (r.Line, r.Cells.Cast<object?>().ToArray())), cancellationToken);
        }
        catch (TabularFileTooLargeException)
        {
        }
        await input.DrainAsync(cancellationToken);
        if (input.TooLarge) return scan.TooLarge(input.Bytes, maxBytes);
        if (input.InvalidLine is { } bad)
        {
            // Bytes that do not decode make every field suspect: that is the one error reported.
            var name = profile is null ? "UTF-8" : $"{profile.Encoding} (profile {profile.Name})";
            return new SettlementCsvScan(input.Sha256(), input.Bytes, scan.Lines, [new((int)bad, "", $"the file is not valid {name}")],
                1, [], TooLarge: false);
        }
        return scan.Finish(input.Sha256(), input.Bytes);
    }

    private static async Task<bool> IsXlsxAsync(Stream content, CancellationToken cancellationToken)
    {
        var start = content.Position;
        var head = new byte[4];
        var n = await content.ReadAtLeastAsync(head, 4, throwOnEndOfStream: false, cancellationToken);
        content.Position = start;
        return TabularFileReader.IsXlsx(head.AsSpan(0, n));
    }

    private static async Task<SettlementCsvScan> ScanXlsxAsync(Stream content, long maxBytes, MappingProfile profile, Scan scan,
        CancellationToken cancellationToken)
    {
        // A workbook is a ZIP read out of order: hashed in one pass first, then its first sheet's rows read lazily.
        var start = content.Position;
        string sha;
        long bytes;
        await using (var hashing = new TabularByteStream(content, maxBytes, Encoding.Latin1))
        {
            try
            {
                await hashing.DrainAsync(cancellationToken);
            }
            catch (TabularFileTooLargeException)
            {
            }
            if (hashing.TooLarge) return scan.TooLarge(hashing.Bytes, maxBytes);
            (sha, bytes) = (hashing.Sha256(), hashing.Bytes);
        }
        content.Position = start;
        try
        {
            await scan.ProfiledAsync(profile, TabularFileReader.XlsxRows(content).ToAsyncEnumerable(), cancellationToken);
        }
        catch (Exception e) when (TabularFileReader.IsXlsxError(e))
        {
            var error = TabularFileReader.XlsxUnreadable(e);
            scan.Error(new(error.Line, error.Field, error.Message));
        }
        return scan.Finish(sha, bytes);
    }

    /// <summary>The state of one pass: kept errors, their total, the lines and sold dates seen.</summary>
    private sealed class Scan(Func<ParsedSettlementLine, ValueTask>? sink)
    {
        private readonly List<SettlementRowError> _errors = [];
        private readonly SortedSet<DateOnly> _soldDates = [];
        private readonly List<SettlementRowError> _rowErrors = [];
        private int _total;

        public int Lines { get; private set; }

        public void Error(SettlementRowError e)
        {
            _total++;
            if (_errors.Count < KeptErrors) _errors.Add(e);
        }

        /// <summary>The settlement CSV: header on line 1, names case-insensitive, every record as wide as the header.</summary>
        public async Task CsvAsync(IAsyncEnumerable<TabularRecord> records, CancellationToken cancellationToken)
        {
            string[]? header = null;
            Dictionary<string, int>? index = null;
            string? fileCurrency = null;
            await foreach (var (line, record) in records.WithCancellation(cancellationToken))
            {
                if (header is null)
                {
                    header = record.Select(h => h.Trim()).ToArray();
                    if (header.All(h => h.Length == 0))
                    {
                        Error(new(1, "", "the file is empty (a header line is required)"));
                        return;
                    }
                    index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
                    for (var i = 0; i < header.Length; i++)
                    {
                        if (!index.TryAdd(header[i], i))
                            Error(new(1, header[i], "column appears twice in the header"));
                    }
                    foreach (var required in SettlementLineParser.RequiredColumns.Where(c => !index.ContainsKey(c)))
                        Error(new(1, required, "required column is missing from the header"));
                    if (_total > 0) return;
                    // The format states it: a file without a currency column is in the ledger's currency. A blank
                    // cell of a currency column is missing data, and refused.
                    fileCurrency = index.ContainsKey("currency") ? null : Common.Money.LedgerCurrency;
                    continue;
                }
                if (record.Length != header.Length)
                {
                    Error(new(line, "", $"has {record.Length} fields but the header has {header.Length}"));
                    continue;
                }
                _rowErrors.Clear();
                var parsed = SettlementLineParser.Parse(line, name => index!.TryGetValue(name, out var i) ? record[i] : null, _rowErrors,
                    fileCurrency: fileCurrency);
                await AcceptAsync(parsed);
            }
            if (header is null) Error(new(1, "", "the file is empty (a header line is required)"));
            else if (Lines == 0 && _total == 0) Error(new(1, "", "the file has a header but no lines"));
        }

        /// <summary>A PG's file through a profile: the header on its row, rows below it, blank rows skipped.</summary>
        public async Task ProfiledAsync(MappingProfile profile, IAsyncEnumerable<(int Line, object?[] Cells)> rows,
            CancellationToken cancellationToken)
        {
            Dictionary<string, int>? index = null;
            await foreach (var (line, cells) in rows.WithCancellation(cancellationToken))
            {
                if (line < profile.HeaderRow) continue;
                if (index is null)
                {
                    var headerErrors = new List<ImportRowError>();
                    var indexed = TabularFileReader.IndexHeader(profile, line == profile.HeaderRow ? cells : null, headerErrors);
                    foreach (var e in headerErrors) Error(new(e.Line, e.Field, e.Message));
                    if (indexed is null) return;
                    index = indexed.Value.Index;
                    continue;
                }
                if (cells.All(TabularFileReader.IsBlank)) continue;
                _rowErrors.Clear();
                var parsed = SettlementFileProfile.Parse(line,
                    header => index.TryGetValue(header, out var i) && i < cells.Length ? cells[i] : null, profile, _rowErrors);
                await AcceptAsync(parsed);
            }
            if (index is null)
            {
                var headerErrors = new List<ImportRowError>();
                TabularFileReader.IndexHeader(profile, null, headerErrors);
                foreach (var e in headerErrors) Error(new(e.Line, e.Field, e.Message));
            }
            else if (Lines == 0 && _total == 0) Error(new(profile.HeaderRow, "", "the file has a header but no lines"));
        }

        private async Task AcceptAsync(ParsedSettlementLine? parsed)
        {
            foreach (var e in _rowErrors) Error(e);
            if (parsed is null) return;
            Lines++;
            _soldDates.Add(parsed.SoldDate);
            if (_total == 0 && sink is not null) await sink(parsed);
        }

        public SettlementCsvScan TooLarge(long bytes, long maxBytes) =>
            new("", bytes, Lines, [new(0, "", $"the file is larger than {maxBytes / 1024 / 1024} MB")], 1, [], TooLarge: true);

        public SettlementCsvScan Finish(string sha, long bytes) =>
            new(sha, bytes, Lines, _errors.OrderBy(e => e.Line).ToList(), _total, _soldDates.ToList(), TooLarge: false);
    }
}
