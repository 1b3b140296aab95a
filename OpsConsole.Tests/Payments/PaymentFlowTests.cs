using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;
using OpsConsole.Sandbox;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Payments;

/// <summary>
/// Confirm and cancel through PaymentService → real HTTP client → sandbox PG, on each provider: every
/// fault leaves the ledger in the state the domain demands, and the timeline tells the story.
/// </summary>
public abstract class PaymentFlowTests<TDatabase>(PaymentAppFixture<TDatabase> fx)
    where TDatabase : TestDatabase, new()
{
    private async Task<PaymentDetail> DetailAsync(string paymentKey) => (await fx.Payments.GetAsync(paymentKey))!;

    private IPaymentGateway Pg => fx.Host.Get<IPaymentGateway>();

    private async Task<List<string>> OutboxTypesAsync(string paymentKey)
    {
        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        return await db.OutboxMessages.Where(m => m.AggregateKey == paymentKey).OrderBy(m => m.Id).Select(m => m.Type).ToListAsync();
    }

    /// <summary>Runs the janitor with the shared clock moved past the PG's authorisation window.</summary>
    private Task RunJanitorLaterAsync(TimeSpan later) => fx.RunJanitorLaterAsync(later);

    [Fact]
    public async Task Confirm_WhenPgApproves_IsDone_WithApprovalTransactionEventsAndOutbox()
    {
        var (key, order, amount) = await fx.CheckoutAsync(12_300);
        var p = await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, amount));

        Assert.Equal(PaymentStatus.DONE, p.Status);
        Assert.Equal(12_300, p.BalanceAmount);
        var d = await DetailAsync(key);
        var approval = Assert.Single(d.Transactions);
        Assert.Equal(TransactionKind.APPROVAL, approval.Kind);
        Assert.StartsWith("tx_", approval.TransactionKey);
        Assert.Equal(["state.changed", "pg.call", "state.changed"], d.Events.Select(e => e.Type));
        Assert.Equal("IN_PROGRESS", d.Events[0].ToStatus);
        var call = d.Events[1];
        Assert.Equal(("POST", "v1/payments/confirm", 200), (call.HttpMethod, call.Path, call.StatusCode));
        Assert.All(d.Events, e => Assert.Equal(32, e.TraceId.Length));
        Assert.Equal(["payment.approved"], await OutboxTypesAsync(key));
    }

    [Fact]
    public async Task Confirm_WhenPgDeclines_IsAborted_WithThePgCode()
    {
        var (key, order, amount) = await fx.CheckoutAsync(fault: SandboxFaults.Decline);
        var p = await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, amount));

        Assert.Equal(PaymentStatus.ABORTED, p.Status);
        Assert.Equal(TossErrorCodes.RejectCardPayment, p.FailureCode);
        Assert.Empty((await DetailAsync(key)).Transactions);
        Assert.Equal(["payment.failed"], await OutboxTypesAsync(key));
    }

    [Theory]
    [InlineData(SandboxFaults.Timeout)]
    [InlineData(SandboxFaults.ServerError)]
    public async Task Confirm_WhenPgTimesOutOrFails5xx_IsUnknown_NeverAborted_ThenJanitorExpiresIt(string fault)
    {
        var (key, order, amount) = await fx.CheckoutAsync(fault: fault);
        var p = await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, amount));

        Assert.Equal(PaymentStatus.UNKNOWN, p.Status);
        Assert.Empty(await OutboxTypesAsync(key));

        // Soon after, the PG still shows READY: the janitor waits.
        await fx.Janitor.RunOnceAsync();
        Assert.Equal(PaymentStatus.UNKNOWN, (await DetailAsync(key)).Payment.Status);

        // After the authorisation window the PG never approved it: EXPIRED, with the janitor's attempts on record.
        await RunJanitorLaterAsync(TimeSpan.FromHours(1));
        var d = await DetailAsync(key);
        Assert.Equal(PaymentStatus.EXPIRED, d.Payment.Status);
        Assert.Contains(d.Events, e => e.Type == PaymentEventTypes.JanitorAttempt);
        Assert.Empty(d.Transactions);
    }

    [Fact]
    public async Task Confirm_WhenPgApprovesButTheAnswerIsLost_IsUnknown_ThenJanitorFindsItDone()
    {
        var (key, order, amount) = await fx.CheckoutAsync(fault: SandboxFaults.ApproveThenTimeout);
        var p = await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, amount));
        Assert.Equal(PaymentStatus.UNKNOWN, p.Status);

        // The first look-up is due after the janitor's base backoff.
        await fx.Janitor.RunOnceAsync();
        Assert.Equal(PaymentStatus.UNKNOWN, (await DetailAsync(key)).Payment.Status);
        await RunJanitorLaterAsync(TimeSpan.FromSeconds(30));

        var d = await DetailAsync(key);
        Assert.Equal(PaymentStatus.DONE, d.Payment.Status);
        Assert.Single(d.Transactions);
        var story = d.Events.Select(e => (e.Type, e.ToStatus)).ToList();
        Assert.Equal((PaymentEventTypes.StateChanged, "IN_PROGRESS"), story[0]);
        Assert.Contains((PaymentEventTypes.StateChanged, "UNKNOWN"), story);
        Assert.Contains((PaymentEventTypes.JanitorAttempt, null), story);
        Assert.Equal((PaymentEventTypes.StateChanged, "DONE"), story.Last(s => s.Type == PaymentEventTypes.StateChanged));
        // The call that timed out carries the stable kind trace search matches ("timeout").
        Assert.Contains(d.Events, e => e.Type == PaymentEventTypes.PgTimeout && e.Message.Contains("Unknown"));
        Assert.Equal(["payment.approved"], await OutboxTypesAsync(key));
    }

    [Fact]
    public async Task Confirm_WhenPgChargedButAnsweredDecline_LedgerSaysAborted_WhilePgSaysDone()
    {
        var (key, order, amount) = await fx.CheckoutAsync(fault: SandboxFaults.DeclineAfterCharge);
        var p = await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, amount));

        Assert.Equal(PaymentStatus.ABORTED, p.Status);
        var atPg = await Pg.GetPaymentAsync(key);
        Assert.Equal("DONE", atPg.Value!.Status);
    }

    [Fact]
    public async Task Confirm_Replayed_ReturnsTheSamePayment_WithoutASecondPgCall()
    {
        var (key, order, amount) = await fx.CheckoutAsync();
        await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, amount));
        var again = await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, amount));

        Assert.Equal(PaymentStatus.DONE, again.Status);
        Assert.Single((await DetailAsync(key)).Events, e => e.Type == PaymentEventTypes.PgCall);
    }

    [Fact]
    public async Task Confirm_WhenPgAlreadyProcessedIt_LooksItUpAndTakesTheApproval()
    {
        var (key, order, amount) = await fx.CheckoutAsync();
        // The PG approved it through another path (e.g. a previous process that crashed before recording it).
        Assert.True((await Pg.ConfirmAsync(new TossConfirmRequest(key, order, amount), "other-key")).IsSuccess);

        var p = await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, amount));

        Assert.Equal(PaymentStatus.DONE, p.Status);
        var calls = (await DetailAsync(key)).Events.Where(e => e.Type == PaymentEventTypes.PgCall).ToList();
        Assert.Equal(TossErrorCodes.AlreadyProcessedPayment, calls[0].PgCode);
        Assert.Equal("GET", calls[1].HttpMethod);
    }

    [Fact]
    public async Task Confirm_OrphanedByACrashAfterThePgCall_IsResolvedByTheJanitor()
    {
        var (key, order, amount) = await fx.CheckoutAsync();
        // Step 1 committed, the PG approved, then the process died before step 3.
        await using (var db = await fx.Database.Factory.CreateDbContextAsync())
        {
            db.Payments.Add(Payment.StartConfirm(key, order, amount, "KRW", "00000000000000000000000000000001",
                DateTimeOffset.UtcNow, Core.Gateway.PgConnections.LegacyName));
            await db.SaveChangesAsync();
        }
        Assert.True((await Pg.ConfirmAsync(new TossConfirmRequest(key, order, amount), PaymentService.ConfirmIdempotencyKey(key))).IsSuccess);

        await fx.Janitor.RunOnceAsync();
        Assert.Equal(PaymentStatus.IN_PROGRESS, (await DetailAsync(key)).Payment.Status); // still within the grace period

        await RunJanitorLaterAsync(TimeSpan.FromMinutes(5));
        Assert.Equal(PaymentStatus.DONE, (await DetailAsync(key)).Payment.Status);
    }

    [Fact]
    public async Task Confirm_WhenRecordingTheOutcomeCrashes_TheCallEvidenceSurvives_AndTheJanitorFinishesIt()
    {
        var (key, order, amount) = await fx.CheckoutAsync();
        var crashing = new OpsDbContextFactory(fx.Database.Provider, fx.Database.ConnectionString, new CrashWhenRecordingApproval());
        var service = ActivatorUtilities.CreateInstance<PaymentService>(fx.Host.Services,
            (IDbContextFactory<OpsDbContext>)crashing, new EventLog(crashing), new Core.Audit.AuditLog(crashing, fx.Host.Clock));

        await Assert.ThrowsAsync<SimulatedCrashException>(() => service.ConfirmAsync(new ConfirmCommand(key, order, amount)));

        var d = await DetailAsync(key);
        Assert.Equal(PaymentStatus.IN_PROGRESS, d.Payment.Status);          // step 3 rolled back ...
        Assert.Contains(d.Events, e => e.Type == PaymentEventTypes.PgCall && e.StatusCode == 200); // ... its evidence did not
        Assert.Empty(await OutboxTypesAsync(key));                          // the outbox row went with the state change

        await RunJanitorLaterAsync(TimeSpan.FromMinutes(5));
        Assert.Equal(PaymentStatus.DONE, (await DetailAsync(key)).Payment.Status);
        Assert.Equal(["payment.approved"], await OutboxTypesAsync(key));
    }

    private sealed class SimulatedCrashException() : Exception("simulated crash while recording the outcome");

    /// <summary>Fails the transaction that would record an approval, as a process dying mid-write would.</summary>
    private sealed class CrashWhenRecordingApproval : SaveChangesInterceptor
    {
        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context!.ChangeTracker.Entries<Payment>().Any(e => e.State == EntityState.Modified && e.Entity.Status == PaymentStatus.DONE))
                throw new SimulatedCrashException();
            return base.SavingChangesAsync(eventData, result, cancellationToken);
        }
    }

    [Fact]
    public async Task Confirm_WithADifferentAmountForAnExistingOrder_IsRefused_AndChangesNothing()
    {
        var (key, order, amount) = await fx.CheckoutAsync();
        await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, amount));
        var e = await Assert.ThrowsAsync<Core.Common.DomainException>(() =>
            fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, amount + 1)));
        Assert.Equal("DUPLICATED_ORDER_ID", e.Code);
        Assert.Equal(amount, (await DetailAsync(key)).Payment.Amount);
    }

    private async Task<string> PaidAsync(long amount = 10_000, string? fault = null)
    {
        var (key, order, a) = await fx.CheckoutAsync(amount, fault);
        Assert.Equal(PaymentStatus.DONE, (await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, a))).Status);
        return key;
    }

    [Fact]
    public async Task Cancel_PartialThenFull_TracksBalance_AndEachCancelHasItsOwnTransaction()
    {
        var key = await PaidAsync(10_000);
        var first = await fx.Payments.CancelAsync(new CancelCommand(key, $"k1-{key}", 4_000, "부분 취소", "test"));
        Assert.Equal(CancelAttemptStatus.SUCCEEDED, first.Status);
        Assert.Equal(PaymentStatus.PARTIAL_CANCELED, first.Payment.Status);
        Assert.Equal(6_000, first.Payment.BalanceAmount);

        var rest = await fx.Payments.CancelAsync(new CancelCommand(key, $"k2-{key}", null, "전액 취소", "test"));
        Assert.Equal(CancelAttemptStatus.SUCCEEDED, rest.Status);
        Assert.Equal(PaymentStatus.CANCELED, rest.Payment.Status);
        Assert.Equal(6_000, rest.Amount);

        var d = await DetailAsync(key);
        var cancels = d.Transactions.Where(t => t.Kind == TransactionKind.CANCEL).ToList();
        Assert.Equal(2, cancels.Select(c => c.TransactionKey).Distinct().Count());
        await using (var db = await fx.Database.Factory.CreateDbContextAsync())
            Assert.Equal(2, await db.AuditEntries.CountAsync(a => a.TargetId == key && a.Action == "payment.cancel" && a.Actor == "test"));
        var pg = (await Pg.GetPaymentAsync(key)).Value!;
        Assert.Equal(("CANCELED", 0L), (pg.Status, pg.BalanceAmount));
        Assert.Equal(cancels.Select(c => c.TransactionKey).Order(), pg.Cancels!.Select(c => c.TransactionKey).Order());
    }

    [Fact]
    public async Task Cancel_ReplayedWithTheSameKey_MovesMoneyOnce()
    {
        var key = await PaidAsync(10_000);
        var command = new CancelCommand(key, $"same-{key}", 1_000, "중복 요청", "test");
        var first = await fx.Payments.CancelAsync(command);
        var second = await fx.Payments.CancelAsync(command);

        Assert.False(first.IsReplay);
        Assert.True(second.IsReplay);
        Assert.Equal(first.TransactionKey, second.TransactionKey);
        Assert.Single((await Pg.GetPaymentAsync(key)).Value!.Cancels!);
        Assert.Equal(9_000, (await DetailAsync(key)).Payment.BalanceAmount);

        var reused = await Assert.ThrowsAsync<Core.Common.DomainException>(() =>
            fx.Payments.CancelAsync(command with { CancelAmount = 2_000 }));
        Assert.Equal("IDEMPOTENCY_KEY_REUSED", reused.Code);
    }

    [Fact]
    public async Task Cancel_OverTheBalance_IsRefusedBeforeAnyPgCall_AndChangesNothing()
    {
        var key = await PaidAsync(5_000);
        var e = await Assert.ThrowsAsync<Core.Common.DomainException>(() =>
            fx.Payments.CancelAsync(new CancelCommand(key, $"over-{key}", 5_001, "too much", "test")));
        Assert.Equal("NOT_CANCELABLE_AMOUNT", e.Code);
        var d = await DetailAsync(key);
        Assert.Empty(d.CancelAttempts);
        Assert.Equal((5_000L, 0L), (d.Payment.BalanceAmount, d.Payment.PendingCancelAmount));
        Assert.Empty((await Pg.GetPaymentAsync(key)).Value!.Cancels!);
    }

    [Fact]
    public async Task ConcurrentCancels_OfOnePayment_ExactlyOneSucceeds_AndNoneRefundsMoreThanCaptured()
    {
        // 6,000 twice is more than the 10,000 captured: exactly one of the eight can ever succeed, and one must.
        var key = await PaidAsync(10_000);
        var tasks = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                return (await fx.Payments.CancelAsync(new CancelCommand(key, $"race-{i}-{key}", 6_000, "race", "test"))).Status.ToString();
            }
            catch (Core.Common.DomainException e)
            {
                return e.Code;
            }
        })).ToList();
        var results = await Task.WhenAll(tasks);

        Assert.Single(results, r => r == nameof(CancelAttemptStatus.SUCCEEDED));
        Assert.All(results.Where(r => r != nameof(CancelAttemptStatus.SUCCEEDED)),
            r => Assert.Contains(r, new[] { "CANCEL_IN_PROGRESS", "NOT_CANCELABLE_AMOUNT" }));
        var pg = (await Pg.GetPaymentAsync(key)).Value!;
        var d = await DetailAsync(key);
        Assert.Equal(6_000, Assert.Single(pg.Cancels!).CancelAmount);
        Assert.Equal(6_000, Assert.Single(d.Transactions, t => t.Kind == TransactionKind.CANCEL).Amount);
        Assert.Equal((4_000L, 0L), (d.Payment.BalanceAmount, d.Payment.PendingCancelAmount));
    }

    [Fact]
    public async Task Cancel_WhenTheAnswerIsLost_IsUnknown_BlocksOtherCancels_ThenJanitorBooksIt()
    {
        var key = await PaidAsync(10_000, SandboxFaults.CancelThenTimeout);
        var o = await fx.Payments.CancelAsync(new CancelCommand(key, $"lost-{key}", 3_000, "lost answer", "test"));
        Assert.Equal(CancelAttemptStatus.UNKNOWN, o.Status);
        Assert.Equal(3_000, o.Payment.PendingCancelAmount);

        var blocked = await Assert.ThrowsAsync<Core.Common.DomainException>(() =>
            fx.Payments.CancelAsync(new CancelCommand(key, $"second-{key}", 1_000, "second", "test")));
        Assert.Equal("CANCEL_IN_PROGRESS", blocked.Code);
        Assert.Contains("test", blocked.Message);

        await RunJanitorLaterAsync(TimeSpan.FromSeconds(30));
        var d = await DetailAsync(key);
        Assert.Equal(CancelAttemptStatus.SUCCEEDED, Assert.Single(d.CancelAttempts).Status);
        Assert.Equal((7_000L, 0L, PaymentStatus.PARTIAL_CANCELED), (d.Payment.BalanceAmount, d.Payment.PendingCancelAmount, d.Payment.Status));
        Assert.Single((await Pg.GetPaymentAsync(key)).Value!.Cancels!);
    }

    [Fact]
    public async Task Cancel_WhenThePgNeverReceivedIt_IsSentAgainUnderItsKeyByTheJanitorAfterTheWindow()
    {
        var key = await PaidAsync(10_000, SandboxFaults.CancelTimeout);
        var o = await fx.Payments.CancelAsync(new CancelCommand(key, $"void-{key}", 2_000, "never arrives", "test"));
        Assert.Equal(CancelAttemptStatus.UNKNOWN, o.Status);

        // Within the window the janitor only looks: the PG shows nothing, the reservation stays.
        await RunJanitorLaterAsync(TimeSpan.FromMinutes(5));
        Assert.Equal(CancelAttemptStatus.UNKNOWN, Assert.Single((await DetailAsync(key)).CancelAttempts).Status);
        Assert.Empty((await Pg.GetPaymentAsync(key)).Value!.Cancels!);

        // After it, the same intent goes again under the same key; the PG's answer settles it.
        await RunJanitorLaterAsync(TimeSpan.FromHours(1));
        var d = await DetailAsync(key);
        var attempt = Assert.Single(d.CancelAttempts);
        Assert.Equal(CancelAttemptStatus.SUCCEEDED, attempt.Status);
        Assert.Equal(attempt.TransactionKey, Assert.Single((await Pg.GetPaymentAsync(key)).Value!.Cancels!).TransactionKey);
        Assert.Equal((8_000L, 0L, PaymentStatus.PARTIAL_CANCELED), (d.Payment.BalanceAmount, d.Payment.PendingCancelAmount, d.Payment.Status));
    }

    [Fact]
    public async Task Cancel_WhenThePgRefusesItWhenSentAgain_IsReleasedByTheJanitor()
    {
        var key = await PaidAsync(10_000, $"{SandboxFaults.CancelTimeout},{SandboxFaults.CancelDecline}");
        var o = await fx.Payments.CancelAsync(new CancelCommand(key, $"refused-{key}", 2_000, "refused later", "test"));
        Assert.Equal(CancelAttemptStatus.UNKNOWN, o.Status);

        await RunJanitorLaterAsync(TimeSpan.FromHours(1));
        var d = await DetailAsync(key);
        var attempt = Assert.Single(d.CancelAttempts);
        Assert.Equal((CancelAttemptStatus.FAILED, "NOT_CANCELABLE_PAYMENT"), (attempt.Status, attempt.FailureCode));
        Assert.Equal((10_000L, 0L, PaymentStatus.DONE), (d.Payment.BalanceAmount, d.Payment.PendingCancelAmount, d.Payment.Status));
        Assert.Empty((await Pg.GetPaymentAsync(key)).Value!.Cancels!);
    }
}

public sealed class PaymentFlowSqliteTests(PaymentAppFixture<SqliteTestDatabase> fx)
    : PaymentFlowTests<SqliteTestDatabase>(fx), IClassFixture<PaymentAppFixture<SqliteTestDatabase>>;

public sealed class PaymentFlowPostgresTests(PaymentAppFixture<PostgresTestDatabase> fx)
    : PaymentFlowTests<PostgresTestDatabase>(fx), IClassFixture<PaymentAppFixture<PostgresTestDatabase>>;
