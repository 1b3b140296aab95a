using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using CsvHelper;

namespace OpsConsole.Core.Common.Tabular;

/// <summary>One CSV record as read: its 1-based physical line and its fields.</summary>
public readonly record struct TabularRecord(int Line, string[] Cells);

/// <summary>
/// The one CSV reading loop of every tabular feed (PG settlement files, bank exports): RFC 4180 quoting, LF or CRLF,
/// blank lines skipped, a streaming read (one buffer and the current record in memory, whatever the file size). The
/// bytes are decoded leniently here; a <see cref="TabularByteStream"/> underneath checks them strictly, so a file in
/// the wrong encoding is one clear error rather than a row of garbled text. Malformed records are reported through
/// <c>onError</c> with their line; reading goes on to report the rest.
/// </summary>
public static class TabularCsvReader
{
    public static async IAsyncEnumerable<TabularRecord> ReadAsync(Stream input, Encoding encoding, char separator,
        Action<ImportRowError> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = new CsvReaderOptions
        {
            Separator = separator,
            HasHeader = false,
            TrackLineNumbers = true,
            SkipEmptyLines = true,
            AllowLineBreaksInQuotes = true,
            TrimWhitespace = false,
            FormatProvider = CultureInfo.InvariantCulture,
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            OnMalformedRecord = r => onError(new((int)r.LineNumber, "", $"malformed CSV ({r.Reason}) in '{Shorten(r.RawRecord)}'")),
        };
        // UTF-8 is read from the bytes directly (the fast path); other encodings through a decoding reader.
        await using var csv = encoding.CodePage == Encoding.UTF8.CodePage
            ? CsvReader.Create(input, options, leaveOpen: true)
            : CsvReader.Create(new StreamReader(input, encoding, detectEncodingFromByteOrderMarks: false,
                bufferSize: 65536, leaveOpen: true), options, leaveOpen: false);
        var first = true;
        while (true)
        {
            bool any;
            try
            {
                any = await csv.ReadAsync(cancellationToken);
            }
            catch (CsvFormatException e)
            {
                onError(new((int)e.LineNumber, "", $"malformed CSV: {e.Message.Split('\n')[0]}"));
                yield break;
            }
            catch (DecoderFallbackException)
            {
                // Bytes that are not valid in the encoding: the TabularByteStream underneath reports where.
                yield break;
            }
            if (!any) yield break;
            var cells = csv.Current.ToArray();
            if (first && cells.Length > 0) cells[0] = cells[0].TrimStart('\uFEFF');
            first = false;
            yield return new((int)csv.LineNumber, cells);
        }
    }

    private static string Shorten(string? s) => s is null ? "" : s.Length > 60 ? s[..60] + "…" : s.TrimEnd('\r', '\n');
}
