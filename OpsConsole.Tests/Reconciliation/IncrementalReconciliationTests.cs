using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// An incremental re-run (only the keys changed since the date's last successful run) leaves the findings exactly as a
/// full run would: random ledgers over three business dates, each reconciled in full, then two rounds of random changes
/// through the real write paths (late PG lines, a re-pulled statement that differs in a few lines, cancels, failed
/// payments the janitor or a repair finds approved) each followed by incremental runs of the three dates; then every
/// date is run again in full, and the findings must not change. An incremental run compares only the changed keys and
/// carries the other findings of the date's last run forward: its sightings (the findings it saw, with their verdict and
/// money at risk) and its totals must be the following full run's.
/// </summary>
public abstract class IncrementalReconciliationTests<TDb>(TDb db, ITestOutputHelper output) where TDb : TestDatabase
{
    private static readonly DateOnly D = ReconTestSupport.Date;
    private static readonly DateOnly[] Dates = [D.AddDays(-1), D, D.AddDays(1)];

    [Fact]
    public async Task IncrementalRuns_AfterRandomChanges_LeaveTheFindingsAFullRunWould()
    {
        var service = ReconTestSupport.Service(db.Factory);
        var compared = 0;
        var carried = 0;
        await FixedSamples.ForEachAsync(12, 1806, 4, 30, async (payments, seed) =>
        {
            await FreshLedgerAsync(seed, payments);
            foreach (var date in Dates)
                Assert.Equal(RunScope.FULL, (await RunAsync(service, date, full: false, seed)).Scope);

            var r = new Random(seed);
            var lastIncremental = new Dictionary<DateOnly, long>();
            for (var round = 0; round < 2; round++)
            {
                for (var n = r.Next(1, 4); n > 0; n--) await ChangeAsync(r, seed);
                foreach (var date in Dates)
                {
                    var run = await RunAsync(service, date, full: false, seed);
                    Assert.True(run.Scope == RunScope.INCREMENTAL, $"seed {seed}: run of {date} was {run.Scope}");
                    compared += run.ComparedKeys ?? 0;
                    carried += await CarriedAsync(run.Id);
                    lastIncremental[date] = run.Id;
                }
            }
            var incremental = await SnapshotAsync();
            var fullRuns = new Dictionary<DateOnly, long>();
            foreach (var date in Dates) fullRuns[date] = (await RunAsync(service, date, full: true, seed)).Id;
            var full = await SnapshotAsync();

            // The incremental runs' control totals (the last recorded totals plus the changes since) equal the full runs'
            // (nothing changed between them), and both equal the ledgers' sums: the verification finds no drift.
            var verifier = new OpsConsole.Core.Reconciliation.ControlTotals.ControlTotalsVerifier(db.Factory, TimeProvider.System);
            foreach (var date in Dates)
            {
                Assert.True((await TotalsAsync(lastIncremental[date])).SequenceEqual(await TotalsAsync(fullRuns[date])),
                    $"seed {seed}, payments {payments} ({db.Provider}): control totals of {date}: incremental " +
                    $"[{string.Join("; ", await TotalsAsync(lastIncremental[date]))}] vs full [{string.Join("; ", await TotalsAsync(fullRuns[date]))}]");
                var check = await verifier.VerifyAsync(date, Ledger.DefaultPg,
                    OpsConsole.Core.Reconciliation.ControlTotals.VerificationTrigger.ON_DEMAND);
                Assert.True(check is { Drifted: false }, $"seed {seed}, payments {payments} ({db.Provider}): control totals of {date} drifted: {check?.Drift}");
            }

            // The last incremental run of each date saw what the full run saw, compared or carried forward.
            foreach (var date in Dates)
            {
                var (inc, ful) = (await SightingsAsync(lastIncremental[date]), await SightingsAsync(fullRuns[date]));
                if (!inc.SequenceEqual(ful))
                    Assert.Fail($"seed {seed}, payments {payments} ({db.Provider}): the findings the incremental run of {date} saw differ from the full run's\n incremental:\n  " +
                                string.Join("\n  ", inc) + "\n full:\n  " + string.Join("\n  ", ful));
                Assert.Equal(await RunTotalsAsync(fullRuns[date]), await RunTotalsAsync(lastIncremental[date]));
            }

            if (!incremental.SequenceEqual(full))
                Assert.Fail($"seed {seed}, payments {payments} ({db.Provider}): incremental differs from full\n incremental:\n  " +
                            string.Join("\n  ", incremental.Except(full)) + "\n full:\n  " + string.Join("\n  ", full.Except(incremental)));
        }, output.WriteLine);
        // The changes must reach the incremental runs, or the property proves little.
        Assert.True(compared > 12, $"only {compared} keys compared incrementally");
        Assert.True(carried > 12, $"only {carried} findings carried forward");
    }

    /// <summary>
    /// A full run that carries (<see cref="ReconciliationOptions.CarryUnchangedFindings"/>) compares every key but writes only
    /// the findings of the keys whose items or state changed since the date's last full run; the others it carries forward.
    /// Random ledgers over three dates, then rounds of random changes (through the real write paths, and people
    /// acknowledging and resolving findings) each followed by full runs that carry; then a full run that writes every
    /// finding (carrying off) must find the same findings, see the same ones with the same verdicts and money at risk, and
    /// give the same totals and control totals.
    /// </summary>
    [Fact]
    public async Task FullRunsThatCarry_AfterRandomChanges_SeeAndLeaveWhatFullRunsWritingEveryFindingWould()
    {
        var carrying = ReconTestSupport.Service(db.Factory);
        var writing = ReconTestSupport.Service(db.Factory,
            options: new ReconciliationOptions { SettleDelay = TimeSpan.Zero, CarryUnchangedFindings = false });
        var written = 0;
        var carried = 0;
        var forgotten = 0;
        await FixedSamples.ForEachAsync(10, 2712, 4, 30, async (payments, seed) =>
        {
            // PostgreSQL compares a full run's items with its base's in pass 1's key ranges, taken from the key's histogram.
            await FreshLedgerAsync(seed, payments, keyHistogram: true);
            foreach (var date in Dates)
                Assert.Null((await RunAsync(carrying, date, full: true, seed)).CarriedFromRunId);

            var r = new Random(seed);
            var last = new Dictionary<DateOnly, long>();
            for (var round = 0; round < 3; round++)
            {
                var marksBefore = await LastMarkAsync();
                for (var n = r.Next(0, 3); n > 0; n--) await ChangeAsync(r, seed);
                // Every other round the changes reach no mark (a fix made in the database by hand): the full run finds them
                // by its items alone. The marks of runs (a finding another date's run saw) stay.
                if (r.Next(2) == 0) forgotten += await ForgetMarksAsync(marksBefore);
                await ActOnAFindingAsync(r);
                foreach (var date in Dates)
                {
                    var run = await RunAsync(carrying, date, full: true, seed);
                    Assert.True(run is { Scope: RunScope.FULL, CarriedFromRunId: not null }, $"seed {seed}: run of {date} did not carry");
                    written += await RunKeysAsync(run.Id);
                    carried += await CarriedAsync(run.Id);
                    last[date] = run.Id;
                }
            }
            var afterCarrying = await SnapshotAsync();
            var reportCarrying = await ControlReportAsync();
            var reference = new Dictionary<DateOnly, long>();
            foreach (var date in Dates)
            {
                var run = await RunAsync(writing, date, full: true, seed);
                Assert.Null(run.CarriedFromRunId);
                reference[date] = run.Id;
            }
            var context = $"seed {seed}, payments {payments} ({db.Provider})";
            foreach (var date in Dates)
            {
                var (car, wri) = (await SightingsAsync(last[date]), await SightingsAsync(reference[date]));
                if (!car.SequenceEqual(wri))
                    Assert.Fail($"{context}: the findings the carrying run of {date} saw differ from those of a run writing every finding\n carrying:\n  " +
                                string.Join("\n  ", car) + "\n writing:\n  " + string.Join("\n  ", wri));
                Assert.Equal(await RunTotalsAsync(reference[date]), await RunTotalsAsync(last[date]));
            }
            var afterWriting = await SnapshotAsync();
            if (!afterCarrying.SequenceEqual(afterWriting))
                Assert.Fail($"{context}: the findings differ\n carrying:\n  " + string.Join("\n  ", afterCarrying.Except(afterWriting)) +
                            "\n writing:\n  " + string.Join("\n  ", afterWriting.Except(afterCarrying)));
            Assert.Equal(reportCarrying, await ControlReportAsync());
        }, output.WriteLine);
        // Both paths must be taken, or the property proves little.
        Assert.True(written > 10, $"only {written} keys written by carrying runs");
        Assert.True(forgotten > 5, $"only {forgotten} changes reached no mark");
        Assert.True(carried > 100, $"only {carried} findings carried forward");
    }

    [Fact]
    public async Task ARerunWithoutChanges_ComparesNoKeys_AndAFailedRunsKeysAreComparedByTheNext()
    {
        await Ledger.ClearAsync(db.Factory);
        var ledger = RandomLedger.Create(7, 10, D);
        await ledger.SaveAsync(db.Factory);
        var service = ReconTestSupport.Service(db.Factory);
        await RunAsync(service, D, full: false, 7);

        // No marks: the re-run compares nothing and carries the date's findings forward.
        var open = await OpenKeysAsync(D);
        Assert.NotEmpty(open);
        var again = await RunAsync(service, D, full: false, 7);
        Assert.Equal((RunScope.INCREMENTAL, 0), (again.Scope, again.ComparedKeys ?? -1));
        Assert.Equal(open, await OpenKeysAsync(D));

        await Ledger.AddLinesAsync(db.Factory, [Orphan("late-1")]);
        // The next run claims the key, then fails (cancelled before pass 1); the run after it must compare it again.
        using (var cts = new CancellationTokenSource())
        {
            var cancelling = new ReconTestSupport.OnPhase(RunPhase.PASS1, _ =>
            {
                cts.Cancel();
                return Task.CompletedTask;
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                service.RunAsync(D, RunTrigger.CLI, "test", progress: cancelling, cancellationToken: cts.Token));
        }
        var next = await RunAsync(service, D, full: false, 7);
        Assert.Equal((RunScope.INCREMENTAL, 1), (next.Scope, next.ComparedKeys ?? -1));
        await using var read = db.Factory.CreateDbContext();
        Assert.True(await read.Set<Finding>().AnyAsync(f => f.TransactionKey == "late-1" && f.Status == FindingStatus.OPEN));
        // The findings of the run before the failed one are carried forward by the next successful run.
        Assert.Equal(open.Append("late-1").Order(StringComparer.Ordinal), (await OpenKeysAsync(D)).Order(StringComparer.Ordinal));
        Assert.Equal(open.Append("late-1").Order(StringComparer.Ordinal),
            (await ReconTestSupport.FindingsOfRunAsync(db.Factory, next.Id)).Where(f => f.Verdict == FindingVerdict.CONFIRMED)
                .Select(f => f.Key).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ACsvStatementImportedAgainWithOneLineChanged_MarksOnlyThatKey()
    {
        await Ledger.ClearAsync(db.Factory);
        var service = ReconTestSupport.Service(db.Factory);
        var importer = new SettlementImporter(db.Factory, TimeProvider.System);
        const string header = "paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate,currency,mId";
        static string Line(int i, long amount) =>
            $"csvpay{i},csvtx{i},csvorder{i},CARD,{amount},{amount / 40},{amount - amount / 11},{amount / 11},{amount - amount / 40},2026-03-15T10:00:00+09:00,2026-03-15,2026-03-17,KRW,";
        static MemoryStream Csv(IEnumerable<string> lines) => new(System.Text.Encoding.UTF8.GetBytes(header + "\n" + string.Join("\n", lines) + "\n"));

        Assert.True((await importer.ImportCsvAsync(Csv(Enumerable.Range(1, 5).Select(i => Line(i, 10_000))), "a.csv", "test")).Succeeded);
        var first = await RunAsync(service, D, full: false, 0);
        Assert.Equal(RunScope.FULL, first.Scope);
        // The same statement again with one amount corrected: one key changed, four identical.
        Assert.True((await importer.ImportCsvAsync(Csv(Enumerable.Range(1, 5).Select(i => Line(i, i == 3 ? 12_000 : 10_000))), "b.csv", "test")).Succeeded);

        await using var read = db.Factory.CreateDbContext();
        Assert.Equal(["csvtx3"], await read.Set<ReconDirtyKey>().Where(k => k.BusinessDate == D).Select(k => k.TransactionKey)
            .Distinct().ToListAsync());

        var run = await RunAsync(service, D, full: false, 0);

        // Only the marked key is compared; the date's four other open MISSING_INTERNAL findings are carried forward.
        Assert.Equal((RunScope.INCREMENTAL, 1), (run.Scope, run.ComparedKeys ?? -1));
        Assert.Equal(12_000, (await read.Set<Finding>().SingleAsync(f => f.TransactionKey == "csvtx3")).ExternalAmount);
        // The compared one was last compared by the run; the carried ones keep the run that compared them (no row of theirs
        // is written), yet the run saw all five.
        Assert.Equal([(first.Id, 1, FindingStatus.OPEN), (first.Id, 1, FindingStatus.OPEN), (run.Id, 2, FindingStatus.OPEN),
                      (first.Id, 1, FindingStatus.OPEN), (first.Id, 1, FindingStatus.OPEN)],
            (await read.Set<Finding>().AsNoTracking().OrderBy(f => f.TransactionKey).ToListAsync()).Select(f => (f.LastRunId, f.SeenCount, f.Status)));
        Assert.Equal(5, (await ReconTestSupport.FindingsOfRunAsync(db.Factory, run.Id)).Count);
    }

    [Fact]
    public async Task AnIncrementalRun_ComparesOnlyWhatTheWritePathsMarked_AndAFullRunThatCarries_AlsoAFindingEditedByHand()
    {
        await Ledger.ClearAsync(db.Factory);
        var service = ReconTestSupport.Service(db.Factory);
        await Ledger.AddLinesAsync(db.Factory, [Orphan("unmarked-1"), Orphan("unmarked-2"), Orphan("unmarked-3"), Orphan("unmarked-4")]);
        var first = await RunAsync(service, D, full: false, 0);
        Assert.Equal(RunScope.FULL, first.Scope);
        Assert.Equal(["unmarked-1", "unmarked-2", "unmarked-3", "unmarked-4"], await OpenKeysAsync(D));
        var otherDate = await RunAsync(service, D.AddDays(1), full: false, 0);

        // Changes no write path marked: a line withdrawn and a finding's status set straight in the database. A finding
        // another date's run saw since, as that run leaves it: transient, auto-resolved, last seen by it, and its key marked
        // for the date that saw it before (ReconciliationSqlGenerator.MovedFindingsMark).
        await using (var ctx = db.Factory.CreateDbContext())
        {
            await ctx.Set<SettlementLine>().Where(l => l.TransactionKey == "unmarked-1").ExecuteDeleteAsync();
            await ctx.Database.ExecuteSqlRawAsync("UPDATE recon_findings SET status = 'AUTO_RESOLVED' WHERE transaction_key = 'unmarked-3'");
            await ctx.Database.ExecuteSqlRawAsync(
                "UPDATE recon_findings SET status = 'AUTO_RESOLVED', verdict = 'TRANSIENT' WHERE transaction_key = 'unmarked-4'");
            await ctx.Database.ExecuteSqlAsync(
                $"UPDATE recon_finding_last_seen SET last_run_id = {otherDate.Id} WHERE finding_id IN (SELECT id FROM recon_findings WHERE transaction_key = 'unmarked-4')");
            ctx.Add(ReconDirtyKey.For(D, "toss", "unmarked-4"));
            await ctx.SaveChangesAsync();
        }
        var run = await RunAsync(service, D, full: false, 0);

        // The incremental run compares the marked key only: the hand edits are carried as they are.
        Assert.Equal((RunScope.INCREMENTAL, 1), (run.Scope, run.ComparedKeys ?? -1));
        Assert.Equal(["unmarked-1", "unmarked-2", "unmarked-4"], await OpenKeysAsync(D));
        await using (var read = db.Factory.CreateDbContext())
        {
            // Carried or compared, each finding was seen by the run (its history and the run's totals say so); only the
            // compared one was last compared by it.
            Assert.Equal([(FindingStatus.OPEN, 1, first.Id), (FindingStatus.OPEN, 1, first.Id), (FindingStatus.AUTO_RESOLVED, 1, first.Id),
                          (FindingStatus.OPEN, 2, run.Id)],
                (await read.Set<Finding>().AsNoTracking().OrderBy(f => f.TransactionKey).ToListAsync())
                .Select(f => (f.Status, f.SeenCount, f.LastRunId)));
        }

        // A full run sees what no mark reached: the withdrawn line, and the finding whose status was set by hand.
        var full = await RunAsync(service, D, full: true, 0);
        Assert.Equal(RunScope.FULL, full.Scope);
        Assert.Equal(["unmarked-2", "unmarked-3", "unmarked-4"], await OpenKeysAsync(D));

        // So does a full run that carries from a full one (it claims the findings whose state its base did not leave).
        await using (var ctx = db.Factory.CreateDbContext())
            await ctx.Database.ExecuteSqlRawAsync("UPDATE recon_findings SET status = 'AUTO_RESOLVED' WHERE transaction_key = 'unmarked-2'");
        var carrying = await RunAsync(service, D, full: true, 0);
        Assert.Equal(full.Id, carrying.CarriedFromRunId);
        Assert.Equal(["unmarked-2", "unmarked-3", "unmarked-4"], await OpenKeysAsync(D));
    }

    [Fact]
    public async Task AnIncrementalRun_WritesNoSightingForTheFindingsItCarries_YetItsFindingsTotalsSummaryAndTheirHistoryCountThem()
    {
        await Ledger.ClearAsync(db.Factory);
        var service = ReconTestSupport.Service(db.Factory);
        var findings = new FindingService(db.Factory, new Core.Audit.AuditLog(db.Factory, TimeProvider.System), TimeProvider.System);
        await Ledger.AddLinesAsync(db.Factory, Enumerable.Range(1, 6).Select(i => Orphan($"carried-{i}")));
        var first = await RunAsync(service, D, full: false, 0);
        await Ledger.AddLinesAsync(db.Factory, [Orphan("late-1")]);
        var second = await RunAsync(service, D, full: false, 0);
        await Ledger.AddLinesAsync(db.Factory, [Orphan("late-2")]);
        // The third run carries from the second, which carried from the first.
        var third = await RunAsync(service, D, full: false, 0);
        Assert.Equal([(RunScope.FULL, -1), (RunScope.INCREMENTAL, 1), (RunScope.INCREMENTAL, 1)],
            new[] { first, second, third }.Select(r => (r.Scope, r.ComparedKeys ?? -1)));

        // Sighting rows: six for the full run, then only the compared key's for each incremental run.
        await using var read = db.Factory.CreateDbContext();
        var rows = new List<int>();
        foreach (var r in new[] { first, second, third })
            rows.Add(await read.Set<FindingSighting>().CountAsync(s => s.RunId == r.Id));
        Assert.Equal([6, 1, 1], rows);
        Assert.Equal((second.Id, first.Id), ((await service.GetRunAsync(third.Id))!.CarriedFromRunId, (await service.GetRunAsync(second.Id))!.CarriedFromRunId));

        // Yet every run saw every finding of the date: the run's findings filter, its totals, its Slack summary.
        var expected = Enumerable.Range(1, 6).Select(i => $"carried-{i}").ToList();
        foreach (var (run, keys) in new[] { (first, expected), (second, [.. expected, "late-1"]), (third, [.. expected, "late-1", "late-2"]) })
        {
            var page = await findings.ListAsync(new FindingQuery(RunId: run.Id, Take: 100));
            Assert.Equal(keys.Order(StringComparer.Ordinal), page.Items.Select(f => f.TransactionKey).Order(StringComparer.Ordinal));
            Assert.Equal(keys.Count, (await service.GetRunAsync(run.Id))!.ConfirmedCount);
            Assert.Equal(5, (await service.SummaryAsync((await service.GetRunAsync(run.Id))!)).LargestFindings.Count);
            Assert.Equal(keys.Count, (await ReconTestSupport.FindingsOfRunAsync(db.Factory, run.Id)).Count);
        }

        // A carried finding's history lists the runs that carried it, newest first; its detail counts them and says when the
        // last one saw it, while its own row still names the run that last compared it (a carry writes no row of the finding).
        var carried = await read.Set<Finding>().AsNoTracking().SingleAsync(f => f.TransactionKey == "carried-1");
        var detail = (await findings.GetAsync(carried.Id))!;
        Assert.Equal([third.Id, second.Id, first.Id], detail.Sightings.Select(s => s.RunId));
        Assert.All(detail.Sightings, s => Assert.Equal((FindingVerdict.CONFIRMED, D), (s.Verdict, s.RunBusinessDate)));
        Assert.Equal((1, first.Id), (carried.SeenCount, carried.LastRunId));
        Assert.Equal((3, (await service.GetRunAsync(third.Id))!.CarriedAt), (detail.SeenCount, (DateTimeOffset?)detail.LastSeenAt));
        Assert.True(detail.LastSeenAt > carried.LastSeenAt);
        var late = await read.Set<Finding>().AsNoTracking().SingleAsync(f => f.TransactionKey == "late-1");
        Assert.Equal([third.Id, second.Id], (await findings.GetAsync(late.Id))!.Sightings.Select(s => s.RunId));
    }

    [Fact]
    public async Task AFindingAnIncrementalRunResolved_IsNotComparedAgainByTheRunsCarryingFromIt()
    {
        await Ledger.ClearAsync(db.Factory);
        var service = ReconTestSupport.Service(db.Factory);
        await Ledger.AddLinesAsync(db.Factory, [Orphan("gone-1"), Orphan("stays-1")]);
        var first = await RunAsync(service, D, full: false, 0);
        Assert.Equal(RunScope.FULL, first.Scope);

        // The PG withdraws gone-1's line; its key is marked (as the ingestion marks a superseded line).
        await using (var ctx = db.Factory.CreateDbContext())
        {
            await ctx.Set<SettlementLine>().Where(l => l.TransactionKey == "gone-1").ExecuteDeleteAsync();
            ctx.Add(ReconDirtyKey.For(D, Ledger.DefaultPg, "gone-1"));
            await ctx.SaveChangesAsync();
        }
        var second = await RunAsync(service, D, full: false, 0);
        Assert.Equal((RunScope.INCREMENTAL, 1, 1), (second.Scope, second.ComparedKeys ?? -1, second.AutoResolvedCount));
        await using var read = db.Factory.CreateDbContext();
        // Resolved by the second run, which compared its key: its last-seen row still names the first run, of the chain.
        var gone = await read.Set<Finding>().AsNoTracking().SingleAsync(f => f.TransactionKey == "gone-1");
        Assert.Equal((FindingStatus.AUTO_RESOLVED, FindingVerdict.CONFIRMED, first.Id), (gone.Status, gone.Verdict, gone.LastRunId));

        // Nothing changed since: the next runs carry from the second and compare nothing — not the resolved finding, whose
        // resolution a run of the chain made, nor the carried one.
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var next = await RunAsync(service, D, full: false, 0);
            Assert.Equal((RunScope.INCREMENTAL, 0), (next.Scope, next.ComparedKeys ?? -1));
            Assert.Equal(["stays-1"], (await ReconTestSupport.FindingsOfRunAsync(db.Factory, next.Id)).Select(f => f.Key));
        }
    }

    /// <summary>An incremental run, or a full run that carries (it writes the finding's key again rather than carry it).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFindingThatARunOfAnotherDateSees_IsComparedAgainByTheNextRunOfTheDateThatSawItBefore(bool full)
    {
        await Ledger.ClearAsync(db.Factory);
        var service = ReconTestSupport.Service(db.Factory);
        // The PG reported the key on two days and we have no transaction: each day's run sees the same finding.
        await Ledger.AddLinesAsync(db.Factory, [Orphan("both-days"), Orphan("both-days") with { SoldDate = D.AddDays(1) }]);
        var day = await RunAsync(service, D, full: false, 0);
        var next = await RunAsync(service, D.AddDays(1), full: false, 0);
        Assert.Equal((RunScope.FULL, RunScope.FULL), (day.Scope, next.Scope));
        await using var read = db.Factory.CreateDbContext();
        var finding = await read.Set<Finding>().AsNoTracking().SingleAsync(f => f.TransactionKey == "both-days");
        Assert.Equal((next.Id, 2), (finding.LastRunId, finding.SeenCount));

        // Nothing changed since, yet neither date's next run may carry it from its own last run: the other date's run saw it
        // since. Each compares the key (the run that saw it last marked it for the other date) and sees it again.
        foreach (var date in new[] { D, D.AddDays(1) })
        {
            var run = await RunAsync(service, date, full, 0);
            Assert.Equal(full ? (RunScope.FULL, -1) : (RunScope.INCREMENTAL, 1), (run.Scope, run.ComparedKeys ?? -1));
            Assert.NotNull(run.CarriedFromRunId);
            await using var ctx = db.Factory.CreateDbContext();
            Assert.Equal(["both-days"], await ctx.Set<ReconRunKey>().Where(k => k.RunId == run.Id).Select(k => k.TransactionKey).ToListAsync());
            var seen = await ctx.Set<Finding>().AsNoTracking().SingleAsync(f => f.TransactionKey == "both-days");
            Assert.Equal(run.Id, seen.LastRunId);
            Assert.Single(await ReconTestSupport.FindingsOfRunAsync(db.Factory, run.Id));
        }
    }

    /// <summary>The findings a run saw (compared or carried forward), each with its verdict and money at risk, in order.</summary>
    private async Task<List<string>> SightingsAsync(long runId)
    {
        await using var ctx = db.Factory.CreateDbContext();
        var rows = await (from s in (await RunSightings.SeenByRunAsync(ctx, runId)).AsNoTracking()
                          join f in ctx.Set<Finding>() on s.FindingId equals f.Id
                          select new { f.TransactionKey, f.Type, s.Verdict, s.MoneyAtRisk }).ToListAsync();
        return rows.Select(r => $"{r.TransactionKey}|{r.Type}|{r.Verdict}|{r.MoneyAtRisk}").Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>How many findings a run saw without comparing their key (carried forward).</summary>
    private async Task<int> CarriedAsync(long runId)
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await (from s in await RunSightings.SeenByRunAsync(ctx, runId)
                      join f in ctx.Set<Finding>() on s.FindingId equals f.Id
                      where !ctx.Set<ReconRunKey>().Any(k => k.RunId == runId && k.TransactionKey == f.TransactionKey)
                      select s.Id).CountAsync();
    }

    /// <summary>A random ledger in place of the last one; with <paramref name="keyHistogram"/>, PostgreSQL's statistics of
    /// the transactions' key too (pass 1's key ranges come from its histogram).</summary>
    private async Task FreshLedgerAsync(int seed, int payments, bool keyHistogram = false)
    {
        await Ledger.ClearAsync(db.Factory);
        await RandomLedger.Create(seed, payments, D).SaveAsync(db.Factory);
        if (!keyHistogram || db.Provider != DatabaseProvider.Postgres) return;
        await using var stats = db.Factory.CreateDbContext();
        await stats.Database.ExecuteSqlRawAsync("ANALYZE payment_transactions");
    }

    /// <summary>How many keys a run took as its own (compared by an incremental run; written by a full run that carries).</summary>
    private async Task<int> RunKeysAsync(long runId)
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.Set<ReconRunKey>().CountAsync(k => k.RunId == runId);
    }

    private async Task<long> LastMarkAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.Set<ReconDirtyKey>().MaxAsync(k => (long?)k.Id) ?? 0;
    }

    /// <summary>Deletes the change marks written after mark <paramref name="after"/>; returns how many.</summary>
    private async Task<int> ForgetMarksAsync(long after)
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.Set<ReconDirtyKey>().Where(k => k.Id > after).ExecuteDeleteAsync();
    }

    /// <summary>Someone acknowledges or resolves one of the open findings, or no one does anything.</summary>
    private async Task ActOnAFindingAsync(Random r)
    {
        var service = new FindingService(db.Factory, new OpsConsole.Core.Audit.AuditLog(db.Factory, TimeProvider.System), TimeProvider.System);
        await using var ctx = db.Factory.CreateDbContext();
        var open = await ctx.Set<Finding>().AsNoTracking()
            .Where(f => f.Status == FindingStatus.OPEN || f.Status == FindingStatus.ACKNOWLEDGED).OrderBy(f => f.Id).Select(f => f.Id).ToListAsync();
        if (open.Count == 0) return;
        var id = open[r.Next(open.Count)];
        switch (r.Next(3))
        {
            case 0: await service.ResolveAsync(id, "carol", "refunded by hand"); break;
            case 1:
                if ((await ctx.Set<Finding>().AsNoTracking().SingleAsync(f => f.Id == id)).Status == FindingStatus.OPEN)
                    await service.AcknowledgeAsync(id, "dave");
                break;
        }
    }

    /// <summary>The control totals' explanation of the three dates by the standing findings.</summary>
    private async Task<string> ControlReportAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        var report = await OpsConsole.Core.Reconciliation.ControlTotals.ControlTotalsQuery.LoadAsync(ctx, Dates[0], Dates[^1]);
        return $"unmatched {report.UnmatchedTransactions}; " + string.Join("; ", report.ByType.Select(t => t.ToString())) + "; " +
               string.Join("; ", report.Days.Select(d => $"{d.Date} {d.Pg}: ours {d.OurNet}, PG {d.PgGross}, findings {d.FindingsDifference}"));
    }

    /// <summary>A run's counts and amounts by type (the Runs page's), in order.</summary>
    private async Task<List<string>> RunTotalsAsync(long runId)
    {
        await using var ctx = db.Factory.CreateDbContext();
        var rows = await ctx.Set<ReconRunTotal>().AsNoTracking().Where(t => t.RunId == runId).ToListAsync();
        return rows.Select(t => $"{t.FindingType} {t.ConfirmedCount} {t.ConfirmedAmount} {t.TransientCount}").Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>A run's control totals, one line per currency, in order.</summary>
    private async Task<List<string>> TotalsAsync(long runId)
    {
        await using var ctx = db.Factory.CreateDbContext();
        var rows = await ctx.Set<OpsConsole.Core.Reconciliation.ControlTotals.RunControlTotal>().AsNoTracking()
            .Where(t => t.RunId == runId).ToListAsync();
        return rows.Select(t => $"{t.Currency} ours {t.Ours} pg {t.Pg}").Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The keys of the date's open or acknowledged findings, in order.</summary>
    private async Task<List<string>> OpenKeysAsync(DateOnly date)
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.Set<Finding>().Where(f => f.BusinessDate == date
                                                   && (f.Status == FindingStatus.OPEN || f.Status == FindingStatus.ACKNOWLEDGED))
            .Select(f => f.TransactionKey).Distinct().OrderBy(k => k).ToListAsync();
    }

    private static ExternalLine Orphan(string key) => new(key, key + "-pay", key + "-order", PaymentMethod.CARD, 5000,
        FeeSchedule.Default.ExpectedFee(PaymentMethod.CARD, 5000)!.Value, D, BusinessCalendar.StartOfDayUtc(D).AddHours(2));

    private async Task<ReconRun> RunAsync(ReconciliationService service, DateOnly date, bool full, int seed)
    {
        var run = await service.RunAsync(date, RunTrigger.CLI, "incremental-test", full: full);
        Assert.True(run.Status == RunStatus.SUCCEEDED, $"seed {seed}: run of {date} failed: {run.Error}");
        return run;
    }

    /// <summary>One random change through a real write path.</summary>
    private async Task ChangeAsync(Random r, int seed)
    {
        await using var ctx = db.Factory.CreateDbContext();
        var now = DateTimeOffset.UtcNow;
        switch (r.Next(5))
        {
            case 0:
            {
                // A late PG line: for one of our transactions (sometimes filed under the next day), or one we never had.
                var txs = await ctx.Set<PaymentTransaction>().AsNoTracking().OrderBy(t => t.Id).ToListAsync();
                if (txs.Count == 0 || r.Next(3) == 0)
                {
                    await Ledger.AddLinesAsync(db.Factory, [Orphan($"late{seed:x8}{r.Next(1000)}") with { SoldDate = Dates[r.Next(3)] }]);
                    break;
                }
                var t = txs[r.Next(txs.Count)];
                var sold = BusinessCalendar.BusinessDateOf(t.OccurredAt).AddDays(r.Next(4) == 0 ? 1 : 0);
                await Ledger.AddLinesAsync(db.Factory,
                    [new ExternalLine(t.TransactionKey!, t.PaymentKey, t.OrderId, t.Method!.Value, t.SignedAmount,
                        FeeSchedule.Default.ExpectedFee(t.Method!.Value, t.SignedAmount) ?? 0, sold, t.OccurredAt)]);
                break;
            }
            case 1:
            {
                // The PG's statement of a date again, a little different: a line dropped, one amount changed, one doubled.
                var date = Dates[r.Next(3)];
                var old = await ctx.Set<SettlementLine>().AsNoTracking().Where(l => l.SoldDate == date).OrderBy(l => l.Id).ToListAsync();
                var lines = old.Select(l => new ExternalLine(l.TransactionKey, l.PaymentKey, l.OrderId, l.Method, l.Amount, l.Fee,
                    l.SoldDate, l.ApprovedAt)).ToList();
                if (lines.Count > 0 && r.Next(2) == 0) lines.RemoveAt(r.Next(lines.Count));
                if (lines.Count > 0 && r.Next(2) == 0)
                {
                    var i = r.Next(lines.Count);
                    lines[i] = lines[i] with { Amount = lines[i].Amount + 100 };
                }
                if (lines.Count > 0 && r.Next(3) == 0) lines.Add(lines[r.Next(lines.Count)]);
                await using var tx = await ctx.Database.BeginTransactionAsync();
                var import = SettlementImport.ForPull(date, date, Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"),
                    lines.Count, "test", now, OpsConsole.Core.Gateway.PgConnections.LegacyName);
                ctx.Add(import);
                var n = 0;
                await SettlementLineWriter.SupersedeAsync(ctx, OpsConsole.Core.Gateway.PgConnections.LegacyName, [date], lines.Select(l => SettlementLine.Create(import, ++n,
                    l.PaymentKey, l.Key, l.OrderId, l.Method, l.Amount, l.Fee, l.Amount - l.Amount / 11, l.Amount / 11,
                    l.Amount - l.Fee, l.ApprovedAt, l.SoldDate, l.SoldDate.AddDays(2), "KRW", null)).ToList(), default);
                await ctx.SaveChangesAsync();
                await tx.CommitAsync();
                break;
            }
            case 2 or 3:
            {
                // A cancel of an approved payment, on any of the three days.
                var open = await ctx.Payments.Where(p => p.Status == PaymentStatus.DONE || p.Status == PaymentStatus.PARTIAL_CANCELED)
                    .OrderBy(p => p.Id).ToListAsync();
                if (open.Count == 0) break;
                var p = open[r.Next(open.Count)];
                var amount = Math.Max(1, p.BalanceAmount / 2);
                p.ReserveCancel(amount, now);
                p.CompleteCancel(amount, $"late-cancel-{p.PaymentKey}-{r.Next(100000)}",
                    BusinessCalendar.StartOfDayUtc(Dates[r.Next(3)]).AddMinutes(r.Next(1440)), now);
                await ctx.SaveChangesAsync();
                break;
            }
            default:
            {
                // A failed payment the PG did charge: a repair records the PG's approval (its line may be there already).
                var failed = await ctx.Payments.Where(p => p.Status == PaymentStatus.ABORTED || p.Status == PaymentStatus.EXPIRED
                                                           || p.Status == PaymentStatus.UNKNOWN).OrderBy(p => p.Id).ToListAsync();
                if (failed.Count == 0) break;
                var p = failed[r.Next(failed.Count)];
                p.RecordPgApproval("tx" + p.PaymentKey[3..] + "a", PaymentMethod.CARD,
                    BusinessCalendar.StartOfDayUtc(Dates[r.Next(3)]).AddMinutes(r.Next(1440)), now);
                await ctx.SaveChangesAsync();
                break;
            }
        }
    }

    /// <summary>Every finding as a run leaves it (not the history counters a run adds: seen count, last run, sightings).</summary>
    private async Task<List<string>> SnapshotAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        var rows = await ctx.Set<Finding>().AsNoTracking().ToListAsync();
        return rows.Select(f => string.Join('|', f.TransactionKey, f.Type, f.BusinessDate, f.Verdict, f.Status, f.Pass1Type,
                f.TransientReason, f.PaymentKey, f.PaymentStatus, f.InternalKind, f.InternalAmount, f.InternalBusinessDate,
                f.ExternalLineCount, f.ExternalAmount, f.ExternalAmountTotal, f.ExternalFee, f.ExternalExpectedFee,
                f.ExternalSoldDate, f.DiffFields, f.MoneyAtRisk))
            .Order(StringComparer.Ordinal).ToList();
    }
}

public sealed class SqliteIncrementalReconciliationTests(SqliteTestDatabase db, ITestOutputHelper output)
    : IncrementalReconciliationTests<SqliteTestDatabase>(db, output), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresIncrementalReconciliationTests(PostgresTestDatabase db, ITestOutputHelper output)
    : IncrementalReconciliationTests<PostgresTestDatabase>(db, output), IClassFixture<PostgresTestDatabase>;
