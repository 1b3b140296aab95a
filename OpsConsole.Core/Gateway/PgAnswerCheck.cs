using System.Globalization;
using OpsConsole.Core.Common;

namespace OpsConsole.Core.Gateway;

/// <summary>
/// Refuses PG answers that OpsConsole must not act on: an amount outside <see cref="Money.MaxAbsoluteAmount"/>
/// or a currency that is not one of <c>Pg:Currencies</c>. The client turns a refusal into an unknown outcome (nothing is
/// recorded from the answer; the janitor or the operator asks again), with the field and line named.
/// </summary>
public static class PgAnswerCheck
{
    /// <summary>Null when the answer is acceptable, else why not (e.g. "settlement line 3: amount … is outside …").</summary>
    public static string? Problem<T>(T value, IReadOnlySet<string>? currencies = null)
    {
        currencies ??= new HashSet<string> { Money.LedgerCurrency };
        return value switch
        {
            TossPayment p => OfPayment(p, currencies),
            IReadOnlyList<TossSettlement> lines => OfSettlements(lines, currencies),
            _ => null,
        };
    }

    private static string Accepted(IReadOnlySet<string> currencies) => string.Join(", ", currencies.Order(StringComparer.Ordinal));

    private static string? OfPayment(TossPayment p, IReadOnlySet<string> currencies)
    {
        if ((Amount("totalAmount", p.TotalAmount) ?? Amount("balanceAmount", p.BalanceAmount)) is { } problem)
            return $"payment {p.PaymentKey}: {problem}";
        if (!currencies.Contains(p.Currency))
            return $"payment {p.PaymentKey}: currency '{p.Currency}' is not one of the accepted currencies ({Accepted(currencies)}; Pg:Currencies)";
        // Toss leaves the method null only on a payment that expired before one was chosen; anywhere else a
        // missing method is a broken answer, never a reason to assume one.
        if (p.Method is null && p.Status != "EXPIRED")
            return $"payment {p.PaymentKey}: method is null on a {p.Status} payment (only an EXPIRED payment has none)";
        var cancels = p.Cancels ?? [];
        for (var i = 0; i < cancels.Count; i++)
        {
            if (Amount($"cancels[{i}].cancelAmount", cancels[i].CancelAmount) is { } c)
                return $"payment {p.PaymentKey}: {c}";
        }
        return null;
    }

    private static string? OfSettlements(IReadOnlyList<TossSettlement> lines, IReadOnlySet<string> currencies)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            var s = lines[i];
            var problem = Amount("amount", s.Amount) ?? Amount("fee", s.Fee) ?? Amount("supplyAmount", s.SupplyAmount)
                          ?? Amount("vat", s.Vat) ?? Amount("payOutAmount", s.PayOutAmount)
                          ?? (currencies.Contains(s.Currency)
                              ? null
                              : $"currency '{s.Currency}' is not one of the accepted currencies ({Accepted(currencies)}; Pg:Currencies)");
            if (problem is not null)
                return $"settlement line {i + 1} of the page (transactionKey {s.TransactionKey}): {problem}";
        }
        return null;
    }

    private static string? Amount(string field, long value) => Money.IsWithinBound(value)
        ? null
        : $"{field} {value.ToString(CultureInfo.InvariantCulture)} {Money.OutOfBoundText}";
}
