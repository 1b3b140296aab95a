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
