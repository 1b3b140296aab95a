using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Repairs;

public sealed record RepairBatchView(RepairBatch Batch, IReadOnlyList<RepairBatchItem> Items)
{
    public int Count(RepairBatchItemResult r) => Items.Count(i => i.Result == r);
}

/// <summary>
/// Bulk refunds: one request for many findings (items already repaired, locked by another repair or not
/// refundable are skipped with the reason), one approval by a different person, execution with bounded
/// concurrency, per-item results and a downloadable report.
/// </summary>
public sealed class RepairBatchService(
    IDbContextFactory<OpsDbContext> dbFactory,
    RepairService repairs,
    AuditLog audit,
    TimeProvider clock,
    IOptions<RepairOptions> options)
{
    public const int MaxItems = 10_000;

    public async Task<RepairBatchView> RequestAsync(IReadOnlyCollection<long> findingIds, string reasonCode, string comment,
        string requestedBy, IReadOnlyCollection<string> roles, CancellationToken cancellationToken = default)
    {
        if (!roles.Any(RepairService.RequesterRoles.Contains))
            throw new DomainException("FORBIDDEN", "Only finance, on-call or admin users can request repairs.", 403);
        var ids = findingIds.Distinct().ToList();
        if (ids.Count == 0) throw DomainException.BadInput("NO_FINDINGS", "Select at least one finding.");
        if (ids.Count > MaxItems) throw DomainException.BadInput("TOO_MANY_FINDINGS", $"A batch holds at most {MaxItems} findings.");

        var batch = RepairBatch.Create(requestedBy, reasonCode, comment, clock.GetUtcNow());
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            db.Add(batch);
            await db.SaveChangesAsync(cancellationToken);
        }

        var items = new List<RepairBatchItem>();
        foreach (var id in ids)
            items.Add(await PlanAsync(batch, id, cancellationToken));

        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            db.Attach(batch);
            batch.SetTotals(items.Count(i => i.RepairId is not null), items.Sum(i => i.Amount));
            db.AddRange(items);
            await db.SaveChangesAsync(cancellationToken);
        }
        await audit.WriteAsync(requestedBy, "repair.batch.request", "repair-batch", batch.Id.ToString(),
            after: $"{batch.ItemCount} refunds, {batch.TotalAmount} KRW; {items.Count(i => i.Result == RepairBatchItemResult.SKIPPED)} skipped",
            reason: $"{reasonCode}: {comment}");
        return new RepairBatchView(batch, items);
    }

    private async Task<RepairBatchItem> PlanAsync(RepairBatch batch, long findingId, CancellationToken cancellationToken)
    {
        Finding? finding;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            finding = await db.Set<Finding>().AsNoTracking().FirstOrDefaultAsync(f => f.Id == findingId, cancellationToken);
        if (finding is null) return RepairBatchItem.Skipped(batch.Id, findingId, "", "no such finding");
        if (!finding.IsWorkable) return RepairBatchItem.Skipped(batch.Id, findingId, finding.PaymentKey, $"the finding is {finding.Status}");
        try
        {
            var preview = await repairs.PreviewAsync(finding.PaymentKey, findingId, cancellationToken);
            var refund = preview.Options.Single(o => o.Kind == RepairKind.REFUND);
            if (!refund.Allowed) return RepairBatchItem.Skipped(batch.Id, findingId, finding.PaymentKey, refund.Why);
            var request = RepairRequest.Create(RepairKind.REFUND, finding.PaymentKey, preview.Ledger.OrderId, findingId, refund.MaxAmount,
                isFullRefund: true, batch.ReasonCode, $"batch #{batch.Id}: {batch.Comment}", batch.RequestedBy, clock.GetUtcNow(),
                options.Value.ApprovalTtl, batch.Id);
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            db.Add(request);
            await db.SaveChangesAsync(cancellationToken);
            return RepairBatchItem.Planned(batch.Id, findingId, finding.PaymentKey, request.Id, request.Amount);
        }
        catch (DbUpdateException)
        {
            return RepairBatchItem.Skipped(batch.Id, findingId, finding.PaymentKey, "another repair of this payment is in flight");
        }
        catch (DomainException e)
        {
            return RepairBatchItem.Skipped(batch.Id, findingId, finding.PaymentKey, e.Message);
        }
    }

    /// <summary>One approval for the batch (a different person), then every item executes, at most <c>Repairs:BatchConcurrency</c> at once.</summary>
    public async Task<RepairBatchView> ApproveAsync(long batchId, string approver, IReadOnlyCollection<string> roles,
        CancellationToken cancellationToken = default)
    {
        if (!roles.Any(RepairService.ApproverRoles.Contains))
            throw new DomainException("FORBIDDEN", "Only finance, on-call or admin users can approve repairs.", 403);
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var batch = await db.Set<RepairBatch>().SingleOrDefaultAsync(b => b.Id == batchId, cancellationToken)
                        ?? throw DomainException.NotFound("NOT_FOUND_BATCH", $"No repair batch #{batchId}.");
            batch.Approve(approver, clock.GetUtcNow());
            db.AuditEntries.Add(AuditEntry.Create(clock.GetUtcNow(), approver, "repair.batch.approve", "repair-batch", batchId.ToString(),
                traceId: Tracing.CurrentTraceId()));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                throw DomainException.Conflict("BATCH_CHANGED", $"Batch #{batchId} was approved or rejected by someone else at the same moment.");
            }
        }

        List<RepairBatchItem> items;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            items = await db.Set<RepairBatchItem>().Where(i => i.BatchId == batchId && i.Result == RepairBatchItemResult.PENDING)
                .ToListAsync(cancellationToken);

        await Parallel.ForEachAsync(items, new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, options.Value.BatchConcurrency),
            CancellationToken = cancellationToken,
        }, async (item, ct) =>
        {
            try
            {
                var r = await repairs.ApproveAsync(item.RepairId!.Value, approver, roles, ct);
                item.Record(r.Status switch
                {
                    RepairStatus.SUCCEEDED => RepairBatchItemResult.SUCCEEDED,
                    RepairStatus.FAILED => RepairBatchItemResult.FAILED,
                    _ => RepairBatchItemResult.UNKNOWN,
                }, r.Outcome);
            }
            catch (DomainException e)
            {
                item.Record(RepairBatchItemResult.SKIPPED, $"{e.Code}: {e.Message}");
            }
        });

        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            db.AttachRange(items);
            foreach (var i in items) db.Entry(i).State = EntityState.Modified;
            var batch = await db.Set<RepairBatch>().SingleAsync(b => b.Id == batchId, cancellationToken);
            batch.Complete(clock.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
        }
        var view = await GetAsync(batchId, cancellationToken);
        await audit.WriteAsync(approver, "repair.batch.done", "repair-batch", batchId.ToString(),
            outcome: $"succeeded {view.Count(RepairBatchItemResult.SUCCEEDED)}, failed {view.Count(RepairBatchItemResult.FAILED)}, " +
                     $"unknown {view.Count(RepairBatchItemResult.UNKNOWN)}, skipped {view.Count(RepairBatchItemResult.SKIPPED)}");
        return view;
    }

    public async Task<RepairBatchView> RejectAsync(long batchId, string by, string reason, IReadOnlyCollection<string> roles,
        CancellationToken cancellationToken = default)
    {
        if (!roles.Any(RepairService.ApproverRoles.Contains))
            throw new DomainException("FORBIDDEN", "Only finance, on-call or admin users can reject repairs.", 403);
        List<long> repairIds;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var batch = await db.Set<RepairBatch>().SingleOrDefaultAsync(b => b.Id == batchId, cancellationToken)
                        ?? throw DomainException.NotFound("NOT_FOUND_BATCH", $"No repair batch #{batchId}.");
            batch.Reject(by, reason, clock.GetUtcNow());
            db.AuditEntries.Add(AuditEntry.Create(clock.GetUtcNow(), by, "repair.batch.reject", "repair-batch", batchId.ToString(),
                reason: reason, traceId: Tracing.CurrentTraceId()));
            await db.SaveChangesAsync(cancellationToken);
            repairIds = await db.Set<RepairBatchItem>().Where(i => i.BatchId == batchId && i.RepairId != null)
                .Select(i => i.RepairId!.Value).ToListAsync(cancellationToken);
        }
        foreach (var id in repairIds)
            await repairs.RejectAsync(id, by, $"batch #{batchId} rejected: {reason}", roles, cancellationToken);
        return await GetAsync(batchId, cancellationToken);
    }

    public async Task<RepairBatchView> GetAsync(long batchId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var batch = await db.Set<RepairBatch>().AsNoTracking().SingleOrDefaultAsync(b => b.Id == batchId, cancellationToken)
                    ?? throw DomainException.NotFound("NOT_FOUND_BATCH", $"No repair batch #{batchId}.");
        var items = await db.Set<RepairBatchItem>().AsNoTracking().Where(i => i.BatchId == batchId).OrderBy(i => i.Id)
            .ToListAsync(cancellationToken);
        return new RepairBatchView(batch, items);
    }

    /// <summary>Batches, newest first; <paramref name="waitingFor"/> leaves out the user's own (they cannot approve them).</summary>
    public async Task<IReadOnlyList<RepairBatch>> ListAsync(bool pendingOnly, string? waitingFor = null, int take = 200,
        CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var q = db.Set<RepairBatch>().AsNoTracking();
        if (pendingOnly) q = q.Where(b => b.Status == RepairBatchStatus.REQUESTED);
        if (waitingFor is not null) q = q.Where(b => b.RequestedBy != waitingFor);
        return await q.OrderByDescending(b => b.Id).Take(take).ToListAsync(cancellationToken);
    }

    /// <summary>The report: one CSV line per item (succeeded / failed / unknown / skipped, and why).</summary>
    public static string ReportCsv(RepairBatchView view)
    {
        var sb = new StringBuilder("batchId,findingId,paymentKey,repairId,amount,result,why\r\n");
        foreach (var i in view.Items)
            sb.Append(CultureInfo.InvariantCulture, $"{i.BatchId},{i.FindingId},{Csv(i.PaymentKey)},{i.RepairId},{i.Amount},{i.Result},{Csv(i.Why ?? "")}\r\n");
        return sb.ToString();
    }

    private static string Csv(string s) => s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : $"\"{s.Replace("\"", "\"\"")}\"";
}
