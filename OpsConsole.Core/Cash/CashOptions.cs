using System.Globalization;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Cash;

/// <summary>Settings <c>Cash:*</c>: the company's bank accounts and how each PG merchant id pays into them.</summary>
public sealed class CashOptions
{
    /// <summary><c>Cash:Accounts:{name}</c>: the accounts statements are imported for, by a short name.</summary>
    public Dictionary<string, CashAccountOptions> Accounts { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary><c>Cash:Pgs:{mId}</c>: per PG merchant id, the account it pays into and how its deposits look.</summary>
    public Dictionary<string, CashPgOptions> Pgs { get; set; } = new(StringComparer.Ordinal);

    /// <summary><c>Cash:ExtraClosures</c>: days banks are closed beyond the maintained holiday list (yyyy-MM-dd).</summary>
    public List<DateOnly> ExtraClosures { get; set; } = [];

    /// <summary><c>Cash:DateWindowBusinessDays</c> (default 2): how late a payout may arrive and still match.</summary>
    public int DateWindowBusinessDays { get; set; } = 2;

    /// <summary><c>Cash:AmountTolerance</c> (default 0, minor units): difference still accepted as a match.</summary>
    public long AmountTolerance { get; set; }

    /// <summary>
    /// <c>Cash:Engine</c>: where payout runs that name no engine (the daily follower, the Cash page, the CLI without
    /// <c>--engine</c>) run: empty or <c>database</c> the console's database, <c>bigquery</c> the warehouse
    /// (<c>Warehouse:BigQuery:*</c>, docs/bigquery.md). Configuration only (not edited in the console).
    /// </summary>
    public string? Engine { get; set; }

    /// <summary>The configured account whose number equals <paramref name="number"/> (spaces and dashes ignored).</summary>
    public KeyValuePair<string, CashAccountOptions>? AccountByNumber(string number)
    {
        var wanted = NormalizeNumber(number);
        foreach (var account in Accounts)
        {
            if (account.Value.Number is { } n && NormalizeNumber(n) == wanted) return account;
        }
        return null;
    }

    public static string NormalizeNumber(string number) =>
        new(number.Where(c => c is not (' ' or '-' or '.')).Select(char.ToUpperInvariant).ToArray());
}

public sealed class CashAccountOptions
{
    /// <summary>The account number (IBAN or the bank's domestic number; spaces and dashes ignored).</summary>
    public string? Number { get; set; }

    public string? Bank { get; set; }

    /// <summary>ISO 4217 code; default KRW.</summary>
    public string Currency { get; set; } = "KRW";
}

public sealed class CashPgOptions
{
    /// <summary>The name of the account (a key of <c>Cash:Accounts</c>) this merchant id pays into.</summary>
    public string? Account { get; set; }

    /// <summary>Comma-separated substrings that recognise its deposits in the counterparty or memo, e.g. "토스페이먼츠".</summary>
    public string? Counterparty { get; set; }

    /// <summary>Contract per payment method: payout D+N business days after the sale (<c>PayoutDays:CARD=2</c>).</summary>
    public Dictionary<string, int> PayoutDays { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<string> CounterpartyPatterns =>
        (Counterparty ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Checks <see cref="CashOptions"/> on start; each failure names the setting to fix.</summary>
public sealed class CashOptionsValidator : IValidateOptions<CashOptions>
{
    public ValidateOptionsResult Validate(string? name, CashOptions options)
    {
        var failures = new List<string>();
        var numbers = new Dictionary<string, string>();
        foreach (var (account, a) in options.Accounts)
        {
            if (string.IsNullOrWhiteSpace(a.Number))
                failures.Add($"Cash:Accounts:{account}:Number is required.");
            else if (!numbers.TryAdd(CashOptions.NormalizeNumber(a.Number), account))
                failures.Add($"Cash:Accounts:{account}:Number '{a.Number}' is also the number of account '{numbers[CashOptions.NormalizeNumber(a.Number)]}'.");
            if (a.Currency is not { Length: 3 } || !a.Currency.All(char.IsAsciiLetterUpper))
                failures.Add($"Cash:Accounts:{account}:Currency '{a.Currency}' is not an ISO 4217 code such as KRW.");
            if (account.Length > 64)
                failures.Add($"Cash:Accounts:{account}: an account name has at most 64 characters.");
        }
        foreach (var (mId, pg) in options.Pgs)
        {
            if (string.IsNullOrWhiteSpace(pg.Account))
                failures.Add($"Cash:Pgs:{mId}:Account is required (the name of a Cash:Accounts entry).");
            else if (!options.Accounts.ContainsKey(pg.Account))
                failures.Add($"Cash:Pgs:{mId}:Account '{pg.Account}' is not a configured account (Cash:Accounts:{pg.Account}:Number is not set).");
            if (pg.CounterpartyPatterns.Count == 0)
                failures.Add($"Cash:Pgs:{mId}:Counterparty is required (comma-separated substrings of its deposits' counterparty or memo).");
            foreach (var (method, days) in pg.PayoutDays)
            {
                if (!Enum.TryParse<PaymentMethod>(method, ignoreCase: true, out _) || int.TryParse(method, out _))
                    failures.Add($"Cash:Pgs:{mId}:PayoutDays:{method}: unknown payment method (one of {string.Join(", ", Enum.GetNames<PaymentMethod>())}).");
                if (days is < 0 or > 60)
                    failures.Add(string.Create(CultureInfo.InvariantCulture, $"Cash:Pgs:{mId}:PayoutDays:{method} = {days}: must be 0..60 business days."));
            }
        }
        if (options.DateWindowBusinessDays is < 0 or > 30)
            failures.Add("Cash:DateWindowBusinessDays must be 0..30.");
        if (options.AmountTolerance < 0)
            failures.Add("Cash:AmountTolerance must not be negative.");
        if (options.Engine is { Length: > 0 } engine && !engine.Equals("database", StringComparison.OrdinalIgnoreCase)
                                                       && !engine.Equals("bigquery", StringComparison.OrdinalIgnoreCase))
            failures.Add($"Cash:Engine = {engine}: must be 'database' or 'bigquery'.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
