using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.ControlTotals;
using OpsConsole.Core.Reconciliation.Findings;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// The control totals' identity, on both providers: our net − PG gross = Σ of the standing findings' signed
/// differences, for each date and for a range, on seeded ledgers that produce every finding type.
/// </summary>
public abstract class ControlTotalsTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    private static readonly DateOnly D = ReconTestSupport.Date;
    private static readonly DateOnly Next = D.AddDays(1);
    private static readonly DateTimeOffset Noon = BusinessCalendar.StartOfDayUtc(D).AddHours(12);

    private static readonly FindingType[] EngineTypes =
    [
        FindingType.CHARGED_BUT_FAILED, FindingType.MISSING_INTERNAL, FindingType.MISSING_EXTERNAL,
        FindingType.DUPLICATE_EXTERNAL, FindingType.AMOUNT_MISMATCH, FindingType.DATE_MISMATCH, FindingType.FEE_MISMATCH,
    ];

    public Task InitializeAsync() => Ledger.ClearAsync(db.Factory);
    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Two days of ledgers whose differences are one finding of every type (D) and a matched day (D+1) that
    /// holds the PG's line of D's late-night transaction.</summary>
    private static Ledger EveryType(out LedgerPayment missingExternal)
    {
        var ledger = new Ledger();
        var ok = ReconTestSupport.Done("ok", 10_000, Noon, (4_000, Noon.AddHours(1)));
        var amount = ReconTestSupport.Done("amount", 20_000, Noon);
        var fee = ReconTestSupport.Done("fee", 30_000, Noon);
        var dup = ReconTestSupport.Done("dup", 5_000, Noon);
        missingExternal = ReconTestSupport.Done("missext", 7_000, Noon);
        var lateNight = ReconTestSupport.Done("midnight", 9_000, BusinessCalendar.StartOfDayUtc(Next).AddMilliseconds(-1));
        var nextDay = ReconTestSupport.Done("nextday", 12_000, Noon.AddDays(1), (2_000, Noon.AddDays(1).AddHours(2)));
        ledger.Payments.AddRange([ok, amount, fee, dup, missingExternal, lateNight, nextDay,
            new LedgerPayment("pay-aborted", "order-aborted", 15_000, PaymentMethod.CARD, PaymentStatus.ABORTED, [])]);
        ledger.Lines.AddRange([ReconTestSupport.LineFor(ok.Transactions[0]), ReconTestSupport.LineFor(ok.Transactions[1]),
            ReconTestSupport.LineFor(amount.Transactions[0], amount: 19_000), ReconTestSupport.LineFor(fee.Transactions[0], feeDelta: 500),
            ReconTestSupport.LineFor(dup.Transactions[0]), ReconTestSupport.LineFor(dup.Transactions[0]),
            ReconTestSupport.LineFor(lateNight.Transactions[0], sold: Next),
            ReconTestSupport.LineFor(nextDay.Transactions[0]), ReconTestSupport.LineFor(nextDay.Transactions[1]),
            new ExternalLine("tx-aborted", "pay-aborted", "order-aborted", PaymentMethod.CARD, 15_000, 375, D, Noon),
            new ExternalLine("tx-stranger", "pay-stranger", "order-stranger", PaymentMethod.CARD, -2_500, -62, D, Noon)]);
        return ledger;
    }

    private async Task<ControlTotalsReport> ReportAsync(DateOnly from, DateOnly to)
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ControlTotalsQuery.LoadAsync(ctx, from, to);
    }

    /// <summary>
    /// Two PGs on the same dates (toss: every finding type; inicis: an amount mismatch and a toss payment's line filed
    /// under inicis): each (date, PG) adds up on its own, the date's totals are the sum of both PGs' runs, and one PG's
    /// report holds only its own.
    /// </summary>
    [Fact]
    public async Task SeveralPgs_EachDateAndPgAddsUp_AndTheDateIsTheSumOfItsPgs()
    {
        var ledger = EveryType(out var missingExternal);
        var inicis = ReconTestSupport.Done("ini", 8_000, Noon) with { Pg = ReconTestSupport.FilePg };
        ledger.Payments.Add(inicis);
        ledger.Lines.Add(ReconTestSupport.LineFor(inicis.Transactions[0], amount: 7_500) with { Pg = ReconTestSupport.FilePg });
        ledger.Lines.Add(ReconTestSupport.LineFor(missingExternal.Transactions[0]) with { Pg = ReconTestSupport.FilePg });
        await ledger.SaveAsync(db.Factory);
        var service = ReconTestSupport.Service(db.Factory, connections: TwoPgs.Connections);
        foreach (var date in new[] { D, Next })
            Assert.All((await service.RunEachPgAsync(date, RunTrigger.CLI, "tester")).Runs,
                r => Assert.Equal(RunStatus.SUCCEEDED, r.Status));

        var day = await ReportAsync(D, D);
        ControlTotalsReport onlyInicis;
        await using (var ctx = db.Factory.CreateDbContext())
            onlyInicis = await ControlTotalsQuery.LoadAsync(ctx, D, D, pg: ReconTestSupport.FilePg);

        Assert.Equal([(D, ReconTestSupport.FilePg), (D, Ledger.DefaultPg)], day.Days.Select(d => (d.Date, d.Pg)));
        Assert.All(day.Days, d => Assert.True(d.AddsUp, $"{d.Date} {d.Pg}: {d.Unexplained} unexplained"));
        Assert.True(day.AddsUp, $"{day.Unexplained} unexplained");
        var ours = ledger.Transactions.Where(t => t.BusinessDate == D).Sum(t => t.SignedAmount);
        var theirs = ledger.Lines.Where(l => l.SoldDate == D).Sum(l => l.Amount);
        Assert.Equal((ours, theirs), (day.Ledger.Ours.Net, day.Ledger.Pg.Gross));
        Assert.Equal([ReconTestSupport.FilePg], onlyInicis.Days.Select(d => d.Pg));
        Assert.Equal((8_000L, 7_500L + 7_000L), (onlyInicis.Ledger.Ours.Net, onlyInicis.Ledger.Pg.Gross));
        Assert.True(onlyInicis.AddsUp, $"{onlyInicis.Unexplained} unexplained");
    }

    [Fact]
    public async Task EveryFindingType_OurNetMinusPgGross_EqualsTheFindingsDifferences_PerDateAndOverTheRange()
    {
        var ledger = EveryType(out _);
        await ledger.SaveAsync(db.Factory);
        var service = ReconTestSupport.Service(db.Factory);
        Assert.Equal(RunStatus.SUCCEEDED, (await service.RunAsync(D, RunTrigger.CLI, "tester")).Status);
        Assert.Equal(RunStatus.SUCCEEDED, (await service.RunAsync(Next, RunTrigger.CLI, "tester")).Status);

        var day = await ReportAsync(D, D);

        // The stored totals are the ledgers' own sums (computed here from the seed, independently of the engine).
        var ours = ledger.Transactions.Where(t => t.BusinessDate == D).ToList();
        var lines = ledger.Lines.Where(l => l.SoldDate == D).ToList();
        Assert.Equal((ours.Count(t => t.Kind == TransactionKind.APPROVAL), ours.Count(t => t.Kind == TransactionKind.CANCEL), ours.Sum(t => t.SignedAmount)),
            (day.Ledger.Ours.ApprovalCount, day.Ledger.Ours.CancelCount, day.Ledger.Ours.Net));
        Assert.Equal((lines.Count(l => l.Amount >= 0), lines.Count(l => l.Amount < 0), lines.Sum(l => l.Amount), lines.Sum(l => l.Fee), lines.Sum(l => l.Amount - l.Fee)),
            (day.Ledger.Pg.ApprovalLineCount, day.Ledger.Pg.CancelLineCount, day.Ledger.Pg.Gross, day.Ledger.Pg.Fee, day.Ledger.Pg.Payout));
        Assert.Equal(lines.Sum(l => l.Amount / 11), day.Ledger.Pg.Vat);

        // Every type explains part of the difference, and together they explain all of it.
        Assert.Equal(EngineTypes.Order(), day.ByType.Select(t => t.Type).Order());
        Assert.Equal(day.Ledger.Ours.Net - day.Ledger.Pg.Gross, day.FindingsDifference);
        Assert.Equal(0, day.Unexplained);
        Assert.True(day.AddsUp);
        var byType = day.ByType.ToDictionary(t => t.Type, t => t.Difference);
        Assert.Equal((-15_000, 2_500, 7_000, -5_000, 1_000, 9_000, 0),
            (byType[FindingType.CHARGED_BUT_FAILED], byType[FindingType.MISSING_INTERNAL], byType[FindingType.MISSING_EXTERNAL],
             byType[FindingType.DUPLICATE_EXTERNAL], byType[FindingType.AMOUNT_MISMATCH], byType[FindingType.DATE_MISMATCH],
             byType[FindingType.FEE_MISMATCH]));
        // Matched: the approval and cancel of "ok"; the five others of the day each have a finding.
        Assert.Equal((7, 2), (day.Ledger.Ours.Count, day.Matched));

        // The next day holds the PG's line of D's late-night transaction: D's DATE_MISMATCH explains it there.
        var next = await ReportAsync(Next, Next);
        Assert.True(next.AddsUp, $"unexplained {next.Unexplained}");
        Assert.Equal(-9_000, Assert.Single(next.ByType).Difference);

        // Over both days the late-night transaction is on both sides: the DATE_MISMATCH nets to zero.
        var range = await ReportAsync(D, Next);
        Assert.True(range.AddsUp);
        Assert.Equal(2, range.Days.Count);
        Assert.Equal(0, range.ByType.Single(t => t.Type == FindingType.DATE_MISMATCH).Difference);
        Assert.Equal(day.Ledger.Ours.Net + next.Ledger.Ours.Net, range.Ledger.Ours.Net);
        Assert.Equal(range.Ledger.Ours.Net - range.Ledger.Pg.Gross, range.FindingsDifference);
    }

    [Fact]
    public async Task AfterResolvingAndReRunning_OnlyStandingFindingsCount_AndTheDayStillAddsUp()
    {
        var ledger = EveryType(out var missingExternal);
        await ledger.SaveAsync(db.Factory);
        var service = ReconTestSupport.Service(db.Factory);
        await service.RunAsync(D, RunTrigger.CLI, "tester");
        long amountFinding;
        await using (var ctx = db.Factory.CreateDbContext())
            amountFinding = await ctx.Set<Finding>().Where(f => f.Type == FindingType.AMOUNT_MISMATCH).Select(f => f.Id).SingleAsync();
        // A person resolves a finding without changing the ledgers: it still explains the difference.
        await new FindingService(db.Factory, new Core.Audit.AuditLog(db.Factory, TimeProvider.System), TimeProvider.System)
            .ResolveAsync(amountFinding, "carol", "accepted by finance");
        // The PG's missing line arrives; the re-run no longer sees the MISSING_EXTERNAL (auto-resolved).
        await Ledger.AddLinesAsync(db.Factory, [ReconTestSupport.LineFor(missingExternal.Transactions[0])]);
        await service.RunAsync(D, RunTrigger.CLI, "tester");

        var day = await ReportAsync(D, D);

        Assert.True(day.AddsUp, $"unexplained {day.Unexplained}");
        Assert.DoesNotContain(day.ByType, t => t.Type == FindingType.MISSING_EXTERNAL);
        Assert.Contains(day.ByType, t => t.Type == FindingType.AMOUNT_MISMATCH);
        Assert.Equal(3, day.Matched);
    }

    [Fact]
    public async Task AFindingThatNoLongerExplainsTheLedgers_MakesTheDayNotAddUp_ByItsDifference()
    {
        await EveryType(out _).SaveAsync(db.Factory);
        await ReconTestSupport.Service(db.Factory).RunAsync(D, RunTrigger.CLI, "tester");
        await using (var ctx = db.Factory.CreateDbContext())
        {
            // Tracked, not ExecuteDelete: EF does not bulk-delete an entity split over two tables (recon_finding_last_seen).
            ctx.RemoveRange(await ctx.Set<Finding>().Where(f => f.Type == FindingType.MISSING_INTERNAL).ToListAsync());
            await ctx.SaveChangesAsync();
        }

        var day = await ReportAsync(D, D);

        Assert.False(day.AddsUp);
        Assert.Equal(2_500, day.Unexplained);
    }

    /// <summary>
    /// On PostgreSQL the totals are summed while the findings are written, on another connection: a run whose persist
    /// fails records no totals and consumes no deltas (they wait for the next run), as when the totals followed the
    /// persist; the next successful run records them and consumes the deltas. The persist is made to fail by a trigger on
    /// its last table (the run totals).
    /// </summary>
    [Fact]
    public async Task ARunWhosePersistFails_RecordsNoTotals_AndLeavesTheDeltasForTheNextRun()
    {
        await EveryType(out _).SaveAsync(db.Factory);
        await using (var ctx = db.Factory.CreateDbContext())
        {
            await ctx.Database.ExecuteSqlRawAsync(
                $"INSERT INTO {ControlTotalsDelta.Table} (business_date, pg, currency, our_approval_count, our_approval_amount, " +
                "our_cancel_count, our_cancel_amount, pg_approval_line_count, pg_approval_amount, pg_cancel_line_count, " +
                "pg_cancel_amount, pg_fee, pg_vat, pg_payout) VALUES ({0}, {1}, 'KRW', 1, 100, 0, 0, 1, 100, 0, 0, 3, 0, 97)",
                D, Ledger.DefaultPg);
            await ctx.Database.ExecuteSqlRawAsync(db.Provider == Core.Data.DatabaseProvider.Postgres
                ? "CREATE FUNCTION fail_persist() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'persist failed (test)'; END $$; " +
                  "CREATE TRIGGER fail_persist BEFORE INSERT ON recon_run_totals FOR EACH ROW EXECUTE FUNCTION fail_persist()"
                : "CREATE TRIGGER fail_persist BEFORE INSERT ON recon_run_totals BEGIN SELECT RAISE(ABORT, 'persist failed (test)'); END");
        }
        var deltasOfD = await DeltasOfDAsync();
        Assert.True(deltasOfD >= 1);
        var service = ReconTestSupport.Service(db.Factory);
        ReconRun failed;
        try
        {
            failed = await service.RunAsync(D, RunTrigger.CLI, "tester");
        }
        finally
        {
            await using var ctx = db.Factory.CreateDbContext();
            await ctx.Database.ExecuteSqlRawAsync(db.Provider == Core.Data.DatabaseProvider.Postgres
                ? "DROP TRIGGER fail_persist ON recon_run_totals; DROP FUNCTION fail_persist()"
                : "DROP TRIGGER fail_persist");
        }

        Assert.Equal(RunStatus.FAILED, failed.Status);
        Assert.Contains("persist failed (test)", failed.Error);
        await using (var ctx = db.Factory.CreateDbContext())
        {
            Assert.False(await ctx.Set<RunControlTotal>().AnyAsync(t => t.RunId == failed.Id));
        }
        Assert.Equal(deltasOfD, await DeltasOfDAsync());

        var run = await service.RunAsync(D, RunTrigger.CLI, "tester");

        Assert.Equal(RunStatus.SUCCEEDED, run.Status);
        await using (var ctx = db.Factory.CreateDbContext())
        {
            Assert.True(await ctx.Set<RunControlTotal>().AnyAsync(t => t.RunId == run.Id));
        }
        Assert.Equal(0, await DeltasOfDAsync());
        Assert.True((await ReportAsync(D, D)).AddsUp);
    }

    /// <summary>
    /// The totals a full run records equal the plain sums of the stored rows — every transaction of the KST day and PG,
    /// every line sold that day, per currency — on random ledgers (fixed seeds: several currencies, cancels, keyless
    /// approvals, lines of other dates): the first run of a date sums the day (on PostgreSQL on its own connection beside
    /// pass 2 and the persist), and the verification that follows (<see cref="ControlTotalsVerifier"/>) agrees; a second
    /// full run after changes through the write paths (its totals: the first's plus the deltas) equals the sums again.
    /// </summary>
    [Theory]
    [InlineData(20261206)]
    [InlineData(11)]
    [InlineData(4242)]
    public async Task AFullRunsTotals_EqualThePlainSumsOfTheDay_OnRandomLedgers(int seed)
    {
        await RandomLedger.Create(seed, 80, D).SaveAsync(db.Factory);
        var service = ReconTestSupport.Service(db.Factory);

        var run = await service.RunAsync(D, RunTrigger.CLI, "tester", full: true);

        Assert.Equal(RunStatus.SUCCEEDED, run.Status);
        await AssertPlainSumsAsync(run.Id);
        var verifier = new ControlTotalsVerifier(db.Factory, TimeProvider.System);
        Assert.Equal(VerificationResult.MATCHED, (await verifier.VerifyAsync(D, Ledger.DefaultPg, VerificationTrigger.ON_DEMAND))!.Result);

        // Late lines (some in other currencies, some of other dates), through the write path.
        var r = new Random(seed);
        await Ledger.AddLinesAsync(db.Factory, RandomLedger.Create(seed + 1, 20, D).Lines.Where(_ => r.Next(2) == 0)
            .Select(l => l with { Key = "late-" + l.Key }));
        var again = await service.RunAsync(D, RunTrigger.CLI, "tester", full: true);

        Assert.Equal(RunStatus.SUCCEEDED, again.Status);
        await AssertPlainSumsAsync(again.Id);
        Assert.Equal(VerificationResult.MATCHED, (await verifier.VerifyAsync(D, Ledger.DefaultPg, VerificationTrigger.ON_DEMAND))!.Result);
    }

    private async Task AssertPlainSumsAsync(long runId)
    {
        var sums = await ControlTotalsSums.PlainAsync(db.Factory, D, Ledger.DefaultPg);
        await using var ctx = db.Factory.CreateDbContext();
        Assert.True(await ctx.Set<PaymentTransaction>().AnyAsync(t => t.Pg == Ledger.DefaultPg));
        var stored = await ctx.Set<RunControlTotal>().AsNoTracking().Where(t => t.RunId == runId).ToListAsync();
        Assert.Equal(sums.Keys.Order(), stored.Select(t => t.Currency).Order());
        foreach (var t in stored)
        {
            Assert.Equal(sums[t.Currency].Ours, t.Ours);
            Assert.Equal(sums[t.Currency].Pg, t.Pg);
        }
    }

    private async Task<int> DeltasOfDAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.Set<ControlTotalsDelta>().CountAsync(d => d.BusinessDate == D && d.Pg == Ledger.DefaultPg);
    }

    [Fact]
    public async Task ADateWithoutASuccessfulRun_HasNoTotals_AndIsListedAsNotReconciled()
    {
        await EveryType(out _).SaveAsync(db.Factory);
        await ReconTestSupport.Service(db.Factory).RunAsync(D, RunTrigger.CLI, "tester");

        var next = await ReportAsync(Next, Next);
        var range = await ReportAsync(D, Next);

        Assert.False(next.HasTotals);
        Assert.False(next.AddsUp);
        Assert.Equal([Next], next.NotReconciled);
        Assert.Equal([Next], range.NotReconciled);
        Assert.Single(range.Days);
        // D's DATE_MISMATCH line sits on the unreconciled date: only its internal side counts in the range.
        Assert.True(range.AddsUp);
    }
}

public sealed class SqliteControlTotalsTests(SqliteTestDatabase db)
    : ControlTotalsTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresControlTotalsTests(PostgresTestDatabase db)
    : ControlTotalsTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;
