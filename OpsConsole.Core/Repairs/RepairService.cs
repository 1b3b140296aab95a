using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Outbox;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Repairs;

/// <summary>
/// Money-moving operator actions as requests: preview → request (frozen, with its idempotency key) →
/// approval by a different person → exactly-once execution through the payment core's cancel path →
/// targeted recheck that resolves the finding when both ledgers agree. Every step is audited in its own
/// transaction; completions publish <c>repair.*</c> outbox events and a Slack post.
/// </summary>
public sealed class RepairService(
    IDbContextFactory<OpsDbContext> dbFactory,
    PaymentService payments,
    IPaymentGateway pg,
    FindingService findings,
    AuditLog audit,
    RepairNotifier notifier,
    TimeProvider clock,
    IOptions<RepairOptions> options,
    ILogger<RepairService> logger)
{
    public async Task<RepairPreview> PreviewAsync(string paymentKey, long? findingId = null,
        CancellationToken cancellationToken = default)
    {
        Payment? payment;
        RepairRequest? open;
        Finding? finding = null;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.PaymentKey == paymentKey, cancellationToken);
            open = await db.Set<RepairRequest>().AsNoTracking()
                .FirstOrDefaultAsync(r => r.PaymentKey == paymentKey &&
                                          (r.Status == RepairStatus.REQUESTED || r.Status == RepairStatus.APPROVED ||
                                           r.Status == RepairStatus.EXECUTING || r.Status == RepairStatus.UNKNOWN), cancellationToken);
            if (findingId is { } fid)
                finding = await db.Set<Finding>().AsNoTracking().FirstOrDefaultAsync(f => f.Id == fid, cancellationToken)
                          ?? throw DomainException.NotFound("NOT_FOUND_FINDING", $"No finding #{fid}.");
        }
        if (finding is not null && finding.PaymentKey != paymentKey)
            throw DomainException.BadInput("FINDING_MISMATCH", $"Finding #{finding.Id} is about payment {finding.PaymentKey}, not {paymentKey}.");

        var atPg = await pg.GetPaymentAsync(paymentKey, cancellationToken);
        var pgPayment = atPg.IsSuccess ? atPg.Value : null;
        var pgError = atPg.IsSuccess ? null : atPg.Describe();
        if (payment is null && pgPayment is null && atPg.IsRejected)
            throw DomainException.NotFound("NOT_FOUND_PAYMENT", $"Neither our ledger nor the PG knows payment {paymentKey} ({pgError}).");
        return new RepairPreview(payment is null ? null : PaymentSnapshot.Of(payment), pgPayment, pgError,
            payment is null ? OptionsOnlyAtPg(pgPayment, pgError, open, finding) : Options(payment, pgPayment, pgError, open, finding), open);
    }

    /// <summary>
    /// A payment only the PG knows (MISSING_INTERNAL: the customer was charged, our ledger never heard of it). A
    /// refund records the PG's payment in our ledger, then cancels it at the PG through the ordinary cancel path
    /// (idempotency key frozen at request time); a record keeps the charge and books it. Either way both ledgers
    /// end up agreeing and the next run matches.
    /// </summary>
    private static List<RepairOption> OptionsOnlyAtPg(TossPayment? atPg, string? pgError, RepairRequest? open, Finding? finding)
    {
        var blocked = InFlight(open);
        var why = blocked
            ?? (atPg is null ? $"the PG could not be asked ({pgError})"
            : atPg.Status is not ("DONE" or "PARTIAL_CANCELED") ? $"the PG shows {atPg.Status}: nothing was charged"
            : atPg.Cancels is { Count: > 0 } ? "the PG already cancelled part of it; resolve by hand"
            : atPg.Currency != Money.LedgerCurrency ? $"the PG's payment is in {atPg.Currency}; our ledger holds KRW only"
            : atPg.ApprovedAt is null ? "the PG gives no approval time; resolve by hand"
            : null);
        return
        [
            new RepairOption(RepairKind.REFUND, why is null,
                why ?? "only the PG knows this payment: record it in our ledger from the PG's data, then cancel it at the PG; full or partial",
                why is null ? atPg!.BalanceAmount : 0),
            new RepairOption(RepairKind.RECORD_APPROVAL, why is null,
                why ?? "the order should stand: record the PG's payment and its approval in our ledger"),
            ResolveOption(finding),
        ];
    }

    /// <summary>Why nothing else may start on the payment: its open repair, or null.</summary>
    private static string? InFlight(RepairRequest? open) => open is null ? null
        : $"repair #{open.Id} ({open.Kind}, {open.Status}) requested by {open.RequestedBy} at {open.RequestedAt:u} is in flight";

    private static RepairOption ResolveOption(Finding? finding)
    {
        var resolveWhy = finding is null ? "open this from a finding to resolve it"
            : !finding.IsWorkable ? $"the finding is {finding.Status}"
            : null;
        return new RepairOption(RepairKind.MARK_RESOLVED, resolveWhy is null, resolveWhy ?? "close the finding with a reason; no money moves");
    }

    private static List<RepairOption> Options(Payment ledger, TossPayment? atPg, string? pgError, RepairRequest? open,
        Finding? finding)
    {
        var result = new List<RepairOption>();
        var blocked = InFlight(open);
        var pgCharged = atPg?.Status is "DONE" or "PARTIAL_CANCELED";
        var ledgerApproved = ledger.Status.IsApproved();
        var ledgerFailed = ledger.IsFailed;

        string? refundWhy = blocked
            ?? (atPg is null ? $"the PG could not be asked ({pgError})"
            : !pgCharged ? $"the PG shows {atPg.Status}: nothing to refund"
            : ledger.PendingCancelAmount > 0 ? "a cancel of this payment is already in flight"
            : ledgerApproved && ledger.BalanceAmount != atPg.BalanceAmount ? $"the ledgers disagree on the balance ({ledger.BalanceAmount} here, {atPg.BalanceAmount} at the PG): record or resolve first"
            : !ledgerApproved && !ledgerFailed ? $"the ledger shows {ledger.Status}"
            : !ledgerApproved && atPg.Cancels is { Count: > 0 } ? "the PG already cancelled part of it; resolve by hand"
            : null);
        result.Add(new RepairOption(RepairKind.REFUND, refundWhy is null,
            refundWhy ?? (ledgerFailed
                ? "the PG charged a payment our ledger shows failed: record the PG's approval, then cancel it at the PG"
                : "cancel at the PG; full or partial"),
            refundWhy is null ? atPg!.BalanceAmount : 0));

        string? recordWhy = blocked
            ?? (atPg is null ? $"the PG could not be asked ({pgError})"
            : !ledgerFailed ? $"the ledger already shows {ledger.Status}"
            : atPg.Status is not ("DONE" or "PARTIAL_CANCELED" or "CANCELED") ? $"the PG shows {atPg.Status}: there is no charge to record"
            : atPg.Cancels is { Count: > 0 } ? "the PG already cancelled part of it; resolve by hand"
            : null);
        result.Add(new RepairOption(RepairKind.RECORD_APPROVAL, recordWhy is null,
            recordWhy ?? "the order should stand: book the PG's approval in our ledger"));

        result.Add(ResolveOption(finding));
        return result;
    }

    public async Task<RepairRequest> RequestAsync(RepairCommand command, IReadOnlyCollection<string> roles,
        CancellationToken cancellationToken = default)
    {
        RepairRoles.EnsureCanRequest(roles);
        var preview = await PreviewAsync(command.PaymentKey, command.FindingId, cancellationToken);
        var option = preview.Options.Single(o => o.Kind == command.Kind);
        if (!option.Allowed)
            throw DomainException.Conflict(preview.OpenRepair is not null ? "REPAIR_IN_PROGRESS" : "REPAIR_NOT_ALLOWED",
                $"{command.Kind} is not allowed for payment {command.PaymentKey}: {option.Why}.");

        long amount = 0;
        var full = false;
        if (command.Kind == RepairKind.REFUND)
        {
            amount = command.Amount ?? option.MaxAmount;
            full = amount == option.MaxAmount;
            if (amount <= 0 || amount > option.MaxAmount)
                throw DomainException.BadInput("INVALID_AMOUNT", $"The refund must be between 1 and {option.MaxAmount} KRW.");
            if (command.ConfirmAmount != amount)
                throw DomainException.BadInput("AMOUNT_NOT_CONFIRMED", $"Type the amount ({amount}) to confirm the refund.");
        }

        var now = clock.GetUtcNow();
        var request = RepairRequest.Create(command.Kind, command.PaymentKey, preview.OrderId, command.FindingId, amount, full,
            command.ReasonCode, command.Comment, command.RequestedBy, now, options.Value.ApprovalTtl);
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
            // Requests are created one at a time, so that their ids follow their commits: the single-approver check
            // below counts the requests with a smaller id, which must then all be visible (with a sequence alone, a
            // request could take id 1, commit after id 2 was checked, and both skip the second approver). SQLite has
            // one writer at a time already.
            if (db.Provider == DatabaseProvider.Postgres)
                await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(hashtext('repair_requests'))", cancellationToken);
            db.Add(request);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                db.AuditEntries.Add(Audit(command.RequestedBy, "repair.request", request,
                    $"{command.ReasonCode}: {command.Comment}").WithChange(AuditChange.Created(AuditFieldsOf(request))));
                await db.SaveChangesAsync(cancellationToken);
                await tx.CommitAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                var holder = await OpenRepairAsync(command.PaymentKey, cancellationToken);
                throw DomainException.Conflict("REPAIR_IN_PROGRESS", holder is null
                    ? $"Another repair of payment {command.PaymentKey} was requested at the same moment."
                    : $"Repair #{holder.Id} of payment {command.PaymentKey} by {holder.RequestedBy} since {holder.RequestedAt:u} is in flight.");
            }
        }

        if (command.Kind == RepairKind.MARK_RESOLVED)
            return await ResolveWithoutMoneyAsync(request.Id, command, cancellationToken);
        if (request.Kind == RepairKind.REFUND && await SingleApproverAllowsAsync(request, cancellationToken))
            return await ApproveAsync(request.Id, SingleApproverRule.Approver, RepairRoles.Approvers.ToList(), cancellationToken, singleApprover: true);
        return request;
    }

    /// <summary><see cref="SingleApproverRule"/> against the refunds already made of the payment and by the requester that day.</summary>
    private async Task<bool> SingleApproverAllowsAsync(RepairRequest request, CancellationToken cancellationToken)
    {
        var max = options.Value.SingleApproverMaxAmount;
        if (!SingleApproverRule.Allows(request.Amount, 0, 0, max)) return false;
        var (dayStart, dayEnd) = SingleApproverRule.DayOf(request.RequestedAt);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Earlier requests only (by id): of two racing requests the later one sees the earlier, never both pass.
        var candidates = await db.Set<RepairRequest>().AsNoTracking()
            .Where(r => r.Id < request.Id && r.Kind == RepairKind.REFUND && r.BatchId == null &&
                        (r.PaymentKey == request.PaymentKey || r.RequestedBy == request.RequestedBy))
            .Where(r => r.ApprovedBy == SingleApproverRule.Approver || r.Status == RepairStatus.REQUESTED)
            .ToListAsync(cancellationToken);
        var counted = candidates.Where(r => SingleApproverRule.Counts(r, max)).ToList();
        var paymentSum = counted.Where(r => r.PaymentKey == request.PaymentKey).Sum(r => r.Amount);
        var requesterDaySum = counted
            .Where(r => string.Equals(r.RequestedBy, request.RequestedBy, StringComparison.OrdinalIgnoreCase) &&
                        r.RequestedAt >= dayStart && r.RequestedAt < dayEnd)
            .Sum(r => r.Amount);
        var allowed = SingleApproverRule.Allows(request.Amount, paymentSum, requesterDaySum, max);
        if (!allowed)
            await audit.WriteAsync("system", "repair.single-approver.refused", "repair", request.Id.ToString(),
                after: $"amount {Money.Krw(request.Amount)}, payment total {Money.Krw(paymentSum)}, requester's day {Money.Krw(requesterDaySum)}, limit {Money.Krw(max)}",
                outcome: "needs a second approver", paymentKey: request.PaymentKey);
        return allowed;
    }

    /// <summary>Approves (a different person, finance/on-call/admin) and executes at once.</summary>
    public Task<RepairRequest> ApproveAsync(long repairId, string approver, IReadOnlyCollection<string> roles,
        CancellationToken cancellationToken = default, bool singleApprover = false) =>
        DecideApprovalAsync(repairId, approver, roles, singleApprover, viaBatch: null, cancellationToken);

    /// <summary>Approves and executes an item of <paramref name="batchId"/>, as part of approving the batch.</summary>
    internal Task<RepairRequest> ApproveBatchItemAsync(long repairId, long batchId, string approver, IReadOnlyCollection<string> roles,
        CancellationToken cancellationToken) =>
        DecideApprovalAsync(repairId, approver, roles, singleApprover: false, batchId, cancellationToken);

    private async Task<RepairRequest> DecideApprovalAsync(long repairId, string approver, IReadOnlyCollection<string> roles, bool singleApprover,
        long? viaBatch, CancellationToken cancellationToken)
    {
        try
        {
            RepairRoles.EnsureCanDecide(roles, "approve");
            await ChangeAsync(repairId, r =>
            {
                r.Approve(approver, clock.GetUtcNow(), singleApprover, viaBatch);
                return Audit(approver, "repair.approve", r);
            }, cancellationToken, conflictMessage: "someone else acted on this repair at the same moment");
        }
        catch (DomainException e)
        {
            // The refused attempt is evidence too, in its own transaction.
            await audit.WriteAsync(approver, "repair.approve.refused", "repair", repairId.ToString(), outcome: $"{e.Code}: {e.Message}",
                paymentKey: await PaymentKeyOfAsync(repairId));
            throw;
        }
        return await ExecuteAsync(repairId, cancellationToken);
    }

    public async Task<RepairRequest> RejectAsync(long repairId, string by, string reason, IReadOnlyCollection<string> roles,
        CancellationToken cancellationToken = default)
    {
        RepairRoles.EnsureCanDecide(roles, "reject");
        return await DecideRejectionAsync(repairId, by, reason, viaBatch: null, cancellationToken);
    }

    /// <summary>Rejects an item of <paramref name="batchId"/> with its batch (the caller checked who may).</summary>
    internal Task<RepairRequest> RejectBatchItemAsync(long repairId, long batchId, string by, string reason,
        CancellationToken cancellationToken) =>
        DecideRejectionAsync(repairId, by, reason, batchId, cancellationToken);

    private Task<RepairRequest> DecideRejectionAsync(long repairId, string by, string reason, long? viaBatch, CancellationToken cancellationToken) =>
        ChangeAsync(repairId, x =>
        {
            x.Reject(by, reason, clock.GetUtcNow(), viaBatch);
            return Audit(by, "repair.reject", x, reason);
        }, cancellationToken, publish: true, conflictMessage: "someone else acted on this repair at the same moment");

    /// <summary>Expires a request still waiting for approval (the sweep, or its batch expiring); anything else stays as it is.</summary>
    internal Task<RepairRequest> ExpireAsync(long repairId, CancellationToken cancellationToken) =>
        ChangeAsync(repairId, x =>
        {
            if (x.Status != RepairStatus.REQUESTED) return null;
            x.Expire(clock.GetUtcNow());
            return Audit("system", "repair.expire", x);
        }, cancellationToken, publish: true);

    /// <summary>
    /// Executes an APPROVED repair exactly once, or resumes one left EXECUTING by a crash. Safe to call any
    /// number of times, concurrently: the claim is an optimistic-concurrency state change, and the PG cancel
    /// carries the key frozen at request time, so a retry replays instead of cancelling twice.
    /// </summary>
    public async Task<RepairRequest> ExecuteAsync(long repairId, CancellationToken cancellationToken = default)
    {
        RepairRequest r;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            r = await db.Set<RepairRequest>().SingleAsync(x => x.Id == repairId, cancellationToken);
            var now = clock.GetUtcNow();
            var resume = r.Status == RepairStatus.EXECUTING && now - r.ExecutionStartedAt >= options.Value.ExecutionGrace;
            if (r.Status == RepairStatus.APPROVED)
            {
                var before = AuditFieldsOf(r);
                r.StartExecution(now);
                db.AuditEntries.Add(Audit(r.ApprovedBy ?? "system", "repair.execute", r)
                    .WithChange(AuditChange.Between(before, AuditFieldsOf(r))));
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                }
                catch (DbUpdateConcurrencyException)
                {
                    return await GetAsync(repairId, cancellationToken); // another executor claimed it
                }
            }
            else if (!resume)
                return r;
            else
                await audit.WriteAsync("system", "repair.execute.resume", "repair", repairId.ToString(),
                    outcome: $"resumed {r.Status} with key {r.IdempotencyKey}", paymentKey: r.PaymentKey);
        }

        var (status, message, txKey) = await RunAsync(r, cancellationToken);
        return await FinishAsync(repairId, status, message, txKey, cancellationToken);
    }

    private async Task<(RepairStatus, string, string?)> RunAsync(RepairRequest r, CancellationToken cancellationToken)
    {
        var actor = $"repair #{r.Id}";
        try
        {
            if (r.Kind == RepairKind.RECORD_APPROVAL)
            {
                var p = await payments.RecordPgApprovalAsync(r.PaymentKey, actor, cancellationToken);
                return (RepairStatus.SUCCEEDED, $"the ledger now records the PG's approval ({p.Status}, {p.Amount:N0} KRW)", null);
            }

            // Failed in our ledger, or only the PG knows it: the PG's approval is recorded first, then cancelled.
            var ledger = (await payments.GetAsync(r.PaymentKey, cancellationToken))?.Payment;
            if (ledger is null || ledger.Status.IsFailed())
                await payments.RecordPgApprovalAsync(r.PaymentKey, actor, cancellationToken);
            var outcome = await payments.CancelAsync(new CancelCommand(r.PaymentKey, r.IdempotencyKey,
                r.IsFullRefund ? null : r.Amount, $"{r.ReasonCode}: {r.Comment}"[..Math.Min(200, r.ReasonCode.Length + 2 + r.Comment.Length)],
                actor), cancellationToken);
            return MapCancel(outcome.Status, outcome.Amount, outcome.TransactionKey, outcome.FailureCode, outcome.FailureMessage);
        }
        catch (DomainException e) when (e.Code != PgLookupFailed)
        {
            return (RepairStatus.FAILED, $"{e.Code}: {e.Message}", null);
        }
        // PG_LOOKUP_FAILED propagates: the PG could not be asked, nothing is known, so the repair stays
        // EXECUTING and the sweep resumes it — it is never failed on an unknown.
    }

    private const string PgLookupFailed = "PG_LOOKUP_FAILED";

    private static (RepairStatus, string, string?) MapCancel(CancelAttemptStatus status, long amount, string? txKey,
        string? code, string? message) => status switch
    {
        CancelAttemptStatus.SUCCEEDED => (RepairStatus.SUCCEEDED, $"{amount:N0} KRW cancelled at the PG (transaction {txKey})", txKey),
        CancelAttemptStatus.FAILED => (RepairStatus.FAILED, $"the PG refused the cancel: {code} {message}", null),
        _ => (RepairStatus.UNKNOWN, $"the PG's answer is unknown ({message}); the janitor will ask the PG", null),
    };

    private async Task<RepairRequest> FinishAsync(long repairId, RepairStatus status, string message, string? txKey,
        CancellationToken cancellationToken)
    {
        var r = await ChangeAsync(repairId, x =>
        {
            if (x.Status is not (RepairStatus.EXECUTING or RepairStatus.UNKNOWN) || (x.Status == RepairStatus.UNKNOWN && status == RepairStatus.UNKNOWN))
                return null;
            x.Complete(status, message, txKey, clock.GetUtcNow());
            return Audit("system", $"repair.{status.ToString().ToLowerInvariant()}", x, outcome: message);
        }, cancellationToken, publish: true);
        if (r.Status is RepairStatus.SUCCEEDED or RepairStatus.FAILED)
            await notifier.NotifyAsync(r);
        if (r.Status == RepairStatus.SUCCEEDED)
            await RecheckAsync(r, cancellationToken);
        return r;
    }

    /// <summary>
    /// The targeted recheck after a repair: asks the PG live and compares with the ledger (status, balance,
    /// cancels). When they agree, the payment's open findings become RESOLVED with a note linking the repair.
    /// </summary>
    public async Task<bool> RecheckAsync(RepairRequest r, CancellationToken cancellationToken = default)
    {
        var detail = await payments.GetAsync(r.PaymentKey, cancellationToken);
        var atPg = await pg.GetPaymentAsync(r.PaymentKey, cancellationToken);
        if (detail is null || !atPg.IsSuccess) return false;
        var ledger = detail.Payment;
        var pgCancels = (atPg.Value!.Cancels ?? []).Select(c => c.TransactionKey).Order().ToList();
        var ourCancels = detail.Transactions.Where(t => t.Kind == TransactionKind.CANCEL).Select(t => t.TransactionKey).Order().ToList();
        var agree = ledger.Status.ToString() == atPg.Value.Status && ledger.BalanceAmount == atPg.Value.BalanceAmount &&
                    pgCancels.SequenceEqual(ourCancels);
        await audit.WriteAsync("system", "repair.recheck", "repair", r.Id.ToString(),
            outcome: agree ? "both ledgers agree" : $"still differ: ledger {ledger.Status}/{ledger.BalanceAmount}, PG {atPg.Value.Status}/{atPg.Value.BalanceAmount}",
            paymentKey: r.PaymentKey);
        if (!agree) return false;

        List<long> open;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            open = await db.Set<Finding>().Where(f => f.PaymentKey == r.PaymentKey &&
                                                      (f.Status == FindingStatus.OPEN || f.Status == FindingStatus.ACKNOWLEDGED))
                .Select(f => f.Id).ToListAsync(cancellationToken);
        foreach (var id in open)
        {
            try
            {
                await findings.ResolveAsync(id, $"repair #{r.Id}",
                    $"Resolved by repair #{r.Id} ({r.Kind}{(r.Amount > 0 ? $" {r.Amount:N0} KRW" : "")}): the recheck found both ledgers agree.",
                    cancellationToken: cancellationToken);
            }
            catch (DomainException e)
            {
                logger.LogInformation("Finding {Id} not resolved by repair {Repair}: {Error}", id, r.Id, e.Message);
            }
        }
        return true;
    }

    /// <summary>Settles repairs whose cancel outcome the payment janitor has since resolved; resumes interrupted executions; expires stale requests.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        List<RepairRequest> due;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            due = await db.Set<RepairRequest>().AsNoTracking()
                .Where(r => r.Status == RepairStatus.UNKNOWN || r.Status == RepairStatus.EXECUTING || r.Status == RepairStatus.APPROVED ||
                            (r.Status == RepairStatus.REQUESTED && r.ExpiresAt <= now))
                .OrderBy(r => r.Id).Take(200).ToListAsync(cancellationToken);
        var changed = 0;
        foreach (var r in due)
        {
            switch (r.Status)
            {
                case RepairStatus.REQUESTED:
                    await ExpireAsync(r.Id, cancellationToken);
                    changed++;
                    break;
                case RepairStatus.APPROVED when now - r.ApprovedAt >= options.Value.ExecutionGrace:
                case RepairStatus.EXECUTING when now - r.ExecutionStartedAt >= options.Value.ExecutionGrace:
                    try
                    {
                        await ExecuteAsync(r.Id, cancellationToken);
                        changed++;
                    }
                    catch (DomainException e) when (e.Code == PgLookupFailed)
                    {
                        logger.LogWarning("Repair {Id} not resumed yet: {Error}", r.Id, e.Message);
                    }
                    break;
                case RepairStatus.UNKNOWN:
                    CancelAttempt? attempt;
                    await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
                        attempt = await db.CancelAttempts.AsNoTracking().FirstOrDefaultAsync(a => a.IdempotencyKey == r.IdempotencyKey, cancellationToken);
                    if (attempt is null || attempt.IsOpen) break;
                    var (status, message, txKey) = MapCancel(attempt.Status, attempt.Amount, attempt.TransactionKey, attempt.FailureCode, attempt.FailureMessage);
                    await FinishAsync(r.Id, status, message, txKey, cancellationToken);
                    changed++;
                    break;
            }
        }
        return changed;
    }

    /// <summary>The repair's steps, oldest first: its own audit rows and those of the findings it resolved.</summary>
    public async Task<IReadOnlyList<AuditEntry>> StepsAsync(RepairRequest repair, CancellationToken cancellationToken = default)
    {
        var id = repair.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var actor = $"repair #{id}";
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditEntries.AsNoTracking()
            .Where(a => (a.TargetType == "repair" && a.TargetId == id) || a.Actor == actor)
            .OrderBy(a => a.At).ThenBy(a => a.Id).Take(500).ToListAsync(cancellationToken);
    }

    public async Task<RepairRequest> GetAsync(long repairId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<RepairRequest>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == repairId, cancellationToken)
               ?? throw DomainException.NotFound("NOT_FOUND_REPAIR", $"No repair #{repairId}.");
    }

    /// <summary>
    /// Pending requests; <paramref name="waitingFor"/> leaves out the user's own (they cannot approve them);
    /// <paramref name="includeBatchItems"/> false leaves out the items of batches (they are approved with their batch).
    /// </summary>
    public async Task<IReadOnlyList<RepairRequest>> ListAsync(bool pendingOnly, string? waitingFor = null, string? paymentKey = null,
        int take = 200, bool includeBatchItems = true, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var q = db.Set<RepairRequest>().AsNoTracking();
        if (pendingOnly) q = q.Where(r => r.Status == RepairStatus.REQUESTED);
        if (!includeBatchItems) q = q.Where(r => r.BatchId == null);
        if (waitingFor is not null) q = q.Where(r => r.RequestedBy != waitingFor);
        if (paymentKey is not null) q = q.Where(r => r.PaymentKey == paymentKey);
        return await q.OrderByDescending(r => r.Id).Take(take).ToListAsync(cancellationToken);
    }

    private async Task<RepairRequest> ResolveWithoutMoneyAsync(long repairId, RepairCommand command, CancellationToken cancellationToken)
    {
        await findings.ResolveAsync(command.FindingId!.Value, command.RequestedBy,
            $"Marked resolved (repair #{repairId}, {command.ReasonCode}): {command.Comment}", cancellationToken: cancellationToken);
        return await ChangeAsync(repairId, x =>
        {
            x.CompleteWithoutMoney("finding marked resolved; no money moved", clock.GetUtcNow());
            return Audit(command.RequestedBy, "repair.succeeded", x, outcome: x.Outcome);
        }, cancellationToken, publish: true);
    }

    private async Task<RepairRequest?> OpenRepairAsync(string paymentKey, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<RepairRequest>().AsNoTracking().FirstOrDefaultAsync(r => r.PaymentKey == paymentKey &&
            (r.Status == RepairStatus.REQUESTED || r.Status == RepairStatus.APPROVED || r.Status == RepairStatus.EXECUTING ||
             r.Status == RepairStatus.UNKNOWN), cancellationToken);
    }

    /// <summary>
    /// Applies a state change in one short transaction together with its audit row (returned by
    /// <paramref name="change"/>; null when nothing changed) and, when asked, its outbox event.
    /// </summary>
    private async Task<RepairRequest> ChangeAsync(long repairId, Func<RepairRequest, AuditEntry?> change, CancellationToken cancellationToken,
        bool publish = false, string? conflictMessage = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            var r = await db.Set<RepairRequest>().SingleOrDefaultAsync(x => x.Id == repairId, CancellationToken.None)
                    ?? throw DomainException.NotFound("NOT_FOUND_REPAIR", $"No repair #{repairId}.");
            var before = r.Status;
            var fields = AuditFieldsOf(r);
            if (change(r) is { } entry)
                db.AuditEntries.Add(entry.WithChange(AuditChange.Between(fields, AuditFieldsOf(r))));
            if (publish && r.Status != before)
                db.OutboxMessages.Add(OutboxMessage.Create($"repair.{r.Status.ToString().ToLowerInvariant()}", r.PaymentKey,
                    JsonSerializer.Serialize(new { repairId = r.Id, r.Kind, r.Amount, r.PaymentKey, r.OrderId, r.FindingId, r.Outcome, r.TransactionKey },
                        TossPaymentsClient.Json), Tracing.CurrentTraceId(), clock.GetUtcNow()));
            try
            {
                await db.SaveChangesAsync(CancellationToken.None);
                return r;
            }
            catch (DbUpdateConcurrencyException) when (conflictMessage is null && attempt < 5)
            {
                // Re-read and re-apply: the change methods refuse what is no longer legal.
            }
            catch (DbUpdateConcurrencyException) when (conflictMessage is not null)
            {
                var current = await GetAsync(repairId, cancellationToken);
                throw DomainException.Conflict("REPAIR_CHANGED",
                    $"Repair #{repairId} is now {current.Status}{(current.ApprovedBy is null ? "" : $" (approved by {current.ApprovedBy})")}: {conflictMessage}.");
            }
        }
    }

    /// <summary>The repair's audit row; its before and after are added by the caller (the fields the step changed).</summary>
    private AuditEntry Audit(string actor, string action, RepairRequest r, string? reason = null, string? outcome = null) =>
        AuditEntry.Create(clock.GetUtcNow(), actor, action, "repair", r.Id.ToString(), reason: reason,
            outcome: outcome, traceId: Tracing.CurrentTraceId(), paymentKey: r.PaymentKey);

    /// <summary>What a repair's audit rows compare, before and after each step.</summary>
    internal static AuditFields AuditFieldsOf(RepairRequest r) => new()
    {
        { "kind", r.Kind },
        { "amount", r.Amount },
        { "fullRefund", r.IsFullRefund },
        { "paymentKey", r.PaymentKey },
        { "batch", r.BatchId },
        { "status", r.Status },
        { "approvedBy", r.ApprovedBy },
        { "rejectedBy", r.RejectedBy },
        { "rejectReason", r.RejectReason },
        { "outcome", r.Outcome },
        { "transactionKey", r.TransactionKey },
        { "idempotencyKey", r.IdempotencyKey },
    };

    private async Task<string?> PaymentKeyOfAsync(long repairId)
    {
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        return await db.Set<RepairRequest>().Where(r => r.Id == repairId).Select(r => r.PaymentKey).FirstOrDefaultAsync(CancellationToken.None);
    }
}
