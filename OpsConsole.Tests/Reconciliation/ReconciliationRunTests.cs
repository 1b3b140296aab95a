using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>Two passes, idempotent re-runs, the per-date lock and the findings lifecycle, on both providers.</summary>
public abstract class ReconciliationRunTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    private static readonly DateOnly D = ReconTestSupport.Date;
    private static readonly DateTimeOffset Noon = BusinessCalendar.StartOfDayUtc(D).AddHours(12);

    public Task InitializeAsync() => Ledger.ClearAsync(db.Factory);
    public Task DisposeAsync() => Task.CompletedTask;

    private static LedgerPayment Done(string id, long amount, DateTimeOffset at, params (long Amount, DateTimeOffset At)[] cancels) =>
        ReconTestSupport.Done(id, amount, at, cancels);

    private static ExternalLine LineFor(InternalTx tx, long? amount = null, DateOnly? sold = null, long feeDelta = 0) =>
        ReconTestSupport.LineFor(tx, amount, sold, feeDelta);

    private async Task<List<Finding>> FindingsAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.Set<Finding>().AsNoTracking().OrderBy(f => f.TransactionKey).ThenBy(f => f.Type).ToListAsync();
    }

    [Fact]
    public async Task Run_LineTheSecondIngestionRepeats_IsADuplicate_AndAFirstLineOnAnotherDayIsNot()
    {
        var ledger = new Ledger();
        var twice = Done("twice", 8_000, Noon);
        var other = Done("other", 6_000, Noon);
        ledger.Payments.AddRange([twice, other]);
        ledger.Lines.AddRange([LineFor(twice.Transactions[0]), LineFor(other.Transactions[0])]);
        await ledger.SaveAsync(db.Factory);
        // A later ingestion (another file, another pull) reports tx-twice again on the same day, and a line of
        // tx-other on the next day: only the lines of the business date count in pass 1.
        await Ledger.AddLinesAsync(db.Factory, [LineFor(twice.Transactions[0]), LineFor(other.Transactions[0], sold: D.AddDays(1))]);

        var run = await ReconTestSupport.Service(db.Factory).RunAsync(D, RunTrigger.CLI, "tester");

        Assert.Equal(RunStatus.SUCCEEDED, run.Status);
        var findings = await FindingsAsync();
        var dup = Assert.Single(findings, f => f.TransactionKey == "tx-twice");
        Assert.Equal(FindingType.DUPLICATE_EXTERNAL, dup.Type);
        Assert.Equal(2, dup.ExternalLineCount);
        Assert.Equal(8_000, dup.MoneyAtRisk);
        Assert.DoesNotContain(findings, f => f.TransactionKey == "tx-other" && f.Verdict == FindingVerdict.CONFIRMED);
    }

    [Fact]
    public async Task LineFiledUnderTheNextDay_IsConfirmedByTheTransactionsDate_AndNotAgainByTheNextDaysRun()
    {
        var ledger = new Ledger();
        var late = Done("late", 9_000, BusinessCalendar.StartOfDayUtc(D.AddDays(1)).AddMilliseconds(-1));
        ledger.Payments.Add(late);
        ledger.Lines.Add(LineFor(late.Transactions[0], sold: D.AddDays(1)));
        await ledger.SaveAsync(db.Factory);
        var service = ReconTestSupport.Service(db.Factory);

        var first = await service.RunAsync(D, RunTrigger.CLI, "tester");
        var next = await service.RunAsync(D.AddDays(1), RunTrigger.CLI, "tester");

        // D's run confirms (and alerts) the DATE_MISMATCH; D+1's run sees the same key from the line's side
        // (MISSING_INTERNAL in pass 1) and does not confirm or alert it a second time.
        Assert.Equal((RunStatus.SUCCEEDED, 1, 0), (first.Status, first.ConfirmedCount, first.TransientCount));
        Assert.Equal((RunStatus.SUCCEEDED, 0, 1), (next.Status, next.ConfirmedCount, next.TransientCount));
        var findings = await FindingsAsync();
        var mismatch = Assert.Single(findings, f => f.Type == FindingType.DATE_MISMATCH);
        Assert.Equal((FindingVerdict.CONFIRMED, FindingStatus.OPEN, D, first.Id),
            (mismatch.Verdict, mismatch.Status, mismatch.BusinessDate, mismatch.LastRunId));
        var lineSide = Assert.Single(findings, f => f.Type == FindingType.MISSING_INTERNAL);
        Assert.Equal((FindingVerdict.TRANSIENT, D.AddDays(1)), (lineSide.Verdict, lineSide.BusinessDate));
        Assert.Contains("another business date", lineSide.TransientReason);
    }

    [Fact]
    public async Task Run_FindsEveryTypeWithKeysMoneyAndDiff()
    {
        var ledger = new Ledger();
        var ok = Done("ok", 10_000, Noon, (4_000, Noon.AddHours(1)));
        var amount = Done("amount", 20_000, Noon);
        var fee = Done("fee", 30_000, Noon);
        var dup = Done("dup", 5_000, Noon);
        var missingExt = Done("missext", 7_000, Noon);
        var lateNight = Done("midnight", 9_000, BusinessCalendar.StartOfDayUtc(D.AddDays(1)).AddMilliseconds(-1));
        ledger.Payments.AddRange([ok, amount, fee, dup, missingExt, lateNight,
            new LedgerPayment("pay-aborted", "order-aborted", 15_000, PaymentMethod.CARD, PaymentStatus.ABORTED, [])]);
        ledger.Lines.AddRange([LineFor(ok.Transactions[0]), LineFor(ok.Transactions[1]),
            LineFor(amount.Transactions[0], amount: 19_000), LineFor(fee.Transactions[0], feeDelta: 500),
            LineFor(dup.Transactions[0]), LineFor(dup.Transactions[0]),
            LineFor(lateNight.Transactions[0], sold: D.AddDays(1)),
            new ExternalLine("tx-aborted", "pay-aborted", "order-aborted", PaymentMethod.CARD, 15_000, 375, D, Noon),
            new ExternalLine("tx-stranger", "pay-stranger", "order-stranger", PaymentMethod.CARD, -2_500, -62, D, Noon)]);
        await ledger.SaveAsync(db.Factory);

        var run = await ReconTestSupport.Service(db.Factory).RunAsync(D, RunTrigger.CLI, "tester");

        Assert.Equal(RunStatus.SUCCEEDED, run.Status);
        var findings = (await FindingsAsync()).ToDictionary(f => f.TransactionKey);
        Assert.Equal(FindingType.AMOUNT_MISMATCH, findings["tx-amount"].Type);
        Assert.Equal(1_000, findings["tx-amount"].MoneyAtRisk);
        Assert.Equal("amount", findings["tx-amount"].DiffFields);
        Assert.Equal(FindingType.FEE_MISMATCH, findings["tx-fee"].Type);
        Assert.Equal(500, findings["tx-fee"].MoneyAtRisk);
        Assert.Equal(FindingType.DUPLICATE_EXTERNAL, findings["tx-dup"].Type);
        Assert.Equal(2, findings["tx-dup"].ExternalLineCount);
        Assert.Equal(5_000, findings["tx-dup"].MoneyAtRisk);
        Assert.Equal(FindingType.MISSING_EXTERNAL, findings["tx-missext"].Type);
        Assert.Equal(FindingType.DATE_MISMATCH, findings["tx-midnight"].Type);
        Assert.Equal(FindingType.MISSING_EXTERNAL, findings["tx-midnight"].Pass1Type);
        Assert.Equal(D, findings["tx-midnight"].InternalBusinessDate);
        Assert.Equal(D.AddDays(1), findings["tx-midnight"].ExternalSoldDate);
        Assert.Equal(FindingType.CHARGED_BUT_FAILED, findings["tx-aborted"].Type);
        Assert.Equal(PaymentStatus.ABORTED, findings["tx-aborted"].PaymentStatus);
        Assert.Equal("tracepay-aborted", findings["tx-aborted"].TraceId);
        Assert.Equal(15_000, findings["tx-aborted"].MoneyAtRisk);
        Assert.Equal(FindingType.MISSING_INTERNAL, findings["tx-stranger"].Type);
        Assert.Equal(2_500, findings["tx-stranger"].MoneyAtRisk);
        Assert.DoesNotContain("tx-ok", findings.Keys);
        Assert.DoesNotContain("tx-ok-c1", findings.Keys);
        Assert.All(findings.Values, f => Assert.Equal(FindingVerdict.CONFIRMED, f.Verdict));
        Assert.All(findings.Values, f => Assert.Equal(FindingStatus.OPEN, f.Status));
        Assert.Equal(7, run.ConfirmedCount);
        Assert.Equal(findings.Values.Sum(f => f.MoneyAtRisk), run.ConfirmedAmount);
        Assert.Equal(7, run.Totals.Count);
    }

    [Fact]
    public async Task Run_WhenDataSettlesBetweenPasses_KeepsOnlySurvivorsConfirmed()
    {
        var ledger = new Ledger();
        var late = Done("late", 8_000, Noon);           // its PG line arrives between the passes
        var real = Done("real", 6_000, Noon);           // a true amount mismatch
        var unknown = new LedgerPayment("pay-unknown", "order-unknown", 12_000, PaymentMethod.CARD, PaymentStatus.UNKNOWN, []);
        ledger.Payments.AddRange([late, real, unknown]);
        ledger.Lines.Add(LineFor(real.Transactions[0], amount: 6_500));
        ledger.Lines.Add(new ExternalLine("tx-unknown", "pay-unknown", "order-unknown", PaymentMethod.CARD, 12_000, 300, D, Noon));
        await ledger.SaveAsync(db.Factory);

        var between = new ReconTestSupport.OnPhase(RunPhase.SETTLING, async _ =>
        {
            await Ledger.AddLinesAsync(db.Factory, [LineFor(late.Transactions[0])]);
            // The janitor learns the PG charged the UNKNOWN payment and records the approval.
            await using var ctx = db.Factory.CreateDbContext();
            var p = await ctx.Payments.SingleAsync(x => x.PaymentKey == "pay-unknown");
            p.MarkApproved("tx-unknown", PaymentMethod.CARD, Noon, DateTimeOffset.UtcNow);
            await ctx.SaveChangesAsync();
        });

        var run = await ReconTestSupport.Service(db.Factory).RunAsync(D, RunTrigger.CLI, "tester", progress: between);

        Assert.Equal(1, between.Calls);
        Assert.Equal(3, run.Pass1Count);
        Assert.Equal(1, run.ConfirmedCount);
        Assert.Equal(2, run.TransientCount);
        var findings = (await FindingsAsync()).ToDictionary(f => f.TransactionKey);
        Assert.Equal(FindingVerdict.CONFIRMED, findings["tx-real"].Verdict);
        Assert.Equal(FindingStatus.OPEN, findings["tx-real"].Status);
        Assert.Equal(FindingVerdict.TRANSIENT, findings["tx-late"].Verdict);
        Assert.Equal(FindingType.MISSING_EXTERNAL, findings["tx-late"].Type);
        Assert.Equal("PG line arrived after pass 1", findings["tx-late"].TransientReason);
        Assert.Equal(FindingStatus.AUTO_RESOLVED, findings["tx-late"].Status);
        Assert.Equal(FindingVerdict.TRANSIENT, findings["tx-unknown"].Verdict);
        Assert.Equal(FindingType.CHARGED_BUT_FAILED, findings["tx-unknown"].Type);
        Assert.Contains("janitor", findings["tx-unknown"].TransientReason);
    }

    [Fact]
    public async Task Rerun_LeavesUnchangedFindingsUnwritten_RecordsTheSighting_AndRewritesWhatChanged()
    {
        var ledger = new Ledger();
        var real = Done("real", 6_000, Noon);           // stays an amount mismatch
        var late = Done("late", 8_000, Noon);           // its PG line arrives between the passes of the third run
        ledger.Payments.AddRange([real, late]);
        ledger.Lines.Add(LineFor(real.Transactions[0], amount: 6_500));
        await ledger.SaveAsync(db.Factory);
        var service = ReconTestSupport.Service(db.Factory);
        var first = await service.RunAsync(D, RunTrigger.CLI, "tester");
        var afterFirst = (await FindingsAsync()).ToDictionary(f => f.TransactionKey);

        var second = await service.RunAsync(D, RunTrigger.CLI, "tester", full: true);
        var afterSecond = (await FindingsAsync()).ToDictionary(f => f.TransactionKey);

        // Nothing changed: no row of any finding was written — not the finding (the version moves with every write), not
        // its last-seen row, not a sighting — yet the full run saw each of them, carried forward from the first.
        Assert.Equal((RunScope.FULL, first.Id), (second.Scope, second.CarriedFromRunId));
        Assert.All(afterSecond.Values, f => Assert.Equal(afterFirst[f.TransactionKey].Version, f.Version));
        Assert.All(afterSecond.Values, f => Assert.Equal((first.Id, 1), (f.LastRunId, f.SeenCount)));
        await using (var ctx = db.Factory.CreateDbContext())
            Assert.False(await ctx.Set<FindingSighting>().AnyAsync(s => s.RunId == second.Id));
        var findings = new FindingService(db.Factory, new AuditLog(db.Factory, TimeProvider.System), TimeProvider.System);
        var history = await findings.GetAsync(afterSecond["tx-real"].Id);
        Assert.Equal([(second.Id, FindingVerdict.CONFIRMED, 500L, true), (first.Id, FindingVerdict.CONFIRMED, 500L, false)],
            history!.Sightings.Select(s => (s.RunId, s.Verdict, s.MoneyAtRisk, s.IsCarried)));
        Assert.Equal(2, history.SeenCount);
        Assert.Equal(2, second.ConfirmedCount);
        Assert.Equal(["tx-late", "tx-real"], (await ReconTestSupport.FindingsOfRunAsync(db.Factory, second.Id)).Select(f => f.Key));

        var between = new ReconTestSupport.OnPhase(RunPhase.SETTLING,
            _ => Ledger.AddLinesAsync(db.Factory, [LineFor(late.Transactions[0])]));
        var third = await service.RunAsync(D, RunTrigger.CLI, "tester", progress: between, full: true);
        var afterThird = (await FindingsAsync()).ToDictionary(f => f.TransactionKey);

        Assert.Equal(afterFirst["tx-real"].Version, afterThird["tx-real"].Version);
        // tx-late went transient: that finding changed, so it was written.
        Assert.Equal((FindingVerdict.TRANSIENT, FindingStatus.AUTO_RESOLVED), (afterThird["tx-late"].Verdict, afterThird["tx-late"].Status));
        Assert.True(afterThird["tx-late"].Version > afterFirst["tx-late"].Version);
        Assert.Equal((1, 1), (third.ConfirmedCount, third.TransientCount));
        // The third run carried from the second: it wrote tx-late (its items changed) and carried tx-real.
        Assert.Equal(second.Id, third.CarriedFromRunId);
        Assert.Equal((third.Id, first.Id), (afterThird["tx-late"].LastRunId, afterThird["tx-real"].LastRunId));
        Assert.Equal([(third.Id, FindingVerdict.TRANSIENT, false), (second.Id, FindingVerdict.CONFIRMED, true), (first.Id, FindingVerdict.CONFIRMED, false)],
            (await findings.GetAsync(afterThird["tx-late"].Id))!.Sightings.Select(s => (s.RunId, s.Verdict, s.IsCarried)));
    }

    [Fact]
    public async Task Rerun_UpdatesTheSameFindings_AndAutoResolvesWhatIsGone()
    {
        var ledger = new Ledger();
        var a = Done("a", 10_000, Noon);
        var b = Done("b", 11_000, Noon);
        ledger.Payments.AddRange([a, b]);
        ledger.Lines.Add(LineFor(a.Transactions[0], amount: 9_000));
        await ledger.SaveAsync(db.Factory);
        var service = ReconTestSupport.Service(db.Factory);

        var first = await service.RunAsync(D, RunTrigger.CLI, "tester");
        var afterFirst = await FindingsAsync();
        var findingB = afterFirst.Single(f => f.TransactionKey == "tx-b");
        await new FindingService(db.Factory, new AuditLog(db.Factory, TimeProvider.System), TimeProvider.System)
            .AcknowledgeAsync(findingB.Id, "alice");
        // Nothing changed: only a full re-run compares (and sees) these keys again.
        var second = await service.RunAsync(D, RunTrigger.CLI, "tester", full: true);
        var afterSecond = await FindingsAsync();

        Assert.Equal(afterFirst.Select(f => (f.Id, f.TransactionKey, f.Type)), afterSecond.Select(f => (f.Id, f.TransactionKey, f.Type)));
        // The full re-run saw both unchanged and carried them forward: their rows still name the run that wrote them.
        Assert.All(afterSecond, f => Assert.Equal((1, first.Id), (f.SeenCount, f.LastRunId)));
        Assert.All(afterSecond, f => Assert.Equal(first.Id, f.FirstRunId));
        Assert.Equal(FindingStatus.ACKNOWLEDGED, afterSecond.Single(f => f.TransactionKey == "tx-b").Status);

        await Ledger.AddLinesAsync(db.Factory, [LineFor(b.Transactions[0])]);
        var third = await service.RunAsync(D, RunTrigger.CLI, "tester");

        Assert.Equal(1, third.AutoResolvedCount);
        var detail = await new FindingService(db.Factory, new AuditLog(db.Factory, TimeProvider.System), TimeProvider.System)
            .GetAsync(findingB.Id);
        Assert.Equal(FindingStatus.AUTO_RESOLVED, detail!.Finding.Status);
        Assert.Equal([second.Id, first.Id], detail.Sightings.Select(s => s.RunId));
        // The third run was incremental: it compared tx-b, which changed, and carried tx-a forward: three runs saw tx-a, the
        // first wrote it and the two others carried it.
        var txA = (await FindingsAsync()).Single(f => f.TransactionKey == "tx-a");
        Assert.Equal((1, first.Id), (txA.SeenCount, txA.LastRunId));
        var txADetail = (await new FindingService(db.Factory, new AuditLog(db.Factory, TimeProvider.System), TimeProvider.System).GetAsync(txA.Id))!;
        Assert.Equal([third.Id, second.Id, first.Id], txADetail.Sightings.Select(s => s.RunId));
        Assert.Equal(3, txADetail.SeenCount);
    }

    [Fact]
    public async Task Run_WhileAnotherRunHoldsTheDate_IsRefused()
    {
        var ledger = new Ledger();
        var a = Done("lock", 10_000, Noon);
        ledger.Payments.Add(a);
        await ledger.SaveAsync(db.Factory);
        var service = ReconTestSupport.Service(db.Factory);
        DomainException? refused = null;
        ReconRun? otherDate = null;
        var during = new ReconTestSupport.OnPhase(RunPhase.SETTLING, async _ =>
        {
            // A second replica with its own service instance tries the same date.
            refused = await Assert.ThrowsAsync<DomainException>(() =>
                ReconTestSupport.Service(db.Factory).RunAsync(D, RunTrigger.USER, "bob"));
            otherDate = await ReconTestSupport.Service(db.Factory).RunAsync(D.AddDays(-1), RunTrigger.USER, "bob");
        });

        var run = await service.RunAsync(D, RunTrigger.CLI, "alice", progress: during);

        Assert.Equal("RUN_IN_PROGRESS", refused?.Code);
        Assert.Equal(RunStatus.SUCCEEDED, otherDate?.Status);
        Assert.Equal(RunStatus.SUCCEEDED, run.Status);
        var again = await service.RunAsync(D, RunTrigger.CLI, "alice");
        Assert.Equal(RunStatus.SUCCEEDED, again.Status);
    }

    [Fact]
    public async Task Run_AfterAnAbandonedRun_TakesOverTheDate()
    {
        await using (var ctx = db.Factory.CreateDbContext())
        {
            ctx.Add(ReconRun.Start(D, OpsConsole.Core.Gateway.PgConnections.LegacyName, RunTrigger.SCHEDULE, "crashed-replica", DateTimeOffset.UtcNow.AddHours(-2)));
            await ctx.SaveChangesAsync();
        }

        var run = await ReconTestSupport.Service(db.Factory).RunAsync(D, RunTrigger.CLI, "alice");

        Assert.Equal(RunStatus.SUCCEEDED, run.Status);
        var runs = await ReconTestSupport.Service(db.Factory).ListRunsAsync(D);
        Assert.Contains(runs, r => r.RequestedBy == "crashed-replica" && r.Status == RunStatus.FAILED && r.Error!.Contains("Abandoned"));
    }

    [Fact]
    public async Task FindingActions_FollowTheLifecycle_AndAreAudited()
    {
        var ledger = new Ledger();
        ledger.Payments.Add(Done("life", 10_000, Noon));
        await ledger.SaveAsync(db.Factory);
        var run = await ReconTestSupport.Service(db.Factory).RunAsync(D, RunTrigger.CLI, "tester");
        var service = new FindingService(db.Factory, new AuditLog(db.Factory, TimeProvider.System), TimeProvider.System);
        var page = await service.ListAsync(new FindingQuery(From: D, To: D, RunId: run.Id));
        var finding = Assert.Single(page.Items);

        await service.AssignAsync(finding.Id, "carol", "alice");
        await service.AddNoteAsync(finding.Id, "carol", "PG says the line comes tomorrow");
        var acked = await service.AcknowledgeAsync(finding.Id, "carol");
        await Assert.ThrowsAsync<DomainException>(() => service.AcknowledgeAsync(finding.Id, "carol"));
        var stale = await Assert.ThrowsAsync<DomainException>(() =>
            service.ResolveAsync(finding.Id, "carol", "done", expectedVersion: finding.Version));
        var resolved = await service.ResolveAsync(finding.Id, "carol", "Line arrived; settled.", acked.Version);

        Assert.Equal("FINDING_CHANGED", stale.Code);
        Assert.Equal(FindingStatus.RESOLVED, resolved.Status);
        Assert.Equal("carol", resolved.Assignee);
        var detail = await service.GetAsync(finding.Id);
        Assert.Equal(["PG says the line comes tomorrow", "Line arrived; settled."], detail!.Notes.Select(n => n.Text));
        await using var ctx = db.Factory.CreateDbContext();
        var audit = await ctx.AuditEntries.Where(e => e.TargetType == "recon_finding").Select(e => e.Action).ToListAsync();
        Assert.Equal(["finding.acknowledge", "finding.assign", "finding.note", "finding.resolve"], audit.Order());
        // A later run that still sees it does not reopen a finding a person resolved.
        await ReconTestSupport.Service(db.Factory).RunAsync(D, RunTrigger.CLI, "tester");
        Assert.Equal(FindingStatus.RESOLVED, (await service.GetAsync(finding.Id))!.Finding.Status);
    }
}

public sealed class SqliteReconciliationRunTests(SqliteTestDatabase db)
    : ReconciliationRunTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresReconciliationRunTests(PostgresTestDatabase db)
    : ReconciliationRunTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;
