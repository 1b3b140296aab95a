using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Payments;

/// <summary>
/// Writes payment events in their own short transaction (Spring's REQUIRES_NEW): evidence of a PG call
/// survives whatever happens to the business transaction that follows it.
/// </summary>
public sealed class EventLog(IDbContextFactory<OpsDbContext> dbFactory)
{
    public async Task AppendAsync(PaymentEvent paymentEvent, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.PaymentEvents.Add(paymentEvent);
        // Evidence must be written even when the caller's operation was cancelled.
        await db.SaveChangesAsync(CancellationToken.None);
    }
}
