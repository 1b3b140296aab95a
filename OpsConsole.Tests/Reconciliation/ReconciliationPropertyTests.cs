using CsCheck;
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

    private async Task AgreesWithTheOracleAsync(ReconciliationOptions? options, int iterations)
    {
        var date = ReconTestSupport.Date;
        var service = ReconTestSupport.Service(db.Factory, options: options);
        var typesSeen = new HashSet<FindingType>();
        await Gen.Select(Gen.Int[1, 40], Gen.Int[0, int.MaxValue]).SampleAsync(async (payments, seed) =>
        {
            await Ledger.ClearAsync(db.Factory);
            var ledger = RandomLedger.Create(seed, payments, date);
            await ledger.SaveAsync(db.Factory);
            // PostgreSQL takes pass 1's key ranges from the key's histogram: gather it, or the run is one range.
            if (db.Provider == DatabaseProvider.Postgres)
            {
                await using var stats = db.Factory.CreateDbContext();
                await stats.Database.ExecuteSqlRawAsync("ANALYZE payment_transactions");
            }

            var run = await service.RunAsync(date, RunTrigger.CLI, "property-test");

            Assert.True(run.Status == RunStatus.SUCCEEDED, $"seed {seed}: run failed: {run.Error}");
            var expected = ReconOracle.Run(ledger, date, FeeSchedule.Default);
            var actual = await ReconTestSupport.FindingsOfRunAsync(db.Factory, run.Id);
            if (!expected.SequenceEqual(actual))
                Assert.Fail($"seed {seed}, payments {payments} ({db.Provider}):\n expected:\n  " +
                            string.Join("\n  ", expected) + "\n actual:\n  " + string.Join("\n  ", actual));
            foreach (var f in actual) typesSeen.Add(f.Type);
        }, iter: iterations, threads: 1, writeLine: output.WriteLine);

        // The generator must exercise every finding type, or the property proves little.
        Assert.Equal(FindingTypes.Settlement.Order(), typesSeen.Order());
    }
}

public sealed class SqliteReconciliationPropertyTests(SqliteTestDatabase db, ITestOutputHelper output)
    : ReconciliationPropertyTests<SqliteTestDatabase>(db, output), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresReconciliationPropertyTests(PostgresTestDatabase db, ITestOutputHelper output)
    : ReconciliationPropertyTests<PostgresTestDatabase>(db, output), IClassFixture<PostgresTestDatabase>;
