using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CsvHelper;

namespace OpsConsole.Core.Reconciliation;

/// <summary>What one streaming pass over a settlement CSV found.</summary>
/// <param name="Errors">The first <see cref="SettlementCsvScanner.KeptErrors"/> problems, in line order.</param>
/// <param name="TooLarge">The file passed <see cref="SettlementCsvScanner.MaxBytes"/>; reading stopped there.</param>
public sealed record SettlementCsvScan(string Sha256, long Bytes, int LineCount, IReadOnlyList<SettlementRowError> Errors,
    int TotalErrorCount, IReadOnlyList<DateOnly> SoldDates, bool TooLarge);

/// <summary>
/// Reads a settlement CSV once, as a stream (columns by header name, UTF-8 with or without BOM, RFC 4180, LF or
/// CRLF): hashes the bytes (SHA-256), checks they are UTF-8, validates every row with
/// <see cref="SettlementLineParser"/> and hands each valid line to a sink while no row has failed. Memory stays
/// bounded whatever the size: one read buffer, the current record, the distinct sold dates and the first
/// <see cref="KeptErrors"/> errors.
/// </summary>
public static class SettlementCsvScanner
{
    /// <summary>At most this many errors are kept (the total is counted).</summary>
    public const int KeptErrors = 200;

    public static async Task<SettlementCsvScan> ScanAsync(Stream content, long maxBytes,
        Func<ParsedSettlementLine, ValueTask>? sink, CancellationToken cancellationToken)
    {
        var errors = new List<SettlementRowError>();
        var total = 0;
        void Error(SettlementRowError e)
        {
            total++;
            if (errors.Count < KeptErrors) errors.Add(e);
        }

        await using var input = new CheckedStream(content, maxBytes);
        var soldDates = new SortedSet<DateOnly>();
        var lines = 0;
        var options = new CsvReaderOptions
        {
            Separator = ',',
            HasHeader = true,
            TrackLineNumbers = true,
            SkipEmptyLines = true,
            AllowLineBreaksInQuotes = true,
            TrimWhitespace = false,
            FormatProvider = CultureInfo.InvariantCulture,
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            OnMalformedRecord = r => Error(new SettlementRowError((int)r.LineNumber, "",
                $"malformed CSV ({r.Reason}) in '{Shorten(r.RawRecord)}'")),
        };
        try
        {
            await using var csv = CsvReader.Create(input, options, leaveOpen: true);
            var any = await csv.ReadAsync(cancellationToken);
            var header = csv.Headers.Select(h => h.Trim().TrimStart('\uFEFF')).ToArray();
            if (header.Length == 0 || header.All(h => h.Length == 0))
            {
                Error(new(1, "", "the file is empty (a header line is required)"));
                return await FinishAsync();
            }
            var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < header.Length; i++)
            {
                if (!index.TryAdd(header[i], i))
                    Error(new(1, header[i], "column appears twice in the header"));
            }
            foreach (var required in SettlementLineParser.RequiredColumns.Where(c => !index.ContainsKey(c)))
                Error(new(1, required, "required column is missing from the header"));
            if (total > 0) return await FinishAsync();

            var rowErrors = new List<SettlementRowError>();
            for (; any; any = await csv.ReadAsync(cancellationToken))
            {
                var line = (int)csv.LineNumber;
                var record = csv.Current.ToArray();
                if (record.Length != header.Length)
                {
                    Error(new(line, "", $"has {record.Length} fields but the header has {header.Length}"));
                    continue;
                }
                rowErrors.Clear();
                var parsed = SettlementLineParser.Parse(line, name => index.TryGetValue(name, out var i) ? record[i] : null, rowErrors);
                foreach (var e in rowErrors) Error(e);
                if (parsed is null) continue;
                lines++;
                soldDates.Add(parsed.SoldDate);
                if (total == 0 && sink is not null) await sink(parsed);
            }
            if (lines == 0 && total == 0)
                Error(new(1, "", "the file has a header but no lines"));
        }
        catch (CsvFormatException e)
        {
            Error(new((int)e.LineNumber, "", $"malformed CSV: {e.Message.Split('\n')[0]}"));
        }
        catch (FileTooLargeException)
        {
            return new SettlementCsvScan("", input.Bytes, lines, [new(0, "", $"the file is larger than {maxBytes / 1024 / 1024} MB")],
                1, [], TooLarge: true);
        }
        return await FinishAsync();

        async Task<SettlementCsvScan> FinishAsync()
        {
            await input.DrainAsync(cancellationToken);
            if (input.TooLarge)
                return new SettlementCsvScan("", input.Bytes, lines, [new(0, "", $"the file is larger than {maxBytes / 1024 / 1024} MB")],
                    1, [], TooLarge: true);
            if (!input.IsValidUtf8)
            {
                // Bytes that are not UTF-8 make every field suspect: that is the one error reported.
                return new SettlementCsvScan(input.Sha256(), input.Bytes, lines, [new(0, "", "the file is not valid UTF-8")],
                    1, [], TooLarge: false);
            }
            return new SettlementCsvScan(input.Sha256(), input.Bytes, lines, errors.OrderBy(e => e.Line).ToList(), total,
                soldDates.ToList(), TooLarge: false);
        }
    }

    private static string Shorten(string? s) => s is null ? "" : s.Length > 60 ? s[..60] + "…" : s.TrimEnd('\r', '\n');

    private sealed class FileTooLargeException : Exception;

    /// <summary>
    /// A read-only pass-through that hashes what is read, checks it is UTF-8 (a streaming decoder) and stops with
    /// <see cref="FileTooLargeException"/> past the size limit.
    /// </summary>
    private sealed class CheckedStream(Stream inner, long maxBytes) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly Decoder _utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
        private readonly char[] _chars = new char[8192];

        public long Bytes { get; private set; }
        public bool IsValidUtf8 { get; private set; } = true;
        public bool TooLarge { get; private set; }

        public string Sha256()
        {
            if (IsValidUtf8) Check([], flush: true);
            return Convert.ToHexStringLower(_hash.GetHashAndReset());
        }

        /// <summary>Reads what the CSV reader left (trailing bytes after the last record), so the hash covers the whole file.</summary>
        public async Task DrainAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[65536];
            try
            {
                while (await ReadAsync(buffer, cancellationToken) > 0)
                {
                }
            }
            catch (FileTooLargeException)
            {
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            return Seen(buffer.Span[..n]);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => Seen(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

        private int Seen(ReadOnlySpan<byte> bytes)
        {
            if (TooLarge) throw new FileTooLargeException();
            Bytes += bytes.Length;
            if (Bytes > maxBytes)
            {
                TooLarge = true;
                throw new FileTooLargeException();
            }
            _hash.AppendData(bytes);
            if (IsValidUtf8) Check(bytes, flush: false);
            return bytes.Length;
        }

        private void Check(ReadOnlySpan<byte> bytes, bool flush)
        {
            try
            {
                while (true)
                {
                    _utf8.Convert(bytes, _chars, flush, out var used, out var produced, out var completed);
                    bytes = bytes[used..];
                    if (completed || (used == 0 && produced == 0)) break;
                }
            }
            catch (DecoderFallbackException)
            {
                IsValidUtf8 = false;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _hash.Dispose();
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Bytes; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
