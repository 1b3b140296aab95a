using System.Text.RegularExpressions;
using OpsConsole.Core.Common;

namespace OpsConsole.Core.Payments;

public static partial class PaymentValidation
{
    /// <summary>Toss: 6–64 characters of letters, digits, '-' and '_'.</summary>
    [GeneratedRegex("^[A-Za-z0-9_-]{6,64}$")]
    private static partial Regex OrderIdPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,200}$")]
    private static partial Regex PaymentKeyPattern();

    public static void EnsureOrderId(string? orderId)
    {
        if (orderId is null || !OrderIdPattern().IsMatch(orderId))
            throw DomainException.BadInput("INVALID_ORDER_ID",
                "orderId must be 6 to 64 characters of letters, digits, '-' or '_'.");
    }

    public static void EnsurePaymentKey(string? paymentKey)
    {
        if (paymentKey is null || !PaymentKeyPattern().IsMatch(paymentKey))
            throw DomainException.BadInput("INVALID_PAYMENT_KEY",
                "paymentKey must be 1 to 200 characters of letters, digits, '-' or '_'.");
    }

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();

    /// <summary>An ISO 4217 alphabetic code (three capital letters). Which currencies are accepted is configuration.</summary>
    public static void EnsureCurrency(string? currency)
    {
        if (currency is null || !CurrencyPattern().IsMatch(currency))
            throw DomainException.BadInput("INVALID_CURRENCY",
                $"currency must be an ISO 4217 code of three capital letters such as KRW or USD (got '{currency}').");
    }

    public static void EnsurePositiveAmount(long amount, string field)
    {
        if (amount <= 0)
            throw DomainException.BadInput("INVALID_AMOUNT", $"{field} must be a positive whole number of minor units (got {amount}).");
        if (!Money.IsWithinBound(amount))
            throw DomainException.BadInput("INVALID_AMOUNT", $"{field} {Money.OutOfBoundText} (got {amount}).");
    }

    public static void EnsureIdempotencyKey(string? key)
    {
        // Printable ASCII only: the key travels on to the PG in a header, and anything else cannot.
        if (string.IsNullOrWhiteSpace(key) || key.Length > 300 || key.AsSpan().IndexOfAnyExceptInRange(' ', '~') >= 0)
            throw DomainException.BadInput("INVALID_IDEMPOTENCY_KEY",
                "An Idempotency-Key header of 1 to 300 printable ASCII characters is required.");
    }
}
