using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Common.Tabular;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Cash;

/// <summary>What happened to a bank statement file.</summary>
public sealed record BankImportResult(ImportOutcome Outcome, long? ImportId, string FileName, string Sha256,
    BankStatementFormat? Format, IReadOnlyList<string> Accounts, int RowCount, int CreditCount, int DebitCount,
    DateOnly? PeriodFrom, DateOnly? PeriodTo, IReadOnlyList<ImportRowError> Errors, int TotalErrorCount)
{
    public bool Succeeded => Outcome != ImportOutcome.Rejected;

    public string Summary => Outcome switch
    {
        ImportOutcome.Imported => string.Create(CultureInfo.InvariantCulture,
            $"imported {RowCount:N0} entr{(RowCount == 1 ? "y" : "ies")} ({CreditCount:N0} in, {DebitCount:N0} out) of {string.Join(", ", Accounts)}{Period}"),
        ImportOutcome.AlreadyImported => string.Create(CultureInfo.InvariantCulture,
            $"was already imported (import {ImportId}, {RowCount:N0} entries); nothing changed"),
        _ => string.Create(CultureInfo.InvariantCulture, $"rejected, nothing stored ({TotalErrorCount} problem(s))"),
    };

    private string Period => PeriodFrom is { } f && PeriodTo is { } t
        ? string.Create(CultureInfo.InvariantCulture, $", {f:yyyy-MM-dd}..{t:yyyy-MM-dd}") : "";
}

/// <summary>
/// Imports a bank statement: ISO 20022 camt.053 (the account is read from the file) or a bank's CSV/Excel export
/// through a mapping profile (the account is named). All or nothing: any bad row rejects the whole file with every
/// problem listed (up to <see cref="MaxReportedErrors"/>) and stores nothing. The same bytes imported twice change
/// nothing. Each import is recorded (<see cref="BankStatementImport"/>) and audited.
/// </summary>
public sealed class BankStatementImporter(IDbContextFactory<OpsDbContext> dbFactory, TimeProvider clock,
    IOptions<CashOptions> options, BankProfileStore profiles, AuditLog? audit = null, ILogger<BankStatementImporter>? logger = null)
{
    public const int MaxReportedErrors = 200;

    /// <summary>The names of the accounts in force (configured or added in the console), ordered.</summary>
    public async Task<IReadOnlyList<string>> AccountNamesAsync(CancellationToken ct = default) =>
        (await CashSettings.EffectiveAsync(dbFactory, options.Value, ct)).Accounts.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Larger files are refused (50 MB).</summary>
    public const long MaxFileBytes = 50L * 1024 * 1024;

    private readonly ILogger _log = logger ?? NullLogger<BankStatementImporter>.Instance;

    /// <param name="profileName">A profile name or path: required for CSV/Excel, refused for camt.053.</param>
    /// <param name="accountName">The configured account of a CSV/Excel file (required); for camt.053, when given, it
    /// must be the file's account.</param>
    public async Task<BankImportResult> ImportAsync(Stream content, string fileName, string? profileName, string? accountName,
        string importedBy, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(importedBy))
            throw DomainException.BadInput("IMPORTED_BY_REQUIRED", "An import needs the name of who imports it.");
        var cash = await CashSettings.EffectiveAsync(dbFactory, options.Value, cancellationToken);
        fileName = Path.GetFileName(fileName);
        if (fileName.Length > 300) fileName = fileName[..300];

        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length > MaxFileBytes)
            return Rejected(fileName, "", null, [new(0, "", $"the file is larger than {MaxFileBytes / 1024 / 1024} MB")]);
        var bytes = buffer.ToArray();
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));

        if (await FindAsync(sha, cancellationToken) is { } existing)
            return AlreadyImported(existing, fileName);

        BankStatementFormat format;
        List<ParsedBankTransaction> rows;
        List<ImportRowError> errors;
        IReadOnlyList<string> accounts;
        DateOnly? from, to;
        string? usedProfile = null;
        if (Camt053Parser.LooksLikeXml(bytes))
        {
            if (!string.IsNullOrWhiteSpace(profileName))
                throw DomainException.BadInput("PROFILE_NOT_APPLICABLE", $"{fileName} is an XML (camt.053) statement: it needs no mapping profile.");
            format = BankStatementFormat.CAMT053;
            (rows, errors, var info) = Camt053Parser.Parse(bytes, cash);
            accounts = info?.Accounts ?? [];
            (from, to) = (info?.PeriodFrom, info?.PeriodTo);
            if (!string.IsNullOrWhiteSpace(accountName) && errors.Count == 0 && accounts.Any(a => !string.Equals(a, accountName, StringComparison.OrdinalIgnoreCase)))
                errors.Add(new(0, "Acct", $"the file is a statement of {string.Join(", ", accounts)}, not of --account {accountName}"));
        }
        else
        {
            if (string.IsNullOrWhiteSpace(profileName))
                throw DomainException.BadInput("PROFILE_REQUIRED", $"{fileName} is not a camt.053 XML file: name the mapping profile of its CSV/Excel layout.");
            if (string.IsNullOrWhiteSpace(accountName))
                throw DomainException.BadInput("ACCOUNT_REQUIRED", $"{fileName}: name the account the CSV/Excel statement belongs to (one of {AccountList(cash)}).");
            var account = cash.Accounts.FirstOrDefault(a => string.Equals(a.Key, accountName.Trim(), StringComparison.OrdinalIgnoreCase));
            if (account.Value is null)
                throw DomainException.BadInput("ACCOUNT_UNKNOWN", $"Account '{accountName}' is not configured (Cash:Accounts:{accountName}:Number); configured: {AccountList(cash)}.");
            var profile = profiles.Resolve(profileName);
            usedProfile = profile.Name;
            var (table, readErrors) = TabularFileReader.Read(bytes, profile);
            format = TabularFileReader.IsXlsx(bytes) ? BankStatementFormat.XLSX : BankStatementFormat.CSV;
            if (table is null || readErrors.Count > 0)
                (rows, errors) = ([], readErrors);
            else
                (rows, errors) = BankTabularParser.Parse(table, profile, account.Key, account.Value.Currency.ToUpperInvariant());
            accounts = [account.Key];
            from = rows.Count > 0 ? rows.Min(r => r.BookingDate) : null;
            to = rows.Count > 0 ? rows.Max(r => r.BookingDate) : null;
        }

        if (errors.Count > 0)
        {
            _log.LogWarning("Bank statement {File} rejected: {Count} problem(s)", fileName, errors.Count);
            return Rejected(fileName, sha, format, errors.OrderBy(e => e.Line).ToList());
        }

        var accountText = string.Join(", ", accounts);
        BankStatementImport import;
        await using (var save = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await using var tx = await save.Database.BeginTransactionAsync(cancellationToken);
            import = BankStatementImport.Create(fileName, sha, format, usedProfile, accountText, rows.Count, from, to,
                importedBy, clock.GetUtcNow());
            save.Set<BankStatementImport>().Add(import);
            save.Set<BankTransaction>().AddRange(rows.Select(r => r.ToEntity(import)));
            try
            {
                await save.SaveChangesAsync(cancellationToken);
                await tx.CommitAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                // Someone imported the same file a moment ago.
                if (await FindAsync(sha, cancellationToken) is { } raced)
                    return AlreadyImported(raced, fileName);
                throw;
            }
        }
        var result = new BankImportResult(ImportOutcome.Imported, import.Id, fileName, sha, format, accounts, rows.Count,
            rows.Count(r => r.Direction == BankDirection.CREDIT), rows.Count(r => r.Direction == BankDirection.DEBIT),
            from, to, [], 0);
        _log.LogInformation("Bank statement {File} (import {ImportId}): {Summary}", fileName, import.Id, result.Summary);
        if (audit is not null)
            await audit.WriteAsync(importedBy, "bank-statement.import", "bank_statement_import",
                import.Id.ToString(CultureInfo.InvariantCulture), after: $"{fileName} sha256={sha} {format}: {result.Summary}");
        return result;
    }

    private async Task<BankStatementImport?> FindAsync(string sha, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<BankStatementImport>().AsNoTracking().FirstOrDefaultAsync(i => i.Sha256 == sha, cancellationToken);
    }

    private static string AccountList(CashOptions cash) => cash.Accounts.Count == 0 ? "none; set Cash:Accounts:{name}:Number" : string.Join(", ", cash.Accounts.Keys);

    private static BankImportResult AlreadyImported(BankStatementImport existing, string fileName) =>
        new(ImportOutcome.AlreadyImported, existing.Id, fileName, existing.Sha256, existing.Format,
            existing.AccountName.Split(", "), existing.RowCount, 0, 0, existing.PeriodFrom, existing.PeriodTo, [], 0);

    private static BankImportResult Rejected(string fileName, string sha, BankStatementFormat? format, List<ImportRowError> errors) =>
        new(ImportOutcome.Rejected, null, fileName, sha, format, [], 0, 0, 0, null, null, errors.Take(MaxReportedErrors).ToList(), errors.Count);
}
