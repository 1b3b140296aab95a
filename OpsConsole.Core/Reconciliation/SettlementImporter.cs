using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Common.Tabular;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;
using Microsoft.EntityFrameworkCore.Storage;

namespace OpsConsole.Core.Reconciliation;

public enum ImportOutcome
{
    /// <summary>All rows were stored.</summary>
    Imported,
    /// <summary>The same file (same SHA-256) was imported before: nothing changed.</summary>
    AlreadyImported,
    /// <summary>At least one row was bad: nothing was stored; see <see cref="SettlementImportResult.Errors"/>.</summary>
    Rejected,
    /// <summary>A preview (<see cref="SettlementImportMode.Preview"/>): the file is valid; nothing was stored.</summary>
    Previewed,
    /// <summary>The file would remove stored lines and the replacement was not confirmed: nothing was stored.</summary>
    NeedsConfirmation,
}

/// <summary>What happened to an uploaded settlement file.</summary>
/// <param name="SoldDates">The distinct sold dates of the file's lines, in order (empty unless imported).</param>
/// <param name="SupersededLineCount">Earlier lines of those dates, of any source, that the file superseded.</param>
/// <param name="Preview">Per sold date, the file's lines against the stored ones (a valid file, whatever the outcome).</param>
public sealed record SettlementImportResult(ImportOutcome Outcome, long? ImportId, string FileName, string Sha256,
    int RowCount, IReadOnlyList<SettlementRowError> Errors, int TotalErrorCount, IReadOnlyList<DateOnly> SoldDates,
    int SupersededLineCount, SettlementImportPreview? Preview = null)
{
    /// <summary>Imported or already imported (a preview or a refused replacement stored nothing).</summary>
    public bool Succeeded => Outcome is ImportOutcome.Imported or ImportOutcome.AlreadyImported;

    /// <summary>For a refused replacement: what would be removed, and how to confirm.</summary>
    public string NeedsConfirmationMessage =>
        $"{FileName} would remove {SoldDateChange.Lines(Preview?.RemovedLines ?? 0)}: {Preview?.Describe()}. Nothing was imported; " +
        "confirm the replacement to import it.";

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
/// Imports a PG settlement CSV (columns by header name, UTF-8 with or without BOM, RFC 4180, LF or CRLF) as a
/// stream, in bounded memory whatever its size: one pass hashes, validates and bulk-loads the rows into a
/// temporary staging table (binary COPY on PostgreSQL, prepared inserts on SQLite) inside one transaction; any
/// bad row rejects the file (every error with its line) and the transaction is rolled back, so nothing is
/// stored. The same bytes imported twice change nothing (SHA-256; a seekable stream is hashed first, so a file
/// imported before costs one read). Otherwise the file is the PG's latest statement for the sold dates it
/// holds: its lines supersede the stored lines of those dates, whichever channel brought them (see
/// <see cref="SettlementLineWriter.SupersedeFromStagingAsync"/>). Identical lines inside one file are kept
/// (evidence of duplicates).
/// </summary>
/// <para>A file is one PG connection's (<see cref="PgConnections.Resolve"/>: named, or the only one configured): its
/// lines carry that PG, supersede only that PG's lines, and a line of a merchant id the PG does not serve rejects the
/// file.</para>
public sealed class SettlementImporter(IDbContextFactory<OpsDbContext> dbFactory, TimeProvider clock,
    AuditLog? audit = null, ILogger<SettlementImporter>? logger = null, PgConnections? connections = null)
{
    private readonly PgConnections _connections = connections ?? PgConnections.Single;

    /// <summary>At most this many errors are returned (the total is in the result).</summary>
    public const int MaxReportedErrors = SettlementCsvScanner.KeptErrors;

    /// <summary>Larger files are refused (2 GiB). Memory does not grow with the size; time does.</summary>
    public const long MaxFileBytes = 2L * 1024 * 1024 * 1024;

    private readonly ILogger _log = logger ?? NullLogger<SettlementImporter>.Instance;

    /// <param name="mode">Preview only, commit unless lines would be removed (the default), or commit replacing.</param>
    /// <summary>Imports unless the file would remove stored lines (<see cref="SettlementImportMode.Commit"/>).</summary>
    public Task<SettlementImportResult> ImportCsvAsync(Stream content, string fileName, string importedBy,
        CancellationToken cancellationToken = default) =>
        ImportCsvAsync(content, fileName, importedBy, SettlementImportMode.Commit, cancellationToken);

    public Task<SettlementImportResult> ImportCsvAsync(Stream content, string fileName, string importedBy,
        SettlementImportMode mode, CancellationToken cancellationToken = default) =>
        ImportAsync(content, fileName, importedBy, mode, null, null, cancellationToken);

    /// <param name="pg">The PG connection whose file this is (<c>--pg</c>); required when more than one is configured.</param>
    public Task<SettlementImportResult> ImportCsvAsync(Stream content, string fileName, string importedBy,
        SettlementImportMode mode, string? pg, CancellationToken cancellationToken = default) =>
        ImportAsync(content, fileName, importedBy, mode, null, pg, cancellationToken);

    /// <summary>
    /// Imports a settlement file: the settlement CSV (<paramref name="profile"/> null), or a PG's own CSV or .xlsx read
    /// through a mapping profile (<see cref="SettlementFileProfile"/>), with the same semantics either way. The file's PG
    /// is <paramref name="pg"/> (<c>--pg</c>), else the PG the profile names, else the only configured one; a
    /// <paramref name="pg"/> that contradicts the profile's is refused.
    /// </summary>
    public async Task<SettlementImportResult> ImportAsync(Stream content, string fileName, string importedBy,
        SettlementImportMode mode, MappingProfile? profile, string? pg, CancellationToken cancellationToken = default)
    {
        if (profile is not null) SettlementFileProfile.Require(profile);
        if (!string.IsNullOrWhiteSpace(pg) && profile?.Pg is { } named && !string.Equals(named, pg.Trim(), StringComparison.Ordinal))
            throw DomainException.BadInput("PG_PROFILE_MISMATCH",
                $"--pg '{pg.Trim()}' contradicts profile '{profile.Name}', which reads files of PG '{named}'.");
        var connection = _connections.Resolve(string.IsNullOrWhiteSpace(pg) ? profile?.Pg : pg,
            string.IsNullOrWhiteSpace(pg) && profile?.Pg is not null ? $"profile '{profile.Name}' names PG" : "--pg");
        if (profile is not null && !content.CanSeek)
        {
            // A workbook is read out of order: keep a stream we cannot seek in a temporary file first.
            await using var copy = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 65536,
                FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            await content.CopyToAsync(copy, cancellationToken);
            copy.Position = 0;
            return await ImportAsync(copy, fileName, importedBy, mode, profile, connection.Name, cancellationToken);
        }
        if (string.IsNullOrWhiteSpace(importedBy))
            throw DomainException.BadInput("IMPORTED_BY_REQUIRED", "An import needs the name of who imports it.");
        fileName = Path.GetFileName(fileName);
        if (fileName.Length > 300) fileName = fileName[..300];

        var start = content.CanSeek ? content.Position : 0;
        if (content.CanSeek)
        {
            var hashed = await HashAsync(content, cancellationToken);
            content.Position = start;
            if (hashed is null)
                return Reject(fileName, "", new SettlementRowError(0, "", $"the file is larger than {MaxFileBytes / 1024 / 1024} MB"));
            if (await FindAsync(hashed, cancellationToken) is { } before)
                return AlreadyImported(before, fileName);
        }

        var sha = new StrongBox<string>("");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ImportOnceAsync(content, fileName, importedBy, mode, profile, connection, sha, cancellationToken);
            }
            catch (Exception e) when (DbErrors.IsUniqueViolation(e))
            {
                // Someone imported the same file a moment ago (the import row's unique hash), or stored a line
                // with one of its keys without taking turns. A seekable file is read again; a stream cannot be.
                if (await FindAsync(sha.Value!, cancellationToken) is { } existing)
                    return AlreadyImported(existing, fileName);
                if (attempt == 3 || !content.CanSeek) throw;
                content.Position = start;
            }
        }
    }

    private async Task<SettlementImportResult> ImportOnceAsync(Stream content, string fileName, string importedBy,
        SettlementImportMode mode, MappingProfile? profile, PgConnection pg, StrongBox<string> sha,
        CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        SettlementCsvScan scan;
        await using (var staging = await SettlementStaging.CreateAsync(db, cancellationToken))
        {
            scan = await SettlementCsvScanner.ScanAsync(content, MaxFileBytes, profile,
                line => staging.AddAsync(line, cancellationToken), cancellationToken);
            sha.Value = scan.Sha256;
            if (scan.TotalErrorCount > 0)
            {
                _log.LogWarning("Settlement file {File} rejected: {Count} error(s)", fileName, scan.TotalErrorCount);
                return new(ImportOutcome.Rejected, null, fileName, scan.Sha256, scan.LineCount, scan.Errors,
                    scan.TotalErrorCount, [], 0);
            }
            await staging.CompleteAsync(cancellationToken);
        }
        if (await ForeignMerchantAsync(db, pg, cancellationToken) is { } foreign)
        {
            _log.LogWarning("Settlement file {File} rejected: {Error}", fileName, foreign);
            return new(ImportOutcome.Rejected, null, fileName, scan.Sha256, scan.LineCount, [foreign], 1, [], 0);
        }

        var existing = await db.Set<SettlementImport>().AsNoTracking()
            .FirstOrDefaultAsync(i => i.Source == SettlementSource.CSV && i.Sha256 == scan.Sha256, cancellationToken);
        if (existing is not null)
            return AlreadyImported(existing, fileName);

        // What the file changes, from the staging table (set-based), while holding the ingestion turn: the
        // superseding below replaces exactly these dates' lines.
        await SettlementLineWriter.TakeTurnAsync(db, cancellationToken);
        var preview = await SettlementImportPreview.FromStagingAsync(db, pg.Name, cancellationToken);
        if (mode == SettlementImportMode.Preview || (mode == SettlementImportMode.Commit && preview.RemovesLines))
        {
            await tx.RollbackAsync(cancellationToken);
            var outcome = mode == SettlementImportMode.Preview ? ImportOutcome.Previewed : ImportOutcome.NeedsConfirmation;
            var held = new SettlementImportResult(outcome, null, fileName, scan.Sha256, scan.LineCount, [], 0, scan.SoldDates,
                0, preview);
            if (outcome == ImportOutcome.NeedsConfirmation)
            {
                _log.LogWarning("Settlement file {File} not imported: {Message}", fileName, held.NeedsConfirmationMessage);
                if (audit is not null)
                    await audit.WriteAsync(importedBy, "settlement.import.refused", "settlement_import", scan.Sha256,
                        after: $"{fileName}: {preview.Describe()}", outcome: "would remove lines; not confirmed");
            }
            return held;
        }

        var import = SettlementImport.ForCsv(fileName, scan.Sha256, scan.LineCount, importedBy, clock.GetUtcNow(), pg.Name);
        db.Set<SettlementImport>().Add(import);
        await db.SaveChangesAsync(cancellationToken);
        var superseded = await SettlementLineWriter.SupersedeFromStagingAsync(db, scan.SoldDates, import, cancellationToken);
        if (db.Provider == DatabaseProvider.Sqlite)
            await SettlementStaging.ExecAsync(db.Database.GetDbConnection(), tx, $"DROP TABLE temp.{SettlementStaging.Table}", cancellationToken);
        await tx.CommitAsync(cancellationToken);

        var result = new SettlementImportResult(ImportOutcome.Imported, import.Id, fileName, scan.Sha256, scan.LineCount,
            [], 0, scan.SoldDates, superseded, preview);
        _log.LogInformation("Settlement file {File} (import {ImportId}): {Summary}", fileName, import.Id, result.ImportedSummary);
        if (audit is not null)
            await audit.WriteAsync(importedBy, "settlement.import", "settlement_import", import.Id.ToString(CultureInfo.InvariantCulture),
                after: $"{fileName} sha256={scan.Sha256}{(profile is null ? "" : $" profile={profile.Name}")}: {result.ImportedSummary}; {preview.Describe()}",
                reason: preview.RemovesLines ? $"replacement confirmed: removes {SoldDateChange.Lines(preview.RemovedLines)}" : null);
        return result;
    }

    /// <summary>The first staged line whose merchant id <paramref name="pg"/> does not serve (none when it serves every one).</summary>
    private static async Task<SettlementRowError?> ForeignMerchantAsync(OpsDbContext db, PgConnection pg, CancellationToken ct)
    {
        if (pg.MerchantIds.Count == 0) return null;
        var dialect = ReconSql.DialectFor(db.Provider);
        var ids = string.Join(", ", pg.MerchantIds.Select(dialect.Text));
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        cmd.CommandText = $"SELECT line_number, m_id FROM {SettlementStaging.Table} WHERE m_id IS NULL OR m_id NOT IN ({ids}) ORDER BY line_number LIMIT 1";
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var line = reader.GetInt32(0);
        return reader.IsDBNull(1)
            ? new SettlementRowError(line, "mId", $"the line names no merchant id; PG '{pg.Name}' serves {string.Join(", ", pg.MerchantIds)}")
            : new SettlementRowError(line, "mId", $"merchant id '{reader.GetString(1)}' is not one of PG '{pg.Name}' ({string.Join(", ", pg.MerchantIds)})");
    }

    private async Task<SettlementImport?> FindAsync(string sha, CancellationToken cancellationToken)
    {
        if (sha.Length == 0) return null;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<SettlementImport>().AsNoTracking()
            .FirstOrDefaultAsync(i => i.Source == SettlementSource.CSV && i.Sha256 == sha, cancellationToken);
    }

    /// <summary>SHA-256 of the rest of a stream, read in 64 KB blocks; null past <see cref="MaxFileBytes"/>.</summary>
    private static async Task<string?> HashAsync(Stream content, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[65536];
        long total = 0;
        int n;
        while ((n = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += n;
            if (total > MaxFileBytes) return null;
            hash.AppendData(buffer, 0, n);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static SettlementImportResult AlreadyImported(SettlementImport existing, string fileName) =>
        new(ImportOutcome.AlreadyImported, existing.Id, fileName, existing.Sha256, existing.RowCount, [], 0, [], 0);

    private static SettlementImportResult Reject(string fileName, string sha, SettlementRowError error) =>
        new(ImportOutcome.Rejected, null, fileName, sha, 0, [error], 1, [], 0);

    /// <summary>Parses and validates a whole file held in memory (tests and small callers; imports stream).</summary>
    public static (List<ParsedSettlementLine> Lines, List<SettlementRowError> Errors) Parse(byte[] bytes)
    {
        var lines = new List<ParsedSettlementLine>();
        var scan = SettlementCsvScanner.ScanAsync(new MemoryStream(bytes, writable: false), long.MaxValue, line =>
        {
            lines.Add(line);
            return ValueTask.CompletedTask;
        }, CancellationToken.None).GetAwaiter().GetResult();
        return (lines, scan.Errors.ToList());
    }
}
