namespace OpsConsole.Core.Cash;

public enum BankStatementFormat
{
    /// <summary>ISO 20022 camt.053 (bank-to-customer statement), any version 001.02 and later.</summary>
    CAMT053,
    /// <summary>A bank's CSV export read through a mapping profile.</summary>
    CSV,
    /// <summary>A bank's Excel (.xlsx) export read through a mapping profile.</summary>
    XLSX,
}

/// <summary>
/// One imported bank statement file: name, SHA-256 of its bytes (the same file is imported at most once), format,
/// profile, the account(s) it covers, its row count, who imported it and when.
/// </summary>
public sealed class BankStatementImport
{
    private BankStatementImport()
    {
        FileName = Sha256 = AccountName = ImportedBy = "";
    }

    public long Id { get; private set; }
    public string FileName { get; private set; }

    /// <summary>Lowercase hex SHA-256 of the file bytes; unique.</summary>
    public string Sha256 { get; private set; }

    public BankStatementFormat Format { get; private set; }

    /// <summary>The mapping profile of a CSV/Excel file (null for camt.053).</summary>
    public string? ProfileName { get; private set; }

    /// <summary>The configured account name (<c>Cash:Accounts:{name}</c>); several comma-separated for a multi-account camt.053.</summary>
    public string AccountName { get; private set; }

    public int RowCount { get; private set; }

    /// <summary>The period the statement covers: camt.053 FrToDt when given, else the first and last booking date.</summary>
    public DateOnly? PeriodFrom { get; private set; }

    public DateOnly? PeriodTo { get; private set; }

    public string ImportedBy { get; private set; }
    public DateTimeOffset ImportedAt { get; private set; }

    public static BankStatementImport Create(string fileName, string sha256, BankStatementFormat format, string? profileName,
        string accountName, int rowCount, DateOnly? periodFrom, DateOnly? periodTo, string importedBy, DateTimeOffset at) => new()
    {
        FileName = fileName,
        Sha256 = sha256,
        Format = format,
        ProfileName = profileName,
        AccountName = accountName,
        RowCount = rowCount,
        PeriodFrom = periodFrom,
        PeriodTo = periodTo,
        ImportedBy = importedBy,
        ImportedAt = at,
    };
}
