using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Repairs;
using OpsConsole.Sandbox;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Repairs;

/// <summary>The repair app whose PG client throws (a client fault, not a PG answer) on cancels of chosen payments.</summary>
public sealed class RepairBatchAppFixture<TDatabase> : RepairAppFixture<TDatabase> where TDatabase : TestDatabase, new()
{
    public ConcurrentDictionary<string, bool> CancelThrowsFor { get; } = new();

    protected override void Configure(WebApplicationBuilder builder) =>
        builder.Services.ConfigureHttpClientDefaults(c => c.AddHttpMessageHandler(() => new ThrowOnCancel(CancelThrowsFor)));

    private sealed class ThrowOnCancel(ConcurrentDictionary<string, bool> keys) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            return path.EndsWith("/cancel", StringComparison.Ordinal) && keys.Keys.Any(k => path.Contains(k, StringComparison.Ordinal))
                ? throw new InvalidOperationException("simulated fault in the PG client")
                : base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>
/// Bulk refunds: skip what can't or mustn't be repaired, one approval, bounded and isolated execution, a report;
/// rejection and expiry that settle every item; a sweep that finishes what a crash left.
/// </summary>
public abstract class RepairBatchTests<TDatabase>(RepairBatchAppFixture<TDatabase> fx) where TDatabase : TestDatabase, new()
{
    private RepairService Repairs => fx.Host.Get<RepairService>();
    private RepairBatchService Batches => fx.Host.Get<RepairBatchService>();
    private IPaymentGateway Pg => fx.Host.Get<IPaymentGateway>();

    /// <summary>
    /// <paramref name="count"/> payments our ledger shows failed while the PG charged them, and their findings.
    /// <paramref name="extraFault"/> adds a sandbox fault to the i-th payment.
    /// </summary>
    private async Task<(List<string> Keys, List<long> FindingIds)> ChargedButFailedAsync(int count, Func<int, string?>? extraFault = null)
    {
        var keys = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var extra = extraFault?.Invoke(i);
            var (key, order, amount) = await fx.CheckoutAsync(10_000 + i,
                extra is null ? SandboxFaults.DeclineAfterCharge : $"{SandboxFaults.DeclineAfterCharge},{extra}");
            await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, amount));
            keys.Add(key);
        }
        var today = BusinessCalendar.Today(TimeProvider.System);
        await fx.Host.Get<SettlementPuller>().PullAsync(today, today, "test");
        await fx.Host.Get<ReconciliationService>().RunAsync(today, RunTrigger.CLI, "test");
        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        var findings = await db.Set<Finding>().Where(f => keys.Contains(f.PaymentKey)).ToListAsync();
        Assert.Equal(count, findings.Count);
        return (keys, keys.Select(k => findings.Single(f => f.PaymentKey == k).Id).ToList());
    }

    private Task<RepairBatchView> RequestAsync(IReadOnlyCollection<long> findingIds, string by = "fin-1") =>
        Batches.RequestAsync(findingIds, "CHARGED_BUT_FAILED", "nightly clean-up of charged-but-failed", by, ["finance"]);

    private static RepairBatchItem ItemOf(RepairBatchView view, string paymentKey) => view.Items.Single(i => i.PaymentKey == paymentKey);

    private async Task<List<string>> BatchAuditAsync(long batchId)
    {
        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        return await db.AuditEntries.Where(a => a.TargetType == "repair-batch" && a.TargetId == batchId.ToString())
            .OrderBy(a => a.Id).Select(a => a.Actor + " " + a.Action).ToListAsync();
    }

    [Fact]
    public async Task Preview_CountsOnlyWhatWillBeRefunded_ListsTheSkippedWithWhy_WritesNothing_AndTheRequestDecidesAlike()
    {
        var (keys, findings) = await ChargedButFailedAsync(3);
        // Already refunded (its finding resolved by the repair) and locked by a repair still waiting for approval.
        var refunded = await Repairs.RequestAsync(new RepairCommand(RepairKind.REFUND, keys[0], findings[0], 10_000, 10_000,
            "CHARGED_BUT_FAILED", "refunded by hand", "fin-9"), ["finance"]);
        Assert.Equal(RepairStatus.SUCCEEDED, (await Repairs.ApproveAsync(refunded.Id, "oncall-9", ["oncall"])).Status);
        await Repairs.RequestAsync(new RepairCommand(RepairKind.REFUND, keys[1], findings[1], 10_001, 10_001,
            "CHARGED_BUT_FAILED", "someone is on it", "fin-9"), ["finance"]);
        List<long> targets = [.. findings, 990_001];
        int repairsBefore;
        await using (var db = await fx.Database.Factory.CreateDbContextAsync())
            repairsBefore = await db.Set<RepairRequest>().CountAsync();

        var preview = await Batches.PreviewAsync(targets, ["finance"]);

        Assert.Equal((1, 10_002L), (preview.RefundCount, preview.RefundTotal));
        Assert.Equal(keys[2], preview.Decisions.Single(d => d.WillRefund).PaymentKey);
        Assert.Equal("the finding is RESOLVED", preview.Decisions.Single(d => d.FindingId == findings[0]).SkipReason);
        Assert.Contains("is in flight", preview.Decisions.Single(d => d.FindingId == findings[1]).SkipReason);
        Assert.Equal("no such finding", preview.Decisions.Single(d => d.FindingId == 990_001).SkipReason);
        Assert.Equal(3, preview.SkippedByReason.Sum(r => r.Count));
        await using (var db = await fx.Database.Factory.CreateDbContextAsync())
            Assert.Equal(repairsBefore, await db.Set<RepairRequest>().CountAsync());
        Assert.Equal(403, (await Assert.ThrowsAsync<DomainException>(() => Batches.PreviewAsync(targets, ["engineer"]))).HttpStatus);

        var batch = await RequestAsync(targets, by: "fin-10");

        Assert.Equal((preview.RefundCount, preview.RefundTotal), (batch.Batch.ItemCount, batch.Batch.TotalAmount));
        Assert.Equal(preview.Decisions.Select(d => (d.FindingId, d.SkipReason)).OrderBy(d => d.FindingId),
            batch.Items.Select(i => (i.FindingId, i.Result == RepairBatchItemResult.SKIPPED ? i.Why : null)).OrderBy(d => d.FindingId));
    }

    [Fact]
    public async Task Batch_OfChargedButFailedFindings_SkipsLockedAndRepairedItems_ExecutesTheRestOnce_AndReports()
    {
        var (keys, findings) = await ChargedButFailedAsync(5, i => i == 4 ? SandboxFaults.CancelServerError : null);

        // One payment is already held by a single repair: the batch must skip it, not repeat it.
        var held = await Repairs.RequestAsync(new RepairCommand(RepairKind.REFUND, keys[0], null, 10_000, 10_000,
            "CHARGED_BUT_FAILED", "by hand", "fin-2"), ["finance"]);

        await Assert.ThrowsAsync<DomainException>(() => Batches.RequestAsync(findings,
            "CHARGED_BUT_FAILED", " ", "fin-1", ["finance"]));
        var planned = await Batches.RequestAsync(findings.Append(999_999).ToList(),
            "CHARGED_BUT_FAILED", "nightly clean-up of charged-but-failed", "fin-1", ["finance"]);
        Assert.Equal(4, planned.Batch.ItemCount);
        Assert.Equal(2, planned.Count(RepairBatchItemResult.SKIPPED));
        Assert.Contains(planned.Items, i => i.PaymentKey == keys[0] && i.Why!.Contains("fin-2"));

        Assert.Equal("SELF_APPROVAL", (await Assert.ThrowsAsync<DomainException>(() =>
            Batches.ApproveAsync(planned.Batch.Id, "fin-1", ["finance"]))).Code);

        var done = await Batches.ApproveAsync(planned.Batch.Id, "oncall-1", ["oncall"]);
        Assert.Equal(RepairBatchStatus.DONE, done.Batch.Status);
        Assert.Equal(3, done.Count(RepairBatchItemResult.SUCCEEDED));
        Assert.Equal(1, done.Count(RepairBatchItemResult.UNKNOWN)); // the PG answered 500: outcome unknown, never retried with a new key

        foreach (var key in keys.Skip(1).Take(3))
            Assert.Equal("CANCELED", (await Pg.GetPaymentAsync(key)).Value!.Status);
        Assert.Empty((await Pg.GetPaymentAsync(keys[0])).Value!.Cancels!);
        Assert.Equal(RepairStatus.REQUESTED, (await Repairs.GetAsync(held.Id)).Status);

        // Approving again changes nothing.
        await Assert.ThrowsAsync<DomainException>(() => Batches.ApproveAsync(planned.Batch.Id, "oncall-2", ["oncall"]));
        foreach (var key in keys.Skip(1).Take(3))
            Assert.Single((await Pg.GetPaymentAsync(key)).Value!.Cancels!);

        var csv = RepairBatchService.ReportCsv(done);
        Assert.StartsWith("batchId,findingId,paymentKey,repairId,amount,result,why", csv);
        Assert.Equal(7, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains(",SKIPPED,", csv);
    }

    [Fact]
    public async Task Approve_WhenThePgClientThrowsOnOneItem_RecordsItUnknownWithTheError_RunsTheOthers_AndCompletes()
    {
        var (keys, findings) = await ChargedButFailedAsync(3);
        var planned = await RequestAsync(findings);
        fx.CancelThrowsFor[keys[0]] = true;
        RepairBatchView done;
        try
        {
            done = await Batches.ApproveAsync(planned.Batch.Id, "oncall-1", ["oncall"]);
        }
        finally
        {
            fx.CancelThrowsFor.Clear();
        }

        Assert.Equal(RepairBatchStatus.DONE, done.Batch.Status);
        var broken = ItemOf(done, keys[0]);
        Assert.Equal(RepairBatchItemResult.UNKNOWN, broken.Result);
        Assert.Contains("InvalidOperationException: simulated fault in the PG client", broken.Why);
        foreach (var key in keys.Skip(1))
        {
            Assert.Equal(RepairBatchItemResult.SUCCEEDED, ItemOf(done, key).Result);
            Assert.Equal("CANCELED", (await Pg.GetPaymentAsync(key)).Value!.Status);
        }
        Assert.NotEqual(RepairStatus.SUCCEEDED, (await Repairs.GetAsync(broken.RepairId!.Value)).Status);
        Assert.Equal(["fin-1 repair.batch.request", "oncall-1 repair.batch.approve", "oncall-1 repair.batch.done"],
            await BatchAuditAsync(planned.Batch.Id));
    }

    [Fact]
    public async Task Sweep_FinishesABatchACrashLeftApproved_FromItsRepairs_AndAuditsItAsSystem()
    {
        var (keys, findings) = await ChargedButFailedAsync(3);
        var planned = await RequestAsync(findings);
        // The approver's process approves the batch, executes the first item, then dies.
        await using (var db = await fx.Database.Factory.CreateDbContextAsync())
        {
            var batch = await db.Set<RepairBatch>().SingleAsync(b => b.Id == planned.Batch.Id);
            batch.Approve("oncall-1", fx.Host.Clock.GetUtcNow());
            await db.SaveChangesAsync();
        }
        var first = ItemOf(planned, keys[0]).RepairId!.Value;
        Assert.Equal(RepairStatus.SUCCEEDED, (await Repairs.ApproveBatchItemAsync(first, planned.Batch.Id, "oncall-1", ["oncall"], default)).Status);

        await Batches.SweepAsync(); // within Repairs:ExecutionGrace the executor may still be alive
        Assert.Equal(RepairBatchStatus.APPROVED, (await Batches.GetAsync(planned.Batch.Id)).Batch.Status);

        fx.Host.Clock.Set(DateTimeOffset.UtcNow.AddMinutes(10));
        try
        {
            Assert.True(await Batches.SweepAsync() >= 1);
        }
        finally
        {
            fx.Host.Clock.Reset();
        }

        var done = await Batches.GetAsync(planned.Batch.Id);
        Assert.Equal(RepairBatchStatus.DONE, done.Batch.Status);
        Assert.Equal(RepairBatchItemResult.SUCCEEDED, ItemOf(done, keys[0]).Result);
        foreach (var key in keys.Skip(1))
        {
            var item = ItemOf(done, key);
            Assert.Equal(RepairBatchItemResult.SKIPPED, item.Result);
            Assert.Contains("finished without running this item (its execution was interrupted); request it again", item.Why);
            var repair = await Repairs.GetAsync(item.RepairId!.Value);
            Assert.Equal((RepairStatus.REJECTED, "system"), (repair.Status, repair.RejectedBy));
            Assert.Empty((await Pg.GetPaymentAsync(key)).Value!.Cancels ?? []);
        }
        Assert.Equal(["fin-1 repair.batch.request", "system repair.batch.done"], await BatchAuditAsync(planned.Batch.Id));
    }

    [Fact]
    public async Task Sweep_CopiesARepairSettledLater_OntoItsItem()
    {
        var (keys, findings) = await ChargedButFailedAsync(1, _ => SandboxFaults.CancelServerError);
        var done = await Batches.ApproveAsync((await RequestAsync(findings)).Batch.Id, "oncall-1", ["oncall"]);
        var item = ItemOf(done, keys[0]);
        Assert.Equal(RepairBatchItemResult.UNKNOWN, item.Result);
        await Batches.SweepAsync(); // the repair is still UNKNOWN: nothing to copy
        Assert.Equal(RepairBatchItemResult.UNKNOWN, ItemOf(await Batches.GetAsync(done.Batch.Id), keys[0]).Result);

        // The janitor asks the PG (which never cancelled: it answered 500), the repair sweep settles the repair.
        fx.Host.Clock.Set(DateTimeOffset.UtcNow.AddHours(1));
        try
        {
            await fx.Janitor.RunOnceAsync();
            await Repairs.SweepAsync();
            Assert.True(await Batches.SweepAsync() >= 1);
        }
        finally
        {
            fx.Host.Clock.Reset();
        }

        var repair = await Repairs.GetAsync(item.RepairId!.Value);
        Assert.NotEqual(RepairStatus.UNKNOWN, repair.Status);
        var settled = ItemOf(await Batches.GetAsync(done.Batch.Id), keys[0]);
        Assert.Equal(repair.Status.ToString(), settled.Result.ToString());
        Assert.Equal(repair.Outcome, settled.Why);
    }

    [Fact]
    public async Task Reject_WhenAnItemWasAlreadyDecided_RejectsEveryOtherItem_AndRecordsThatOneSkippedWithWhy()
    {
        var (keys, findings) = await ChargedButFailedAsync(3);
        var planned = await RequestAsync(findings);
        // Decided on its own before items were refused one by one (data from before that rule).
        await using (var db = await fx.Database.Factory.CreateDbContextAsync())
        {
            var middle = await db.Set<RepairRequest>().SingleAsync(r => r.Id == ItemOf(planned, keys[1]).RepairId);
            middle.Reject("fin-9", "refunded by phone", fx.Host.Clock.GetUtcNow(), viaBatch: planned.Batch.Id);
            await db.SaveChangesAsync();
        }

        var rejected = await Batches.RejectAsync(planned.Batch.Id, "oncall-1", "duplicate of batch 7", ["oncall"]);

        Assert.Equal(RepairBatchStatus.REJECTED, rejected.Batch.Status);
        Assert.All(rejected.Items, i => Assert.Equal(RepairBatchItemResult.SKIPPED, i.Result));
        Assert.Contains("rejected by fin-9: refunded by phone", ItemOf(rejected, keys[1]).Why);
        foreach (var key in new[] { keys[0], keys[2] })
        {
            var item = ItemOf(rejected, key);
            Assert.Contains($"batch #{planned.Batch.Id} rejected by oncall-1: duplicate of batch 7", item.Why);
            var repair = await Repairs.GetAsync(item.RepairId!.Value);
            Assert.Equal((RepairStatus.REJECTED, "oncall-1"), (repair.Status, repair.RejectedBy));
        }
    }

    [Fact]
    public async Task BatchItem_CannotBeApprovedOrRejectedOnItsOwn_OnlyWithItsBatch()
    {
        var (keys, findings) = await ChargedButFailedAsync(1);
        var planned = await RequestAsync(findings);
        var repairId = ItemOf(planned, keys[0]).RepairId!.Value;
        var expected = $"Repair #{repairId} is part of batch #{planned.Batch.Id}: approve or reject the batch.";

        var approve = await Assert.ThrowsAsync<DomainException>(() => Repairs.ApproveAsync(repairId, "oncall-1", ["oncall"]));
        var reject = await Assert.ThrowsAsync<DomainException>(() => Repairs.RejectAsync(repairId, "oncall-1", "no", ["oncall"]));

        Assert.Equal(("BATCH_ITEM", expected), (approve.Code, approve.Message));
        Assert.Equal(("BATCH_ITEM", expected), (reject.Code, reject.Message));
        Assert.Equal(RepairStatus.REQUESTED, (await Repairs.GetAsync(repairId)).Status);
        Assert.Empty((await Pg.GetPaymentAsync(keys[0])).Value!.Cancels ?? []);
        var done = await Batches.ApproveAsync(planned.Batch.Id, "oncall-1", ["oncall"]);
        Assert.Equal(RepairBatchItemResult.SUCCEEDED, ItemOf(done, keys[0]).Result);
    }

    [Fact]
    public async Task Approve_OfAnExpiredBatch_IsRefusedWithTheDeadline_AndTheBatchAndItsItemsExpire()
    {
        var (keys, findings) = await ChargedButFailedAsync(3);
        var planned = await RequestAsync(findings.Take(2).ToList());
        var idle = await RequestAsync(findings.Skip(2).ToList());
        var deadlines = new List<DateTimeOffset>();
        foreach (var i in planned.Items)
            deadlines.Add((await Repairs.GetAsync(i.RepairId!.Value)).ExpiresAt);
        Assert.Equal(deadlines.Min(), planned.Batch.ExpiresAt);

        DomainException refused;
        fx.Host.Clock.Set(planned.Batch.ExpiresAt!.Value);
        try
        {
            refused = await Assert.ThrowsAsync<DomainException>(() => Batches.ApproveAsync(planned.Batch.Id, "oncall-1", ["oncall"]));
            fx.Host.Clock.Set(idle.Batch.ExpiresAt!.Value);
            Assert.True(await Batches.SweepAsync() >= 1); // the other batch nobody decided expires too
        }
        finally
        {
            fx.Host.Clock.Reset();
        }

        Assert.Equal(("BATCH_EXPIRED", $"Batch #{planned.Batch.Id} expired at {planned.Batch.ExpiresAt:u} before anyone approved it; request the refunds again."),
            (refused.Code, refused.Message));
        foreach (var (view, batchKeys) in new[] { (planned, keys.Take(2)), (idle, keys.Skip(2)) })
        {
            var now = await Batches.GetAsync(view.Batch.Id);
            Assert.Equal(RepairBatchStatus.EXPIRED, now.Batch.Status);
            foreach (var key in batchKeys)
            {
                var item = ItemOf(now, key);
                Assert.Equal(RepairBatchItemResult.SKIPPED, item.Result);
                Assert.Contains("expired", item.Why);
                Assert.Equal(RepairStatus.EXPIRED, (await Repairs.GetAsync(item.RepairId!.Value)).Status);
                Assert.Empty((await Pg.GetPaymentAsync(key)).Value!.Cancels ?? []);
            }
        }
        Assert.Equal(["fin-1 repair.batch.request", "system repair.batch.expire", "oncall-1 repair.batch.approve.refused"],
            await BatchAuditAsync(planned.Batch.Id));
    }
}

public sealed class RepairBatchSqliteTests(RepairBatchAppFixture<SqliteTestDatabase> fx)
    : RepairBatchTests<SqliteTestDatabase>(fx), IClassFixture<RepairBatchAppFixture<SqliteTestDatabase>>;

public sealed class RepairBatchPostgresTests(RepairBatchAppFixture<PostgresTestDatabase> fx)
    : RepairBatchTests<PostgresTestDatabase>(fx), IClassFixture<RepairBatchAppFixture<PostgresTestDatabase>>;
