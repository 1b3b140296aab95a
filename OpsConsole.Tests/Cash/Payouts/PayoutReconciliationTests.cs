using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Cash;
using OpsConsole.Core.Cash.Payouts;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;
using OpsConsole.Tests.Reconciliation;
using static OpsConsole.Tests.Cash.Payouts.PayoutTestSupport;

namespace OpsConsole.Tests.Cash.Payouts;

/// <summary>
/// One month of payouts with every kind of fault (docs/cash.md): each finds exactly its finding, on SQLite and
/// PostgreSQL; the two passes, re-runs and later statements behave like the settlement reconciliation.
/// </summary>
public abstract class PayoutReconciliationTests<TDb>(TDb db) where TDb : TestDatabase
{
    private static DateOnly D(int day) => new(2026, 3, day);

    private static IEnumerable<PayoutLine> Lines() =>
    [
        // tosspay CARD is D+2 business days; 3/2 is the substitute holiday of 삼일절.
        new("tosspay", D(5), D(9), PaymentMethod.CARD, 10_000),    // paid exactly
        new("tosspay", D(6), D(10), PaymentMethod.CARD, 21_000),   // paid short (19,500)
        new("tosspay", D(6), D(10), PaymentMethod.CARD, -1_000),   //   a cancel netted into the day
        new("tosspay", D(9), D(11), PaymentMethod.CARD, 30_000),   // paid two business days late
        new("tosspay", D(10), D(12), PaymentMethod.CARD, 40_000),  // never paid
        new("tosspay", D(13), D(14), PaymentMethod.TRANSFER, 5_000),  // Sat, Sun and Mon paid as one deposit on Monday
        new("tosspay", D(13), D(15), PaymentMethod.TRANSFER, 6_000),
        new("tosspay", D(13), D(16), PaymentMethod.TRANSFER, 7_000),
        new("tosspay", D(13), D(17), PaymentMethod.TRANSFER, -3_000), // a negative day: offset into the next payout
        new("tosspay", D(16), D(18), PaymentMethod.CARD, 10_000),
        new("tosspay", D(18), D(20), PaymentMethod.EASY_PAY, 1_000),  // EASY_PAY is D+1: 3/19, not 3/20
        new("inicis", D(9), D(12), PaymentMethod.CARD, 50_000),       // D+3, paid exactly
    ];

    private static IEnumerable<Deposit> Deposits() =>
    [
        new("kb-operating", D(9), 10_000, "토스페이먼츠(주)"),
        new("kb-operating", D(10), 19_500, "토스페이먼츠(주)"),
        new("kb-operating", D(13), 30_000, "TOSS PAYMENTS"),
        new("kb-operating", D(16), 18_000, "토스페이먼츠(주)"),
        new("kb-operating", D(18), 7_000, "토스페이먼츠(주)"),
        new("kb-operating", D(19), 2_500, "토스페이먼츠 환불"),       // unexplained
        new("kb-operating", D(20), 1_000, "입금", Memo: "토스페이먼츠 정산"),
        new("kb-operating", D(12), 50_000, "KG이니시스"),
        new("kb-operating", D(12), 99_000, "홍길동"),                  // not a PG's deposit
        new("kb-operating", D(12), 40_000, "토스페이먼츠", Direction: BankDirection.DEBIT),
        new("shinhan", D(12), 40_000, "토스페이먼츠"),                 // another account
    ];

    private async Task<IReadOnlyList<long>> ArrangeAsync()
    {
        await ClearAsync(db.Factory);
        await AddLinesAsync(db.Factory, Lines());
        return await AddDepositsAsync(db.Factory, Deposits());
    }

    [Fact]
    public async Task Run_OnAMonthWithEveryFault_FindsEachFaultAndNothingElse()
    {
        var ids = await ArrangeAsync();

        var run = await Service(db.Factory, Options()).RunAsync(From, To, RunTrigger.CLI, "test");

        Assert.True(run.Status == RunStatus.SUCCEEDED, run.Error);
        var findings = (await FindingsAsync(db.Factory)).Select(f => (f.TransactionKey, f.Type, f.MoneyAtRisk, f.Verdict)).ToList();
        Assert.Equal(
        [
            ("CONTRACT:tosspay:2026-03-20", FindingType.PAYOUT_DATE_OFF_CONTRACT, 0L, FindingVerdict.CONFIRMED),
            ($"DEPOSIT:{ids[5]}", FindingType.UNEXPECTED_DEPOSIT, 2_500L, FindingVerdict.CONFIRMED),
            ("PAYOUT:tosspay:2026-03-10", FindingType.PAYOUT_AMOUNT_MISMATCH, 500L, FindingVerdict.CONFIRMED),
            ("PAYOUT:tosspay:2026-03-11", FindingType.PAYOUT_LATE, 0L, FindingVerdict.CONFIRMED),
            ("PAYOUT:tosspay:2026-03-12", FindingType.PAYOUT_MISSING, 40_000L, FindingVerdict.CONFIRMED),
        ], findings.OrderBy(f => f.TransactionKey, StringComparer.Ordinal).ToList());
        Assert.Equal(5, run.ConfirmedCount);
        Assert.Equal(43_000, run.ConfirmedAmount);

        var items = await ItemsAsync(db.Factory, run.Id, 2);
        var combined = items.Where(i => i.Match == PayoutMatch.COMBINED).ToList();
        Assert.Equal(["PAYOUT:tosspay:2026-03-14", "PAYOUT:tosspay:2026-03-15", "PAYOUT:tosspay:2026-03-16"], combined.Select(i => i.Key));
        Assert.All(combined, i => Assert.Equal(ids[3], i.DepositId));
        var offset = Assert.Single(items, i => i.Match == PayoutMatch.OFFSET);
        Assert.Equal(("PAYOUT:tosspay:2026-03-17", -3_000L), (offset.Key, offset.NetAmount!.Value));
        Assert.Equal(7_000, items.Single(i => i.Key == "PAYOUT:tosspay:2026-03-18").ExpectedAmount);
        Assert.Equal(PayoutMatch.EXACT, items.Single(i => i.Key == "PAYOUT:inicis:2026-03-12").Match);
        Assert.Equal(2, items.Single(i => i.Key == "PAYOUT:tosspay:2026-03-10").LineCount);
    }

    [Fact]
    public async Task Run_AgreesWithTheOracle_OnTheMonth()
    {
        var ids = await ArrangeAsync();
        var options = Options();

        var run = await Service(db.Factory, options).RunAsync(From, To, RunTrigger.CLI, "test");

        var expected = PayoutOracle.Run(PayoutRules.From(options), Calendar, Lines().ToList(),
            Deposits().Select((d, i) => new OracleDeposit(ids[i], d)).ToList(), From, To, D(31));
        Assert.Equal(expected, await ItemsAsync(db.Factory, run.Id, 1));
        Assert.Equal(expected, await ItemsAsync(db.Factory, run.Id, 2));
    }

    [Fact]
    public async Task Run_WhenTheMissingDepositArrivesBetweenPasses_MakesItTransient()
    {
        await ArrangeAsync();
        var service = Service(db.Factory, Options());
        service.BetweenPasses = () => AddDepositsAsync(db.Factory, [new("kb-operating", D(12), 40_000, "토스페이먼츠")]);

        var run = await service.RunAsync(From, To, RunTrigger.CLI, "test");

        var missing = (await FindingsAsync(db.Factory)).Single(f => f.TransactionKey == "PAYOUT:tosspay:2026-03-12");
        Assert.Equal((FindingType.PAYOUT_MISSING, FindingVerdict.TRANSIENT, FindingStatus.AUTO_RESOLVED),
            (missing.Type, missing.Verdict, missing.Status));
        Assert.Contains("after pass 1", missing.TransientReason);
        Assert.Equal((4, 1, 5), (run.ConfirmedCount, run.TransientCount, run.Pass1Count));
    }

    [Fact]
    public async Task Rerun_IsIdempotent_AndAStatementImportedLaterAutoResolves()
    {
        await ArrangeAsync();
        var service = Service(db.Factory, Options());
        await service.RunAsync(From, To, RunTrigger.CLI, "test");
        var second = await service.RunAsync(From, To, RunTrigger.CLI, "test");

        var findings = await FindingsAsync(db.Factory);
        Assert.Equal(5, findings.Count);
        Assert.All(findings, f => Assert.Equal((2, second.FindingRunId), (f.SeenCount, f.LastRunId)));

        await AddDepositsAsync(db.Factory, [new("kb-operating", D(16), 40_000, "토스페이먼츠")]);
        var third = await service.RunAsync(From, To, RunTrigger.CLI, "test");

        var missing = (await FindingsAsync(db.Factory)).Single(f => f.TransactionKey == "PAYOUT:tosspay:2026-03-12" && f.Type == FindingType.PAYOUT_MISSING);
        Assert.Equal(FindingStatus.AUTO_RESOLVED, missing.Status);
        var late = (await FindingsAsync(db.Factory)).Single(f => f.TransactionKey == "PAYOUT:tosspay:2026-03-12" && f.Type == FindingType.PAYOUT_LATE);
        Assert.Equal((FindingStatus.OPEN, 0L), (late.Status, late.MoneyAtRisk));
        Assert.Equal(1, third.AutoResolvedCount);
    }

    [Fact]
    public async Task PayoutFinding_HasTheFindingLifecycle_AndASettlementRunOfItsDateLeavesItAlone()
    {
        await ArrangeAsync();
        await Service(db.Factory, Options()).RunAsync(From, To, RunTrigger.CLI, "test");
        var missing = (await FindingsAsync(db.Factory)).Single(f => f.Type == FindingType.PAYOUT_MISSING);
        var clock = new TestClock();
        clock.Set(Now);
        var findings = new FindingService(db.Factory, new AuditLog(db.Factory, clock), clock);
        await findings.AcknowledgeAsync(missing.Id, "finance-kim");
        await findings.AssignAsync(missing.Id, "finance-kim", "finance-kim");
        await findings.AddNoteAsync(missing.Id, "finance-kim", "Asked Toss for the 3/12 payout.");

        await ReconTestSupport.Service(db.Factory).RunAsync(D(12), RunTrigger.CLI, "test");

        var detail = (await findings.GetAsync(missing.Id))!;
        Assert.Equal((FindingStatus.ACKNOWLEDGED, "finance-kim"), (detail.Finding.Status, detail.Finding.Assignee));
        Assert.Single(detail.Notes);
    }

    [Fact]
    public async Task Run_WithoutPgs_IsRefused()
    {
        var options = Options();
        options.Pgs.Clear();
        var e = await Assert.ThrowsAsync<OpsConsole.Core.Common.DomainException>(() =>
            Service(db.Factory, options).RunAsync(From, To, RunTrigger.CLI, "test"));
        Assert.Equal("CASH_NOT_CONFIGURED", e.Code);
    }
}

public sealed class SqlitePayoutReconciliationTests(SqliteTestDatabase db)
    : PayoutReconciliationTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresPayoutReconciliationTests(PostgresTestDatabase db)
    : PayoutReconciliationTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;
