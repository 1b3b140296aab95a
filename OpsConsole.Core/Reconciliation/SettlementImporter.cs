using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation;

public enum ImportOutcome
{
    /// <summary>All rows were stored.</summary>
    Imported,
    /// <summary>The same file (same SHA-256) was imported before: nothing changed.</summary>
    AlreadyImported,
    /// <summary>At least one row was bad: nothing was stored; see <see cref="SettlementImportResult.Errors"/>.</summary>
    Rejected,
}

/// <summary>What happened to an uploaded settlement file.</summary>
/// <param name="SoldDates">The distinct sold dates of the file's lines, in order (empty unless imported).</param>
/// <param name="SupersededLineCount">Earlier lines of those dates, of any source, that the file superseded.</param>
public sealed record SettlementImportResult(ImportOutcome Outcome, long? ImportId, string FileName, string Sha256,
    int RowCount, IReadOnlyList<SettlementRowError> Errors, int TotalErrorCount, IReadOnlyList<DateOnly> SoldDates,
    int SupersededLineCount)
{
    public bool Succeeded => Outcome != ImportOutcome.Rejected;

    /// <summary>For an imported file, e.g. "imported 1,234 lines (superseding 1,200 earlier lines of 2026-03-15)".</summary>
    public string ImportedSummary => SupersededLineCount > 0
        ? $"imported {Count(RowCount, "line")} (superseding {Count(SupersededLineCount, "earlier line")} of {DateList(SoldDates)})"
        : $"imported {Count(RowCount, "line")} of {DateList(SoldDates)} (no earlier lines to supersede)";

    private static string Count(int n, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{n:N0} {noun}{(n == 1 ? "" : "s")}");

    /// <summary>Runs of consecutive dates as ranges: "2026-03-14..2026-03-16, 2026-03-20".</summary>
    private static string DateList(IReadOnlyList<DateOnly> dates)
    {
        var runs = new List<string>();
        for (var i = 0; i < dates.Count;)
        {
            var j = i;
            while (j + 1 < dates.Count && dates[j + 1].DayNumber == dates[j].DayNumber + 1) j++;
            runs.Add(i == j
                ? dates[i].ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"{dates[i]:yyyy-MM-dd}..{dates[j]:yyyy-MM-dd}"));
            i = j + 1;
        }
        return string.Join(", ", runs);
    }
}

/// <summary>
/// Imports a PG settlement CSV (columns by header name, UTF-8 with or without BOM, RFC 4180, LF or CRLF).
/// The whole file is validated first; any bad row rejects the file and nothing is stored. The same bytes
/// imported twice change nothing. Otherwise the file is the PG's latest statement for the sold dates it holds:
/// its lines supersede the stored lines of those dates, whichever channel brought them (see
/// <see cref="SettlementLineWriter.SupersedeAsync"/>). Identical lines inside one file are kept (evidence of
/// duplicates).
/// </summary>
public sealed class SettlementImporter(IDbContextFactory<OpsDbContext> dbFactory, TimeProvider clock,
    AuditLog? audit = null, ILogger<SettlementImporter>? logger = null)
{
    /// <summary>At most this many errors are returned (the total is in the result).</summary>
    public const int MaxReportedErrors = 200;

    /// <summary>Larger files are refused (50 MB).</summary>
    public const long MaxFileBytes = 50L * 1024 * 1024;

    private readonly ILogger _log = logger ?? NullLogger<SettlementImporter>.Instance;

    public async Task<SettlementImportResult> ImportCsvAsync(Stream content, string fileName, string importedBy,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(importedBy))
            throw DomainException.BadInput("IMPORTED_BY_REQUIRED", "An import needs the name of who imports it.");
        fileName = Path.GetFileName(fileName);
        if (fileName.Length > 300) fileName = fileName[..300];

        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length > MaxFileBytes)
            return Reject(fileName, "", new SettlementRowError(0, "", $"the file is larger than {MaxFileBytes / 1024 / 1024} MB"));
        var bytes = buffer.ToArray();
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));

        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var existing = await db.Set<SettlementImport>().AsNoTracking()
                .FirstOrDefaultAsync(i => i.Source == SettlementSource.CSV && i.Sha256 == sha, cancellationToken);
            if (existing is not null)
                return AlreadyImported(existing, fileName);
        }

        var (lines, errors) = Parse(bytes);
        if (errors.Count > 0)
        {
            _log.LogWarning("Settlement file {File} rejected: {Count} error(s)", fileName, errors.Count);
            return new(ImportOutcome.Rejected, null, fileName, sha, lines.Count, errors.Take(MaxReportedErrors).ToList(),
                errors.Count, [], 0);
        }

        var soldDates = lines.Select(l => l.SoldDate).Distinct().Order().ToList();
        SettlementImport import;
        int superseded;
        for (var attempt = 1; ; attempt++)
        {
            await using var save = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var tx = await save.Database.BeginTransactionAsync(cancellationToken);
            import = SettlementImport.ForCsv(fileName, sha, lines.Count, importedBy, clock.GetUtcNow());
            save.Set<SettlementImport>().Add(import);
            try
            {
                superseded = await SettlementLineWriter.SupersedeAsync(save, soldDates,
                    lines.Select(l => l.ToEntity(import)).ToList(), cancellationToken);
                await save.SaveChangesAsync(cancellationToken);
                await tx.CommitAsync(cancellationToken);
                break;
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                // Someone imported the same file a moment ago, or stored a line with one of its keys (then the
                // dates are superseded and the lines marked again against what is stored now).
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                var existing = await db.Set<SettlementImport>().AsNoTracking()
                    .FirstOrDefaultAsync(i => i.Source == SettlementSource.CSV && i.Sha256 == sha, cancellationToken);
                if (existing is not null)
                    return AlreadyImported(existing, fileName);
                if (attempt == 3) throw;
            }
        }
        var result = new SettlementImportResult(ImportOutcome.Imported, import.Id, fileName, sha, lines.Count, [], 0,
            soldDates, superseded);
        _log.LogInformation("Settlement file {File} (import {ImportId}): {Summary}", fileName, import.Id, result.ImportedSummary);
        if (audit is not null)
            await audit.WriteAsync(importedBy, "settlement.import", "settlement_import", import.Id.ToString(CultureInfo.InvariantCulture),
                after: $"{fileName} sha256={sha}: {result.ImportedSummary}");
        return result;
    }

    private static SettlementImportResult AlreadyImported(SettlementImport existing, string fileName) =>
        new(ImportOutcome.AlreadyImported, existing.Id, fileName, existing.Sha256, existing.RowCount, [], 0, [], 0);

    private static SettlementImportResult Reject(string fileName, string sha, SettlementRowError error) =>
        new(ImportOutcome.Rejected, null, fileName, sha, 0, [error], 1, [], 0);

    /// <summary>Parses and validates the whole file. Pure; exposed for tests.</summary>
    public static (List<ParsedSettlementLine> Lines, List<SettlementRowError> Errors) Parse(byte[] bytes)
    {
        var lines = new List<ParsedSettlementLine>();
        var errors = new List<SettlementRowError>();
        try
        {
            _ = StrictUtf8.GetCharCount(bytes);
        }
        catch (DecoderFallbackException)
        {
            errors.Add(new(0, "", "the file is not valid UTF-8"));
            return (lines, errors);
        }

        var malformed = new List<SettlementRowError>();
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
            OnMalformedRecord = r => malformed.Add(new SettlementRowError((int)r.LineNumber, "",
                $"malformed CSV ({r.Reason}) in '{Shorten(r.RawRecord)}'")),
        };
        try
        {
            using var csv = CsvReader.Create(bytes, options);
            var header = csv.Headers.Select(h => h.Trim().TrimStart('\uFEFF')).ToArray();
            if (header.Length == 0 || header.All(h => h.Length == 0))
            {
                errors.Add(new(1, "", "the file is empty (a header line is required)"));
                return (lines, errors);
            }
            var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < header.Length; i++)
            {
                if (!index.TryAdd(header[i], i))
                    errors.Add(new(1, header[i], "column appears twice in the header"));
            }
            foreach (var required in SettlementLineParser.RequiredColumns.Where(c => !index.ContainsKey(c)))
                errors.Add(new(1, required, "required column is missing from the header"));
            if (errors.Count > 0) return (lines, errors.Concat(malformed).ToList());

            while (csv.Read())
            {
                var line = (int)csv.LineNumber;
                var record = csv.Current.ToArray();
                if (record.Length != header.Length)
                {
                    errors.Add(new(line, "", $"has {record.Length} fields but the header has {header.Length}"));
                    continue;
                }
                var parsed = SettlementLineParser.Parse(line,
                    name => index.TryGetValue(name, out var i) ? record[i] : null, errors);
                if (parsed is not null) lines.Add(parsed);
            }
            if (lines.Count == 0 && errors.Count == 0 && malformed.Count == 0)
                errors.Add(new(1, "", "the file has a header but no lines"));
        }
        catch (CsvFormatException e)
        {
            errors.Add(new((int)e.LineNumber, "", $"malformed CSV: {e.Message.Split('\n')[0]}"));
        }
        errors.AddRange(malformed);
        return (lines, errors.OrderBy(e => e.Line).ToList());
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string Shorten(string? s) => s is null ? "" : s.Length > 60 ? s[..60] + "…" : s.TrimEnd('\r', '\n');
}
