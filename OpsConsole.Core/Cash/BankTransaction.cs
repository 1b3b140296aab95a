namespace OpsConsole.Core.Cash;

public enum BankDirection
{
    /// <summary>Money in (a deposit).</summary>
    CREDIT,
    /// <summary>Money out.</summary>
    DEBIT,
}

/// <summary>A parsed statement row before it is attached to an import (pure parsers produce these).</summary>
/// <param name="LineNumber">CSV line / Excel row of the row; for camt.053 the 1-based index of the entry in the file.</param>
/// <param name="AccountName">The configured account name (<c>Cash:Accounts:{name}</c>).</param>
/// <param name="Amount">Positive, in minor units of <paramref name="Currency"/>; the sign is <paramref name="Direction"/>.</param>
public sealed record ParsedBankTransaction(int LineNumber, string AccountName, DateOnly BookingDate, DateOnly? ValueDate,
    TimeOnly? BookingTime, long Amount, BankDirection Direction, string Currency, string? Counterparty, string? Memo,
    long? Balance, string? AccountServicerRef)
{
    public BankTransaction ToEntity(BankStatementImport import) => BankTransaction.Create(import, this);
}

/// <summary>One booked entry of a bank statement (a deposit or a withdrawal) of a configured account.</summary>
public sealed class BankTransaction
{
    private BankTransaction()
    {
        AccountName = Currency = "";
    }

    public long Id { get; private set; }
    public long ImportId { get; private set; }
    public BankStatementImport? Import { get; private set; }

    /// <summary>CSV line / Excel row, or the 1-based entry index of a camt.053 file.</summary>
    public int LineNumber { get; private set; }

    public string AccountName { get; private set; }
    public DateOnly BookingDate { get; private set; }

    /// <summary>Null only where the source has none (a CSV/Excel export without a value date, a camt entry without ValDt).</summary>
    public DateOnly? ValueDate { get; private set; }

    /// <summary>Time of the booking (KST) when the source gives one.</summary>
    public TimeOnly? BookingTime { get; private set; }

    /// <summary>Positive amount in minor units; <see cref="Direction"/> says in or out.</summary>
    public long Amount { get; private set; }

    public BankDirection Direction { get; private set; }
    public string Currency { get; private set; }

    /// <summary>Who paid (a credit) or was paid (a debit): 기재내용/의뢰인, camt Dbtr/Cdtr name.</summary>
    public string? Counterparty { get; private set; }

    /// <summary>Memo / remittance information: 적요, camt RmtInf/Ustrd.</summary>
    public string? Memo { get; private set; }

    /// <summary>Balance after the entry, when the source gives it.</summary>
    public long? Balance { get; private set; }

    /// <summary>The bank's own reference of the entry (camt AcctSvcrRef, a CSV reference column).</summary>
    public string? AccountServicerRef { get; private set; }

    /// <summary>The signed amount: positive for a credit, negative for a debit.</summary>
    public long SignedAmount => Direction == BankDirection.CREDIT ? Amount : -Amount;

    internal static BankTransaction Create(BankStatementImport import, ParsedBankTransaction p) => new()
    {
        Import = import,
        LineNumber = p.LineNumber,
        AccountName = p.AccountName,
        BookingDate = p.BookingDate,
        ValueDate = p.ValueDate,
        BookingTime = p.BookingTime,
        Amount = p.Amount,
        Direction = p.Direction,
        Currency = p.Currency,
        Counterparty = p.Counterparty,
        Memo = p.Memo,
        Balance = p.Balance,
        AccountServicerRef = p.AccountServicerRef,
    };
}
