using OpsConsole.Core.Common;
using OpsConsole.Core.Common.Tabular;

namespace OpsConsole.Core.Cash;

/// <summary>
/// Turns the rows of a bank's CSV/Excel export (read by <see cref="TabularFileReader"/>) into statement rows through a
/// <see cref="MappingProfile"/>. Roles: <c>date</c> and <c>counterparty</c> (required), either <c>credit</c> and
/// <c>debit</c> (입금액/출금액) or one signed <c>amount</c>, and optionally <c>time</c>, <c>valueDate</c>, <c>memo</c>,
/// <c>balance</c>, <c>reference</c>. Pure. Every bad row is reported; a missing date or amount is an error.
/// </summary>
public static class BankTabularParser
{
    public static readonly IReadOnlySet<string> Roles = new HashSet<string>(StringComparer.Ordinal)
    {
        "date", "time", "valueDate", "credit", "debit", "amount", "counterparty", "memo", "balance", "reference",
    };

    /// <summary>Problems of a profile used for bank statements (empty when it fits).</summary>
    public static List<string> ProfileProblems(MappingProfile profile)
    {
        var problems = new List<string>();
        foreach (var role in profile.Columns.Keys.Where(r => !Roles.Contains(r)))
            problems.Add($"unknown column role \"{role}\" (known: {string.Join(", ", Roles)})");
        foreach (var role in new[] { "date", "counterparty" }.Where(r => profile.Column(r) is null))
            problems.Add($"column \"{role}\" is required");
        var signed = profile.Column("amount") is not null;
        var split = profile.Column("credit") is not null || profile.Column("debit") is not null;
        if (signed == split || split && (profile.Column("credit") is null || profile.Column("debit") is null))
            problems.Add("name either both \"credit\" and \"debit\" columns or one signed \"amount\" column");
        return problems;
    }

    public static (List<ParsedBankTransaction> Rows, List<ImportRowError> Errors) Parse(TabularTable table, MappingProfile profile,
        string accountName, string currency)
    {
        var rows = new List<ParsedBankTransaction>();
        var errors = new List<ImportRowError>();
        foreach (var row in table.Rows)
        {
            var before = errors.Count;
            string H(string role) => profile.Column(role)!;

            DateOnly date = default;
            TimeOnly? time = null;
            var dateCell = row[H("date")];
            if (TabularValues.Text(dateCell) is null)
                errors.Add(new(row.Line, H("date"), "the date is missing"));
            else if (!TabularValues.TryDate(dateCell, profile, out date, out time))
                errors.Add(new(row.Line, H("date"), $"'{TabularValues.Text(dateCell)}' is not a date as {profile.DateFormat}"));

            if (profile.Column("time") is { } timeHeader && TabularValues.Text(row[timeHeader]) is { } timeText)
            {
                if (TabularValues.TryTime(row[timeHeader], profile, out var t)) time = t;
                else errors.Add(new(row.Line, timeHeader, $"'{timeText}' is not a time as {profile.TimeFormat ?? "HH:mm:ss"}"));
            }

            DateOnly? valueDate = null;
            if (profile.Column("valueDate") is { } valueHeader && TabularValues.Text(row[valueHeader]) is { } valueText)
            {
                if (TabularValues.TryDate(row[valueHeader], profile, out var vd, out _)) valueDate = vd;
                else errors.Add(new(row.Line, valueHeader, $"'{valueText}' is not a date as {profile.DateFormat}"));
            }

            var (amount, direction) = profile.Column("amount") is { } amountHeader
                ? SignedAmount(row, amountHeader, profile, currency, errors)
                : SplitAmount(row, H("credit"), H("debit"), profile, currency, errors);

            long? balance = null;
            if (profile.Column("balance") is { } balanceHeader && TabularValues.Text(row[balanceHeader]) is { } balanceText)
            {
                if (Money(row[balanceHeader], profile, currency) is { } b) balance = b;
                else errors.Add(new(row.Line, balanceHeader, $"'{balanceText}' is not an amount in {currency} as {profile.NumberFormat ?? "#,##0"}"));
            }

            var counterparty = TabularValues.Text(row[H("counterparty")]);
            var memo = profile.Column("memo") is { } m ? TabularValues.Text(row[m]) : null;
            var reference = profile.Column("reference") is { } r ? TabularValues.Text(row[r]) : null;
            Camt053Parser.CheckLength(errors, row.Line, H("counterparty"), counterparty, 200);
            Camt053Parser.CheckLength(errors, row.Line, profile.Column("memo") ?? "memo", memo, 1000);
            Camt053Parser.CheckLength(errors, row.Line, profile.Column("reference") ?? "reference", reference, 100);

            if (errors.Count == before)
                rows.Add(new ParsedBankTransaction(row.Line, accountName, date, valueDate, time, amount, direction, currency,
                    counterparty, memo, balance, reference));
        }
        return (rows, errors);
    }

    private static (long, BankDirection) SignedAmount(TabularRow row, string header, MappingProfile profile, string currency,
        List<ImportRowError> errors)
    {
        var text = TabularValues.Text(row[header]);
        if (text is null)
        {
            errors.Add(new(row.Line, header, "the amount is missing"));
            return (0, default);
        }
        if (Money(row[header], profile, currency) is not { } value)
        {
            errors.Add(new(row.Line, header, $"'{text}' is not an amount in {currency} as {profile.NumberFormat ?? "#,##0"}"));
            return (0, default);
        }
        if (value == 0)
        {
            errors.Add(new(row.Line, header, "the amount is zero"));
            return (0, default);
        }
        return (Math.Abs(value), value > 0 ? BankDirection.CREDIT : BankDirection.DEBIT);
    }

    private static (long, BankDirection) SplitAmount(TabularRow row, string creditHeader, string debitHeader, MappingProfile profile,
        string currency, List<ImportRowError> errors)
    {
        long? Read(string header)
        {
            var text = TabularValues.Text(row[header]);
            if (text is null) return 0;
            if (Money(row[header], profile, currency) is not { } v || v < 0)
            {
                errors.Add(new(row.Line, header, $"'{text}' is not a non-negative amount in {currency} as {profile.NumberFormat ?? "#,##0"}"));
                return null;
            }
            return v;
        }
        var credit = Read(creditHeader);
        var debit = Read(debitHeader);
        if (credit is null || debit is null) return (0, default);
        if (credit == 0 && debit == 0)
            errors.Add(new(row.Line, "", $"no amount: both {creditHeader} and {debitHeader} are empty or zero"));
        else if (credit > 0 && debit > 0)
            errors.Add(new(row.Line, "", $"both {creditHeader} ({credit}) and {debitHeader} ({debit}) hold an amount"));
        else
            return credit > 0 ? (credit.Value, BankDirection.CREDIT) : (debit!.Value, BankDirection.DEBIT);
        return (0, default);
    }

    private static long? Money(object? cell, MappingProfile profile, string currency) =>
        TabularValues.TryDecimal(cell, profile, out var value) && MinorUnits.TryToMinor(value, currency, out var minor) ? minor : null;
}
