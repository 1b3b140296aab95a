namespace OpsConsole.Core.Gateway;

/// <summary>The payment gateway (PG): the real Toss Payments API or the sandbox, over HTTP.</summary>
public interface IPaymentGateway
{
    Task<PgResult<TossPayment>> ConfirmAsync(TossConfirmRequest request, string idempotencyKey,
        CancellationToken cancellationToken = default);

    Task<PgResult<TossPayment>> GetPaymentAsync(string paymentKey, CancellationToken cancellationToken = default);

    Task<PgResult<TossPayment>> GetPaymentByOrderIdAsync(string orderId,
        CancellationToken cancellationToken = default);

    Task<PgResult<TossPayment>> CancelAsync(string paymentKey, TossCancelRequest request, string idempotencyKey,
        CancellationToken cancellationToken = default);

    /// <summary>One page of settlement lines (page is 1-based).</summary>
    Task<PgResult<IReadOnlyList<TossSettlement>>> GetSettlementsAsync(DateOnly startDate, DateOnly endDate,
        int page, int size, CancellationToken cancellationToken = default);
}
