using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// One line of the PG's settlement data (the external ledger), ingested by CSV import or API pull. One line
/// per PG transaction; cancels carry a negative <see cref="Amount"/>. A line reported twice is evidence of a
/// duplicate settlement and is kept, and all lines of its key are marked (see <see cref="KeyRepeated"/>).
/// </summary>
public sealed class SettlementLine
{
    private SettlementLine()
    {
        PaymentKey = TransactionKey = OrderId = Currency = "";
    }

    public long Id { get; private set; }
    public long ImportId { get; private set; }
    public SettlementSource Source { get; private set; }

    /// <summary>The PG connection (<c>Pgs:{name}</c>) whose pull or file brought the line: its import's <see cref="SettlementImport.Pg"/>.</summary>
    public string Pg { get; private set; } = "";

    /// <summary>1-based line of the CSV file (0 for API pulls: the position in the pulled sequence).</summary>
    public int LineNumber { get; private set; }

    public string PaymentKey { get; private set; }
    public string TransactionKey { get; private set; }
    public string OrderId { get; private set; }
    public PaymentMethod Method { get; private set; }
    public long Amount { get; private set; }
    public long Fee { get; private set; }
    public long SupplyAmount { get; private set; }
    public long Vat { get; private set; }
    public long PayOutAmount { get; private set; }
    public DateTimeOffset ApprovedAt { get; private set; }

    /// <summary>The PG's KST business date of the transaction.</summary>
    public DateOnly SoldDate { get; private set; }

    public DateOnly PaidOutDate { get; private set; }
    public string Currency { get; private set; }
    public string? MId { get; private set; }

    /// <summary>The method exactly as the PG or the file named it (e.g. <c>문화상품권</c>); the key to an <see cref="PaymentMethod.OTHER"/> line.</summary>
    public string? MethodText { get; private set; }

    // The PG's fee breakdown and payment details (API pulls; null = not reported, never 0). The line's total
    // Fee stays the figure reconciliation compares.
    public long? InterestFee { get; private set; }
    public long? FeeBase { get; private set; }
    public long? FeeInstallmentDiscount { get; private set; }
    public long? FeeInstallment { get; private set; }
    public long? FeePointSaving { get; private set; }
    public long? FeeEtc { get; private set; }
    public string? CardIssuerCode { get; private set; }
    public string? CardAcquirerCode { get; private set; }
    public int? CardInstallmentPlanMonths { get; private set; }
    public bool? CardIsInterestFree { get; private set; }
    public string? CardInterestPayer { get; private set; }
    public string? CardAcquireStatus { get; private set; }
    public string? EasyPayProvider { get; private set; }

    /// <summary>On a cancel line: the cancel's own key, amount and time (<see cref="ApprovedAt"/> is the original approval's).</summary>
    public string? CancelTransactionKey { get; private set; }

    public long? CancelAmount { get; private set; }
    public DateTimeOffset? CanceledAt { get; private set; }

    /// <summary>
    /// True when the PG reported this line's <see cref="TransactionKey"/> on more than one line (set on all of
    /// them by <see cref="SettlementLineWriter"/>). Lines with it false are unique per key (a unique partial
    /// index), so reconciliation joins them as they are and groups only the few marked lines, instead of
    /// grouping every line of the day.
    /// </summary>
    public bool KeyRepeated { get; private set; }

    internal void MarkKeyRepeated() => KeyRepeated = true;

    /// <summary>A validated line (see <see cref="SettlementLineValidator"/>).</summary>
    public static SettlementLine Create(SettlementImport import, int lineNumber, string paymentKey,
        string transactionKey, string orderId, PaymentMethod method, long amount, long fee, long supplyAmount,
        long vat, long payOutAmount, DateTimeOffset approvedAt, DateOnly soldDate, DateOnly paidOutDate,
        string currency, string? mId, string? methodText = null, SettlementLineDetails? details = null) => new()
    {
        MethodText = methodText,
        InterestFee = details?.InterestFee,
        FeeBase = details?.FeeBase,
        FeeInstallmentDiscount = details?.FeeInstallmentDiscount,
        FeeInstallment = details?.FeeInstallment,
        FeePointSaving = details?.FeePointSaving,
        FeeEtc = details?.FeeEtc,
        CardIssuerCode = details?.CardIssuerCode,
        CardAcquirerCode = details?.CardAcquirerCode,
        CardInstallmentPlanMonths = details?.CardInstallmentPlanMonths,
        CardIsInterestFree = details?.CardIsInterestFree,
        CardInterestPayer = details?.CardInterestPayer,
        CardAcquireStatus = details?.CardAcquireStatus,
        EasyPayProvider = details?.EasyPayProvider,
        CancelTransactionKey = details?.CancelTransactionKey,
        CancelAmount = details?.CancelAmount,
        CanceledAt = details?.CanceledAt?.ToUniversalTime(),
        Import = import,
        Source = import.Source,
        Pg = import.Pg,
        LineNumber = lineNumber,
        PaymentKey = paymentKey,
        TransactionKey = transactionKey,
        OrderId = orderId,
        Method = method,
        Amount = amount,
        Fee = fee,
        SupplyAmount = supplyAmount,
        Vat = vat,
        PayOutAmount = payOutAmount,
        ApprovedAt = approvedAt.ToUniversalTime(),
        SoldDate = soldDate,
        PaidOutDate = paidOutDate,
        Currency = currency,
        MId = mId,
    };

    public SettlementImport? Import { get; private set; }
}

/// <summary>What an API pull knows beyond the CSV columns: the fee components, interest, card, easy-pay and cancel details.</summary>
public sealed record SettlementLineDetails(
    long? InterestFee = null,
    long? FeeBase = null,
    long? FeeInstallmentDiscount = null,
    long? FeeInstallment = null,
    long? FeePointSaving = null,
    long? FeeEtc = null,
    string? CardIssuerCode = null,
    string? CardAcquirerCode = null,
    int? CardInstallmentPlanMonths = null,
    bool? CardIsInterestFree = null,
    string? CardInterestPayer = null,
    string? CardAcquireStatus = null,
    string? EasyPayProvider = null,
    string? CancelTransactionKey = null,
    long? CancelAmount = null,
    DateTimeOffset? CanceledAt = null);

/// <summary>
/// One ingestion of settlement lines: a CSV file (name, SHA-256 of its bytes, row count, who) or an API pull
/// of a date range. The same CSV file (same hash) is imported at most once.
/// </summary>
public sealed class SettlementImport
{
    private SettlementImport()
    {
        Name = Sha256 = ImportedBy = "";
    }

    public long Id { get; private set; }
    public SettlementSource Source { get; private set; }

    /// <summary>The PG connection (<c>Pgs:{name}</c>) that was pulled or whose file this is; its lines supersede only that PG's lines.</summary>
    public string Pg { get; private set; } = "";

    /// <summary>The file name, or <c>api 2026-01-01..2026-01-02</c> for a pull.</summary>
    public string Name { get; private set; }

    /// <summary>Lowercase hex SHA-256 of the file bytes (of the pulled lines for an API pull).</summary>
    public string Sha256 { get; private set; }

    public int RowCount { get; private set; }
    public string ImportedBy { get; private set; }
    public DateTimeOffset ImportedAt { get; private set; }

    /// <summary>For API pulls: the soldDate range whose lines (of any source) this pull superseded.</summary>
    public DateOnly? RangeFrom { get; private set; }

    public DateOnly? RangeTo { get; private set; }

    public static SettlementImport ForCsv(string name, string sha256, int rowCount, string importedBy,
        DateTimeOffset at, string pg) => new()
    {
        Pg = RequirePg(pg),
        Source = SettlementSource.CSV,
        Name = name,
        Sha256 = sha256,
        RowCount = rowCount,
        ImportedBy = importedBy,
        ImportedAt = at,
    };

    public static SettlementImport ForPull(DateOnly from, DateOnly to, string sha256, int rowCount,
        string importedBy, DateTimeOffset at, string pg) => new()
    {
        Pg = RequirePg(pg),
        Source = SettlementSource.API,
        Name = $"api {from:yyyy-MM-dd}..{to:yyyy-MM-dd}",
        Sha256 = sha256,
        RowCount = rowCount,
        ImportedBy = importedBy,
        ImportedAt = at,
        RangeFrom = from,
        RangeTo = to,
    };

    private static string RequirePg(string pg) => string.IsNullOrWhiteSpace(pg)
        ? throw new ArgumentException("A settlement import belongs to a PG connection.", nameof(pg))
        : pg;
}
