using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// Runs are per (PG, business date): matching is on (PG, key), each PG's run has its own lock, change marks and
/// findings, and a run never touches another PG's findings. Two connections: toss (API) and inicis (files).
/// </summary>
public abstract class MultiPgReconciliationTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    private static readonly DateOnly D = ReconTestSupport.Date;
    private static readonly DateTimeOffset Noon = BusinessCalendar.StartOfDayUtc(D).AddHours(12);
    private const string Toss = Ledger.DefaultPg;
    private const string Inicis = ReconTestSupport.FilePg;

    public Task InitializeAsync() => Ledger.ClearAsync(db.Factory);
    public Task DisposeAsync() => Task.CompletedTask;

    private ReconciliationService Service() => ReconTestSupport.Service(db.Factory, connections: ReconTestSupport.TwoPgs());

    private async Task<List<Finding>> FindingsAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.Set<Finding>().AsNoTracking().OrderBy(f => f.TransactionKey).ThenBy(f => f.Pg).ToListAsync();
    }

    [Fact]
    public async Task SameKeyAtTwoPgs_MatchesOnlyAtItsOwnPg()
    {
        var ledger = new Ledger();
        var ours = ReconTestSupport.Done("ours", 10_000, Noon); // a toss payment
        var wrong = ReconTestSupport.Done("wrong", 7_000, Noon); // a toss payment whose line inicis reported
        ledger.Payments.AddRange([ours, wrong]);
        ledger.Lines.AddRange([
            ReconTestSupport.LineFor(ours.Transactions[0]),
            ReconTestSupport.LineFor(ours.Transactions[0]) with { Pg = Inicis },
            ReconTestSupport.LineFor(wrong.Transactions[0]) with { Pg = Inicis },
        ]);
        await ledger.SaveAsync(db.Factory);

        var result = await Service().RunEachPgAsync(D, RunTrigger.CLI, "tester");

        Assert.Equal([Inicis, Toss], result.Runs.Select(r => r.Pg));
        Assert.All(result.Runs, r => Assert.Equal(RunStatus.SUCCEEDED, r.Status));
        var findings = (await FindingsAsync()).Where(f => f.Verdict == FindingVerdict.CONFIRMED)
            .Select(f => (f.TransactionKey, f.Pg, f.Type)).ToList();
        // tx-ours matches at toss (not a duplicate of inicis's line); inicis reports it without a payment of its own.
        // tx-wrong is missing at toss and an orphan at inicis: two findings of one key, one per PG.
        Assert.Equal([
            ("tx-ours", Inicis, FindingType.MISSING_INTERNAL),
            ("tx-wrong", Inicis, FindingType.MISSING_INTERNAL),
            ("tx-wrong", Toss, FindingType.MISSING_EXTERNAL),
        ], findings);
        Assert.Equal(ReconOracle.Run(ledger, D, FeeSchedule.Default, Toss),
            await ReconTestSupport.FindingsOfRunAsync(db.Factory, result.Runs.Single(r => r.Pg == Toss).Id));
        Assert.Equal(ReconOracle.Run(ledger, D, FeeSchedule.Default, Inicis),
            await ReconTestSupport.FindingsOfRunAsync(db.Factory, result.Runs.Single(r => r.Pg == Inicis).Id));
    }

    [Fact]
    public async Task RunOfOnePg_LeavesTheOtherPgsFindingsAlone()
    {
        var ledger = new Ledger();
        var tossPay = ReconTestSupport.Done("t", 10_000, Noon);
        var inicisPay = ReconTestSupport.Done("i", 5_000, Noon) with { Pg = Inicis };
        ledger.Payments.AddRange([tossPay, inicisPay]);
        ledger.Lines.Add(ReconTestSupport.LineFor(tossPay.Transactions[0], amount: 9_000));
        ledger.Lines.Add(ReconTestSupport.LineFor(inicisPay.Transactions[0], amount: 4_000) with { Pg = Inicis });
        await ledger.SaveAsync(db.Factory);
        var service = Service();
        await service.RunEachPgAsync(D, RunTrigger.CLI, "tester");
        var before = (await FindingsAsync()).ToDictionary(f => f.Pg);
        Assert.Equal(FindingStatus.OPEN, before[Toss].Status);
        Assert.Equal(FindingStatus.OPEN, before[Inicis].Status);

        // toss's statement is corrected; inicis's is not re-run.
        await using (var ctx = db.Factory.CreateDbContext())
        {
            await using var tx = await ctx.Database.BeginTransactionAsync();
            await SettlementLineWriter.SupersedeAsync(ctx, Toss, [D], [], CancellationToken.None);
            await ctx.SaveChangesAsync();
            await tx.CommitAsync();
        }
        await Ledger.AddLinesAsync(db.Factory, [ReconTestSupport.LineFor(tossPay.Transactions[0])]);
        var full = await service.RunAsync(D, RunTrigger.CLI, "tester", pg: Toss, full: true);

        Assert.Equal(Toss, full.Pg);
        Assert.Equal(1, full.AutoResolvedCount);
        var after = (await FindingsAsync()).ToDictionary(f => f.Pg);
        Assert.Equal(FindingStatus.AUTO_RESOLVED, after[Toss].Status);
        Assert.Equal(FindingStatus.OPEN, after[Inicis].Status);
        Assert.Equal(before[Inicis].LastRunId, after[Inicis].LastRunId);
        Assert.Equal(before[Inicis].Version, after[Inicis].Version);
    }

    [Fact]
    public async Task RunningRunOfOnePg_DoesNotLockTheOtherPg_AndEachPgSkipsOnlyTheBusyOne()
    {
        await using (var ctx = db.Factory.CreateDbContext())
        {
            ctx.Add(ReconRun.Start(D, Toss, RunTrigger.USER, "someone", DateTimeOffset.UtcNow));
            await ctx.SaveChangesAsync();
        }
        var service = Service();

        var inicis = await service.RunAsync(D, RunTrigger.CLI, "tester", pg: Inicis);
        var each = await service.RunEachPgAsync(D, RunTrigger.CLI, "tester");
        var busy = await Assert.ThrowsAsync<DomainException>(() => service.RunAsync(D, RunTrigger.CLI, "tester", pg: Toss));

        Assert.Equal(RunStatus.SUCCEEDED, inicis.Status);
        Assert.Equal([Inicis], each.Runs.Select(r => r.Pg));
        Assert.Contains("PG toss", Assert.Single(each.Skipped));
        Assert.Equal("RUN_IN_PROGRESS", busy.Code);
    }

    [Fact]
    public async Task UnknownOrMissingPg_IsRefused_NothingRuns()
    {
        var service = Service();

        var unknown = await Assert.ThrowsAsync<DomainException>(() => service.RunAsync(D, RunTrigger.CLI, "tester", pg: "kcp"));
        var missing = await Assert.ThrowsAsync<DomainException>(() => service.RunAsync(D, RunTrigger.CLI, "tester"));

        Assert.Equal("PG_UNKNOWN", unknown.Code);
        Assert.Contains("inicis, toss", unknown.Message);
        Assert.Equal("PG_REQUIRED", missing.Code);
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal(0, await ctx.Set<ReconRun>().CountAsync());
    }

    [Fact]
    public async Task IncrementalRun_ClaimsOnlyItsOwnPgsChangeMarks()
    {
        var ledger = new Ledger();
        var tossPay = ReconTestSupport.Done("t", 10_000, Noon);
        var inicisPay = ReconTestSupport.Done("i", 5_000, Noon) with { Pg = Inicis };
        ledger.Payments.AddRange([tossPay, inicisPay]);
        ledger.Lines.Add(ReconTestSupport.LineFor(tossPay.Transactions[0]));
        await ledger.SaveAsync(db.Factory);
        var service = Service();
        await service.RunEachPgAsync(D, RunTrigger.CLI, "tester");

        // inicis's line arrives: only inicis's next run has something to compare.
        await Ledger.AddLinesAsync(db.Factory, [ReconTestSupport.LineFor(inicisPay.Transactions[0]) with { Pg = Inicis }]);
        var tossRun = await service.RunAsync(D, RunTrigger.CLI, "tester", pg: Toss);
        var inicisRun = await service.RunAsync(D, RunTrigger.CLI, "tester", pg: Inicis);

        Assert.Equal(RunScope.INCREMENTAL, tossRun.Scope);
        Assert.Equal(0, tossRun.ComparedKeys);
        Assert.Equal(RunScope.INCREMENTAL, inicisRun.Scope);
        Assert.True(inicisRun.ComparedKeys >= 1, $"inicis's run compared {inicisRun.ComparedKeys} keys");
        var inicisFinding = Assert.Single(await FindingsAsync(), f => f.Pg == Inicis);
        Assert.Equal(FindingStatus.AUTO_RESOLVED, inicisFinding.Status);
    }
}

public sealed class SqliteMultiPgReconciliationTests(SqliteTestDatabase db)
    : MultiPgReconciliationTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresMultiPgReconciliationTests(PostgresTestDatabase db)
    : MultiPgReconciliationTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;
