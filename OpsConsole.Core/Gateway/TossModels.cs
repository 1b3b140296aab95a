using System.Text.Json.Serialization;

namespace OpsConsole.Core.Gateway;

// The subset of the Toss Payments v1 REST API that OpsConsole speaks (JSON camelCase on the wire).
// Used by the PG client and served by the sandbox PG, so both sides share one contract.

public sealed record TossConfirmRequest(string PaymentKey, string OrderId, long Amount);

public sealed record TossCancelRequest(string CancelReason, long? CancelAmount = null);

public sealed record TossCancel(
    string TransactionKey,
    long CancelAmount,
    string CancelReason,
    DateTimeOffset CanceledAt,
    string CancelStatus = "DONE");

public sealed record TossPayment(
    string PaymentKey,
    string OrderId,
    string Status,
    long TotalAmount,
    long BalanceAmount,
    string Method,
    DateTimeOffset RequestedAt,
    DateTimeOffset? ApprovedAt,
    string? LastTransactionKey,
    IReadOnlyList<TossCancel>? Cancels,
    string Currency = "KRW",
    string? OrderName = null,
    string? MId = null);

public sealed record TossSettlement(
    string PaymentKey,
    string TransactionKey,
    string OrderId,
    string Method,
    long Amount,
    long Fee,
    long SupplyAmount,
    long Vat,
    long PayOutAmount,
    DateTimeOffset ApprovedAt,
    DateOnly SoldDate,
    DateOnly PaidOutDate,
    string Currency = "KRW",
    string? MId = null);

public sealed record TossError(string Code, string Message);

/// <summary>Toss wraps errors as <c>{"code": ..., "message": ...}</c>; some endpoints nest them under "error".</summary>
public sealed record TossErrorEnvelope(
    [property: JsonPropertyName("code")] string? Code,
    [property: JsonPropertyName("message")] string? Message);

public static class TossErrorCodes
{
    public const string AlreadyProcessedPayment = "ALREADY_PROCESSED_PAYMENT";
    public const string AlreadyCanceledPayment = "ALREADY_CANCELED_PAYMENT";
    public const string NotCancelableAmount = "NOT_CANCELABLE_AMOUNT";
    public const string NotFoundPayment = "NOT_FOUND_PAYMENT";
    public const string IdempotentRequestProcessing = "IDEMPOTENT_REQUEST_PROCESSING";
    public const string RejectCardPayment = "REJECT_CARD_PAYMENT";
    public const string UnauthorizedKey = "UNAUTHORIZED_KEY";
    public const string InvalidRequest = "INVALID_REQUEST";
    public const string NotFoundPaymentSession = "NOT_FOUND_PAYMENT_SESSION";
}

/// <summary>Toss reports methods in Korean; OpsConsole stores an enum. Both spellings are accepted.</summary>
public static class TossMethods
{
    private static readonly Dictionary<string, Payments.PaymentMethod> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["카드"] = Payments.PaymentMethod.CARD,
        ["간편결제"] = Payments.PaymentMethod.EASY_PAY,
        ["계좌이체"] = Payments.PaymentMethod.TRANSFER,
        ["가상계좌"] = Payments.PaymentMethod.VIRTUAL_ACCOUNT,
        ["휴대폰"] = Payments.PaymentMethod.MOBILE_PHONE,
        ["CARD"] = Payments.PaymentMethod.CARD,
        ["EASY_PAY"] = Payments.PaymentMethod.EASY_PAY,
        ["TRANSFER"] = Payments.PaymentMethod.TRANSFER,
        ["VIRTUAL_ACCOUNT"] = Payments.PaymentMethod.VIRTUAL_ACCOUNT,
        ["MOBILE_PHONE"] = Payments.PaymentMethod.MOBILE_PHONE,
    };

    public static string ToToss(Payments.PaymentMethod method) => method switch
    {
        Payments.PaymentMethod.CARD => "카드",
        Payments.PaymentMethod.EASY_PAY => "간편결제",
        Payments.PaymentMethod.TRANSFER => "계좌이체",
        Payments.PaymentMethod.VIRTUAL_ACCOUNT => "가상계좌",
        Payments.PaymentMethod.MOBILE_PHONE => "휴대폰",
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    public static bool TryParse(string? name, out Payments.PaymentMethod method)
    {
        method = default;
        return name is not null && ByName.TryGetValue(name.Trim(), out method);
    }
}
