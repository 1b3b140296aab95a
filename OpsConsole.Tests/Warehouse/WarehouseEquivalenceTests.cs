using Npgsql;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Warehouse;
using OpsConsole.Tests.Infrastructure;
using OpsConsole.Tests.Reconciliation;
using Xunit.Abstractions;

namespace OpsConsole.Tests.Warehouse;

/// <summary>
/// The BigQuery passes, rendered in their dialect-neutral form for PostgreSQL and run on the console's own tables,
/// must report exactly what the reconciliation tests' oracle reports: the same keys, types, verdicts, money at
/// risk and diffs.
/// </summary>
public sealed class WarehouseEquivalenceTests(PostgresTestDatabase db, ITestOutputHelper output)
    : IClassFixture<PostgresTestDatabase>
{
    /// <summary>The console's tables: transactions have no business-date column (it is computed from occurred_at).</summary>
    public static readonly WarehouseTableLayout ConsoleLayout = new()
    {
        TransactionColumns = new TransactionColumns { BusinessDate = null },
    };

    private static readonly ReconciliationDefinition Definition = ReconciliationDefinition.Standard(FeeSchedule.Default);
    private static readonly WarehouseReconciliationSql Neutral = new(Definition, new PostgresWarehouseDialect(), ConsoleLayout);

    [Fact]
    public Task NeutralRendering_OnRandomLedgers_AgreesWithTheOracle() => AgreesWithTheOracleAsync(FeeSchedule.Default);

    /// <summary>Several merchants' contracts (the property tests' two): the warehouse's rendering of the same rules agrees too.</summary>
    [Fact]
    public Task NeutralRendering_WithContractsOfSeveralMerchants_AgreesWithTheOracle() =>
        AgreesWithTheOracleAsync(FeeSchedule.Default.WithContracts(RandomLedger.ContractSettings().Build()));

    /// <summary>Contracts over time (a rate change on the date, a contract for the date only): the warehouse's rendering
    /// picks each line's contract by its approval date as the oracle does.</summary>
    [Fact]
    public Task NeutralRendering_WithContractsOverTime_AgreesWithTheOracle() =>
        AgreesWithTheOracleAsync(FeeSchedule.Default.WithContracts(RandomLedger.ContractsOverTime(ReconTestSupport.Date)));

    /// <summary>Two PGs (the same key at both, lines filed under the wrong PG): each PG's passes agree with the oracle's
    /// run of that PG.</summary>
    [Fact]
    public async Task NeutralRendering_WithSeveralPgs_AgreesWithTheOraclePerPg()
    {
        var date = ReconTestSupport.Date;
        string[] pgs = [ReconTestSupport.FilePg, Ledger.DefaultPg];
        var typesSeen = new HashSet<FindingType>();
        await FixedSamples.ForEachAsync(15, 4099, 1, 40, async (payments, seed) =>
        {
            await Ledger.ClearAsync(db.Factory);
            var ledger = RandomLedger.Create(seed, payments, date, pgs: pgs);
            await ledger.SaveAsync(db.Factory);
            foreach (var pg in pgs)
            {
                var actual = await RunBothPassesAsync(date, pg: pg);
                var expected = ReconOracle.Run(ledger, date, FeeSchedule.Default, pg);
                if (!expected.SequenceEqual(actual))
                    Assert.Fail($"seed {seed}, payments {payments}, PG {pg}:\n expected:\n  " + string.Join("\n  ", expected) +
                                "\n actual:\n  " + string.Join("\n  ", actual));
                typesSeen.UnionWith(actual.Select(f => f.Type));
            }
        }, output.WriteLine);

        Assert.Equal(FindingTypes.Settlement.Order(), typesSeen.Order());
    }

    private async Task AgreesWithTheOracleAsync(FeeSchedule fees)
    {
        var sql = new WarehouseReconciliationSql(ReconciliationDefinition.Standard(fees), new PostgresWarehouseDialect(), ConsoleLayout);
        var date = ReconTestSupport.Date;
        var typesSeen = new HashSet<FindingType>();
        await FixedSamples.ForEachAsync(30, 2112, 1, 40, async (payments, seed) =>
        {
            await Ledger.ClearAsync(db.Factory);
            var ledger = RandomLedger.Create(seed, payments, date, fees);
            await ledger.SaveAsync(db.Factory);

            var actual = await RunBothPassesAsync(date, sql);

            var expected = ReconOracle.Run(ledger, date, fees);
            if (!expected.SequenceEqual(actual))
                Assert.Fail($"seed {seed}, payments {payments}:\n expected:\n  " + string.Join("\n  ", expected) +
                            "\n actual:\n  " + string.Join("\n  ", actual));
            foreach (var f in actual) typesSeen.Add(f.Type);
        }, output.WriteLine);

        Assert.Equal(FindingTypes.Settlement.Order(), typesSeen.Order());
    }

    [Fact]
    public async Task NeutralRendering_OnAHandBuiltLedger_FindsWhatAPersonExpects()
    {
        var date = ReconTestSupport.Date;
        var start = BusinessCalendar.StartOfDayUtc(date);
        await Ledger.ClearAsync(db.Factory);
        var ledger = new Ledger();
        InternalTx Tx(string key, string pk, TransactionKind kind, long amount, DateTimeOffset at) =>
            new(key, pk, "order-" + pk, kind, amount, PaymentMethod.CARD, at);
        ExternalLine Line(InternalTx tx, long? amount = null, long? fee = null, DateOnly? sold = null) =>
            new(tx.Key, tx.PaymentKey, tx.OrderId, tx.Method, amount ?? tx.SignedAmount,
                fee ?? FeeSchedule.Default.ExpectedFee(tx.Method, amount ?? tx.SignedAmount)!.Value, sold ?? tx.BusinessDate, tx.OccurredAt);

        var ok = Tx("k-ok", "p1", TransactionKind.APPROVAL, 10_000, start.AddHours(1));
        var cancel = Tx("k-cancel", "p1", TransactionKind.CANCEL, 4_000, start.AddHours(2));
        var amount = Tx("k-amount", "p2", TransactionKind.APPROVAL, 10_000, start.AddHours(3));
        var late = Tx("k-late", "p3", TransactionKind.APPROVAL, 5_000, start.AddDays(1).AddMilliseconds(-1));
        var missing = Tx("k-missing", "p4", TransactionKind.APPROVAL, 7_000, start);
        var dup = Tx("k-dup", "p5", TransactionKind.APPROVAL, 3_000, start.AddHours(5));
        var fee = Tx("k-fee", "p6", TransactionKind.APPROVAL, 20_000, start.AddHours(6));
        var nextDay = Tx("k-next-day", "p7", TransactionKind.APPROVAL, 1_000, start.AddDays(1));
        ledger.Payments.Add(new LedgerPayment("p1", "order-p1", 10_000, PaymentMethod.CARD, PaymentStatus.DONE, [ok, cancel]));
        foreach (var t in new[] { amount, late, missing, dup, fee, nextDay })
            ledger.Payments.Add(new LedgerPayment(t.PaymentKey, t.OrderId, t.Amount, PaymentMethod.CARD, PaymentStatus.DONE, [t]));
        ledger.Payments.Add(new LedgerPayment("p8", "order-p8", 4_000, PaymentMethod.CARD, PaymentStatus.ABORTED, []));
        ledger.Lines.AddRange([
            Line(ok), Line(cancel), Line(amount, amount: 9_000), Line(late, sold: date.AddDays(1)), Line(dup), Line(dup),
            Line(fee, fee: 999), Line(nextDay),
            new ExternalLine("k-charged", "p8", "order-p8", PaymentMethod.CARD, 4_000, 100, date, start.AddHours(7)),
            new ExternalLine("k-orphan", "p-none", "order-none", PaymentMethod.CARD, 6_000, 150, date, start.AddHours(8)),
        ]);
        await ledger.SaveAsync(db.Factory);

        var actual = await RunBothPassesAsync(date);

        Assert.Equal(
        [
            new ExpectedFinding("k-amount", FindingType.AMOUNT_MISMATCH, FindingVerdict.CONFIRMED, 1_000, "amount"),
            new ExpectedFinding("k-charged", FindingType.CHARGED_BUT_FAILED, FindingVerdict.CONFIRMED, 4_000, "internal"),
            new ExpectedFinding("k-dup", FindingType.DUPLICATE_EXTERNAL, FindingVerdict.CONFIRMED, 3_000, "lineCount"),
            new ExpectedFinding("k-fee", FindingType.FEE_MISMATCH, FindingVerdict.CONFIRMED, 499, "fee"),
            // 23:59:59.999 KST is this business date; the PG filed the line under the next day: pass 1 misses the line,
            // pass 2 (no date filter) finds it and the finding becomes a DATE_MISMATCH.
            new ExpectedFinding("k-late", FindingType.DATE_MISMATCH, FindingVerdict.CONFIRMED, 5_000, "soldDate"),
            new ExpectedFinding("k-missing", FindingType.MISSING_EXTERNAL, FindingVerdict.CONFIRMED, 7_000, "external"),
            new ExpectedFinding("k-orphan", FindingType.MISSING_INTERNAL, FindingVerdict.CONFIRMED, 6_000, "internal"),
        ], actual);
        Assert.Equal(ReconOracle.Run(ledger, date, FeeSchedule.Default), actual);
    }

    /// <summary>Pass 1, then pass 2 on pass 1's keys, then the verdict as the run decides it.</summary>
    private async Task<List<ExpectedFinding>> RunBothPassesAsync(DateOnly date, WarehouseReconciliationSql? sql = null,
        string pg = Ledger.DefaultPg)
    {
        var start = BusinessCalendar.StartOfDayUtc(date);
        var neutral = sql ?? Neutral;
        var pass1 = await QueryAsync(neutral.Pass1(),
            [new("pg", pg), new("date", date), new("from", start), new("to", start.AddDays(1))]);
        var pass2 = await QueryAsync(neutral.Pass2(recheckWindow: false),
            [new("pg", pg), new("keys", pass1.Select(r => r.Key).ToArray())]);
        var second = pass2.ToDictionary(r => r.Key);
        return pass1.Select(first => second.TryGetValue(first.Key, out var s) && s.Type is { } type
                                     && (s.InternalDate is null || s.InternalDate == date)
                ? new ExpectedFinding(first.Key, type, FindingVerdict.CONFIRMED, s.Money, s.Diff)
                : new ExpectedFinding(first.Key, first.Type!.Value, FindingVerdict.TRANSIENT, first.Money, first.Diff))
            .OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
    }

    private sealed record Item(string Key, FindingType? Type, long Money, string Diff, DateOnly? InternalDate);

    private async Task<List<Item>> QueryAsync(string sql, NpgsqlParameter[] parameters)
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.AddRange(parameters);
        await using var reader = await cmd.ExecuteReaderAsync();
        var items = new List<Item>();
        while (await reader.ReadAsync())
        {
            var type = reader["finding_type"] as string;
            items.Add(new Item((string)reader["transaction_key"], type is null ? null : Enum.Parse<FindingType>(type),
                (long)reader["money_at_risk"], (string)reader["diff_fields"],
                reader["internal_business_date"] is DBNull ? null
                    : reader.GetFieldValue<DateOnly>(reader.GetOrdinal("internal_business_date"))));
        }
        return items;
    }
}
