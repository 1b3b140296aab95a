using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Repairs;
using OpsConsole.Sandbox;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Repairs;

/// <summary>Bulk refunds: skip what can't or mustn't be repaired, one approval, bounded execution, a report.</summary>
public sealed class RepairBatchTests(RepairAppFixture<SqliteTestDatabase> fx) : IClassFixture<RepairAppFixture<SqliteTestDatabase>>
{
    [Fact]
    public async Task Batch_OfChargedButFailedFindings_SkipsLockedAndRepairedItems_ExecutesTheRestOnce_AndReports()
    {
        var keys = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var (key, order, amount) = await fx.CheckoutAsync(10_000 + i, i == 4 ? $"{SandboxFaults.DeclineAfterCharge},{SandboxFaults.CancelServerError}" : SandboxFaults.DeclineAfterCharge);
            await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, amount));
            keys.Add(key);
        }
        var today = BusinessCalendar.Today(TimeProvider.System);
        await fx.Host.Get<SettlementPuller>().PullAsync(today, today, "test");
        await fx.Host.Get<ReconciliationService>().RunAsync(today, RunTrigger.CLI, "test");
        List<Finding> findings;
        await using (var db = await fx.Database.Factory.CreateDbContextAsync())
            findings = await db.Set<Finding>().Where(f => keys.Contains(f.PaymentKey)).ToListAsync();
        Assert.Equal(5, findings.Count);

        // One payment is already held by a single repair: the batch must skip it, not repeat it.
        var repairs = fx.Host.Get<RepairService>();
        var held = await repairs.RequestAsync(new RepairCommand(RepairKind.REFUND, keys[0], null, 10_000, 10_000,
            "CHARGED_BUT_FAILED", "by hand", "fin-2"), ["finance"]);

        var batches = fx.Host.Get<RepairBatchService>();
        await Assert.ThrowsAsync<DomainException>(() => batches.RequestAsync(findings.Select(f => f.Id).ToList(),
            "CHARGED_BUT_FAILED", " ", "fin-1", ["finance"]));
        var planned = await batches.RequestAsync(findings.Select(f => f.Id).Append(999_999).ToList(),
            "CHARGED_BUT_FAILED", "nightly clean-up of charged-but-failed", "fin-1", ["finance"]);
        Assert.Equal(4, planned.Batch.ItemCount);
        Assert.Equal(2, planned.Count(RepairBatchItemResult.SKIPPED));
        Assert.Contains(planned.Items, i => i.PaymentKey == keys[0] && i.Why!.Contains("fin-2"));

        Assert.Equal("SELF_APPROVAL", (await Assert.ThrowsAsync<DomainException>(() =>
            batches.ApproveAsync(planned.Batch.Id, "fin-1", ["finance"]))).Code);

        var done = await batches.ApproveAsync(planned.Batch.Id, "oncall-1", ["oncall"]);
        Assert.Equal(RepairBatchStatus.DONE, done.Batch.Status);
        Assert.Equal(3, done.Count(RepairBatchItemResult.SUCCEEDED));
        Assert.Equal(1, done.Count(RepairBatchItemResult.UNKNOWN)); // the PG answered 500: outcome unknown, never retried with a new key

        var pg = fx.Host.Get<IPaymentGateway>();
        foreach (var key in keys.Skip(1).Take(3))
            Assert.Equal("CANCELED", (await pg.GetPaymentAsync(key)).Value!.Status);
        Assert.Empty((await pg.GetPaymentAsync(keys[0])).Value!.Cancels!);
        Assert.Equal(RepairStatus.REQUESTED, (await repairs.GetAsync(held.Id)).Status);

        // Approving again changes nothing.
        await Assert.ThrowsAsync<DomainException>(() => batches.ApproveAsync(planned.Batch.Id, "oncall-2", ["oncall"]));
        foreach (var key in keys.Skip(1).Take(3))
            Assert.Single((await pg.GetPaymentAsync(key)).Value!.Cancels!);

        var csv = RepairBatchService.ReportCsv(done);
        Assert.StartsWith("batchId,findingId,paymentKey,repairId,amount,result,why", csv);
        Assert.Equal(7, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains(",SKIPPED,", csv);
    }
}
