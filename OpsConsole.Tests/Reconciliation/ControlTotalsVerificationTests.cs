using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Alerts;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.ControlTotals;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// Runs record their control totals as the last recorded totals plus the changes the write paths recorded since; the
/// verification (after each full run, in the background, or on demand) sums the ledgers in one snapshot and corrects a
/// drift — a row changed outside the write paths — with a delta the next run picks up. Both providers.
/// </summary>
public abstract class ControlTotalsVerificationTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    private static readonly DateOnly D = ReconTestSupport.Date;
    private static readonly DateTimeOffset Noon = BusinessCalendar.StartOfDayUtc(D).AddHours(12);

    public Task InitializeAsync() => Ledger.ClearAsync(db.Factory);
    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Three matched payments of D (one with a cancel) and a payment whose line the PG has not sent yet.</summary>
    private static Ledger Day(out ExternalLine late)
    {
        var ledger = new Ledger();
        var ok = ReconTestSupport.Done("ok", 10_000, Noon, (4_000, Noon.AddHours(1)));
        var two = ReconTestSupport.Done("two", 20_000, Noon);
        var three = ReconTestSupport.Done("three", 30_000, Noon);
        var waiting = ReconTestSupport.Done("waiting", 7_000, Noon);
        ledger.Payments.AddRange([ok, two, three, waiting]);
        ledger.Lines.AddRange([ReconTestSupport.LineFor(ok.Transactions[0]), ReconTestSupport.LineFor(ok.Transactions[1]),
            ReconTestSupport.LineFor(two.Transactions[0]), ReconTestSupport.LineFor(three.Transactions[0])]);
        late = ReconTestSupport.LineFor(waiting.Transactions[0]);
        return ledger;
    }

    /// <summary>Changes outside the write paths (no delta): our approval tx-ok +1,000, the PG's line of tx-two −500.</summary>
    private async Task EditByHandAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        await ctx.Database.ExecuteSqlRawAsync("UPDATE payment_transactions SET amount = amount + 1000 WHERE transaction_key = 'tx-ok'");
        await ctx.Database.ExecuteSqlRawAsync("UPDATE settlement_lines SET amount = amount - 500 WHERE transaction_key = 'tx-two'");
    }

    private ControlTotalsVerifier Verifier(RecordingAlerts? alerts = null) =>
        new(db.Factory, TimeProvider.System, new AuditLog(db.Factory, TimeProvider.System), alerts);

    [Fact]
    public async Task AFullReRun_RecordsTheLastTotalsPlusTheChangesSince_WithoutSummingTheDay()
    {
        await Day(out var late).SaveAsync(db.Factory);
        var service = ReconTestSupport.Service(db.Factory);
        var first = await service.RunAsync(D, RunTrigger.CLI, "tester", full: true);
        await EditByHandAsync();
        await Ledger.AddLinesAsync(db.Factory, [late]); // through the write path: a delta

        var second = await service.RunAsync(D, RunTrigger.CLI, "tester", full: true);

        Assert.Equal(RunScope.FULL, second.Scope);
        var (a, b) = (await KrwAsync(first.Id), await KrwAsync(second.Id));
        // The hand edits are not in the totals (no delta, no day scan); the ingested line is.
        Assert.Equal(a.Ours, b.Ours);
        Assert.Equal(a.Pg.Gross + 7_000, b.Pg.Gross);
        Assert.Equal(a.Pg.ApprovalLineCount + 1, b.Pg.ApprovalLineCount);
        Assert.Equal(0, await DeltasAsync());
    }

    [Fact]
    public async Task TheVerification_FindsAHandEditedRow_WritesTheCorrectingDelta_AndTheNextRunsTotalsAreThePlainSums()
    {
        await Day(out var late).SaveAsync(db.Factory);
        var service = ReconTestSupport.Service(db.Factory);
        var run = await service.RunAsync(D, RunTrigger.CLI, "tester", full: true);
        await EditByHandAsync();
        await Ledger.AddLinesAsync(db.Factory, [late]); // pending: counted as what the totals should be, not as drift
        var alerts = new RecordingAlerts();

        var v = await Verifier(alerts).VerifyAsync(D, Ledger.DefaultPg, VerificationTrigger.ON_DEMAND);

        Assert.NotNull(v);
        Assert.Equal(VerificationResult.DRIFT_CORRECTED, v.Result);
        Assert.Equal((run.Id, 1), (v.RunId, v.PendingDeltas));
        Assert.Equal((1_000L, -500L), (v.OurNetDrift, v.PgGrossDrift));
        Assert.Contains("our approval amount +1,000", v.Drift);
        Assert.Equal(2, await DeltasAsync()); // the pending one and the correction
        await using (var ctx = db.Factory.CreateDbContext())
        {
            var audit = await ctx.AuditEntries.SingleAsync(e => e.Action == ControlTotalsVerifier.AuditAction);
            Assert.Equal((ControlTotalsVerifier.Actor, $"{D:yyyy-MM-dd}/{Ledger.DefaultPg}"), (audit.Actor, audit.TargetId));
        }
        Assert.Contains($"{D:yyyy-MM-dd}", Assert.Single(alerts.Texts));

        var next = await service.RunAsync(D, RunTrigger.CLI, "tester", full: true);

        var sums = await ControlTotalsSums.PlainAsync(db.Factory, D, Ledger.DefaultPg);
        Assert.Equal(sums.OrderBy(s => s.Key), (await TotalsAsync(next.Id)).OrderBy(s => s.Key));
        Assert.Equal(0, await DeltasAsync());
        var again = await Verifier(alerts).VerifyAsync(D, Ledger.DefaultPg, VerificationTrigger.ON_DEMAND);
        Assert.Equal(VerificationResult.MATCHED, again!.Result);
        Assert.Single(alerts.Texts);
    }

    [Fact]
    public async Task AVerificationWithoutDrift_WritesNothingButItsRecord()
    {
        await Day(out var late).SaveAsync(db.Factory);
        await ReconTestSupport.Service(db.Factory).RunAsync(D, RunTrigger.CLI, "tester", full: true);
        await Ledger.AddLinesAsync(db.Factory, [late]);
        var alerts = new RecordingAlerts();

        var v = await Verifier(alerts).VerifyAsync(D, Ledger.DefaultPg, VerificationTrigger.ON_DEMAND);
        var none = await Verifier(alerts).VerifyAsync(D.AddDays(1), Ledger.DefaultPg, VerificationTrigger.ON_DEMAND);

        Assert.Equal((VerificationResult.MATCHED, 1, 0L, 0L), (v!.Result, v.PendingDeltas, v.OurNetDrift, v.PgGrossDrift));
        Assert.Null(v.Drift);
        Assert.Null(none); // no recorded totals: nothing to verify, nothing recorded
        Assert.Equal(1, await DeltasAsync()); // the pending one, untouched
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal(1, await ctx.Set<ControlTotalsVerification>().CountAsync());
        Assert.False(await ctx.AuditEntries.AnyAsync(e => e.Action == ControlTotalsVerifier.AuditAction));
        Assert.Empty(alerts.Texts);
    }

    /// <summary>
    /// A host may stop its services after disposing them: a minimal-API app under a test factory is stopped and disposed
    /// from two sides (dotnet/aspnetcore#40271; it failed the console layout walk's cleanup once). Stopping the queue after
    /// its disposal ends quietly, and it queues nothing more.
    /// </summary>
    [Fact]
    public async Task TheQueue_StoppedAfterItWasDisposed_StopsQuietly()
    {
        var queue = new ControlTotalsVerificationQueue(Verifier());
        queue.Dispose();

        await queue.StopAsync(CancellationToken.None);
        queue.Enqueue(D, Ledger.DefaultPg);
        await queue.WhenIdleAsync();

        Assert.Null(queue.Last);
        Assert.Equal(0, await VerificationsAsync());
    }

    /// <summary>
    /// With the queue, a full run is followed by its verification in the background (an incremental run is not); after a
    /// hand edit, the full run's totals miss it, the day's control totals do not add up by it, the verification corrects
    /// it, the report says so, and the next run's totals add up again.
    /// </summary>
    [Fact]
    public async Task AFullRun_QueuesItsVerification_WhichCorrectsAHandEdit_AndTheReportSaysSo()
    {
        await Day(out _).SaveAsync(db.Factory);
        using var queue = new ControlTotalsVerificationQueue(Verifier());
        var service = new ReconciliationService(db.Factory,
            Microsoft.Extensions.Options.Options.Create(new ReconciliationOptions { SettleDelay = TimeSpan.Zero }),
            TimeProvider.System, verifications: queue);
        await service.RunAsync(D, RunTrigger.CLI, "tester");
        await queue.WhenIdleAsync();
        Assert.Equal(VerificationResult.MATCHED, queue.Last!.Result);
        await service.RunAsync(D, RunTrigger.CLI, "tester"); // incremental: no verification
        await queue.WhenIdleAsync();
        Assert.Equal(1, await VerificationsAsync());
        await EditByHandAsync();

        var full = await service.RunAsync(D, RunTrigger.CLI, "tester", full: true);
        var beforeCheck = await ReportAsync();
        await queue.WhenIdleAsync();
        var afterCheck = await ReportAsync();
        var next = await service.RunAsync(D, RunTrigger.CLI, "tester");

        Assert.Equal(RunStatus.SUCCEEDED, full.Status);
        Assert.Equal(2, await VerificationsAsync());
        Assert.False(beforeCheck.AddsUp); // the findings see the edited rows, the totals do not yet
        var drift = Assert.Single(afterCheck.Drifted);
        Assert.Equal((D, Ledger.DefaultPg, 1_000L, -500L), (drift.Date, drift.Pg, drift.OurNetDrift, drift.PgGrossDrift));
        Assert.Equal(RunScope.INCREMENTAL, next.Scope);
        var sums = await ControlTotalsSums.PlainAsync(db.Factory, D, Ledger.DefaultPg);
        Assert.Equal(sums.OrderBy(s => s.Key), (await TotalsAsync(next.Id)).OrderBy(s => s.Key));
        Assert.True((await ReportAsync()).AddsUp);
    }

    private async Task<ControlTotalsReport> ReportAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ControlTotalsQuery.LoadAsync(ctx, D, D);
    }

    private async Task<(LedgerSide Ours, PgSide Pg)> KrwAsync(long runId) => (await TotalsAsync(runId))[Money.LedgerCurrency];

    private async Task<Dictionary<string, (LedgerSide Ours, PgSide Pg)>> TotalsAsync(long runId)
    {
        await using var ctx = db.Factory.CreateDbContext();
        return (await ctx.Set<RunControlTotal>().AsNoTracking().Where(t => t.RunId == runId).ToListAsync())
            .ToDictionary(t => t.Currency, t => (t.Ours, t.Pg));
    }

    private async Task<int> DeltasAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.Set<ControlTotalsDelta>().CountAsync(d => d.BusinessDate == D && d.Pg == Ledger.DefaultPg);
    }

    private async Task<int> VerificationsAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.Set<ControlTotalsVerification>().CountAsync();
    }

    private sealed class RecordingAlerts : IReconAlertSink
    {
        public List<string> Texts { get; } = [];
        public Task<bool> SendRunSummaryAsync(ReconRunSummary summary, CancellationToken cancellationToken = default) => Task.FromResult(true);

        public Task<bool> SendTextAsync(string text, CancellationToken cancellationToken = default)
        {
            Texts.Add(text);
            return Task.FromResult(true);
        }
    }
}

/// <summary>The plain sums of a date's stored rows, per currency, as control totals (the oracle of the recorder and the verifier).</summary>
public static class ControlTotalsSums
{
    public static async Task<Dictionary<string, (LedgerSide Ours, PgSide Pg)>> PlainAsync(OpsDbContextFactory factory, DateOnly date, string pg)
    {
        await using var ctx = factory.CreateDbContext();
        var transactions = (await ctx.Set<PaymentTransaction>().AsNoTracking().Where(t => t.Pg == pg).ToListAsync())
            .Where(t => BusinessCalendar.BusinessDateOf(t.OccurredAt) == date).ToList();
        var lines = await ctx.Set<SettlementLine>().AsNoTracking().Where(l => l.SoldDate == date && l.Pg == pg).ToListAsync();
        var result = lines.GroupBy(l => l.Currency).ToDictionary(g => g.Key, g => (LedgerSide.Empty,
            new PgSide(g.LongCount(l => l.Amount >= 0), g.Where(l => l.Amount >= 0).Sum(l => l.Amount),
                g.LongCount(l => l.Amount < 0), g.Where(l => l.Amount < 0).Sum(l => -l.Amount), g.Sum(l => l.Fee), g.Sum(l => l.Vat),
                g.Sum(l => l.PayOutAmount))));
        var approvals = transactions.Where(t => t.Kind == TransactionKind.APPROVAL).ToList();
        var cancels = transactions.Where(t => t.Kind == TransactionKind.CANCEL).ToList();
        result[Money.LedgerCurrency] = (new LedgerSide(approvals.Count, approvals.Sum(t => t.Amount), cancels.Count, cancels.Sum(t => t.Amount)),
            result.GetValueOrDefault(Money.LedgerCurrency, (LedgerSide.Empty, PgSide.Empty)).Item2);
        return result;
    }
}

public sealed class SqliteControlTotalsVerificationTests(SqliteTestDatabase db)
    : ControlTotalsVerificationTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresControlTotalsVerificationTests(PostgresTestDatabase db)
    : ControlTotalsVerificationTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;
