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
