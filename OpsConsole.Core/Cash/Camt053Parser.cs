using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using OpsConsole.Core.Common;
using OpsConsole.Core.Common.Tabular;

namespace OpsConsole.Core.Cash;

/// <summary>What a camt.053 file held besides its entries.</summary>
/// <param name="Version">The message version from the namespace, e.g. <c>camt.053.001.02</c>.</param>
/// <param name="Accounts">The configured account names of its statements, in order.</param>
/// <param name="SkippedEntries">Entries not booked (status PDNG/INFO): not imported.</param>
public sealed record CamtStatementInfo(string Version, IReadOnlyList<string> Accounts, DateOnly? PeriodFrom, DateOnly? PeriodTo,
    int SkippedEntries);

/// <summary>
/// Reads an ISO 20022 camt.053 bank-to-customer statement (<c>camt.053.001.02</c> and every later version: the
/// namespace is read from the file, elements are matched in it). Per statement: the account (Acct/Id/IBAN or
/// Othr/Id), which must be a configured account; per booked entry (Ntry): Amt@Ccy, CdtDbtInd, BookgDt (Dt or DtTm),
/// ValDt, AcctSvcrRef, the counterparty (NtryDtls/TxDtls/RltdPties Dbtr for a credit, Cdtr for a debit; Nm directly
/// or under Pty from version 04) and the remittance information (RmtInf/Ustrd, else AddtlNtryInf). Pure: no I/O.
/// Every problem is reported with the XML line; a missing amount, indicator or booking date is an error, never a default.
/// </summary>
public static partial class Camt053Parser
{
    [GeneratedRegex(@"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(\d{2})$")]
    private static partial Regex NamespacePattern();

    /// <summary>True when the bytes look like XML (after a BOM and whitespace): the importer then reads camt.053.</summary>
    public static bool LooksLikeXml(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        foreach (var b in bytes)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') continue;
            return b == (byte)'<';
        }
        return false;
    }

    public static (List<ParsedBankTransaction> Entries, List<ImportRowError> Errors, CamtStatementInfo? Info) Parse(
        byte[] bytes, CashOptions options)
    {
        var entries = new List<ParsedBankTransaction>();
        var errors = new List<ImportRowError>();
        XDocument doc;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            doc = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            errors.Add(new(e.LineNumber, "", $"not well-formed XML: {e.Message}"));
            return (entries, errors, null);
        }

        var root = doc.Root!;
        var match = NamespacePattern().Match(root.Name.NamespaceName);
        if (root.Name.LocalName != "Document" || !match.Success)
        {
            errors.Add(new(Line(root), "", $"not an ISO 20022 camt.053 statement (root <{root.Name.LocalName}> in namespace '{root.Name.NamespaceName}'; expected <Document> in urn:iso:std:iso:20022:tech:xsd:camt.053.001.NN)"));
            return (entries, errors, null);
        }
        var version = $"camt.053.001.{match.Groups[1].Value}";
        if (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) < 2)
        {
            errors.Add(new(Line(root), "", $"{version} is not supported (camt.053.001.02 and later)"));
            return (entries, errors, null);
        }
        XNamespace ns = root.Name.Namespace;
        var statements = root.Element(ns + "BkToCstmrStmt")?.Elements(ns + "Stmt").ToList() ?? [];
        if (statements.Count == 0)
        {
            errors.Add(new(Line(root), "Stmt", "the file holds no statement (BkToCstmrStmt/Stmt)"));
            return (entries, errors, null);
        }

        var accounts = new List<string>();
        DateOnly? from = null, to = null;
        var skipped = 0;
        var index = 0;
        foreach (var stmt in statements)
        {
            var acctId = stmt.Element(ns + "Acct")?.Element(ns + "Id");
            var number = (string?)acctId?.Element(ns + "IBAN") ?? (string?)acctId?.Element(ns + "Othr")?.Element(ns + "Id");
            string? accountName = null;
            CashAccountOptions? account = null;
            if (string.IsNullOrWhiteSpace(number))
                errors.Add(new(Line(stmt), "Acct/Id", "the statement names no account (Acct/Id/IBAN or Acct/Id/Othr/Id)"));
            else if (options.AccountByNumber(number) is not { } configured)
                errors.Add(new(Line(acctId!), "Acct/Id", $"account {number.Trim()} is not configured (set Cash:Accounts:{{name}}:Number = {number.Trim()})"));
            else
            {
                (accountName, account) = (configured.Key, configured.Value);
                if (!accounts.Contains(accountName)) accounts.Add(accountName);
            }

            var period = stmt.Element(ns + "FrToDt");
            if (ReadDate(period?.Element(ns + "FrDtTm")) is { } pf && (from is null || pf.Date < from)) from = pf.Date;
            if (ReadDate(period?.Element(ns + "ToDtTm")) is { } pt && (to is null || pt.Date > to)) to = pt.Date;

            foreach (var ntry in stmt.Elements(ns + "Ntry"))
            {
                index++;
                var status = ((string?)ntry.Element(ns + "Sts")?.Element(ns + "Cd") ?? (string?)ntry.Element(ns + "Sts"))?.Trim();
                if (status is not null && status != "BOOK")
                {
                    skipped++;
                    continue;
                }
                if (ParseEntry(ntry, ns, index, accountName, account, errors) is { } entry)
                    entries.Add(entry);
            }
        }
        if (from is null && entries.Count > 0) from = entries.Min(e => e.BookingDate);
        if (to is null && entries.Count > 0) to = entries.Max(e => e.BookingDate);
        return (entries, errors, new CamtStatementInfo(version, accounts, from, to, skipped));
    }

    private static ParsedBankTransaction? ParseEntry(XElement ntry, XNamespace ns, int index, string? accountName,
        CashAccountOptions? account, List<ImportRowError> errors)
    {
        var line = Line(ntry);
        var before = errors.Count;

        var amt = ntry.Element(ns + "Amt");
        decimal amount = 0;
        var currency = ((string?)amt?.Attribute("Ccy"))?.Trim();
        if (amt is null)
            errors.Add(new(line, "Amt", "the entry has no amount"));
        else if (!decimal.TryParse(amt.Value.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount) || amount <= 0)
            errors.Add(new(Line(amt), "Amt", $"'{amt.Value}' is not a positive amount"));
        if (amt is not null && string.IsNullOrEmpty(currency))
            errors.Add(new(Line(amt), "Amt@Ccy", "the amount has no currency"));
        else if (currency is not null && account is not null && !string.Equals(currency, account.Currency, StringComparison.OrdinalIgnoreCase))
            errors.Add(new(Line(amt!), "Amt@Ccy", $"{currency} differs from the account's currency {account.Currency} (Cash:Accounts:{accountName}:Currency)"));
        long minor = 0;
        if (amount > 0 && currency is { Length: > 0 } && !MinorUnits.TryToMinor(amount, currency, out minor))
            errors.Add(new(Line(amt!), "Amt", MinorUnits.Describe(amount, currency)));

        var indicator = ((string?)ntry.Element(ns + "CdtDbtInd"))?.Trim();
        BankDirection? direction = indicator switch
        {
            "CRDT" => BankDirection.CREDIT,
            "DBIT" => BankDirection.DEBIT,
            _ => null,
        };
        if (direction is null)
            errors.Add(new(line, "CdtDbtInd", indicator is null ? "the entry has no credit/debit indicator" : $"'{indicator}' is not CRDT or DBIT"));

        var booking = ReadDate(ntry.Element(ns + "BookgDt"));
        if (ntry.Element(ns + "BookgDt") is null)
            errors.Add(new(line, "BookgDt", "the entry has no booking date"));
        else if (booking is null)
            errors.Add(new(Line(ntry.Element(ns + "BookgDt")!), "BookgDt", "the booking date is not a date (Dt or DtTm)"));
        var valueElement = ntry.Element(ns + "ValDt");
        var value = ReadDate(valueElement);
        if (valueElement is not null && value is null)
            errors.Add(new(Line(valueElement), "ValDt", "the value date is not a date (Dt or DtTm)"));

        var details = ntry.Elements(ns + "NtryDtls").Elements(ns + "TxDtls").ToList();
        var partyRole = direction == BankDirection.DEBIT ? "Cdtr" : "Dbtr";
        var names = details
            .Select(tx => tx.Element(ns + "RltdPties")?.Element(ns + partyRole))
            .Select(p => (string?)p?.Element(ns + "Nm") ?? (string?)p?.Element(ns + "Pty")?.Element(ns + "Nm"))
            .Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n!.Trim()).Distinct().ToList();
        var counterparty = names.Count == 0 ? null : string.Join("; ", names);
        var ustrd = details.Elements(ns + "RmtInf").Elements(ns + "Ustrd").Select(u => u.Value.Trim()).Where(u => u.Length > 0).ToList();
        var memo = ustrd.Count > 0 ? string.Join(" ", ustrd) : ((string?)ntry.Element(ns + "AddtlNtryInf"))?.Trim();
        var reference = ((string?)ntry.Element(ns + "AcctSvcrRef"))?.Trim();
        CheckLength(errors, line, "RltdPties/Nm", counterparty, 200);
        CheckLength(errors, line, "RmtInf/Ustrd", memo, 1000);
        CheckLength(errors, line, "AcctSvcrRef", reference, 100);

        if (errors.Count > before || accountName is null) return null;
        return new ParsedBankTransaction(index, accountName, booking!.Value.Date, value?.Date, booking.Value.Time, minor,
            direction!.Value, currency!.ToUpperInvariant(), counterparty, string.IsNullOrEmpty(memo) ? null : memo,
            Balance: null, string.IsNullOrEmpty(reference) ? null : reference);
    }

    internal static void CheckLength(List<ImportRowError> errors, int line, string field, string? value, int max)
    {
        if (value is not null && value.Length > max)
            errors.Add(new(line, field, $"is {value.Length} characters long; at most {max} are stored"));
    }

    /// <summary>
    /// A date choice (<c>Dt</c>, or <c>DtTm</c>: a booking instant, taken in KST when it carries an offset) or an ISO
    /// date-time element itself (<c>FrDtTm</c>). Null when absent or unreadable.
    /// </summary>
    private static (DateOnly Date, TimeOnly? Time)? ReadDate(XElement? element)
    {
        if (element is null) return null;
        var ns = element.Name.Namespace;
        var dt = element.HasElements ? (string?)element.Element(ns + "Dt") : null;
        if (dt is not null)
            return DateOnly.TryParseExact(dt.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                ? (d, null) : null;
        var dtTm = element.HasElements ? (string?)element.Element(ns + "DtTm") : element.Value;
        if (dtTm is null) return null;
        dtTm = dtTm.Trim();
        var hasOffset = dtTm.EndsWith('Z') || Regex.IsMatch(dtTm, @"[+-]\d{2}:\d{2}$");
        if (hasOffset && DateTimeOffset.TryParse(dtTm, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            var kst = BusinessCalendar.ToKst(instant);
            return (DateOnly.FromDateTime(kst.DateTime), TimeOnly.FromDateTime(kst.DateTime));
        }
        if (!hasOffset && DateTime.TryParse(dtTm, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return (DateOnly.FromDateTime(local), TimeOnly.FromDateTime(local));
        return null;
    }

    private static int Line(XObject node) => node is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber : 0;
}
