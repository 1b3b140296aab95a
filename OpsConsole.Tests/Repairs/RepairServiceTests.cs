using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Repairs;
using OpsConsole.Sandbox;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Repairs;

public class RepairAppFixture<TDatabase> : PaymentAppFixture<TDatabase> where TDatabase : TestDatabase, new()
{
    public override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Reconciliation:SettleDelay"] = "00:00:00",
        ["Repairs:SingleApproverMaxAmount"] = "500",
    };
}

/// <summary>Maker-checker, what the server allows, exactly-once execution and the recheck, on each provider.</summary>
public abstract class RepairServiceTests<TDatabase>(RepairAppFixture<TDatabase> fx) where TDatabase : TestDatabase, new()
{
    private RepairService Repairs => fx.Host.Get<RepairService>();
    private static readonly string[] Finance = ["finance"];
    private static readonly string[] Oncall = ["oncall"];

    /// <summary>A payment our ledger shows failed while the PG charged it, and the finding reconciliation raised.</summary>
    private async Task<(string Key, long FindingId)> ChargedButFailedAsync(long amount = 25_000)
    {
        var (key, order, a) = await fx.CheckoutAsync(amount, SandboxFaults.DeclineAfterCharge);
        Assert.Equal(PaymentStatus.ABORTED, (await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, a))).Status);
        var today = BusinessCalendar.Today(TimeProvider.System);
        await fx.Host.Get<SettlementPuller>().PullAsync(today, today, "test");
        await fx.Host.Get<ReconciliationService>().RunAsync(today, RunTrigger.CLI, "test");
        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        var finding = await db.Set<Finding>().SingleAsync(f => f.PaymentKey == key);
        Assert.Equal(FindingType.CHARGED_BUT_FAILED, finding.Type);
        return (key, finding.Id);
    }

    private async Task<string> PaidAsync(long amount)
    {
        var (key, order, a) = await fx.CheckoutAsync(amount);
        Assert.Equal(PaymentStatus.DONE, (await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, a))).Status);
        return key;
    }

    private static RepairCommand Refund(string key, long? findingId, long amount, string by = "fin-1", long? confirm = null) =>
        new(RepairKind.REFUND, key, findingId, amount, confirm ?? amount, "CHARGED_BUT_FAILED", "customer saw a failure", by);

    [Fact]
    public async Task ChargedButFailed_RefundRequestedByFinance_ApprovedByOncall_CancelsAtThePg_AndResolvesTheFinding()
    {
        var (key, findingId) = await ChargedButFailedAsync();
        var preview = await Repairs.PreviewAsync(key, findingId);
        Assert.All(preview.Options, o => Assert.True(o.Allowed, $"{o.Kind}: {o.Why}"));
        Assert.Equal(25_000, preview.Options.Single(o => o.Kind == RepairKind.REFUND).MaxAmount);
        Assert.Equal(PaymentStatus.ABORTED, preview.Ledger!.Status);
        Assert.Equal("DONE", preview.Pg!.Status);

        var request = await Repairs.RequestAsync(Refund(key, findingId, 25_000), Finance);
        Assert.Equal(RepairStatus.REQUESTED, request.Status);
        Assert.StartsWith("repair-", request.IdempotencyKey);

        var self = await Assert.ThrowsAsync<DomainException>(() => Repairs.ApproveAsync(request.Id, "fin-1", Finance));
        Assert.Equal("SELF_APPROVAL", self.Code);
        var engineer = await Assert.ThrowsAsync<DomainException>(() => Repairs.ApproveAsync(request.Id, "eng-1", ["engineer"]));
        Assert.Equal(403, engineer.HttpStatus);
        Assert.Equal(RepairStatus.REQUESTED, (await Repairs.GetAsync(request.Id)).Status);

        var done = await Repairs.ApproveAsync(request.Id, "oncall-1", Oncall);

        Assert.Equal(RepairStatus.SUCCEEDED, done.Status);
        var atPg = (await fx.Host.Get<IPaymentGateway>().GetPaymentAsync(key)).Value!;
        Assert.Equal(("CANCELED", 0L), (atPg.Status, atPg.BalanceAmount));
        var ledger = (await fx.Payments.GetAsync(key))!;
        Assert.Equal(PaymentStatus.CANCELED, ledger.Payment.Status);
        Assert.Equal([TransactionKind.APPROVAL, TransactionKind.CANCEL], ledger.Transactions.Select(t => t.Kind));

        var finding = (await fx.Host.Get<FindingService>().GetAsync(findingId))!;
        Assert.Equal(FindingStatus.RESOLVED, finding.Finding.Status);
        Assert.Contains(finding.Notes, n => n.Text.Contains($"repair #{request.Id}"));

        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        var steps = await db.AuditEntries.Where(a => a.TargetType == "repair" && a.TargetId == request.Id.ToString())
            .OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
        Assert.Equal(["repair.request", "repair.approve.refused", "repair.approve.refused", "repair.approve", "repair.execute",
            "repair.succeeded", "repair.recheck"], steps);
        Assert.True(await db.OutboxMessages.AnyAsync(m => m.AggregateKey == key && m.Type == "repair.succeeded"));

        // Executing again (a double click, a refresh, a restart) changes nothing.
        Assert.Equal(RepairStatus.SUCCEEDED, (await Repairs.ExecuteAsync(request.Id)).Status);
        Assert.Single((await fx.Host.Get<IPaymentGateway>().GetPaymentAsync(key)).Value!.Cancels!);
    }

    [Fact]
    public async Task SecondRequestForAPayment_WhileOneIsOpen_IsRefused_NamingWhoHoldsIt()
    {
        var key = await PaidAsync(10_000);
        await Repairs.RequestAsync(Refund(key, null, 4_000) with { ReasonCode = "CUSTOMER_REQUEST" }, Finance);
        var e = await Assert.ThrowsAsync<DomainException>(() => Repairs.RequestAsync(Refund(key, null, 1_000, by: "fin-2"), Finance));
        Assert.Equal("REPAIR_IN_PROGRESS", e.Code);
        Assert.Contains("fin-1", e.Message);
    }

    [Fact]
    public async Task Request_WithTheAmountNotRetyped_OrOverTheBalance_IsRefused_AndWritesNothing()
    {
        var key = await PaidAsync(10_000);
        Assert.Equal("AMOUNT_NOT_CONFIRMED",
            (await Assert.ThrowsAsync<DomainException>(() => Repairs.RequestAsync(Refund(key, null, 3_000, confirm: 300), Finance))).Code);
        Assert.Equal("INVALID_AMOUNT",
            (await Assert.ThrowsAsync<DomainException>(() => Repairs.RequestAsync(Refund(key, null, 10_001), Finance))).Code);
        Assert.Equal(403,
            (await Assert.ThrowsAsync<DomainException>(() => Repairs.RequestAsync(Refund(key, null, 100), ["engineer"]))).HttpStatus);
        Assert.Empty(await Repairs.ListAsync(pendingOnly: false, paymentKey: key));
    }

    [Fact]
    public async Task SmallRefund_UnderTheSingleApproverThreshold_ExecutesWithoutASecondPerson()
    {
        var key = await PaidAsync(10_000);
        var r = await Repairs.RequestAsync(Refund(key, null, 500) with { ReasonCode = "CUSTOMER_REQUEST" }, Finance);
        Assert.Equal(RepairStatus.SUCCEEDED, r.Status);
        Assert.Equal("system:single-approver", r.ApprovedBy);
        Assert.Equal(9_500, (await fx.Payments.GetAsync(key))!.Payment.BalanceAmount);
    }

    [Fact]
    public async Task RacingApprovers_OnlyOneWins_AndTheMoneyMovesOnce()
    {
        var key = await PaidAsync(10_000);
        var r = await Repairs.RequestAsync(Refund(key, null, 6_000) with { ReasonCode = "CUSTOMER_REQUEST" }, Finance);
        var results = await Task.WhenAll(new[] { "oncall-1", "oncall-2", "admin-1" }.Select(a => Task.Run(async () =>
        {
            try { return (await Repairs.ApproveAsync(r.Id, a, Oncall)).ApprovedBy; }
            catch (DomainException) { return null; }
        })));
        var winner = (await Repairs.GetAsync(r.Id)).ApprovedBy;
        Assert.Equal(winner, Assert.Single(results, a => a is not null)); // exactly one approval went through
        Assert.Single((await fx.Host.Get<IPaymentGateway>().GetPaymentAsync(key)).Value!.Cancels!);
        Assert.Equal(4_000, (await fx.Payments.GetAsync(key))!.Payment.BalanceAmount);
    }

    [Fact]
    public async Task Reject_NeedsAReason_AndFreesThePaymentForANewRequest()
    {
        var key = await PaidAsync(10_000);
        var r = await Repairs.RequestAsync(Refund(key, null, 2_000) with { ReasonCode = "CUSTOMER_REQUEST" }, Finance);
        Assert.Equal("REASON_REQUIRED", (await Assert.ThrowsAsync<DomainException>(() => Repairs.RejectAsync(r.Id, "oncall-1", " ", Oncall))).Code);
        Assert.Equal(RepairStatus.REJECTED, (await Repairs.RejectAsync(r.Id, "oncall-1", "duplicate of a manual refund", Oncall)).Status);
        Assert.Equal(RepairStatus.REQUESTED, (await Repairs.RequestAsync(Refund(key, null, 1_000) with { ReasonCode = "CUSTOMER_REQUEST" }, Finance)).Status);
    }

    [Fact]
    public async Task UnapprovedRequest_ExpiresAfterTheTtl_AndCanNoLongerBeApproved()
    {
        var key = await PaidAsync(10_000);
        var r = await Repairs.RequestAsync(Refund(key, null, 2_000) with { ReasonCode = "CUSTOMER_REQUEST" }, Finance);
        fx.Host.Clock.Set(DateTimeOffset.UtcNow.AddHours(25));
        try
        {
            Assert.Equal("REPAIR_EXPIRED", (await Assert.ThrowsAsync<DomainException>(() => Repairs.ApproveAsync(r.Id, "oncall-1", Oncall))).Code);
            await Repairs.SweepAsync();
        }
        finally
        {
            fx.Host.Clock.Reset();
        }
        Assert.Equal(RepairStatus.EXPIRED, (await Repairs.GetAsync(r.Id)).Status);
        Assert.Empty((await fx.Host.Get<IPaymentGateway>().GetPaymentAsync(key)).Value!.Cancels!);
    }

    [Fact]
    public async Task RecordApproval_BooksThePgsCharge_WithoutMovingMoney_AndMarkResolvedClosesAFinding()
    {
        var (key, findingId) = await ChargedButFailedAsync(8_000);
        var r = await Repairs.RequestAsync(new RepairCommand(RepairKind.RECORD_APPROVAL, key, findingId, null, null,
            "LEDGER_CORRECTION", "the order shipped", "fin-1"), Finance);
        Assert.Equal(RepairStatus.SUCCEEDED, (await Repairs.ApproveAsync(r.Id, "admin-1", ["admin"])).Status);
        Assert.Equal((PaymentStatus.DONE, 8_000L), ((await fx.Payments.GetAsync(key))!.Payment.Status, (await fx.Payments.GetAsync(key))!.Payment.BalanceAmount));
        Assert.Equal(FindingStatus.RESOLVED, (await fx.Host.Get<FindingService>().GetAsync(findingId))!.Finding.Status);
        Assert.Equal(8_000, (await fx.Host.Get<IPaymentGateway>().GetPaymentAsync(key)).Value!.BalanceAmount);

        var preview = await Repairs.PreviewAsync(key, findingId);
        Assert.False(preview.Options.Single(o => o.Kind == RepairKind.RECORD_APPROVAL).Allowed);
        Assert.Contains("already shows DONE", preview.Options.Single(o => o.Kind == RepairKind.RECORD_APPROVAL).Why);
        Assert.Contains("RESOLVED", preview.Options.Single(o => o.Kind == RepairKind.MARK_RESOLVED).Why);
    }
}

public sealed class RepairServiceSqliteTests(RepairAppFixture<SqliteTestDatabase> fx)
    : RepairServiceTests<SqliteTestDatabase>(fx), IClassFixture<RepairAppFixture<SqliteTestDatabase>>;

public sealed class RepairServicePostgresTests(RepairAppFixture<PostgresTestDatabase> fx)
    : RepairServiceTests<PostgresTestDatabase>(fx), IClassFixture<RepairAppFixture<PostgresTestDatabase>>;
