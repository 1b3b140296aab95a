using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// Approvals booked without a key and lines in another currency, hand-built, on both providers: the key is learnt only
/// from exactly one approval line of the payment; a currency difference is named and its money never mixed with KRW.
/// </summary>
public abstract class KeyAndCurrencyRunTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    private static readonly DateOnly D = ReconTestSupport.Date;
    private static readonly DateTimeOffset Noon = BusinessCalendar.StartOfDayUtc(D).AddHours(12);

    public Task InitializeAsync() => Ledger.ClearAsync(db.Factory);
    public Task DisposeAsync() => Task.CompletedTask;

    private static (InternalTx Tx, LedgerPayment Payment) Keyless(string id, long amount)
    {
        var tx = new InternalTx($"tx-{id}", $"pay-{id}", $"order-{id}", TransactionKind.APPROVAL, amount, PaymentMethod.CARD, Noon,
            KeyKnown: false);
        return (tx, new LedgerPayment(tx.PaymentKey, tx.OrderId, amount, PaymentMethod.CARD, PaymentStatus.DONE, [tx]));
    }

    private static ExternalLine Line(InternalTx tx, string? key = null, string currency = "KRW") =>
        new(key ?? tx.Key, tx.PaymentKey, tx.OrderId, tx.Method, tx.SignedAmount,
            FeeSchedule.Default.ExpectedFee(tx.Method, tx.SignedAmount)!.Value, tx.BusinessDate, tx.OccurredAt, Currency: currency);

    [Fact]
    public async Task KeylessApproval_LearnsTheKeyOfItsOneApprovalLine_ButNotFromTwoDifferentOnes()
    {
        var (one, onePayment) = Keyless("one", 10_000);
        var (two, twoPayment) = Keyless("two", 7_000);
        var ledger = new Ledger();
        ledger.Payments.AddRange([onePayment, twoPayment]);
        ledger.Lines.AddRange([Line(one), Line(two, "tx-two-a"), Line(two, "tx-two-b")]);
        await ledger.SaveAsync(db.Factory);

        var run = await ReconTestSupport.Service(db.Factory).RunAsync(D, RunTrigger.CLI, "tester");

        Assert.Equal(RunStatus.SUCCEEDED, run.Status);
        Assert.Equal((1, 1L), (run.KeysLearned, run.KeylessApprovals));
        await using var ctx = db.Factory.CreateDbContext();
        var keys = await ctx.PaymentTransactions.OrderBy(t => t.PaymentKey).Select(t => t.TransactionKey).ToListAsync();
        Assert.Equal(["tx-one", null], keys);
        // Ambiguous: both lines stay unmatched (the approval is not guessed to be either), the learnt one matches.
        var findings = await ReconTestSupport.FindingsOfRunAsync(db.Factory, run.Id);
        Assert.Equal(["tx-two-a MISSING_INTERNAL", "tx-two-b MISSING_INTERNAL"], findings.Select(f => $"{f.Key} {f.Type}"));
        Assert.Equal(ReconOracle.Run(ledger, D, FeeSchedule.Default), findings);
        Assert.Single(await ctx.PaymentEvents.Where(e => e.Type == ApprovalKeyLearning.EventType && e.PaymentKey == "pay-one").ToListAsync());
        Assert.Single(await ctx.AuditEntries.Where(a => a.Action == "payment.approval_key_learned").ToListAsync());
    }

    [Fact]
    public async Task LineInAnotherCurrency_IsAnAmountMismatchNamingCurrency_WithOurAmountAtRiskInOurCurrency()
    {
        var tx = new InternalTx("tx-usd", "pay-usd", "order-usd", TransactionKind.APPROVAL, 72_624, PaymentMethod.CARD, Noon);
        var ledger = new Ledger();
        ledger.Payments.Add(new LedgerPayment("pay-usd", "order-usd", 72_624, PaymentMethod.CARD, PaymentStatus.DONE, [tx]));
        ledger.Lines.Add(Line(tx, currency: "USD"));
        await ledger.SaveAsync(db.Factory);

        var run = await ReconTestSupport.Service(db.Factory).RunAsync(D, RunTrigger.CLI, "tester");

        var finding = Assert.Single(await ReconTestSupport.FindingsOfRunAsync(db.Factory, run.Id));
        Assert.Equal(new ExpectedFinding("tx-usd", FindingType.AMOUNT_MISMATCH, FindingVerdict.CONFIRMED, 72_624, "currency"), finding);
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal("KRW", (await ctx.Set<Finding>().SingleAsync()).Currency);
        Assert.Equal("KRW", (await ctx.Set<ReconRunItem>().FirstAsync(i => i.RunId == run.Id)).Currency);
    }
}

public sealed class SqliteKeyAndCurrencyRunTests(SqliteTestDatabase db)
    : KeyAndCurrencyRunTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresKeyAndCurrencyRunTests(PostgresTestDatabase db)
    : KeyAndCurrencyRunTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;
