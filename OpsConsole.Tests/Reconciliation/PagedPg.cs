using OpsConsole.Core.Gateway;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>A PG that serves a fixed list of settlement lines page by page, optionally failing one page.</summary>
public sealed class PagedPg(IReadOnlyList<TossSettlement> lines, int? failPage = null) : IPaymentGateway
{
    public List<(int Page, int Size)> Calls { get; } = [];

    public Task<PgResult<IReadOnlyList<TossSettlement>>> GetSettlementsAsync(DateOnly startDate, DateOnly endDate,
        int page, int size, CancellationToken cancellationToken = default)
    {
        Calls.Add((page, size));
        if (page == failPage)
            return Task.FromResult(new PgResult<IReadOnlyList<TossSettlement>>(PgOutcome.Unknown, null, "GET",
                "/v1/settlements", 503, null, "unavailable", 5, "", ""));
        IReadOnlyList<TossSettlement> slice = lines.Where(l => l.SoldDate >= startDate && l.SoldDate <= endDate)
            .Skip((page - 1) * size).Take(size).ToList();
        return Task.FromResult(new PgResult<IReadOnlyList<TossSettlement>>(PgOutcome.Success, slice, "GET",
            "/v1/settlements", 200, null, null, 5, "", ""));
    }

    public Task<PgResult<TossPayment>> ConfirmAsync(TossConfirmRequest request, string idempotencyKey, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<PgResult<TossPayment>> GetPaymentAsync(string paymentKey, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<PgResult<TossPayment>> GetPaymentByOrderIdAsync(string orderId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    public Task<PgResult<TossPayment>> CancelAsync(string paymentKey, TossCancelRequest request, string idempotencyKey, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
