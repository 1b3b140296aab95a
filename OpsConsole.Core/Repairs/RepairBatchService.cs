using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
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

/// <summary>One finding's fate in a bulk refund: a full refund of <see cref="Amount"/>, or skipped with <see cref="SkipReason"/>.</summary>
public sealed record BulkRefundDecision(long FindingId, string PaymentKey, string OrderId, long Amount, string? SkipReason)
{
    public bool WillRefund => SkipReason is null;
}

/// <summary>What a bulk refund would do now, before anything is requested: the same decisions the request makes.</summary>
public sealed record BulkRefundPreview(IReadOnlyList<BulkRefundDecision> Decisions)
{
    public int RefundCount => Decisions.Count(d => d.WillRefund);
    public long RefundTotal => Decisions.Where(d => d.WillRefund).Sum(d => d.Amount);
    public IReadOnlyList<BulkRefundDecision> Skipped => Decisions.Where(d => !d.WillRefund).ToList();

    /// <summary>Skipped findings by reason, most frequent first.</summary>
    public IReadOnlyList<(string Reason, int Count)> SkippedByReason => Skipped.GroupBy(d => d.SkipReason!)
        .Select(g => (g.Key, g.Count())).OrderByDescending(g => g.Item2).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
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
    IOptions<RepairOptions> options,
    ILogger<RepairBatchService> logger)
{
    public const int MaxItems = 10_000;

    /// <summary>
    /// What requesting a bulk refund of <paramref name="findingIds"/> would do now: which findings are refunded
    /// (in full, how much) and which are skipped and why — decided by <see cref="DecideAsync"/>, the rule the
    /// request itself applies. Nothing is written. The PG is asked about each payment, a few at a time.
    /// </summary>
    public async Task<BulkRefundPreview> PreviewAsync(IReadOnlyCollection<long> findingIds, IReadOnlyCollection<string> roles,
        CancellationToken cancellationToken = default)
    {
        RepairRoles.EnsureCanRequest(roles);
        var ids = CheckedIds(findingIds);
        var decisions = new BulkRefundDecision[ids.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Count), new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, options.Value.BatchConcurrency),
            CancellationToken = cancellationToken,
        }, async (i, ct) => decisions[i] = await DecideAsync(ids[i], ct));
        return new BulkRefundPreview(decisions);
    }

    private static List<long> CheckedIds(IReadOnlyCollection<long> findingIds)
    {
        var ids = findingIds.Distinct().ToList();
        if (ids.Count == 0) throw DomainException.BadInput("NO_FINDINGS", "Select at least one finding.");
        if (ids.Count > MaxItems) throw DomainException.BadInput("TOO_MANY_FINDINGS", $"A batch holds at most {MaxItems} findings.");
        return ids;
    }

    /// <summary>
    /// The one rule of a bulk refund, for the preview and the request alike: a finding is refunded in full when it
    /// exists, is unresolved and its payment's refund is allowed now (<see cref="RepairService.PreviewAsync"/>: not
    /// already refunded, charged at the PG, no repair or cancel in flight, ledgers agree on the balance…); otherwise
    /// it is skipped with the reason.
    /// </summary>
    private async Task<BulkRefundDecision> DecideAsync(long findingId, CancellationToken cancellationToken)
    {
        Finding? finding;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            finding = await db.Set<Finding>().AsNoTracking().FirstOrDefaultAsync(f => f.Id == findingId, cancellationToken);
        if (finding is null) return new BulkRefundDecision(findingId, "", "", 0, "no such finding");
        if (!finding.IsWorkable) return Skip($"the finding is {finding.Status}");
        try
        {
            var preview = await repairs.PreviewAsync(finding.PaymentKey, findingId, cancellationToken);
            var refund = preview.Options.Single(o => o.Kind == RepairKind.REFUND);
            return refund.Allowed
                ? new BulkRefundDecision(findingId, finding.PaymentKey, preview.OrderId, refund.MaxAmount, null)
                : Skip(refund.Why);
        }
        catch (DomainException e)
        {
            return Skip(e.Message);
        }

        BulkRefundDecision Skip(string why) => new(findingId, finding.PaymentKey, "", 0, why);
    }

    public async Task<RepairBatchView> RequestAsync(IReadOnlyCollection<long> findingIds, string reasonCode, string comment,
        string requestedBy, IReadOnlyCollection<string> roles, CancellationToken cancellationToken = default)
    {
        RepairRoles.EnsureCanRequest(roles);
        var ids = CheckedIds(findingIds);

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
            var expiries = await db.Set<RepairRequest>().Where(r => r.BatchId == batch.Id).Select(r => r.ExpiresAt).ToListAsync(cancellationToken);
            db.Attach(batch);
            batch.SetTotals(items.Count(i => i.RepairId is not null), items.Sum(i => i.Amount), expiries.Count == 0 ? null : expiries.Min());
            db.AddRange(items);
            await db.SaveChangesAsync(cancellationToken);
        }
        await audit.WriteAsync(requestedBy, "repair.batch.request", "repair-batch", batch.Id.ToString(),
            AuditChange.Created(AuditFieldsOf(batch)), reason: $"{reasonCode}: {comment}",
            outcome: $"{items.Count(i => i.Result == RepairBatchItemResult.SKIPPED)} skipped");
        return new RepairBatchView(batch, items);
    }

    private async Task<RepairBatchItem> PlanAsync(RepairBatch batch, long findingId, CancellationToken cancellationToken)
    {
        var decision = await DecideAsync(findingId, cancellationToken);
        if (!decision.WillRefund)
            return RepairBatchItem.Skipped(batch.Id, findingId, decision.PaymentKey, decision.SkipReason!);
        try
        {
            var request = RepairRequest.Create(RepairKind.REFUND, decision.PaymentKey, decision.OrderId, findingId, decision.Amount,
                isFullRefund: true, batch.ReasonCode, $"batch #{batch.Id}: {batch.Comment}", batch.RequestedBy, clock.GetUtcNow(),
                options.Value.ApprovalTtl, batch.Id);
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            db.Add(request);
            await db.SaveChangesAsync(cancellationToken);
            await audit.WriteAsync(batch.RequestedBy, "repair.request", "repair", request.Id.ToString(),
                AuditChange.Created(RepairService.AuditFieldsOf(request)), reason: $"batch #{batch.Id}: {batch.ReasonCode}",
                paymentKey: request.PaymentKey);
            return RepairBatchItem.Planned(batch.Id, findingId, decision.PaymentKey, request.Id, request.Amount);
        }
        catch (DbUpdateException)
        {
            return RepairBatchItem.Skipped(batch.Id, findingId, decision.PaymentKey, "another repair of this payment is in flight");
        }
        catch (DomainException e)
        {
            return RepairBatchItem.Skipped(batch.Id, findingId, decision.PaymentKey, e.Message);
        }
    }

    /// <summary>
    /// One approval for the batch (a different person), then every item executes, at most <c>Repairs:BatchConcurrency</c>
    /// at once. Each item is isolated: whatever one item throws is recorded on it and the others still run. Each
    /// result is saved as it comes, with a heartbeat; a batch whose execution dies is finished by <see cref="SweepAsync"/>.
    /// </summary>
    public async Task<RepairBatchView> ApproveAsync(long batchId, string approver, IReadOnlyCollection<string> roles,
        CancellationToken cancellationToken = default)
    {
        RepairRoles.EnsureCanDecide(roles, "approve");
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var batch = await db.Set<RepairBatch>().SingleOrDefaultAsync(b => b.Id == batchId, cancellationToken)
                        ?? throw DomainException.NotFound("NOT_FOUND_BATCH", $"No repair batch #{batchId}.");
            if (batch.IsExpiredAt(clock.GetUtcNow()))
            {
                await ExpireAsync(batchId, cancellationToken);
                await audit.WriteAsync(approver, "repair.batch.approve.refused", "repair-batch", batchId.ToString(),
                    outcome: $"BATCH_EXPIRED: {batch.ExpiredMessage}");
                throw DomainException.Conflict("BATCH_EXPIRED", batch.ExpiredMessage);
            }
            var before = AuditFieldsOf(batch);
            batch.Approve(approver, clock.GetUtcNow());
            db.AuditEntries.Add(AuditEntry.Create(clock.GetUtcNow(), approver, "repair.batch.approve", "repair-batch", batchId.ToString(),
                traceId: Tracing.CurrentTraceId()).WithChange(AuditChange.Between(before, AuditFieldsOf(batch))));
            await SaveDecisionAsync(db, batchId, cancellationToken);
        }

        List<RepairBatchItem> items;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            items = await db.Set<RepairBatchItem>().AsNoTracking()
                .Where(i => i.BatchId == batchId && i.Result == RepairBatchItemResult.PENDING && i.RepairId != null)
                .ToListAsync(cancellationToken);

        await Parallel.ForEachAsync(items, new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, options.Value.BatchConcurrency),
            CancellationToken = cancellationToken,
        }, async (item, ct) =>
        {
            await ExecuteItemAsync(item, batchId, approver, roles, ct);
            await SaveProgressAsync(item, ct);
        });

        if (await CompleteAsync(batchId, cancellationToken))
            await AuditDoneAsync(approver, batchId, cancellationToken);
        return await GetAsync(batchId, cancellationToken);
    }

    private async Task ExecuteItemAsync(RepairBatchItem item, long batchId, string approver, IReadOnlyCollection<string> roles,
        CancellationToken cancellationToken)
    {
        var repairId = item.RepairId!.Value;
        try
        {
            item.Reflect(await repairs.ApproveBatchItemAsync(repairId, batchId, approver, roles, cancellationToken));
        }
        catch (DomainException e)
        {
            // Refused (nothing moved: SKIPPED), or the PG could not be asked after the claim: the repair row tells which.
            RepairRequest? repair = null;
            try
            {
                repair = await repairs.GetAsync(repairId, CancellationToken.None);
            }
            catch (Exception readFailed)
            {
                logger.LogError(readFailed, "Batch {Batch}: reading repair {Repair} failed", batchId, repairId);
            }
            if (repair is { Status: RepairStatus.REQUESTED })
                item.Record(RepairBatchItemResult.SKIPPED, $"{e.Code}: {e.Message}");
            else if (repair is not null)
                item.Reflect(repair);
            else
                item.Record(RepairBatchItemResult.UNKNOWN, $"{e.Code}: {e.Message}; the repair sweep looks repair #{repairId} up");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // A database fault, the PG client throwing...: the cancel may or may not have reached the PG. Never
            // retried here with a new key: the repair sweep and the janitor settle the repair by looking it up.
            logger.LogError(e, "Batch {Batch}: repair {Repair} ended with an unexpected error", batchId, repairId);
            item.Record(RepairBatchItemResult.UNKNOWN,
                $"unexpected error ({e.GetType().Name}: {e.Message}); the outcome is unknown until the repair sweep looks repair #{repairId} up");
        }
    }

    /// <summary>Saves one item's result and the batch's heartbeat (no concurrency token: items run side by side).</summary>
    private async Task SaveProgressAsync(RepairBatchItem item, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            db.Attach(item).State = EntityState.Modified;
            await db.SaveChangesAsync(CancellationToken.None);
            var now = clock.GetUtcNow();
            await db.Set<RepairBatch>().Where(b => b.Id == item.BatchId && b.Status == RepairBatchStatus.APPROVED)
                .ExecuteUpdateAsync(u => u.SetProperty(b => b.HeartbeatAt, now), CancellationToken.None);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The repair row keeps the truth; the sweep copies it onto the item later.
            logger.LogError(e, "Batch {Batch}: saving the result of repair {Repair} failed", item.BatchId, item.RepairId);
        }
    }

    /// <summary>DONE, unless someone (the sweep) finished it first; false then.</summary>
    private async Task<bool> CompleteAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var batch = await db.Set<RepairBatch>().SingleAsync(b => b.Id == batchId, cancellationToken);
        if (batch.Status != RepairBatchStatus.APPROVED) return false;
        batch.Complete(clock.GetUtcNow());
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            return false;
        }
    }

    private async Task AuditDoneAsync(string actor, long batchId, CancellationToken cancellationToken)
    {
        var view = await GetAsync(batchId, cancellationToken);
        await audit.WriteAsync(actor, "repair.batch.done", "repair-batch", batchId.ToString(),
            outcome: $"succeeded {view.Count(RepairBatchItemResult.SUCCEEDED)}, failed {view.Count(RepairBatchItemResult.FAILED)}, " +
                     $"unknown {view.Count(RepairBatchItemResult.UNKNOWN)}, skipped {view.Count(RepairBatchItemResult.SKIPPED)}");
    }

    private static async Task SaveDecisionAsync(OpsDbContext db, long batchId, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw DomainException.Conflict("BATCH_CHANGED", $"Batch #{batchId} was approved or rejected by someone else at the same moment.");
        }
    }

    /// <summary>
    /// Rejects the batch, then every item still REQUESTED; items already decided are recorded as their repairs
    /// stand (rejected or expired: SKIPPED with why). One item failing never stops the others; the sweep finishes
    /// what is left.
    /// </summary>
    public async Task<RepairBatchView> RejectAsync(long batchId, string by, string reason, IReadOnlyCollection<string> roles,
        CancellationToken cancellationToken = default)
    {
        RepairRoles.EnsureCanDecide(roles, "reject");
        RepairBatch batch;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            batch = await db.Set<RepairBatch>().SingleOrDefaultAsync(b => b.Id == batchId, cancellationToken)
                    ?? throw DomainException.NotFound("NOT_FOUND_BATCH", $"No repair batch #{batchId}.");
            var before = AuditFieldsOf(batch);
            batch.Reject(by, reason, clock.GetUtcNow());
            db.AuditEntries.Add(AuditEntry.Create(clock.GetUtcNow(), by, "repair.batch.reject", "repair-batch", batchId.ToString(),
                reason: reason, traceId: Tracing.CurrentTraceId()).WithChange(AuditChange.Between(before, AuditFieldsOf(batch))));
            await SaveDecisionAsync(db, batchId, cancellationToken);
        }
        await SettleItemsAsync(batch, by, cancellationToken);
        return await GetAsync(batchId, cancellationToken);
    }

    /// <summary>A batch nobody approved in time: EXPIRED, and its items' repairs with it. False when it is not (or no longer) due.</summary>
    private async Task<bool> ExpireAsync(long batchId, CancellationToken cancellationToken)
    {
        RepairBatch batch;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            batch = await db.Set<RepairBatch>().SingleAsync(b => b.Id == batchId, cancellationToken);
            if (!batch.IsExpiredAt(clock.GetUtcNow())) return false;
            var before = AuditFieldsOf(batch);
            batch.Expire(clock.GetUtcNow());
            db.AuditEntries.Add(AuditEntry.Create(clock.GetUtcNow(), "system", "repair.batch.expire", "repair-batch", batchId.ToString(),
                outcome: batch.ExpiredMessage, traceId: Tracing.CurrentTraceId()).WithChange(AuditChange.Between(before, AuditFieldsOf(batch))));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                return false; // decided at the same moment
            }
        }
        await SettleItemsAsync(batch, "system", cancellationToken);
        return true;
    }

    /// <summary>
    /// Copies the repairs' current states onto the batch's open items (PENDING, UNKNOWN). A repair the decided
    /// batch never ran (still REQUESTED) is closed the batch's way: rejected with it, expired with it, or — when
    /// its execution was interrupted — rejected, so nothing moves without a person watching; request it again.
    /// Each item on its own: one failing does not stop the rest.
    /// </summary>
    private async Task SettleItemsAsync(RepairBatch batch, string actor, CancellationToken cancellationToken)
    {
        List<RepairBatchItem> items;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            items = await db.Set<RepairBatchItem>().AsNoTracking()
                .Where(i => i.BatchId == batch.Id && i.RepairId != null &&
                            (i.Result == RepairBatchItemResult.PENDING || i.Result == RepairBatchItemResult.UNKNOWN))
                .OrderBy(i => i.Id).ToListAsync(cancellationToken);
        foreach (var item in items)
        {
            try
            {
                var repair = await repairs.GetAsync(item.RepairId!.Value, cancellationToken);
                if (repair.Status == RepairStatus.REQUESTED)
                {
                    try
                    {
                        repair = await CloseAsync(batch, repair.Id, actor, cancellationToken);
                    }
                    catch (DomainException)
                    {
                        repair = await repairs.GetAsync(repair.Id, cancellationToken); // decided meanwhile: take it as it is
                    }
                }
                item.Reflect(repair);
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                db.Attach(item).State = EntityState.Modified;
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Batch {Batch}: settling repair {Repair} failed; the sweep tries again", batch.Id, item.RepairId);
            }
        }
    }

    private Task<RepairRequest> CloseAsync(RepairBatch batch, long repairId, string actor, CancellationToken cancellationToken) =>
        batch.Status switch
        {
            RepairBatchStatus.EXPIRED => repairs.ExpireAsync(repairId, cancellationToken),
            RepairBatchStatus.REJECTED => repairs.RejectBatchItemAsync(repairId, batch.Id, actor,
                $"batch #{batch.Id} rejected by {batch.RejectedBy}: {batch.RejectReason}", cancellationToken),
            _ => repairs.RejectBatchItemAsync(repairId, batch.Id, "system",
                $"batch #{batch.Id} finished without running this item (its execution was interrupted); request it again", cancellationToken),
        };

    /// <summary>
    /// Part of the repair sweep (run it after <see cref="RepairService.SweepAsync"/>): expires batches nobody
    /// approved in time; finishes APPROVED batches whose execution went quiet for <c>Repairs:ExecutionGrace</c> (a
    /// crash) from their repairs' states, audited as <c>repair.batch.done</c> by <c>system</c>; and copies repairs
    /// settled since (by the sweep or the janitor) onto the items of finished batches.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var quietSince = now - options.Value.ExecutionGrace;
        List<long> expired, stalled;
        List<RepairBatch> unsettled;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var batches = db.Set<RepairBatch>().AsNoTracking();
            expired = await batches.Where(b => b.Status == RepairBatchStatus.REQUESTED && b.ExpiresAt <= now)
                .OrderBy(b => b.Id).Select(b => b.Id).Take(100).ToListAsync(cancellationToken);
            stalled = await batches.Where(b => b.Status == RepairBatchStatus.APPROVED && b.HeartbeatAt <= quietSince)
                .OrderBy(b => b.Id).Select(b => b.Id).Take(100).ToListAsync(cancellationToken);
            // Items whose repair has moved on: still PENDING in a finished batch, or UNKNOWN while their repair settled.
            var moved = from i in db.Set<RepairBatchItem>()
                        join r in db.Set<RepairRequest>() on i.RepairId equals r.Id
                        where i.Result == RepairBatchItemResult.PENDING ||
                              (i.Result == RepairBatchItemResult.UNKNOWN && r.Status != RepairStatus.UNKNOWN &&
                               r.Status != RepairStatus.APPROVED && r.Status != RepairStatus.EXECUTING)
                        select i.BatchId;
            unsettled = await batches.Where(b => (b.Status == RepairBatchStatus.DONE || b.Status == RepairBatchStatus.REJECTED ||
                                                  b.Status == RepairBatchStatus.EXPIRED) && moved.Contains(b.Id))
                .OrderBy(b => b.Id).Take(100).ToListAsync(cancellationToken);
        }

        var changed = 0;
        foreach (var id in expired)
            if (await ExpireAsync(id, cancellationToken))
                changed++;
        foreach (var id in stalled)
        {
            RepairBatch batch;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
                batch = await db.Set<RepairBatch>().AsNoTracking().SingleAsync(b => b.Id == id, cancellationToken);
            if (batch.Status != RepairBatchStatus.APPROVED || batch.HeartbeatAt > quietSince) continue;
            logger.LogWarning("Batch {Batch} approved by {Approver} went quiet at {At}: finishing it from its repairs", id, batch.ApprovedBy, batch.HeartbeatAt);
            await SettleItemsAsync(batch, "system", cancellationToken);
            if (!await CompleteAsync(id, cancellationToken)) continue;
            await AuditDoneAsync("system", id, cancellationToken);
            changed++;
        }
        foreach (var batch in unsettled)
        {
            await SettleItemsAsync(batch, "system", cancellationToken);
            changed++;
        }
        return changed;
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
            sb.Append(CsvCells.Row(CsvCells.Number(i.BatchId), CsvCells.Number(i.FindingId), CsvCells.Text(i.PaymentKey),
                CsvCells.Number(i.RepairId), CsvCells.Number(i.Amount), CsvCells.Text(i.Result.ToString()),
                CsvCells.Text(i.Why))).Append("\r\n");
        return sb.ToString();
    }

    /// <summary>What a batch's audit rows compare, before and after each decision.</summary>
    private static AuditFields AuditFieldsOf(RepairBatch b) => new()
    {
        { "refunds", b.ItemCount },
        { "totalAmount", b.TotalAmount },
        { "status", b.Status },
        { "approvedBy", b.ApprovedBy },
        { "rejectedBy", b.RejectedBy },
        { "rejectReason", b.RejectReason },
    };
}
