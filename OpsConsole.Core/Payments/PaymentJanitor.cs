using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;

namespace OpsConsole.Core.Payments;

public sealed record JanitorReport(int PaymentsChecked, int PaymentsResolved, int CancelsChecked, int CancelsResolved)
{
    public override string ToString() =>
        $"payments checked {PaymentsChecked}, resolved {PaymentsResolved}; cancels checked {CancelsChecked}, resolved {CancelsResolved}";
}

/// <summary>
/// Resolves outcomes we don't know by asking the PG (Kill Bill's janitor is the model): payments that are
/// UNKNOWN (or IN_PROGRESS long enough to be orphaned by a crash) and cancels that are UNKNOWN (or PENDING
/// too long). It never starts a new confirm or cancel; a cancel the PG still does not show after
/// <c>PendingTimeout</c> is sent again under its own idempotency key, so that the PG's answer settles it. Each look-up is an
/// event on the payment's timeline; an inconclusive one is retried with exponential backoff.
/// Several replicas may run it: optimistic concurrency on the payment makes each resolution happen once.
/// </summary>
public sealed class PaymentJanitor(
    IDbContextFactory<OpsDbContext> dbFactory,
    IPaymentGateway pg,
    PaymentService payments,
    EventLog events,
    TimeProvider clock,
    IOptions<JanitorOptions> options,
    ILogger<PaymentJanitor> logger)
{
    public async Task<JanitorReport> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        using var activity = Tracing.Source.StartActivity("janitor.run");
        var o = options.Value;
        var now = clock.GetUtcNow();
        var orphanedBefore = now - o.InProgressGrace;

        List<long> paymentIds;
        List<long> cancelIds;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            paymentIds = await db.Payments.AsNoTracking()
                .Where(p => (p.Status == PaymentStatus.UNKNOWN && (p.NextJanitorAt == null || p.NextJanitorAt <= now)) ||
                            (p.Status == PaymentStatus.IN_PROGRESS && p.UpdatedAt <= orphanedBefore &&
                             (p.NextJanitorAt == null || p.NextJanitorAt <= now)))
                .OrderBy(p => p.Id).Select(p => p.Id).Take(o.BatchSize).ToListAsync(cancellationToken);
            cancelIds = await db.CancelAttempts.AsNoTracking()
                .Where(a => (a.Status == CancelAttemptStatus.UNKNOWN && (a.NextJanitorAt == null || a.NextJanitorAt <= now)) ||
                            (a.Status == CancelAttemptStatus.PENDING && a.UpdatedAt <= orphanedBefore &&
                             (a.NextJanitorAt == null || a.NextJanitorAt <= now)))
                .OrderBy(a => a.Id).Select(a => a.Id).Take(o.BatchSize).ToListAsync(cancellationToken);
        }

        var resolvedPayments = 0;
        foreach (var id in paymentIds)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await ResolvePaymentAsync(id, cancellationToken)) resolvedPayments++;
        }

        var resolvedCancels = 0;
        foreach (var id in cancelIds)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await ResolveCancelAsync(id, cancellationToken)) resolvedCancels++;
        }

        var report = new JanitorReport(paymentIds.Count, resolvedPayments, cancelIds.Count, resolvedCancels);
        if (paymentIds.Count + cancelIds.Count > 0)
            logger.LogInformation("Janitor: {Report}", report);
        return report;
    }

    private async Task<bool> ResolvePaymentAsync(long paymentId, CancellationToken cancellationToken)
    {
        Payment payment;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            payment = await db.Payments.AsNoTracking().SingleAsync(p => p.Id == paymentId, cancellationToken);
        if (!payment.IsUnresolved) return false;

        var result = await pg.GetPaymentAsync(payment.PaymentKey, cancellationToken);
        await events.AppendAsync(PaymentService.PgCallEvent(payment.PaymentKey, payment.OrderId, result,
            $"janitor look-up #{payment.JanitorAttempts + 1}", clock.GetUtcNow()));

        var resolved = false;
        await payments.ApplyToPaymentAsync(paymentId, m =>
        {
            var p = m.Payment;
            if (!p.IsUnresolved) return;
            var o = options.Value;
            var age = m.Now - p.RequestedAt;
            string verdict;
            if (result.IsSuccess)
            {
                resolved = payments.ApplyPgPayment(m, result.Value!, "janitor: the PG reports", allowPending: true);
                if (!resolved && age > o.PendingTimeout)
                {
                    m.Change(() => p.MarkExpired(
                        $"the PG never approved it (status {result.Value!.Status} after {age.TotalMinutes:0} minutes)", m.Now),
                        $"janitor: the PG still shows {result.Value!.Status} after {age.TotalMinutes:0} minutes; expired");
                    m.Publish("payment.failed");
                    resolved = true;
                }
                verdict = resolved ? $"resolved as {p.Status}" : $"PG still shows {result.Value!.Status}";
            }
            else if (result.IsRejected && result.Code == TossErrorCodes.NotFoundPayment && age > o.PendingTimeout)
            {
                m.Change(() => p.MarkAborted(TossErrorCodes.NotFoundPayment, "the PG has no such payment", m.Now),
                    "janitor: the PG has no such payment; nothing was charged");
                m.Publish("payment.failed");
                resolved = true;
                verdict = "resolved as ABORTED";
            }
            else
            {
                verdict = $"inconclusive ({result.Describe()})";
            }

            if (!resolved)
            {
                var next = payments.NextCheck(p.JanitorAttempts + 1, m.Now);
                if (p.Status == PaymentStatus.IN_PROGRESS)
                    m.Change(() => p.MarkUnknown($"orphaned confirm; {verdict}", next, m.Now),
                        "janitor: confirm was left in progress (crash?); outcome unknown until the PG says");
                p.RecordJanitorAttempt(next, m.Now);
                verdict += $"; next look-up at {next:u}";
            }
            m.Db.PaymentEvents.Add(PaymentEvent.Note(p.PaymentKey, p.OrderId, PaymentEventTypes.JanitorAttempt,
                $"janitor attempt {p.JanitorAttempts}: {verdict}", Tracing.CurrentTraceId(), Tracing.CurrentSpanId(), m.Now));
        }, cancellationToken);
        return resolved;
    }

    private async Task<bool> ResolveCancelAsync(long attemptId, CancellationToken cancellationToken)
    {
        CancelAttempt snapshot;
        List<string> booked;
        string currency;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            snapshot = await db.CancelAttempts.AsNoTracking().SingleAsync(a => a.Id == attemptId, cancellationToken);
            currency = await db.Payments.AsNoTracking().Where(p => p.Id == snapshot.PaymentId).Select(p => p.Currency)
                .SingleAsync(cancellationToken);
            booked = await db.PaymentTransactions.AsNoTracking()
                .Where(t => t.PaymentId == snapshot.PaymentId && t.TransactionKey != null)
                .Select(t => t.TransactionKey!).ToListAsync(cancellationToken);
        }
        if (!snapshot.IsOpen) return false;

        var result = await pg.GetPaymentAsync(snapshot.PaymentKey, cancellationToken);
        await events.AppendAsync(PaymentService.PgCallEvent(snapshot.PaymentKey, null, result,
            $"janitor look-up for cancel {snapshot.IdempotencyKey}", clock.GetUtcNow()));

        // The PG shows no such cancel although it was sent long ago. That is no proof it never happens: the PG
        // may have the request and apply it later (a slow PG, our client gave up first, a paused sender).
        // Releasing the reservation on that guess would leave a PG cancel our ledger never books. So the same
        // intent goes again under the same idempotency key: the PG executes a key at most once and answers
        // definitively — the first answer (the cancel happened), 409 while the first request is still in
        // flight (unknown: look again later), the cancel executed now (the approved intent), or a refusal.
        PgResult<TossPayment>? resent = null;
        if (result.IsSuccess && PaymentService.FindCancel(booked, snapshot, result.Value!) is null &&
            clock.GetUtcNow() - snapshot.CreatedAt > options.Value.PendingTimeout)
        {
            // Always with the reserved amount, also for a full cancel: should the key be new to the PG, the
            // re-send can never cancel more than this attempt reserved (the balance may have moved outside).
            resent = await pg.CancelAsync(snapshot.PaymentKey, new TossCancelRequest(snapshot.Reason, MinorUnits.ToMajor(snapshot.Amount, currency)),
                snapshot.IdempotencyKey, cancellationToken);
            await events.AppendAsync(PaymentService.PgCallEvent(snapshot.PaymentKey, null, resent,
                $"janitor re-sent cancel {snapshot.IdempotencyKey} (same key) after the PG showed none", clock.GetUtcNow()));
        }

        for (var attemptNo = 1; ; attemptNo++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var attempt = await db.CancelAttempts.SingleAsync(a => a.Id == attemptId, cancellationToken);
            if (!attempt.IsOpen) return false;
            var payment = await db.Payments.Include(p => p.Transactions).SingleAsync(p => p.Id == attempt.PaymentId, cancellationToken);
            var m = new PaymentMutation(db, payment, clock.GetUtcNow());
            bool resolved;
            string verdict;
            if (result.IsSuccess && PaymentService.TryCompleteCancel(m, attempt, result.Value!, "janitor: the PG shows the cancel"))
            {
                resolved = true;
                verdict = $"the PG executed it (transaction {attempt.TransactionKey})";
            }
            else if (resent is { IsSuccess: true } &&
                     PaymentService.TryCompleteCancel(m, attempt, resent.Value!, "janitor: the PG answered the re-sent cancel"))
            {
                resolved = true;
                verdict = $"re-sent under its key, the PG answers it executed (transaction {attempt.TransactionKey})";
            }
            else if (resent is { IsRejected: true })
            {
                // A refusal of the key's only execution: the cancel never happened and never will.
                PaymentService.FailCancel(m, attempt, resent.Code!, $"re-sent under its key, the PG refused it: {resent.Message}");
                resolved = true;
                verdict = $"re-sent under its key, the PG refused it ({resent.Code}); reservation released";
            }
            else
            {
                resolved = false;
                var next = payments.NextCheck(attempt.JanitorAttempts + 1, m.Now);
                if (attempt.Status == CancelAttemptStatus.PENDING)
                    attempt.MarkUnknown("orphaned cancel (crash?)", next, m.Now);
                attempt.RecordJanitorAttempt(next, m.Now);
                payment.NoteCancelChange(m.Now); // conflicts with an executor recording the same cancel meanwhile
                verdict = $"inconclusive ({(resent ?? result).Describe()}); next look-up at {next:u}";
            }
            db.PaymentEvents.Add(PaymentEvent.Note(payment.PaymentKey, payment.OrderId, PaymentEventTypes.JanitorAttempt,
                $"janitor, cancel {attempt.IdempotencyKey}: {verdict}", Tracing.CurrentTraceId(), Tracing.CurrentSpanId(), m.Now));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return resolved;
            }
            catch (DbUpdateConcurrencyException) when (attemptNo < 5)
            {
                logger.LogInformation("Cancel attempt {Attempt} changed concurrently; re-reading", attemptId);
            }
        }
    }
}
