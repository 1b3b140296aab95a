using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Repairs;
using OpsConsole.Sandbox;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Repairs;

/// <summary>
/// MISSING_INTERNAL — a payment only the PG knows (the customer was charged, our ledger never heard of it) — has a
/// way out: refund at the PG by paymentKey or record it from the PG (both maker-checker, exactly once), or mark it
/// resolved; on each provider, against the sandbox PG over real HTTP.
/// </summary>
public abstract class MissingInternalRepairTests<TDatabase>(RepairAppFixture<TDatabase> fx) where TDatabase : TestDatabase, new()
{
    private RepairService Repairs => fx.Host.Get<RepairService>();
    private IPaymentGateway Pg => fx.Host.Get<IPaymentGateway>();
    private static readonly string[] Finance = ["finance"];
    private static readonly string[] Oncall = ["oncall"];

    /// <summary>The PG charges a payment our core never hears of (as the demo seed's PG_ONLY), and a run finds it.</summary>
    private async Task<(string Key, string OrderId, long FindingId)> PgOnlyAsync(long amount, string? fault = null)
    {
        var (key, order, a) = await fx.CheckoutAsync(amount, fault);
        var confirmed = await Pg.ConfirmAsync(new TossConfirmRequest(key, order, a), $"pg-only-{key}");
        Assert.True(confirmed.IsSuccess, confirmed.Describe());
        var finding = await RunAsync(key);
        Assert.Equal(FindingType.MISSING_INTERNAL, finding!.Type);
        Assert.Null(await fx.Payments.GetAsync(key));
        return (key, order, finding.Id);
    }

    /// <summary>Pulls today's settlement and reconciles; the finding about <paramref name="key"/> that is still open, if any.</summary>
    private async Task<Finding?> RunAsync(string key)
    {
        var today = BusinessCalendar.Today(TimeProvider.System);
        await fx.Host.Get<SettlementPuller>().PullAsync(today, today, "test");
        await fx.Host.Get<ReconciliationService>().RunAsync(today, RunTrigger.CLI, "test");
        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        return await db.Set<Finding>().AsNoTracking()
            .Where(f => f.PaymentKey == key && (f.Status == FindingStatus.OPEN || f.Status == FindingStatus.ACKNOWLEDGED))
            .SingleOrDefaultAsync();
    }

    [Fact]
    public async Task PgOnlyPayment_Preview_OffersRefundByPaymentKey_RecordFromPg_AndMarkResolved()
    {
        var (key, order, findingId) = await PgOnlyAsync(12_000);

        var preview = await Repairs.PreviewAsync(key, findingId);

        Assert.Null(preview.Ledger);
        Assert.True(preview.OnlyAtPg);
        Assert.Equal((key, order, "DONE"), (preview.PaymentKey, preview.OrderId, preview.Pg!.Status));
        Assert.All(preview.Options, o => Assert.True(o.Allowed, $"{o.Kind}: {o.Why}"));
        Assert.Equal(12_000, preview.Options.Single(o => o.Kind == RepairKind.REFUND).MaxAmount);
        var effect = RepairEffects.Describe(preview, RepairKind.REFUND, 12_000, findingId);
        Assert.StartsWith($"payment {key} (order {order}) is added to our ledger from the PG's data", effect.Changes[0]);
        Assert.Equal((12_000L, 0L), (effect.PgBalanceBefore, effect.PgBalanceAfter!.Value));
    }

    [Fact]
    public async Task PgOnlyPayment_RefundByPaymentKey_NeedsASecondPerson_CancelsOnceAtThePg_AndBothLedgersAgree()
    {
        var (key, _, findingId) = await PgOnlyAsync(15_000);
        var request = await Repairs.RequestAsync(new RepairCommand(RepairKind.REFUND, key, findingId, 15_000, 15_000,
            "CUSTOMER_REQUEST", "charged for an order we never saw", "fin-1"), Finance);
        Assert.Equal(RepairStatus.REQUESTED, request.Status);
        Assert.Null(await fx.Payments.GetAsync(key)); // nothing moves before the approval

        Assert.Equal("SELF_APPROVAL", (await Assert.ThrowsAsync<DomainException>(() => Repairs.ApproveAsync(request.Id, "fin-1", Finance))).Code);
        var done = await Repairs.ApproveAsync(request.Id, "oncall-1", Oncall);

        Assert.Equal(RepairStatus.SUCCEEDED, done.Status);
        var atPg = (await Pg.GetPaymentAsync(key)).Value!;
        Assert.Equal(("CANCELED", 0L), (atPg.Status, atPg.BalanceAmount));
        var ledger = (await fx.Payments.GetAsync(key))!;
        Assert.Equal((PaymentStatus.CANCELED, 0L), (ledger.Payment.Status, ledger.Payment.BalanceAmount));
        Assert.Equal([TransactionKind.APPROVAL, TransactionKind.CANCEL], ledger.Transactions.Select(t => t.Kind));
        Assert.Equal(FindingStatus.RESOLVED, (await fx.Host.Get<FindingService>().GetAsync(findingId))!.Finding.Status);

        // Executing again (a double click, a restart) replays the same key: the PG cancelled once.
        Assert.Equal(RepairStatus.SUCCEEDED, (await Repairs.ExecuteAsync(request.Id)).Status);
        Assert.Single((await Pg.GetPaymentAsync(key)).Value!.Cancels!);
        Assert.Null(await RunAsync(key)); // the next run matches approval and cancel
    }

    [Fact]
    public async Task PgOnlyPayment_RecordFromPg_BooksThePgApproval_AndTheNextRunMatches()
    {
        var (key, order, findingId) = await PgOnlyAsync(9_000);
        var request = await Repairs.RequestAsync(new RepairCommand(RepairKind.RECORD_APPROVAL, key, findingId, null, null,
            "LEDGER_CORRECTION", "the order shipped; our core lost the confirm", "fin-1"), Finance);
        Assert.Equal(RepairStatus.REQUESTED, request.Status);

        var done = await Repairs.ApproveAsync(request.Id, "admin-1", ["admin"]);

        Assert.Equal(RepairStatus.SUCCEEDED, done.Status);
        var atPg = (await Pg.GetPaymentAsync(key)).Value!;
        var ledger = (await fx.Payments.GetAsync(key))!;
        Assert.Equal((PaymentStatus.DONE, 9_000L, order), (ledger.Payment.Status, ledger.Payment.BalanceAmount, ledger.Payment.OrderId));
        Assert.Equal(atPg.LastTransactionKey, Assert.Single(ledger.Transactions).TransactionKey);
        Assert.Equal(("DONE", 9_000L), (atPg.Status, atPg.BalanceAmount)); // nothing was sent to the PG
        Assert.Equal(FindingStatus.RESOLVED, (await fx.Host.Get<FindingService>().GetAsync(findingId))!.Finding.Status);
        Assert.Null(await RunAsync(key));

        var again = await Repairs.PreviewAsync(key, findingId);
        Assert.NotNull(again.Ledger);
        Assert.False(again.Options.Single(o => o.Kind == RepairKind.RECORD_APPROVAL).Allowed);
    }

    [Fact]
    public async Task PgOnlyPayment_RefundWhoseAnswerIsLost_StaysUnknown_UntilTheJanitorAsksThePg_ThenSucceedsOnce()
    {
        var (key, _, findingId) = await PgOnlyAsync(7_000, SandboxFaults.CancelThenTimeout);
        var request = await Repairs.RequestAsync(new RepairCommand(RepairKind.REFUND, key, findingId, 7_000, 7_000,
            "CUSTOMER_REQUEST", "charged for an order we never saw", "fin-1"), Finance);

        var afterCall = await Repairs.ApproveAsync(request.Id, "oncall-1", Oncall);

        Assert.Equal(RepairStatus.UNKNOWN, afterCall.Status); // never FAILED on a lost answer
        Assert.Equal(7_000, (await fx.Payments.GetAsync(key))!.Payment.PendingCancelAmount);
        var final = afterCall;
        try
        {
            for (var round = 1; round <= 4 && final.Status == RepairStatus.UNKNOWN; round++)
            {
                fx.Host.Clock.Set(DateTimeOffset.UtcNow.AddHours(round));
                await fx.Janitor.RunOnceAsync();
                await Repairs.SweepAsync();
                final = await Repairs.GetAsync(request.Id);
            }
        }
        finally
        {
            fx.Host.Clock.Reset();
        }
        Assert.Equal(RepairStatus.SUCCEEDED, final.Status);
        var atPg = (await Pg.GetPaymentAsync(key)).Value!;
        Assert.Equal(7_000, Assert.Single(atPg.Cancels!).CancelAmount);
        var ledger = (await fx.Payments.GetAsync(key))!.Payment;
        Assert.Equal((PaymentStatus.CANCELED, 0L, 0L), (ledger.Status, ledger.BalanceAmount, ledger.PendingCancelAmount));
    }

    [Fact]
    public async Task PaymentNeitherLedgerKnows_IsNotFound_AndNothingIsRequested()
    {
        var e = await Assert.ThrowsAsync<DomainException>(() => Repairs.PreviewAsync("pk_nobody_knows_this_payment"));
        Assert.Equal(("NOT_FOUND_PAYMENT", 404), (e.Code, e.HttpStatus));
        Assert.Empty(await Repairs.ListAsync(pendingOnly: false, paymentKey: "pk_nobody_knows_this_payment"));
    }
}

public sealed class MissingInternalRepairSqliteTests(RepairAppFixture<SqliteTestDatabase> fx)
    : MissingInternalRepairTests<SqliteTestDatabase>(fx), IClassFixture<RepairAppFixture<SqliteTestDatabase>>;

public sealed class MissingInternalRepairPostgresTests(RepairAppFixture<PostgresTestDatabase> fx)
    : MissingInternalRepairTests<PostgresTestDatabase>(fx), IClassFixture<RepairAppFixture<PostgresTestDatabase>>;
