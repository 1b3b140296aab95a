using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>The SQL engine must report exactly what the in-memory oracle reports, on random ledgers.</summary>
public abstract class ReconciliationPropertyTests<TDb>(TDb db, ITestOutputHelper output) where TDb : TestDatabase
{
    [Fact]
    public Task Engine_OnRandomLedgers_AgreesWithTheOracle() => AgreesWithTheOracleAsync(null, iterations: 30);

    /// <summary>PostgreSQL splits pass 1 into key ranges (default 4 shares): one share and an odd count agree too.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public Task Engine_WithPass1InShares_AgreesWithTheOracle(int partitions) =>
        AgreesWithTheOracleAsync(new ReconciliationOptions { SettleDelay = TimeSpan.Zero, Pass1Partitions = partitions },
            iterations: 12);

    /// <summary>
    /// Several merchant ids with different contracts (issuer and provider rates, installment fees, who pays the
    /// interest, a minimum fee, VAT), one of them stored by an admin over a different configured one, lines of an
    /// uncontracted merchant id and without one: the engine agrees with the oracle, naming the fee's components.
    /// </summary>
    [Fact]
    public async Task Engine_WithContractsOfSeveralMerchants_AgreesWithTheOracle()
    {
        await using (var ctx = db.Factory.CreateDbContext())
            await ctx.Database.ExecuteSqlRawAsync("DELETE FROM fee_contracts");
        var configured = RandomLedger.ContractSettings();
        var beta = configured.Contracts["mid_beta"];
        configured.Contracts["mid_beta"] = new FeeContractSettings { BaseRates = { ["CARD"] = 0.05m } };
        var catalog = new FeeContractCatalog(db.Factory, Options.Create(configured),
            new OpsConsole.Core.Audit.AuditLog(db.Factory, TimeProvider.System), TimeProvider.System);
        await catalog.SaveAsync("mid_beta", JsonSerializer.Serialize(beta), "property-test");
        var fees = FeeSchedule.Default.WithContracts(RandomLedger.ContractSettings().Build());
        var service = new ReconciliationService(db.Factory,
            Options.Create(new ReconciliationOptions { SettleDelay = TimeSpan.Zero }), TimeProvider.System, contracts: catalog);

        var diffs = await AgreesWithTheOracleAsync(null, iterations: 30, fees, service);

        // fee.base and vat each name about 0.4% of the generated lines (25 in 6,427 lines of 200 seeds): too rare to
        // require of 30 samples; ContractFeeRunTests asserts them on hand-built lines on both providers.
        foreach (var component in new[] { "fee", "fee.installment" })
            Assert.Contains(component, diffs);
    }

    /// <summary>
    /// Contracts over time (<see cref="RandomLedger.ContractsOverTime"/>), stored by an admin over configured ones: a rate
    /// change on the run's date, a contract for that date only, lines approved at the KST midnights around it, cancels
    /// of the day before's approvals. The engine agrees with the oracle on the contract each line falls under, and the
    /// run counts the lines without a contract in force as the oracle does.
    /// </summary>
    [Fact]
    public async Task Engine_WithContractsOverTime_AgreesWithTheOracle_AndCountsLinesWithoutContract()
    {
        var date = ReconTestSupport.Date;
        var overTime = RandomLedger.ContractsOverTime(date);
        var catalog = new FeeContractCatalog(db.Factory, Options.Create(RandomLedger.ContractSettings()),
            new OpsConsole.Core.Audit.AuditLog(db.Factory, TimeProvider.System), TimeProvider.System);
        await using (var ctx = db.Factory.CreateDbContext())
            await ctx.Database.ExecuteSqlRawAsync("DELETE FROM fee_contracts");
        foreach (var mId in new[] { "mid_alpha", "mid_gamma" })
            await catalog.SaveAsync(mId, JsonSerializer.Serialize(overTime.Where(c => c.MId == mId).Select(FeeContractCatalog.Settings)), "property-test");
        var fees = FeeSchedule.Default.WithContracts(overTime);
        var service = new ReconciliationService(db.Factory,
            Options.Create(new ReconciliationOptions { SettleDelay = TimeSpan.Zero }), TimeProvider.System, contracts: catalog);

        var diffs = await AgreesWithTheOracleAsync(null, iterations: 30, fees, service);

        foreach (var component in new[] { "fee", "fee.installment" })
            Assert.Contains(component, diffs);
        Assert.True(_linesWithoutContract > 0, "the samples must have lines without a contract in force");
    }

    /// <summary>
    /// Two PG connections: payments of both, lines filed under the wrong PG, the same key reported by both PGs, orphan
    /// lines of either. Each PG's run (one per PG, as <c>reconcile</c> runs them) agrees with the oracle run for that PG
    /// alone: matching is on (PG, key), a PG's findings are its run's.
    /// </summary>
    [Fact]
    public async Task Engine_WithSeveralPgs_EachPgsRunAgreesWithTheOracle()
    {
        var date = ReconTestSupport.Date;
        var connections = ReconTestSupport.TwoPgs();
        var service = ReconTestSupport.Service(db.Factory, connections: connections);
        var pgs = connections.All.Select(c => c.Name).ToList();
        var typesSeen = new HashSet<FindingType>();
        var keysAtBothPgs = 0;
        await FixedSamples.ForEachAsync(20, 4099, 1, 40, async (payments, seed) =>
        {
            await Ledger.ClearAsync(db.Factory);
            var ledger = RandomLedger.Create(seed, payments, date, pgs: pgs);
            await ledger.SaveAsync(db.Factory);

            var runs = await service.RunEachPgAsync(date, RunTrigger.CLI, "property-test");

            Assert.Equal(pgs, runs.Runs.Select(r => r.Pg));
            var seen = new Dictionary<string, List<ExpectedFinding>>();
            foreach (var run in runs.Runs)
            {
                Assert.True(run.Status == RunStatus.SUCCEEDED, $"seed {seed}: run of {run.Pg} failed: {run.Error}");
                var expected = ReconOracle.Run(ledger, date, FeeSchedule.Default, run.Pg);
                var actual = await ReconTestSupport.FindingsOfRunAsync(db.Factory, run.Id);
                if (!expected.SequenceEqual(actual))
                    Assert.Fail($"seed {seed}, payments {payments} ({db.Provider}), PG {run.Pg}:\n expected:\n  " +
                                string.Join("\n  ", expected) + "\n actual:\n  " + string.Join("\n  ", actual));
                typesSeen.UnionWith(actual.Select(f => f.Type));
                seen[run.Pg] = actual;
            }
            keysAtBothPgs += seen[pgs[0]].Select(f => f.Key).Intersect(seen[pgs[1]].Select(f => f.Key)).Count();
            // Every finding carries the PG of the runs that saw it.
            await using var ctx = db.Factory.CreateDbContext();
            Assert.Empty(await (from s in ctx.Set<FindingSighting>()
                                join f in ctx.Set<Finding>() on s.FindingId equals f.Id
                                join r in ctx.Set<ReconRun>() on s.RunId equals r.Id
                                where f.Pg != r.Pg
                                select f.Id).ToListAsync());
        }, output.WriteLine);

        Assert.Equal(FindingTypes.Settlement.Order(), typesSeen.Order());
        Assert.True(keysAtBothPgs > 0, "the samples must have keys with findings at both PGs");
    }

    private long _linesWithoutContract;

    private async Task<HashSet<string>> AgreesWithTheOracleAsync(ReconciliationOptions? options, int iterations,
        FeeSchedule? fees = null, ReconciliationService? engine = null)
    {
        var date = ReconTestSupport.Date;
        var service = engine ?? ReconTestSupport.Service(db.Factory, options: options);
        fees ??= FeeSchedule.Default;
        var typesSeen = new HashSet<FindingType>();
        var diffsSeen = new HashSet<string>();
        await FixedSamples.ForEachAsync(iterations, 1037, 1, 40, async (payments, seed) =>
        {
            await Ledger.ClearAsync(db.Factory);
            var ledger = RandomLedger.Create(seed, payments, date, fees);
            await ledger.SaveAsync(db.Factory);
            // PostgreSQL takes pass 1's key ranges from the key's histogram: gather it, or the run is one range.
            if (db.Provider == DatabaseProvider.Postgres)
            {
                await using var stats = db.Factory.CreateDbContext();
                await stats.Database.ExecuteSqlRawAsync("ANALYZE payment_transactions");
            }

            var run = await service.RunAsync(date, RunTrigger.CLI, "property-test");

            Assert.True(run.Status == RunStatus.SUCCEEDED, $"seed {seed}: run failed: {run.Error}");
            var expected = ReconOracle.Run(ledger, date, fees);
            var actual = await ReconTestSupport.FindingsOfRunAsync(db.Factory, run.Id);
            var uncontracted = ReconOracle.LinesWithoutContract(ledger, date, fees);
            Assert.True(run.LinesWithoutContract == uncontracted,
                $"seed {seed}: {run.LinesWithoutContract} lines without a contract counted, the oracle counts {uncontracted}");
            _linesWithoutContract += uncontracted;
            if (!expected.SequenceEqual(actual))
                Assert.Fail($"seed {seed}, payments {payments} ({db.Provider}):\n expected:\n  " +
                            string.Join("\n  ", expected) + "\n actual:\n  " + string.Join("\n  ", actual));
            foreach (var f in actual)
            {
                typesSeen.Add(f.Type);
                diffsSeen.UnionWith(f.Diff.Split(',', StringSplitOptions.RemoveEmptyEntries));
            }
        }, output.WriteLine);

        // The generator must exercise every finding type, or the property proves little.
        Assert.Equal(FindingTypes.Settlement.Order(), typesSeen.Order());
        return diffsSeen;
    }
}

public sealed class SqliteReconciliationPropertyTests(SqliteTestDatabase db, ITestOutputHelper output)
    : ReconciliationPropertyTests<SqliteTestDatabase>(db, output), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresReconciliationPropertyTests(PostgresTestDatabase db, ITestOutputHelper output)
    : ReconciliationPropertyTests<PostgresTestDatabase>(db, output), IClassFixture<PostgresTestDatabase>;
