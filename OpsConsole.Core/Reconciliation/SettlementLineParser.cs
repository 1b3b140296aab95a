using System.Globalization;
using System.Text.RegularExpressions;
using System.Numerics;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation;

/// <summary>One reason a settlement row was refused. <see cref="Line"/> is the 1-based line of the file.</summary>
public sealed record SettlementRowError(int Line, string Field, string Message)
{
    public override string ToString() => Field.Length == 0 ? $"line {Line}: {Message}" : $"line {Line}: {Field}: {Message}";
}

/// <summary>A settlement row that passed validation (before it is attached to an import).</summary>
public sealed record ParsedSettlementLine(int LineNumber, string PaymentKey, string TransactionKey, string OrderId,
    PaymentMethod Method, long Amount, long Fee, long SupplyAmount, long Vat, long PayOutAmount,
    DateTimeOffset ApprovedAt, DateOnly SoldDate, DateOnly PaidOutDate, string Currency, string? MId)
{
    /// <summary>The method as the source named it; <see cref="Method"/> is <see cref="PaymentMethod.OTHER"/> when it is not a known one.</summary>
    public string? MethodText { get; init; }

    /// <summary>API pulls: the fee components and payment details of the line.</summary>
    public SettlementLineDetails? Details { get; init; }

    public SettlementLine ToEntity(SettlementImport import) => SettlementLine.Create(import, LineNumber, PaymentKey,
        TransactionKey, OrderId, Method, Amount, Fee, SupplyAmount, Vat, PayOutAmount, ApprovedAt, SoldDate,
        PaidOutDate, Currency, MId, MethodText, Details);
}

/// <summary>Field rules shared by the CSV import and the API pull. Pure: no I/O.</summary>
public static partial class SettlementLineParser
{
    public static readonly string[] RequiredColumns =
    [
        "paymentKey", "transactionKey", "orderId", "method", "amount", "fee", "supplyAmount", "vat", "payOutAmount",
        "approvedAt", "soldDate", "paidOutDate",
    ];

    public static readonly string[] OptionalColumns = ["currency", "mId"];

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex IsoWithOffset();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyCode();

    /// <summary>Validates one row given as column name → raw text; adds every problem to <paramref name="errors"/>.</summary>
    /// <param name="unknownMethodIsOther">
    /// API pulls: a method OpsConsole does not know is kept as <see cref="PaymentMethod.OTHER"/> with its text (the
    /// puller reports it). CSV files (false) must name a known method: their store keeps no method text.
    /// </param>
    /// <param name="currencyAccepted">The PG client already accepted the line's currency (Pg:Currencies) and read its
    /// amounts into minor units; without it (CSV files, whole numbers) only the ledger's currency is accepted.</param>
    /// <param name="fileCurrency">The currency of every line, when the file's format or profile states it (the line
    /// has no currency of its own); without it a blank currency is an error, never the ledger's currency.</param>
    public static ParsedSettlementLine? Parse(int line, Func<string, string?> field, List<SettlementRowError> errors,
        bool unknownMethodIsOther = false, bool currencyAccepted = false, string? fileCurrency = null)
    {
        var before = errors.Count;
        string Text(string name, int max)
        {
            var v = field(name)?.Trim() ?? "";
            if (v.Length == 0) errors.Add(new(line, name, "is empty"));
            else if (v.Length > max) errors.Add(new(line, name, $"is longer than {max} characters"));
            return v;
        }
        long Number(string name)
        {
            var v = field(name)?.Trim() ?? "";
            if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            {
                if (Money.IsWithinBound(n)) return n;
                errors.Add(new(line, name, $"{v} {Money.OutOfBoundText}"));
                return 0;
            }
            if (BigInteger.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            {
                errors.Add(new(line, name, $"{Shorten(v)} {Money.OutOfBoundText}"));
                return 0;
            }
            errors.Add(new(line, name, $"'{v}' is not a whole number of KRW"));
            return 0;
        }
        DateOnly Date(string name)
        {
            var v = field(name)?.Trim() ?? "";
            if (DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
            errors.Add(new(line, name, $"'{v}' is not a date as yyyy-MM-dd"));
            return default;
        }

        var paymentKey = Text("paymentKey", 200);
        var transactionKey = Text("transactionKey", 200);
        var orderId = Text("orderId", 64);
        var methodText = Text("method", 64);
        if (!Gateway.TossMethods.TryParse(methodText, out var method) && methodText.Length > 0 && !unknownMethodIsOther)
            errors.Add(new(line, "method", $"'{Shorten(methodText)}' is not a known payment method"));
        var amount = Number("amount");
        if (amount == 0 && errors.Count == before) errors.Add(new(line, "amount", "is zero"));
        var fee = Number("fee");
        var supply = Number("supplyAmount");
        var vat = Number("vat");
        var payOut = Number("payOutAmount");

        var approvedText = field("approvedAt")?.Trim() ?? "";
        DateTimeOffset approvedAt = default;
        if (!IsoWithOffset().IsMatch(approvedText) ||
            !DateTimeOffset.TryParse(approvedText, CultureInfo.InvariantCulture, DateTimeStyles.None, out approvedAt))
            errors.Add(new(line, "approvedAt", $"'{approvedText}' is not an ISO-8601 timestamp with an offset"));
        var sold = Date("soldDate");
        var paidOut = Date("paidOutDate");
        if (sold != default && paidOut != default && paidOut < sold)
            errors.Add(new(line, "paidOutDate", $"{paidOut:yyyy-MM-dd} is before soldDate {sold:yyyy-MM-dd}"));

        var currency = field("currency")?.Trim();
        if (string.IsNullOrEmpty(currency)) currency = fileCurrency;
        if (string.IsNullOrEmpty(currency))
        {
            errors.Add(new(line, "currency", "is empty (the file states no currency of its own)"));
            currency = "";
        }
        else if (!CurrencyCode().IsMatch(currency))
            errors.Add(new(line, "currency", $"'{Shorten(currency)}' is not a 3-letter currency code"));
        else if (currency != Money.LedgerCurrency && !currencyAccepted)
            errors.Add(new(line, "currency", $"'{currency}' is not the ledger's currency {Money.LedgerCurrency}: " +
                                             "lines in another currency cannot be reconciled against our payments"));
        var mId = field("mId")?.Trim();
        if (mId is { Length: > 64 }) errors.Add(new(line, "mId", "is longer than 64 characters"));

        return errors.Count > before
            ? null
            : new ParsedSettlementLine(line, paymentKey, transactionKey, orderId, method, amount, fee, supply, vat,
                payOut, approvedAt.ToUniversalTime(), sold, paidOut, currency, string.IsNullOrEmpty(mId) ? null : mId)
            {
                MethodText = methodText,
            };
    }

    private static string Shorten(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
