namespace OpsConsole.Core.Payments;

public enum PaymentStatus
{
    /// <summary>Authorised by the customer at the PG, not yet confirmed by us.</summary>
    READY,
    /// <summary>We recorded the intent to confirm and are calling the PG.</summary>
    IN_PROGRESS,
    WAITING_FOR_DEPOSIT,
    DONE,
    PARTIAL_CANCELED,
    CANCELED,
    /// <summary>The PG refused definitively: the customer was told the payment failed.</summary>
    ABORTED,
    EXPIRED,
    /// <summary>We asked the PG and do not know the outcome; the janitor resolves it.</summary>
    UNKNOWN,
}

public enum PaymentMethod
{
    CARD,
    EASY_PAY,
    TRANSFER,
    VIRTUAL_ACCOUNT,
    MOBILE_PHONE,

    /// <summary>문화상품권 (culture gift certificate).</summary>
    CULTURE_GIFT_CERTIFICATE,

    /// <summary>도서문화상품권 (book gift certificate).</summary>
    BOOK_GIFT_CERTIFICATE,

    /// <summary>게임문화상품권 (game gift certificate).</summary>
    GAME_GIFT_CERTIFICATE,

    /// <summary>A method the PG named that OpsConsole does not know; the raw text is kept beside it.</summary>
    OTHER,
}

public enum TransactionKind
{
    APPROVAL,
    CANCEL,
}

public enum CancelAttemptStatus
{
    PENDING,
    SUCCEEDED,
    FAILED,
    UNKNOWN,
}

/// <summary>
/// The one definition of what a payment's status means for reconciliation and repairs. Used by the
/// reconciliation definition (CHARGED_BUT_FAILED), the repair preview, the repair execution and the console.
/// </summary>
public static class PaymentStatuses
{
    /// <summary>
    /// "A failed payment": the customer was told it failed (ABORTED, EXPIRED) or we asked the PG and do not know
    /// (UNKNOWN). IN_PROGRESS is not failed: a confirm is still in flight (the janitor settles an orphaned one),
    /// and acting on it would race the confirm.
    /// </summary>
    public static readonly IReadOnlyList<PaymentStatus> Failed = [PaymentStatus.ABORTED, PaymentStatus.EXPIRED, PaymentStatus.UNKNOWN];

    public static bool IsFailed(this PaymentStatus status) =>
        status is PaymentStatus.ABORTED or PaymentStatus.EXPIRED or PaymentStatus.UNKNOWN;

    /// <summary>The ledger holds the PG's approval (whatever was cancelled since).</summary>
    public static bool IsApproved(this PaymentStatus status) =>
        status is PaymentStatus.DONE or PaymentStatus.PARTIAL_CANCELED or PaymentStatus.CANCELED;
}
