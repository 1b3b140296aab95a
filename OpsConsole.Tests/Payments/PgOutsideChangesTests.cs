using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Sandbox;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Payments;

/// <summary>
/// What the PG did that OpsConsole never asked for, on each provider: a payment whose confirm answer was lost and that
/// was then partly cancelled in the PG's own dashboard (sandbox fault CANCELED_OUTSIDE) is booked by the janitor with
/// every cancel the PG lists and no made-up approval key; reconciliation learns the approval's key from its settlement
/// line and reports nothing. (Before: the janitor booked a DONE payment with the approval key "{paymentKey}-approval"
/// and no cancel, and the run reported three false findings — that key MISSING_EXTERNAL, the real approval and the
/// cancel MISSING_INTERNAL.) An EXPIRED payment whose method the PG reports as null keeps no method.
/// </summary>
public abstract class PgOutsideChangesTests<TDatabase>(PaymentAppFixture<TDatabase> fx)
    where TDatabase : TestDatabase, new()
{
    private async Task RunJanitorLaterAsync(TimeSpan later)
    {
        fx.Host.Clock.Set(DateTimeOffset.UtcNow + later);
        try
        {
            await fx.Janitor.RunOnceAsync();
        }
        finally
        {
            fx.Host.Clock.Reset();
        }
    }

    [Fact]
    public async Task CancelMadeOutside_AfterALostConfirm_IsBookedWithThePgsKeys_AndReconciliationFindsNothing()
    {
        var (key, order, amount) = await fx.CheckoutAsync(30_000, fault: SandboxFaults.CanceledOutside);
        var confirmed = await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, amount));
        Assert.Equal(PaymentStatus.UNKNOWN, confirmed.Status);

        await RunJanitorLaterAsync(TimeSpan.FromSeconds(30));
        var d = (await fx.Payments.GetAsync(key))!;
        var date = BusinessCalendar.BusinessDateOf(d.Payment.ApprovedAt!.Value);
        var run = await fx.Host.Get<ReconciliationService>().RunAsync(date, RunTrigger.CLI, "test", pullFirst: true,
            settleDelay: TimeSpan.Zero);
        Assert.Equal(RunStatus.SUCCEEDED, run.Status);

        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        var findings = await db.Set<Finding>().Where(f => f.PaymentKey == key && f.LastRunId == run.Id)
            .Select(f => $"{f.Type} {f.TransactionKey}").ToListAsync();
        Assert.True(findings.Count == 0, "false findings: " + string.Join("; ", findings));
        Assert.True(run.KeysLearned >= 1);

        var atPg = (await fx.Host.Get<Core.Gateway.IPaymentGateway>().GetPaymentAsync(key)).Value!;
        var pgCancel = Assert.Single(atPg.Cancels!);
        d = (await fx.Payments.GetAsync(key))!;
        Assert.Equal((PaymentStatus.PARTIAL_CANCELED, 20_000L), (d.Payment.Status, d.Payment.BalanceAmount));
        Assert.Equal(PaymentMethod.CARD, d.Payment.Method);
        var cancel = Assert.Single(d.Transactions, t => t.Kind == TransactionKind.CANCEL);
        Assert.Equal((pgCancel.TransactionKey, 10_000L), (cancel.TransactionKey, cancel.Amount));
        Assert.Equal("KRW", cancel.Currency);
        // Booked without a key (the PG did not tell it: nothing made up), then learnt from its settlement line.
        Assert.Contains(d.Events, e => e.Message.Contains("approval key not told by the PG", StringComparison.Ordinal));
        var learned = await db.PaymentTransactions.SingleAsync(t => t.PaymentKey == key && t.Kind == TransactionKind.APPROVAL);
        var approvalLine = await db.Set<SettlementLine>().SingleAsync(l => l.PaymentKey == key && l.Amount > 0);
        Assert.Equal(approvalLine.TransactionKey, learned.TransactionKey);
        Assert.Contains(await db.PaymentEvents.Where(e => e.PaymentKey == key).Select(e => e.Type).ToListAsync(),
            t => t == ApprovalKeyLearning.EventType);
    }

    [Fact]
    public async Task ExpiredPayment_WithANullMethodAtThePg_KeepsNoMethod()
    {
        var (key, order, amount) = await fx.CheckoutAsync(5_000, fault: SandboxFaults.Expire);
        var p = await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, amount));
        Assert.Null(p.Method); // unknown until the PG names it: never a CARD placeholder
        if (p.Status != PaymentStatus.EXPIRED)
            await RunJanitorLaterAsync(TimeSpan.FromHours(1));

        var d = (await fx.Payments.GetAsync(key))!;
        Assert.Equal(PaymentStatus.EXPIRED, d.Payment.Status);
        Assert.Null(d.Payment.Method);
        Assert.Null((await fx.Host.Get<Core.Gateway.IPaymentGateway>().GetPaymentAsync(key)).Value!.Method);
    }
}

public sealed class PgOutsideChangesSqliteTests(PaymentAppFixture<SqliteTestDatabase> fx)
    : PgOutsideChangesTests<SqliteTestDatabase>(fx), IClassFixture<PaymentAppFixture<SqliteTestDatabase>>;

public sealed class PgOutsideChangesPostgresTests(PaymentAppFixture<PostgresTestDatabase> fx)
    : PgOutsideChangesTests<PostgresTestDatabase>(fx), IClassFixture<PaymentAppFixture<PostgresTestDatabase>>;
