using Microsoft.EntityFrameworkCore;
using OpsConsole.Components.Pages.Audit;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Repairs;
using OpsConsole.Sandbox;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Audit;

public class AuditTrailFixture<TDatabase> : PaymentAppFixture<TDatabase> where TDatabase : TestDatabase, new()
{
    public override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Reconciliation:SettleDelay"] = "00:00:00",
        ["Repairs:SingleApproverMaxAmount"] = "0",
    };
}

/// <summary>
/// The audit trail of one payment, on each provider: every row about it (the finding worked, the repair requested,
/// approved and executed, the cancel at the PG) carries its payment key, so the payment filter finds them all, and
/// each row holds the fields it changed, before and after.
/// </summary>
public abstract class AuditTrailTests<TDatabase>(AuditTrailFixture<TDatabase> fx) where TDatabase : TestDatabase, new()
{
    [Fact]
    public async Task FilteringByPaymentKey_FindsItsFindingRepairAndCancelRows_EachWithBeforeAndAfter()
    {
        var (key, order, amount) = await fx.CheckoutAsync(45_800, SandboxFaults.DeclineAfterCharge);
        Assert.Equal(PaymentStatus.ABORTED, (await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, amount))).Status);
        var today = BusinessCalendar.Today(TimeProvider.System);
        await fx.Host.Get<SettlementPuller>().PullAsync(today, today, "test");
        await fx.Host.Get<ReconciliationService>().RunAsync(today, RunTrigger.CLI, "test");
        long findingId;
        await using (var db = await fx.Database.Factory.CreateDbContextAsync())
            findingId = (await db.Set<Finding>().SingleAsync(f => f.PaymentKey == key)).Id;
        var (otherKey, _, _) = await fx.CheckoutAsync(1_000); // another payment's rows stay out

        await fx.Host.Get<FindingService>().AcknowledgeAsync(findingId, "fin-1");
        var repairs = fx.Host.Get<RepairService>();
        var request = await repairs.RequestAsync(new RepairCommand(RepairKind.REFUND, key, findingId, 45_800, 45_800,
            "CHARGED_BUT_FAILED", "customer saw a failure", "fin-1"), ["finance"]);
        Assert.Equal(RepairStatus.SUCCEEDED, (await repairs.ApproveAsync(request.Id, "oncall-1", ["oncall"])).Status);

        await using var read = await fx.Database.Factory.CreateDbContextAsync();
        var rows = await new AuditFilter(Payment: key).Apply(read.AuditEntries.AsNoTracking()).OrderBy(a => a.Id).ToListAsync();

        Assert.Equal(["finding.acknowledge", "repair.request", "repair.approve", "repair.execute", "payment.cancel", "repair.succeeded",
            "repair.recheck", "finding.resolve"], rows.Select(a => a.Action));
        Assert.All(rows, a => Assert.Equal(key, a.PaymentKey));
        Assert.DoesNotContain(rows, a => a.TargetId == otherKey);

        string Change(string action) => AuditChange.Summary(rows.Single(a => a.Action == action).Before, rows.Single(a => a.Action == action).After)!;
        Assert.Equal("status OPEN → ACKNOWLEDGED", Change("finding.acknowledge"));
        Assert.StartsWith("kind REFUND · amount 45,800 KRW · full refund yes", Change("repair.request"));
        Assert.Equal("status REQUESTED → APPROVED · approved by ∅ → oncall-1", Change("repair.approve"));
        Assert.Equal("status APPROVED → EXECUTING", Change("repair.execute"));
        Assert.Equal("status DONE → CANCELED · balance amount 45,800 KRW → 0 KRW", Change("payment.cancel"));
        Assert.StartsWith("status EXECUTING → SUCCEEDED · outcome ∅ → 45,800 KRW cancelled at the PG", Change("repair.succeeded"));
        Assert.Equal("status ACKNOWLEDGED → RESOLVED · notes 0 → 1", Change("finding.resolve"));
    }
}

public sealed class SqliteAuditTrailTests(AuditTrailFixture<SqliteTestDatabase> fx)
    : AuditTrailTests<SqliteTestDatabase>(fx), IClassFixture<AuditTrailFixture<SqliteTestDatabase>>;

public sealed class PostgresAuditTrailTests(AuditTrailFixture<PostgresTestDatabase> fx)
    : AuditTrailTests<PostgresTestDatabase>(fx), IClassFixture<AuditTrailFixture<PostgresTestDatabase>>;
