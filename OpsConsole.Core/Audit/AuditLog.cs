using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Audit;

/// <summary>Append-only audit trail, each entry in its own transaction so it survives any rollback.</summary>
public sealed class AuditLog(IDbContextFactory<OpsDbContext> dbFactory, TimeProvider clock)
{
    public async Task WriteAsync(string actor, string action, string targetType, string targetId,
        string? before = null, string? after = null, string? reason = null, string? outcome = null, string? paymentKey = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        db.AuditEntries.Add(AuditEntry.Create(clock.GetUtcNow(), actor, action, targetType, targetId, before, after,
            reason, outcome, Tracing.CurrentTraceId(), paymentKey));
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>As above, with <paramref name="change"/> as the row's before and after.</summary>
    public Task WriteAsync(string actor, string action, string targetType, string targetId, AuditChange change,
        string? reason = null, string? outcome = null, string? paymentKey = null) =>
        WriteAsync(actor, action, targetType, targetId, change.Before, change.After, reason, outcome, paymentKey);
}
