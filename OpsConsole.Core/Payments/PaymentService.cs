using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Outbox;

namespace OpsConsole.Core.Payments;

/// <summary>
/// Confirms and cancels payments as "one long breath" split into short transactions:
/// (1) record the intent and commit; (2) call the PG outside any transaction, with an idempotency key fixed
/// by the intent; (3) record the outcome in a new transaction. Evidence of the call is written on its own
/// in between, so it survives whatever step 3 does. A PG answer that is not definitive leaves the payment
/// (or the cancel) UNKNOWN for the janitor; it is never taken as a failure.
/// </summary>
public sealed class PaymentService(
    IDbContextFactory<OpsDbContext> dbFactory,
    IPaymentGateway pg,
    EventLog events,
    AuditLog audit,
    TimeProvider clock,
    IOptions<JanitorOptions> janitorOptions,
    IOptions<PgOptions> pgOptions,
    ILogger<PaymentService> logger,
    PgConnections connections,
    PgEndpoint? endpoint = null)
{
    /// <summary>The PG connection payments are made through by default (the toss one).</summary>
    private string PgName => connections.Api?.Name
        ?? throw DomainException.Conflict("PG_NO_API", "No toss PG connection is configured: payments need the PG API.");

    /// <summary>
    /// The connection a payment goes through, recorded on it (<c>payments.pg</c>): the named one, else the toss one.
    /// OpsConsole has one PG API client, so a <see cref="PgKind.File"/> connection takes payments only when that client
    /// talks to the sandbox, which plays every persona (the demo's second PG); a real file PG's payments are refused
    /// here (<c>PG_NO_API</c>): nothing is sent to the toss API on another PG's behalf.
    /// </summary>
    public PgConnection ConnectionFor(string? pg)
    {
        if (string.IsNullOrWhiteSpace(pg)) return connections.Find(PgName)!;
        var connection = connections.Resolve(pg, "pg");
        if (connection.Kind == PgKind.File && endpoint?.IsSandbox != true)
            throw DomainException.BadInput("PG_NO_API",
                $"PG '{connection.Name}' is a file connection: OpsConsole has no payment API client for it.");
        return connection;
    }

    /// <summary>The connection serving the merchant id the PG names on a payment; the toss one when it names none we know.</summary>
    private string PgServing(string? mId) =>
        mId is null ? PgName
            : connections.All.FirstOrDefault(c => c.MerchantIds.Contains(mId, StringComparer.Ordinal))?.Name ?? PgName;

    private const int ConcurrencyRetries = 5;

    public static string ConfirmIdempotencyKey(string paymentKey) => $"confirm-{paymentKey}";

    public async Task<PaymentSnapshot> ConfirmAsync(ConfirmCommand command, CancellationToken cancellationToken = default)
    {
        PaymentValidation.EnsurePaymentKey(command.PaymentKey);
        PaymentValidation.EnsureOrderId(command.OrderId);
        PaymentValidation.EnsurePositiveAmount(command.Amount, "amount");
        PaymentValidation.EnsureCurrency(command.Currency);
        ConnectionFor(command.Pg);
        if (!pgOptions.Value.AcceptedCurrencies.Contains(command.Currency))
            throw DomainException.BadInput("UNSUPPORTED_CURRENCY",
                $"currency {command.Currency} is not accepted (accepted: {pgOptions.Value.Currencies}; setting Pg:Currencies).");
        using var activity = Tracing.Source.StartActivity("payment.confirm");
        activity?.SetTag("payment.key", command.PaymentKey);

        // 1. Intent.
        var (payment, isNew) = await RecordConfirmIntentAsync(command, cancellationToken);
        if (!isNew)
            return PaymentSnapshot.Of(payment);

        // 2. The PG call: no transaction is open. The caller going away must not abandon the intent
        //    halfway, so only the client's own timeouts bound it.
        var result = await GuardAsync(() => pg.ConfirmAsync(new TossConfirmRequest(command.PaymentKey, command.OrderId,
                MinorUnits.ToMajor(command.Amount, command.Currency)),
            ConfirmIdempotencyKey(command.PaymentKey), CancellationToken.None), "v1/payments/confirm", $"paymentKey={command.PaymentKey}");
        await RecordCallAsync(payment, result, "confirm");

        if (result.IsRejected && result.Code == TossErrorCodes.AlreadyProcessedPayment)
        {
            // A replayed confirm: the PG already approved it once. Look it up and take what it says.
            result = await GuardAsync(() => pg.GetPaymentAsync(command.PaymentKey, CancellationToken.None),
                $"v1/payments/{command.PaymentKey}", $"paymentKey={command.PaymentKey}", "GET");
            await RecordCallAsync(payment, result, "look-up after ALREADY_PROCESSED_PAYMENT");
            if (result.IsRejected)
                result = result with { Outcome = PgOutcome.Unknown };
        }

        // 3. Outcome.
        return await ApplyToPaymentAsync(payment.Id, p => ApplyConfirmResult(p, result), cancellationToken);
    }

    public async Task<CancelOutcome> CancelAsync(CancelCommand command, CancellationToken cancellationToken = default)
    {
        PaymentValidation.EnsureIdempotencyKey(command.IdempotencyKey);
        if (command.CancelAmount is { } requested)
            PaymentValidation.EnsurePositiveAmount(requested, "cancelAmount");
        if (string.IsNullOrWhiteSpace(command.CancelReason) || command.CancelReason.Length > 200)
            throw DomainException.BadInput("INVALID_CANCEL_REASON", "cancelReason is required (at most 200 characters).");
        using var activity = Tracing.Source.StartActivity("payment.cancel");
        activity?.SetTag("payment.key", command.PaymentKey);

        // 1. Intent: reserve the amount and record the attempt under its idempotency key.
        var (attempt, replay, currency, before) = await RecordCancelIntentAsync(command, cancellationToken);
        if (replay is not null)
            return replay;

        // 2. The PG call with the key fixed by the intent.
        // (A throw here propagates: the repair executor records it; the open attempt goes to the janitor.)
        var result = await pg.CancelAsync(command.PaymentKey,
            new TossCancelRequest(attempt.Reason, attempt.IsFullCancel ? null : MinorUnits.ToMajor(attempt.Amount, currency)),
            attempt.IdempotencyKey, CancellationToken.None);
        await events.AppendAsync(PgCallEvent(command.PaymentKey, null, result, $"cancel {attempt.Amount}", clock.GetUtcNow()));

        // 3. Outcome, then the audit record in its own transaction.
        var outcome = await ApplyCancelResultAsync(attempt.Id, result, CancellationToken.None);
        await audit.WriteAsync(command.RequestedBy, "payment.cancel", "payment", command.PaymentKey,
            AuditChange.Between(CancelAuditFields(before!), CancelAuditFields(outcome.Payment)),
            reason: command.CancelReason,
            outcome: $"{outcome.Status}: {MinorUnits.Format(outcome.Amount, currency)}, key {outcome.IdempotencyKey}" +
                     (outcome.FailureMessage is { } failure ? $" — {failure}" : ""),
            paymentKey: command.PaymentKey);
        return outcome;
    }

    /// <summary>
    /// Repair: takes the PG's approval into the ledger for a payment we show failed or unresolved, or — for a
    /// payment only the PG knows (MISSING_INTERNAL) — records the PG's payment with its approval transaction.
    /// Asks the PG first; idempotent (an already approved payment is returned as is; two recording the same
    /// payment at once end with one row). Refuses when the PG shows no charge or already cancelled part of it.
    /// </summary>
    public async Task<PaymentSnapshot> RecordPgApprovalAsync(string paymentKey, string actor,
        CancellationToken cancellationToken = default)
    {
        Payment? payment;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.PaymentKey == paymentKey, cancellationToken);
        if (payment is not null && payment.Status.IsApproved())
            return PaymentSnapshot.Of(payment);

        var result = await pg.GetPaymentAsync(paymentKey, CancellationToken.None);
        await events.AppendAsync(PgCallEvent(paymentKey, payment?.OrderId ?? result.Value?.OrderId, result,
            $"look-up before recording the PG's {(payment is null ? "payment" : "approval")} ({actor})", clock.GetUtcNow()));
        if (!result.IsSuccess)
            throw DomainException.Conflict("PG_LOOKUP_FAILED", $"Could not read payment {paymentKey} at the PG: {result.Describe()}");
        var atPg = result.Value!;
        if (atPg.Status is not ("DONE" or "PARTIAL_CANCELED" or "CANCELED"))
            throw DomainException.Conflict("PG_NOT_CHARGED", $"The PG shows payment {paymentKey} as {atPg.Status}: there is no charge to record.");

        if (payment is null)
        {
            if (atPg.Cancels is { Count: > 0 })
                throw DomainException.Conflict("PG_ALREADY_CANCELED",
                    $"The PG already cancelled part of payment {paymentKey}; its approval cannot be recorded automatically.");
            TossMethods.TryParse(atPg.Method, out var method);
            return await InsertFromPgAsync(atPg, method, atPg.LastTransactionKey, actor, cancellationToken);
        }
        if (BookingProblem(payment, atPg) is { } problem)
            throw DomainException.Conflict("PG_ANSWER_INCONSISTENT", $"The PG's answer for payment {paymentKey} cannot be booked: {problem}.");

        return await ApplyToPaymentAsync(payment.Id, m =>
        {
            if (m.Payment.Status.IsApproved()) return;
            BookPgCharge(m, atPg, $"{actor} recorded the PG's approval", repair: true);
            m.Publish("payment.approved", new { recordedBy = actor });
        }, cancellationToken);
    }

    /// <summary>
    /// A payment only the PG knows enters our ledger from the PG's answer. Without the approval's
    /// <c>lastTransactionKey</c> the approval is stored without a key and reconciliation learns it from the
    /// settlement line (<see cref="Reconciliation.ApprovalKeyLearning"/>): nothing is made up.
    /// </summary>
    private async Task<PaymentSnapshot> InsertFromPgAsync(TossPayment atPg, PaymentMethod method, string? transactionKey, string actor,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (atPg.ApprovedAt is not { } approvedAt)
            throw DomainException.Conflict("PG_NO_APPROVAL_TIME", $"The PG gives no approval time for payment {atPg.PaymentKey}: record it by hand.");
        var payment = Payment.RecordedFromPg(atPg.PaymentKey, atPg.OrderId, atPg.TotalAmount, atPg.Currency, method, atPg.Method,
            transactionKey, approvedAt.ToUniversalTime(), Tracing.CurrentTraceId(), now, PgServing(atPg.MId));
        var amountText = MinorUnits.Format(atPg.TotalAmount, atPg.Currency);
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        db.Payments.Add(payment);
        var m = new PaymentMutation(db, payment, now);
        db.PaymentEvents.Add(StateEvent(payment, null,
            $"{actor} recorded the PG's payment ({amountText}, approval {transactionKey ?? "key not told by the PG"}) in the ledger: only the PG knew it"));
        m.Publish("payment.approved", new { recordedBy = actor, fromPg = true });
        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
            return PaymentSnapshot.Of(payment);
        }
        catch (DbUpdateException)
        {
            // Recorded by someone else at the same moment (unique paymentKey): take theirs.
            await using var again = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            var existing = await again.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.PaymentKey == atPg.PaymentKey, CancellationToken.None);
            return existing is not null ? PaymentSnapshot.Of(existing)
                : throw DomainException.Conflict("LEDGER_CONFLICT",
                    $"Payment {atPg.PaymentKey} could not be recorded: order {atPg.OrderId} or transaction {transactionKey} is already in our " +
                    "ledger under another payment; resolve it by hand.");
        }
    }

    /// <summary>
    /// What the PG says about a payment right now (a live look-up, nothing recorded): the trace page shows it for
    /// a payment our ledger does not have.
    /// </summary>
    public Task<PgResult<TossPayment>> LookUpAtPgAsync(string paymentKey, CancellationToken cancellationToken = default) =>
        pg.GetPaymentAsync(paymentKey, cancellationToken);

    /// <summary>The payment's currency, or null when there is no such payment.</summary>
    public async Task<string?> CurrencyOfAsync(string paymentKey, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Payments.AsNoTracking().Where(p => p.PaymentKey == paymentKey).Select(p => p.Currency)
            .FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<PaymentDetail?> GetAsync(string paymentKey, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var payment = await db.Payments.AsNoTracking().Include(p => p.Transactions)
            .FirstOrDefaultAsync(p => p.PaymentKey == paymentKey, cancellationToken);
        if (payment is null) return null;
        var timeline = await db.PaymentEvents.AsNoTracking().Where(e => e.PaymentKey == paymentKey)
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).ToListAsync(cancellationToken);
        var attempts = await db.CancelAttempts.AsNoTracking().Where(a => a.PaymentId == payment.Id)
            .OrderBy(a => a.Id).ToListAsync(cancellationToken);
        return new PaymentDetail(PaymentSnapshot.Of(payment),
            payment.Transactions.OrderBy(t => t.OccurredAt).ThenBy(t => t.Id).ToList(), timeline, attempts);
    }

    // ---- confirm ------------------------------------------------------------------------------------

    private async Task<(Payment Payment, bool IsNew)> RecordConfirmIntentAsync(ConfirmCommand command,
        CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var existing = await FindExistingAsync(db, command, cancellationToken);
        if (existing is not null)
            return (existing, false);

        var pgName = ConnectionFor(command.Pg).Name;
        var now = clock.GetUtcNow();
        var payment = Payment.StartConfirm(command.PaymentKey, command.OrderId, command.Amount, command.Currency,
            Tracing.CurrentTraceId(), now, pgName);
        db.Payments.Add(payment);
        db.PaymentEvents.Add(StateEvent(payment, null,
            $"confirm requested for {MinorUnits.Format(command.Amount, command.Currency)} by {command.RequestedBy}"));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return (payment, true);
        }
        catch (DbUpdateException)
        {
            // A concurrent request for the same order won the race: answer with its payment.
            await using var fresh = await dbFactory.CreateDbContextAsync(cancellationToken);
            var winner = await FindExistingAsync(fresh, command, cancellationToken);
            if (winner is null) throw;
            return (winner, false);
        }
    }

    private static async Task<Payment?> FindExistingAsync(OpsDbContext db, ConfirmCommand command,
        CancellationToken cancellationToken)
    {
        var existing = await db.Payments.AsNoTracking()
            .FirstOrDefaultAsync(p => p.PaymentKey == command.PaymentKey || p.OrderId == command.OrderId,
                cancellationToken);
        if (existing is null) return null;
        if (existing.PaymentKey != command.PaymentKey || existing.OrderId != command.OrderId ||
            existing.Amount != command.Amount)
            // Name nothing of the other payment (its key, amount or order): order ids are often guessable.
            throw DomainException.Conflict("DUPLICATED_ORDER_ID",
                "This orderId or paymentKey is already taken by another confirm; a retry must repeat the same " +
                "paymentKey, orderId and amount.");
        return existing;
    }

    private void ApplyConfirmResult(PaymentMutation m, PgResult<TossPayment> result)
    {
        var p = m.Payment;
        if (!p.IsUnresolved)
            return; // The janitor (or a concurrent replay) settled it first; nothing left to do.
        switch (result.Outcome)
        {
            case PgOutcome.Success:
                ApplyPgPayment(m, result.Value!, "the PG approved the payment", allowPending: false);
                break;
            case PgOutcome.Rejected:
                m.Change(() => p.MarkAborted(result.Code!, result.Message ?? "", m.Now),
                    $"PG declined: {result.Code} {result.Message}");
                m.Publish("payment.failed");
                break;
            default:
                m.Change(() => p.MarkUnknown(result.Message ?? "outcome unknown", NextCheck(0, m.Now), m.Now),
                    $"outcome unknown: {result.Message} — the janitor will ask the PG");
                break;
        }
    }

    /// <summary>
    /// Applies what the PG says about a payment that is IN_PROGRESS or UNKNOWN here. Returns false when the
    /// PG is still pending (READY, IN_PROGRESS) and nothing was decided.
    /// </summary>
    internal bool ApplyPgPayment(PaymentMutation m, TossPayment pgPayment, string why, bool allowPending)
    {
        var p = m.Payment;
        switch (pgPayment.Status)
        {
            case "DONE" or "PARTIAL_CANCELED" or "CANCELED":
                if (BookingProblem(p, pgPayment) is { } problem)
                {
                    if (!allowPending)
                        m.Change(() => p.MarkUnknown($"the PG's answer cannot be booked: {problem}", NextCheck(0, m.Now), m.Now),
                            $"the PG's answer cannot be booked ({problem}); the janitor will ask again");
                    return false;
                }
                BookPgCharge(m, pgPayment, why, repair: false);
                m.Publish("payment.approved");
                return true;
            case "ABORTED":
                m.Change(() => p.MarkAborted("PG_ABORTED", $"the PG reports the payment {pgPayment.Status}", m.Now),
                    $"{why}: the PG reports ABORTED");
                m.Publish("payment.failed");
                return true;
            case "EXPIRED":
                m.Change(() => p.MarkExpired("the PG reports the payment EXPIRED", m.Now), $"{why}: the PG reports EXPIRED");
                m.Publish("payment.failed");
                return true;
            default:
                if (!allowPending)
                    m.Change(() => p.MarkUnknown($"the PG answered status {pgPayment.Status}", NextCheck(0, m.Now), m.Now),
                        $"the PG answered status {pgPayment.Status}; the janitor will check again");
                return false;
        }
    }

    /// <summary>
    /// Why the PG's answer for a charged payment cannot be booked as it is (null when it can): another amount or
    /// currency than ours, or cancels that do not add up to what the balance says.
    /// </summary>
    internal static string? BookingProblem(Payment p, TossPayment pg)
    {
        if (!string.Equals(pg.Currency, p.Currency, StringComparison.Ordinal))
            return $"currency {pg.Currency} is not the payment's {p.Currency}";
        if (pg.TotalAmount != p.Amount)
            return $"totalAmount {MinorUnits.Format(pg.TotalAmount, p.Currency)} is not the confirmed {MinorUnits.Format(p.Amount, p.Currency)}";
        var cancels = DoneCancels(pg);
        if (cancels.Any(c => string.IsNullOrEmpty(c.TransactionKey)))
            return "a cancel has no transactionKey";
        if (cancels.Select(c => c.TransactionKey).Distinct(StringComparer.Ordinal).Count() != cancels.Count)
            return "a cancel's transactionKey appears twice";
        if (cancels.Any(c => c.CancelAmount <= 0) || pg.TotalAmount - cancels.Sum(c => c.CancelAmount) != pg.BalanceAmount)
            return $"the cancels ({cancels.Count}) do not add up to totalAmount − balanceAmount";
        return null;
    }

    private static List<TossCancel> DoneCancels(TossPayment pg) =>
        (pg.Cancels ?? []).Where(c => c.CancelStatus == "DONE").OrderBy(c => c.CanceledAt).ToList();

    /// <summary>
    /// Books what the PG reports for a charged payment that is unresolved here (or failed, for a repair): the
    /// approval, with the PG's method, and every cancel the PG lists with its own <c>transactionKey</c>, amount and
    /// time (cancels made outside OpsConsole, e.g. in the PG's dashboard). The approval's key is the PG's
    /// <c>lastTransactionKey</c> only while there is no cancel (after a cancel it names the cancel); otherwise it is
    /// stored as unknown and reconciliation learns it from the approval's settlement line
    /// (<see cref="Reconciliation.ApprovalKeyLearning"/>). Nothing is made up. Check <see cref="BookingProblem"/> first.
    /// </summary>
    internal static void BookPgCharge(PaymentMutation m, TossPayment pg, string why, bool repair)
    {
        var p = m.Payment;
        TossMethods.TryParse(pg.Method, out var method);
        var cancels = DoneCancels(pg);
        var approvalKey = cancels.Count == 0 ? pg.LastTransactionKey : null;
        var approvedAt = (pg.ApprovedAt ?? pg.RequestedAt).ToUniversalTime();
        var keyNote = approvalKey is null ? "; approval key not told by the PG, learnt from its settlement line" : "";
        var amountText = MinorUnits.Format(pg.TotalAmount, p.Currency);
        if (repair)
            m.Change(() => p.RecordPgApproval(approvalKey, method, approvedAt, m.Now, pg.Method),
                $"{why} ({pg.Status}, {amountText}){keyNote}");
        else
            m.Change(() => p.MarkApproved(approvalKey, method, approvedAt, m.Now, pg.Method),
                $"{why} ({pg.Status}, {amountText}){keyNote}");
        foreach (var c in cancels)
        {
            m.Change(() => p.RecordPgCancel(c.CancelAmount, c.TransactionKey, c.CanceledAt.ToUniversalTime(), m.Now),
                $"{why}: a cancel of {MinorUnits.Format(c.CancelAmount, p.Currency)} made at the PG outside OpsConsole " +
                $"(transaction {c.TransactionKey}, {c.CanceledAt:u}), balance {MinorUnits.Format(p.BalanceAmount, p.Currency)}");
            m.Publish("payment.canceled", new { Amount = c.CancelAmount, c.TransactionKey, Outside = true });
        }
    }

    // ---- cancel -------------------------------------------------------------------------------------

    private async Task<(CancelAttempt Attempt, CancelOutcome? Replay, string Currency, PaymentSnapshot? Before)> RecordCancelIntentAsync(CancelCommand command,
        CancellationToken cancellationToken)
    {
        for (var attemptNo = 1; ; attemptNo++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var payment = await db.Payments.FirstOrDefaultAsync(p => p.PaymentKey == command.PaymentKey, cancellationToken)
                          ?? throw DomainException.NotFound("NOT_FOUND_PAYMENT", $"No payment with paymentKey {command.PaymentKey}.");

            var replay = await FindReplayAsync(db, command, payment, cancellationToken);
            if (replay is not null)
                return (null!, replay, payment.Currency, null);

            var open = await db.CancelAttempts.AsNoTracking()
                .FirstOrDefaultAsync(a => a.PaymentId == payment.Id &&
                                          (a.Status == CancelAttemptStatus.PENDING || a.Status == CancelAttemptStatus.UNKNOWN),
                    cancellationToken);
            if (open is not null)
                throw DomainException.Conflict("CANCEL_IN_PROGRESS",
                    $"A cancel of {Money.Krw(open.Amount)} for payment {payment.PaymentKey} is in flight " +
                    $"(requested by {open.RequestedBy} at {open.CreatedAt:u}, status {open.Status}); wait for its outcome.");

            var now = clock.GetUtcNow();
            var isFull = command.CancelAmount is null;
            var amount = command.CancelAmount ?? payment.CancelableAmount;
            if (amount <= 0)
                throw DomainException.Conflict(TossErrorCodes.AlreadyCanceledPayment,
                    $"Payment {payment.PaymentKey} has nothing left to cancel (status {payment.Status}).");
            var before = PaymentSnapshot.Of(payment);
            payment.ReserveCancel(amount, now);
            var attempt = CancelAttempt.Start(payment, command.IdempotencyKey, amount, isFull, command.CancelReason,
                command.RequestedBy, Tracing.CurrentTraceId(), now);
            db.CancelAttempts.Add(attempt);
            db.PaymentEvents.Add(PaymentEvent.Note(payment.PaymentKey, payment.OrderId, PaymentEventTypes.CancelRequested,
                $"cancel of {Money.Krw(amount)} requested by {command.RequestedBy}: {attempt.Reason} (key {command.IdempotencyKey})",
                Tracing.CurrentTraceId(), Tracing.CurrentSpanId(), now));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return (attempt, null, payment.Currency, before);
            }
            catch (DbUpdateException) when (attemptNo < ConcurrencyRetries)
            {
                // Another request changed the payment or claimed the key/slot first: look again from scratch.
                logger.LogInformation("Cancel intent for {PaymentKey} raced; retrying ({Attempt})", command.PaymentKey, attemptNo);
            }
        }
    }

    private static async Task<CancelOutcome?> FindReplayAsync(OpsDbContext db, CancelCommand command, Payment payment,
        CancellationToken cancellationToken)
    {
        var previous = await db.CancelAttempts.AsNoTracking()
            .FirstOrDefaultAsync(a => a.IdempotencyKey == command.IdempotencyKey, cancellationToken);
        if (previous is null) return null;
        if (previous.PaymentId != payment.Id ||
            (command.CancelAmount is { } amount ? previous.IsFullCancel || amount != previous.Amount : !previous.IsFullCancel))
            throw DomainException.Conflict("IDEMPOTENCY_KEY_REUSED",
                "This Idempotency-Key was already used for a different cancel; use a new key for a new cancel.");
        return Outcome(previous, payment, isReplay: true);
    }

    private async Task<CancelOutcome> ApplyCancelResultAsync(long attemptId, PgResult<TossPayment> result,
        CancellationToken cancellationToken)
    {
        for (var attemptNo = 1; ; attemptNo++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var attempt = await db.CancelAttempts.SingleAsync(a => a.Id == attemptId, cancellationToken);
            var payment = await db.Payments.Include(p => p.Transactions)
                .SingleAsync(p => p.Id == attempt.PaymentId, cancellationToken);
            if (attempt.IsOpen)
            {
                var m = new PaymentMutation(db, payment, clock.GetUtcNow());
                switch (result.Outcome)
                {
                    case PgOutcome.Success:
                        if (!TryCompleteCancel(m, attempt, result.Value!, "the PG confirmed the cancel"))
                            MarkCancelUnknown(m, attempt, "the PG answered success but its cancels list has no matching cancel");
                        break;
                    case PgOutcome.Rejected:
                        FailCancel(m, attempt, result.Code!, result.Message ?? "");
                        break;
                    default:
                        MarkCancelUnknown(m, attempt, result.Message ?? "outcome unknown");
                        break;
                }
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return Outcome(attempt, payment, isReplay: false);
            }
            catch (DbUpdateConcurrencyException) when (attemptNo < ConcurrencyRetries)
            {
                logger.LogInformation("Recording cancel outcome raced for attempt {Attempt}; retrying", attemptId);
            }
        }
    }

    /// <summary>Finds the PG cancel that corresponds to <paramref name="attempt"/> and books it.</summary>
    internal static bool TryCompleteCancel(PaymentMutation m, CancelAttempt attempt, TossPayment pgPayment, string why)
    {
        var match = FindCancel(m.Payment.Transactions.Select(t => t.TransactionKey).OfType<string>(), attempt, pgPayment);
        if (match is null) return false;
        var from = m.Payment.Status;
        m.Payment.CompleteCancel(attempt.Amount, match.TransactionKey, match.CanceledAt.ToUniversalTime(), m.Now);
        attempt.Succeed(match.TransactionKey, m.Now);
        m.Db.PaymentEvents.Add(StateEvent(m.Payment, from.ToString(),
            $"{why}: {Money.Krw(attempt.Amount)} cancelled (transaction {match.TransactionKey}), balance {Money.Krw(m.Payment.BalanceAmount)}"));
        m.Publish("payment.canceled", new { attempt.Amount, match.TransactionKey, attempt.IdempotencyKey });
        return true;
    }

    /// <summary>The PG's cancel that is not booked yet and carries <paramref name="attempt"/>'s amount (the newest such), or null.</summary>
    internal static TossCancel? FindCancel(IEnumerable<string> bookedTransactionKeys, CancelAttempt attempt, TossPayment pgPayment)
    {
        var known = bookedTransactionKeys.ToHashSet(StringComparer.Ordinal);
        return (pgPayment.Cancels ?? [])
            .Where(c => !known.Contains(c.TransactionKey) && c.CancelAmount == attempt.Amount)
            .OrderByDescending(c => c.CanceledAt)
            .FirstOrDefault();
    }

    internal static void FailCancel(PaymentMutation m, CancelAttempt attempt, string code, string message)
    {
        m.Payment.ReleaseCancel(attempt.Amount, m.Now);
        attempt.Fail(code, message, m.Now);
        m.Db.PaymentEvents.Add(PaymentEvent.Note(m.Payment.PaymentKey, m.Payment.OrderId, PaymentEventTypes.CancelResolved,
            $"cancel of {Money.Krw(attempt.Amount)} failed: {code} {message}", Tracing.CurrentTraceId(), Tracing.CurrentSpanId(), m.Now));
        m.Publish("payment.cancel_failed", new { attempt.Amount, code, message, attempt.IdempotencyKey });
    }

    private void MarkCancelUnknown(PaymentMutation m, CancelAttempt attempt, string reason)
    {
        attempt.MarkUnknown(reason, NextCheck(0, m.Now), m.Now);
        // The attempt has no concurrency token of its own: writing through its payment's version makes this
        // write conflict with a janitor that booked or released the same cancel meanwhile (else it would reopen it).
        m.Payment.NoteCancelChange(m.Now);
        m.Db.PaymentEvents.Add(PaymentEvent.Note(m.Payment.PaymentKey, m.Payment.OrderId, PaymentEventTypes.CancelResolved,
            $"cancel of {Money.Krw(attempt.Amount)}: outcome unknown ({reason}); the janitor will ask the PG",
            Tracing.CurrentTraceId(), Tracing.CurrentSpanId(), m.Now));
    }

    private static CancelOutcome Outcome(CancelAttempt a, Payment p, bool isReplay) =>
        new(a.Status, PaymentSnapshot.Of(p), a.IdempotencyKey, a.Amount, a.TransactionKey, a.FailureCode,
            a.FailureMessage, isReplay);

    // ---- shared -------------------------------------------------------------------------------------

    /// <summary>
    /// A confirm's PG call after its intent was recorded. The client answers every PG outcome itself; anything it
    /// throws (no PG configured, a bug) leaves the outcome unknown, so the payment goes to the janitor instead of
    /// staying IN_PROGRESS.
    /// </summary>
    private async Task<PgResult<TossPayment>> GuardAsync(Func<Task<PgResult<TossPayment>>> call, string path,
        string requestSummary, string method = "POST")
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "The PG call {Method} {Path} failed before any answer", method, path);
            var reason = e is ConfigurationError ? $"no PG reachable: {e.Message}" : "the PG call failed unexpectedly (see the server log)";
            return new PgResult<TossPayment>(PgOutcome.Unknown, null, method, path, null, null, reason, 0, requestSummary, "");
        }
    }

    internal DateTimeOffset NextCheck(int attempts, DateTimeOffset now)
    {
        var o = janitorOptions.Value;
        var delay = TimeSpan.FromTicks(Math.Min(o.MaxBackoff.Ticks, o.BaseBackoff.Ticks * (1L << Math.Min(attempts, 20))));
        return now + delay;
    }

    /// <summary>Loads the payment, applies <paramref name="apply"/> and saves, retrying on a concurrent change.</summary>
    internal async Task<PaymentSnapshot> ApplyToPaymentAsync(long paymentId, Action<PaymentMutation> apply,
        CancellationToken cancellationToken)
    {
        for (var attemptNo = 1; ; attemptNo++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            var payment = await db.Payments.SingleAsync(p => p.Id == paymentId, CancellationToken.None);
            apply(new PaymentMutation(db, payment, clock.GetUtcNow()));
            try
            {
                await db.SaveChangesAsync(CancellationToken.None);
                return PaymentSnapshot.Of(payment);
            }
            catch (DbUpdateConcurrencyException) when (attemptNo < ConcurrencyRetries)
            {
                logger.LogInformation("Payment {PaymentId} changed concurrently; re-reading ({Attempt})", paymentId, attemptNo);
            }
        }
    }

    internal Task RecordCallAsync(Payment payment, PgResult<TossPayment> result, string what) =>
        events.AppendAsync(PgCallEvent(payment.PaymentKey, payment.OrderId, result, what, clock.GetUtcNow()));

    internal static PaymentEvent PgCallEvent<T>(string paymentKey, string? orderId, PgResult<T> r, string what,
        DateTimeOffset at) =>
        PaymentEvent.PgCall(paymentKey, orderId, r.HttpMethod, r.Path, r.StatusCode, r.Code, r.LatencyMs,
            r.RequestSummary, r.ResponseSummary, $"{what}: {r.Outcome} — {r.Describe()}", Tracing.CurrentTraceId(),
            Tracing.CurrentSpanId(), at, r.TimedOut);

    internal static PaymentEvent StateEvent(Payment p, string? from, string message) =>
        PaymentEvent.StateChanged(p.PaymentKey, p.OrderId, from, p.Status.ToString(), message, Tracing.CurrentTraceId(),
            Tracing.CurrentSpanId(), p.UpdatedAt);

    /// <summary>What a cancel's audit row compares: the payment's status and balance before and after.</summary>
    private static AuditFields CancelAuditFields(PaymentSnapshot p) => new()
    {
        { "status", p.Status },
        { "balanceAmount", p.BalanceAmount },
        { "pendingCancelAmount", p.PendingCancelAmount },
    };
}

/// <summary>One short transaction's view of a payment: state changes with their events and outbox rows.</summary>
internal sealed class PaymentMutation(OpsDbContext db, Payment payment, DateTimeOffset now)
{
    public OpsDbContext Db { get; } = db;
    public Payment Payment { get; } = payment;
    public DateTimeOffset Now { get; } = now;

    public void Change(Action change, string message)
    {
        var from = Payment.Status.ToString();
        change();
        Db.PaymentEvents.Add(PaymentService.StateEvent(Payment, from, message));
    }

    /// <summary>Outbox row committed with the state change (transactional outbox).</summary>
    public void Publish(string type, object? extra = null)
    {
        var payload = JsonSerializer.Serialize(new
        {
            Payment.PaymentKey,
            Payment.OrderId,
            Status = Payment.Status.ToString(),
            Payment.Amount,
            Payment.BalanceAmount,
            Payment.TraceId,
            Detail = extra,
        }, TossPaymentsClient.Json);
        Db.OutboxMessages.Add(OutboxMessage.Create(type, Payment.PaymentKey, payload, Tracing.CurrentTraceId(), Now));
    }
}
