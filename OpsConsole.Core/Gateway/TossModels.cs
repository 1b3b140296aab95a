using System.Text.Json.Serialization;

namespace OpsConsole.Core.Gateway;

// The subset of the Toss Payments v1 REST API that OpsConsole speaks (JSON camelCase on the wire).
// Used by the PG client and served by the sandbox PG, so both sides share one contract.

/// <summary><c>amount</c> as on the wire: in the payment's currency units (KRW won, USD 726.24) — see <see cref="TossWire"/>.</summary>
public sealed record TossConfirmRequest(string PaymentKey, string OrderId, decimal Amount);

/// <summary>
/// A full cancel leaves <c>cancelAmount</c> out of the body (Toss: absent = full); it is never sent as null. The amount is
/// in the payment's currency units, as on the wire.
/// </summary>
public sealed record TossCancelRequest(
    string CancelReason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] decimal? CancelAmount = null);

/// <summary>One of a payment's <c>cancels[]</c>; <see cref="CancelAmount"/> in minor units (read by <see cref="TossWire"/>).</summary>
public sealed record TossCancel(
    string TransactionKey,
    long CancelAmount,
    string CancelReason,
    DateTimeOffset CanceledAt,
    string CancelStatus = "DONE");

/// <summary>
/// Toss's Payment object (the fields OpsConsole uses). Amounts in minor units of <see cref="Currency"/>: the client reads
/// and the sandbox writes the wire's decimals through <see cref="TossWire"/>. <see cref="Currency"/> is required on the wire.
/// </summary>
public sealed record TossPayment(
    string PaymentKey,
    string OrderId,
    string Status,
    long TotalAmount,
    long BalanceAmount,
    string? Method,
    DateTimeOffset RequestedAt,
    DateTimeOffset? ApprovedAt,
    string? LastTransactionKey,
    IReadOnlyList<TossCancel>? Cancels,
    string Currency = "KRW",
    string? OrderName = null,
    string? MId = null);

/// <summary>
/// One line of <c>GET /v1/settlements</c> (Toss's Settlement object). Read by <see cref="TossSettlementReader"/>,
/// which names a missing or mistyped field; served by the sandbox in the same shape.
/// </summary>
public sealed record TossSettlement(
    string PaymentKey,
    string TransactionKey,
    string OrderId,
    string? Method,
    long Amount,
    long Fee,
    long SupplyAmount,
    long Vat,
    long PayOutAmount,
    DateTimeOffset ApprovedAt,
    DateOnly SoldDate,
    DateOnly PaidOutDate,
    string Currency = "KRW",
    string? MId = null,
    long? InterestFee = null,
    IReadOnlyList<TossSettlementFee>? Fees = null,
    TossSettlementCard? Card = null,
    TossEasyPay? EasyPay = null,
    TossSettlementCancel? Cancel = null);

/// <summary>One component of a line's fee: <c>type</c> is one of <see cref="TossFeeTypes.All"/>.</summary>
public sealed record TossSettlementFee(string Type, long Fee);

public sealed record TossSettlementCard(
    string? IssuerCode,
    string? AcquirerCode,
    int? InstallmentPlanMonths,
    bool? IsInterestFree,
    string? InterestPayer,
    string? AcquireStatus);

public sealed record TossEasyPay(string? Provider);

/// <summary>On a cancel line: the cancel transaction (the line's <c>approvedAt</c> is the original approval's time).</summary>
public sealed record TossSettlementCancel(string TransactionKey, long CancelAmount, DateTimeOffset CanceledAt);

public static class TossFeeTypes
{
    public const string Base = "BASE";
    public const string InstallmentDiscount = "INSTALLMENT_DISCOUNT";
    public const string Installment = "INSTALLMENT";
    public const string PointSaving = "POINT_SAVING";
    public const string Etc = "ETC";
    public static readonly IReadOnlyList<string> All = [Base, InstallmentDiscount, Installment, PointSaving, Etc];
}

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

/// <summary>
/// Toss reports methods in Korean (<c>카드</c>, <c>가상계좌</c>, <c>간편결제</c>, <c>휴대폰</c>, <c>계좌이체</c>,
/// <c>문화상품권</c>, <c>도서문화상품권</c>, <c>게임문화상품권</c>); OpsConsole stores an enum. The enum names are
/// accepted too (CSV files). Anything else is <see cref="Payments.PaymentMethod.OTHER"/> — never a guess such as CARD;
/// the caller keeps the raw text.
/// </summary>
public static class TossMethods
{
    private static readonly Dictionary<string, Payments.PaymentMethod> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["카드"] = Payments.PaymentMethod.CARD,
        ["간편결제"] = Payments.PaymentMethod.EASY_PAY,
        ["계좌이체"] = Payments.PaymentMethod.TRANSFER,
        ["가상계좌"] = Payments.PaymentMethod.VIRTUAL_ACCOUNT,
        ["휴대폰"] = Payments.PaymentMethod.MOBILE_PHONE,
        ["문화상품권"] = Payments.PaymentMethod.CULTURE_GIFT_CERTIFICATE,
        ["도서문화상품권"] = Payments.PaymentMethod.BOOK_GIFT_CERTIFICATE,
        ["게임문화상품권"] = Payments.PaymentMethod.GAME_GIFT_CERTIFICATE,
    };

    static TossMethods()
    {
        foreach (var m in Enum.GetValues<Payments.PaymentMethod>())
        {
            if (m != Payments.PaymentMethod.OTHER) ByName[m.ToString()] = m;
        }
    }

    public static string ToToss(Payments.PaymentMethod method) => method switch
    {
        Payments.PaymentMethod.CARD => "카드",
        Payments.PaymentMethod.EASY_PAY => "간편결제",
        Payments.PaymentMethod.TRANSFER => "계좌이체",
        Payments.PaymentMethod.VIRTUAL_ACCOUNT => "가상계좌",
        Payments.PaymentMethod.MOBILE_PHONE => "휴대폰",
        Payments.PaymentMethod.CULTURE_GIFT_CERTIFICATE => "문화상품권",
        Payments.PaymentMethod.BOOK_GIFT_CERTIFICATE => "도서문화상품권",
        Payments.PaymentMethod.GAME_GIFT_CERTIFICATE => "게임문화상품권",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "OTHER has no Toss spelling: keep the raw text."),
    };

    /// <summary>
    /// True for a documented method. False for null, empty or unknown text; then <paramref name="method"/> is
    /// <see cref="Payments.PaymentMethod.OTHER"/> (never the enum's default, CARD).
    /// </summary>
    public static bool TryParse(string? name, out Payments.PaymentMethod method)
    {
        if (name is not null && ByName.TryGetValue(name.Trim(), out method)) return true;
        method = Payments.PaymentMethod.OTHER;
        return false;
    }
}
