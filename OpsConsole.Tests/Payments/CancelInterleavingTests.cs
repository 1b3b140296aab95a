using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;
using OpsConsole.Tests.Infrastructure;
using OpsConsole.Tests.Repairs;

namespace OpsConsole.Tests.Payments;

/// <summary>
/// The interleavings of a cancel's sender, the PG and the janitor, each forced at its exact point by a gate
/// (the PG holding a received cancel, the sender's outcome write held before it saves) — no sleeps, no luck.
/// </summary>
public abstract class CancelInterleavingTests<TDatabase>(RepairFaultInjectionFixture<TDatabase> fx)
    where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task Janitor_WhenThePgAppliesTheCancelOnlyAfterTheJanitorLookedItUp_BooksItInsteadOfReleasingIt()
    {
        // Seed 1037553172, scenario 241 (5,490 KRW, partial cancel of 1,830): the PG had the cancel but applied it
        // only after our client had given up and after the janitor, past PendingTimeout, found no cancel at the PG.
        // The janitor took that absence for "never executed" and released the reservation: ledger 5,490, PG 3,660.
        var (key, order, _) = await fx.Host.CheckoutAsync(5_490);
        Assert.Equal(PaymentStatus.DONE, (await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, 5_490))).Status);
        var sender = Sender(fx.Database.Factory);

        var held = fx.PgRequests.HoldNextCancelAsync();
        var sending = sender.CancelAsync(new CancelCommand(key, $"late-{key}", 1_830, "customer request", "test"));
        await held; // the PG has the whole request and has done nothing with it yet
        Assert.Equal(CancelAttemptStatus.UNKNOWN, (await sending).Status); // our client gave up waiting

        await RunJanitorAtAsync(TimeSpan.FromHours(1)); // the PG still shows no cancel
        await fx.PgRequests.SettleAsync();              // now the PG gets to the request it was holding
        await RunJanitorAtAsync(TimeSpan.FromHours(2));

        var atPg = (await fx.Host.Get<IPaymentGateway>().GetPaymentAsync(key)).Value!;
        var ledger = (await fx.Payments.GetAsync(key))!;
        Assert.Equal(1_830, Assert.Single(atPg.Cancels!).CancelAmount);
        Assert.Equal((3_660L, 3_660L, 0L), (atPg.BalanceAmount, ledger.Payment.BalanceAmount, ledger.Payment.PendingCancelAmount));
        var attempt = Assert.Single(ledger.CancelAttempts);
        Assert.Equal((CancelAttemptStatus.SUCCEEDED, atPg.Cancels![0].TransactionKey), (attempt.Status, attempt.TransactionKey));
    }

    [Fact]
    public async Task Sender_RecordingAnUnknownOutcome_AfterTheJanitorBookedTheSameCancel_DoesNotReopenIt()
    {
        // The sender's answer was lost; while it records "outcome unknown", a janitor (another replica, the sender
        // paused past InProgressGrace) finds the cancel at the PG and books it. The sender's write must not put
        // the booked attempt back to UNKNOWN: it would later be "released" although its money is gone.
        var (key, order, _) = await fx.Host.CheckoutAsync(10_000, "CANCEL_THEN_TIMEOUT");
        Assert.Equal(PaymentStatus.DONE, (await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, 10_000))).Status);
        var gate = new OutcomeWriteGate();
        var sender = Sender(new OpsDbContextFactory(fx.Database.Provider, fx.Database.ConnectionString, gate));

        var sending = sender.CancelAsync(new CancelCommand(key, $"lost-{key}", 3_000, "customer request", "test"));
        await gate.Reached; // the sender has read the open attempt and is about to save UNKNOWN
        await RunJanitorAtAsync(TimeSpan.FromMinutes(3)); // past InProgressGrace: the janitor books the cancel
        gate.Release();
        var outcome = await sending;

        var ledger = (await fx.Payments.GetAsync(key))!;
        var attempt = Assert.Single(ledger.CancelAttempts);
        Assert.Equal(CancelAttemptStatus.SUCCEEDED, attempt.Status);
        Assert.Equal(CancelAttemptStatus.SUCCEEDED, outcome.Status);
        Assert.Equal((7_000L, 0L), (ledger.Payment.BalanceAmount, ledger.Payment.PendingCancelAmount));

        // Nothing is left for a later janitor run to "release".
        Assert.Equal(0, (await RunJanitorAtAsync(TimeSpan.FromHours(2))).CancelsChecked);
    }

    private async Task<JanitorReport> RunJanitorAtAsync(TimeSpan later)
    {
        fx.Host.Clock.Set(DateTimeOffset.UtcNow + later);
        try
        {
            return await fx.Janitor.RunOnceAsync();
        }
        finally
        {
            fx.Host.Clock.Reset();
        }
    }

    /// <summary>A payment core whose PG client waits 1 s and never retries: it gives up on a held request.</summary>
    private PaymentService Sender(OpsDbContextFactory factory)
    {
        var sp = fx.Host.Services;
        var pg = new TossPaymentsClient(new HttpClient { Timeout = TimeSpan.FromSeconds(1) }, fx.Host.Get<PgEndpoint>(),
            Options.Create(new PgOptions { SecretKey = fx.Host.Get<IOptions<PgOptions>>().Value.SecretKey }),
            fx.Host.Get<ILogger<TossPaymentsClient>>());
        return ActivatorUtilities.CreateInstance<PaymentService>(sp, (IDbContextFactory<OpsDbContext>)factory, (IPaymentGateway)pg,
            new EventLog(factory), new AuditLog(factory, fx.Host.Clock));
    }

    /// <summary>Holds the first save that changes an existing cancel attempt (the outcome write) until released.</summary>
    private sealed class OutcomeWriteGate : SaveChangesInterceptor
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _armed = 1;

        public Task Reached => _reached.Task.WaitAsync(TimeSpan.FromSeconds(30));

        public void Release() => _release.TrySetResult();

        public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context!.ChangeTracker.Entries<CancelAttempt>().Any(e => e.State == EntityState.Modified) &&
                Interlocked.Exchange(ref _armed, 0) == 1)
            {
                _reached.TrySetResult();
                await _release.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }
            return result;
        }
    }
}

public sealed class CancelInterleavingSqliteTests(RepairFaultInjectionFixture<SqliteTestDatabase> fx)
    : CancelInterleavingTests<SqliteTestDatabase>(fx), IClassFixture<RepairFaultInjectionFixture<SqliteTestDatabase>>;

public sealed class CancelInterleavingPostgresTests(RepairFaultInjectionFixture<PostgresTestDatabase> fx)
    : CancelInterleavingTests<PostgresTestDatabase>(fx), IClassFixture<RepairFaultInjectionFixture<PostgresTestDatabase>>;
