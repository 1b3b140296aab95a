using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// Contract fees on Toss's own figures. Sources (fixtures in OpsConsole.Tests/Gateway/Fixtures, see SOURCES.md):
/// the 34,000 KRW installment example of issue 16 §2 (constructed: BASE 800 + INSTALLMENT 60 = 860, supply 782 +
/// VAT 78, payout 33,140; here with the interest paid by the merchant, the case in which Toss charges INSTALLMENT);
/// techchat.tosspayments.com/m/1339897603873046580 (64,601 card, 5 months interest-free paid by the card company:
/// BASE 1,492 only, VAT 136); /m/1255352982157922435 (a −99,800 cancel line: BASE −2,250, VAT −205);
/// /m/1460817611460972673 (fee 859,950, VAT 78,177).
/// </summary>
public sealed class FeeContractRuleTests
{
    private static FeeContract Contract(Action<FeeContractSettings> set)
    {
        var settings = new FeeContractSettings();
        set(settings);
        return FeeContract.From("TP01012100", settings, "Pg:Contracts:TP01012100");
    }

    [Theory]
    [InlineData(860, 78)]       // the documented example: 782 + 78
    [InlineData(1_492, 136)]    // forum 1339897603873046580 (floor would give 135)
    [InlineData(-2_250, -205)]  // forum 1255352982157922435 (a cancel line; truncation would give -204)
    [InlineData(859_950, 78_177)] // forum 1460817611460972673
    [InlineData(0, 0)]
    public void Vat_IsTheFeeOver11_RoundedToTheNearestWon(long fee, long vat) => Assert.Equal(vat, FeeContract.VatOf(fee));

    [Fact]
    public void DocumentedExample_MerchantPaidInstallment_IsBase800PlusInstallment60()
    {
        var contract = Contract(c => { c.BaseRates["CARD"] = 0.02353m; c.InstallmentRates["3"] = 0.001765m; });

        var fee = contract.Expected(PaymentMethod.CARD, 34_000, "61", null, 3, "MERCHANT");

        Assert.Equal(new ContractFee(800, 60), fee);
        Assert.Equal(860, fee!.Value.Total);
        Assert.Equal(78, FeeContract.VatOf(860));
        Assert.Equal(33_140, 34_000 - fee.Value.Total);
    }

    [Theory]
    [InlineData("CARD_COMPANY")] // forum 1339897603873046580: a card company promotion: BASE only
    [InlineData("BUYER")]
    [InlineData(null)]
    public void Installment_WhoseInterestTheMerchantDoesNotPay_HasNoInstallmentFee(string? payer)
    {
        var contract = Contract(c => { c.BaseRates["CARD"] = 0.0231m; c.InstallmentRates["5"] = 0.01m; });

        Assert.Equal(new ContractFee(1_492, 0), contract.Expected(PaymentMethod.CARD, 64_601, "41", null, 5, payer));
    }

    [Fact]
    public void IssuerAndProviderRates_OverrideTheMethodRate_AndTheMinimumAppliesToApprovalsOnly()
    {
        var contract = Contract(c =>
        {
            c.BaseRates["CARD"] = 0.03m;
            c.BaseRates["EASY_PAY"] = 0.03m;
            c.CardIssuerRates["11"] = 0.02255m;
            c.EasyPayProviderRates["토스페이"] = 0.02m;
            c.MinimumFee = 100;
        });

        Assert.Equal(-2_250, contract.Expected(PaymentMethod.CARD, -99_800, "11", null, 3, "CARD_COMPANY")!.Value.Base); // forum cancel line
        Assert.Equal(400, contract.Expected(PaymentMethod.EASY_PAY, 20_000, null, "토스페이", null, null)!.Value.Base);
        Assert.Equal(600, contract.Expected(PaymentMethod.EASY_PAY, 20_000, null, "카카오페이", null, null)!.Value.Base);
        Assert.Equal(100, contract.Expected(PaymentMethod.CARD, 1_000, "61", null, null, null)!.Value.Base);
        Assert.Equal(-30, contract.Expected(PaymentMethod.CARD, -1_000, "61", null, null, null)!.Value.Base);
        Assert.Null(contract.Expected(PaymentMethod.TRANSFER, 1_000, null, null, null, null));
    }

    [Fact]
    public void BadContractSettings_AreAllNamed_AndNothingIsDefaulted()
    {
        var options = new FeeContractOptions
        {
            Contracts =
            {
                ["TP01"] = new FeeContractSettings
                {
                    BaseRates = { ["CARDD"] = 0.02m, ["EASY_PAY"] = 1.5m },
                    InstallmentRates = { ["1"] = 0.01m, ["x"] = 0.01m },
                    MinimumFee = -5,
                },
                ["TP02"] = new FeeContractSettings(),
            },
        };

        var error = Assert.Throws<ConfigurationError>(options.Build);

        foreach (var part in new[]
                 {
                     "Pg:Contracts:TP01:BaseRates:CARDD names no payment method", "Pg:Contracts:TP01:BaseRates:EASY_PAY must be a fraction in [0, 1)",
                     "Pg:Contracts:TP01:InstallmentRates:1 must be a number of months", "Pg:Contracts:TP01:InstallmentRates:x must",
                     "Pg:Contracts:TP01:MinimumFee must be zero or more", "Pg:Contracts:TP02:BaseRates must give the rate of at least one method",
                 })
            Assert.Contains(part, error.Message);
    }

    private static FeeContract Dated(DateOnly? from, DateOnly? until, decimal cardRate) =>
        Contract(c => { c.ValidFrom = from; c.ValidUntil = until; c.BaseRates["CARD"] = cardRate; });

    [Fact]
    public void NewRateFromTheFirstOfAMonth_EndsThePreviousContractTheDayBefore()
    {
        var timeline = FeeContractTimeline.Build("TP01012100",
            [Dated(new DateOnly(2026, 3, 1), null, 0.02m), Dated(null, null, 0.025m)], "test");

        Assert.Equal(25_000, timeline.On(new DateOnly(2026, 2, 28))!.BaseRatesPpm[PaymentMethod.CARD]);
        Assert.Equal(20_000, timeline.On(new DateOnly(2026, 3, 1))!.BaseRatesPpm[PaymentMethod.CARD]);
        Assert.Equal(new DateOnly(2026, 2, 28), timeline.Periods[0].Until);
        Assert.False(timeline.IsTimeless);
    }

    [Fact]
    public void DaysBetweenAnExplicitEndAndTheNextStart_HaveNoContract()
    {
        var timeline = FeeContractTimeline.Build("TP01012100",
            [Dated(new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 31), 0.025m), Dated(new DateOnly(2026, 3, 1), null, 0.02m)], "test");

        Assert.Null(timeline.On(new DateOnly(2025, 12, 31)));
        Assert.Null(timeline.On(new DateOnly(2026, 2, 14)));
        Assert.NotNull(timeline.On(new DateOnly(2026, 1, 31)));
        Assert.NotNull(timeline.On(new DateOnly(2030, 1, 1)));
    }

    [Fact]
    public void OverlappingPeriods_AreRefusedNamingBoth()
    {
        var reachesIn = Assert.Throws<ConfigurationError>(() => FeeContractTimeline.Build("TP01012100",
            [Dated(new DateOnly(2026, 1, 1), new DateOnly(2026, 2, 15), 0.025m), Dated(new DateOnly(2026, 2, 1), null, 0.02m)], "test"));
        Assert.Contains("the contracts of TP01012100 overlap: 2026-01-01 to 2026-02-15 and 2026-02-01 to open end", reachesIn.Message);

        Assert.Throws<ConfigurationError>(() => FeeContractTimeline.Build("TP01012100",
            [Dated(new DateOnly(2026, 1, 1), null, 0.025m), Dated(new DateOnly(2026, 1, 1), null, 0.02m)], "test"));
        Assert.Throws<ConfigurationError>(() => FeeContractTimeline.Build("TP01012100",
            [Dated(null, null, 0.025m), Dated(null, new DateOnly(2026, 1, 1), 0.02m)], "test"));
        var backwards = Assert.Throws<ConfigurationError>(() => Dated(new DateOnly(2026, 2, 1), new DateOnly(2026, 1, 1), 0.02m));
        Assert.Contains("ValidUntil (2026-01-01) is before ValidFrom (2026-02-01)", backwards.Message);
    }
}

/// <summary>Runs on both providers with contracts: the documented example and the forum's lines.</summary>
public abstract class ContractFeeRunTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    private static readonly DateOnly D = ReconTestSupport.Date;
    private static readonly DateTimeOffset Noon = BusinessCalendar.StartOfDayUtc(D).AddHours(12);
    private const string MId = "TP01012100";

    public async Task InitializeAsync()
    {
        await Ledger.ClearAsync(db.Factory);
        await using var ctx = db.Factory.CreateDbContext();
        await ctx.Database.ExecuteSqlRawAsync("DELETE FROM fee_contracts");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static FeeContractSettings TossContract(bool withThreeMonths = true)
    {
        var c = new FeeContractSettings
        {
            BaseRates = { ["CARD"] = 0.02353m },
            CardIssuerRates = { ["11"] = 0.02255m, ["41"] = 0.0231m },
        };
        if (withThreeMonths) c.InstallmentRates["3"] = 0.001765m;
        return c;
    }

    private FeeContractCatalog Catalog(FeeContractSettings? configured) =>
        new(db.Factory, Options.Create(new FeeContractOptions { Contracts = configured is null ? [] : new() { [MId] = configured } }),
            new AuditLog(db.Factory, TimeProvider.System), TimeProvider.System);

    private static (LedgerPayment Payment, ExternalLine Line) Card(string id, long amount, long fee, long vat, long? feeBase,
        long? installment, string issuer, int months, string? payer)
    {
        var tx = new InternalTx($"tx-{id}", $"pay-{id}", $"order-{id}", TransactionKind.APPROVAL, amount, PaymentMethod.CARD, Noon);
        return (new LedgerPayment(tx.PaymentKey, tx.OrderId, amount, PaymentMethod.CARD, PaymentStatus.DONE, [tx]),
            new ExternalLine(tx.Key, tx.PaymentKey, tx.OrderId, PaymentMethod.CARD, amount, fee, D, Noon, MId, issuer, null,
                months, payer, vat, feeBase, installment));
    }

    private async Task<List<ExpectedFinding>> RunAsync(FeeContractCatalog catalog, params (LedgerPayment, ExternalLine)[] rows)
    {
        var ledger = new Ledger();
        foreach (var (p, l) in rows)
        {
            ledger.Payments.Add(p);
            ledger.Lines.Add(l);
        }
        await ledger.SaveAsync(db.Factory);
        var service = new ReconciliationService(db.Factory,
            Options.Create(new ReconciliationOptions { SettleDelay = TimeSpan.Zero }), TimeProvider.System, contracts: catalog);
        var run = await service.RunAsync(D, RunTrigger.CLI, "contract-test");
        Assert.Equal(RunStatus.SUCCEEDED, run.Status);
        _lastRun = run;
        return await ReconTestSupport.FindingsOfRunAsync(db.Factory, run.Id);
    }

    private ReconRun? _lastRun;

    // The documented example (BASE 800 + INSTALLMENT 60 = 860, VAT 78), the merchant paying the interest.
    private static (LedgerPayment, ExternalLine) Documented(string id = "doc", long vat = 78, long installment = 60) =>
        Card(id, 34_000, 800 + installment, vat, 800, installment, "61", 3, "MERCHANT");

    [Fact]
    public async Task DocumentedExample_WithoutAContract_IsAFeeMismatchAgainstTheFlatRate()
    {
        var findings = await RunAsync(Catalog(null), Documented());

        Assert.Equal([new ExpectedFinding("tx-doc", FindingType.FEE_MISMATCH, FindingVerdict.CONFIRMED, 10, "fee")], findings);
    }

    [Fact]
    public async Task DocumentedExample_AndForumLines_UnderTheirContract_AreNoFinding()
    {
        var findings = await RunAsync(Catalog(TossContract()),
            Documented(),
            // forum 1339897603873046580: 5 months interest-free, the card company pays: BASE 1,492 only.
            Card("forum", 64_601, 1_492, 136, 1_492, null, "41", 5, "CARD_COMPANY"));

        Assert.Empty(findings);
    }

    [Fact]
    public async Task InstallmentTheContractDoesNotPrice_IsAFeeMismatchNamingTheInstallment()
    {
        var findings = await RunAsync(Catalog(TossContract(withThreeMonths: false)), Documented());

        Assert.Equal([new ExpectedFinding("tx-doc", FindingType.FEE_MISMATCH, FindingVerdict.CONFIRMED, 60, "fee,fee.installment")],
            findings);
    }

    [Fact]
    public async Task WrongBase_IsAFeeMismatchNamingTheBase()
    {
        // BASE 830 instead of 800: fee 890, its VAT (81) consistent with it.
        var (payment, line) = Documented();
        line = line with { Fee = 890, FeeBase = 830, Vat = 81 };

        var findings = await RunAsync(Catalog(TossContract()), (payment, line));

        Assert.Equal([new ExpectedFinding("tx-doc", FindingType.FEE_MISMATCH, FindingVerdict.CONFIRMED, 30, "fee,fee.base")], findings);
    }

    [Fact]
    public async Task WrongVat_OnARightFee_IsAFeeMismatchNamingTheVat()
    {
        var findings = await RunAsync(Catalog(TossContract()), Documented(vat: 80));

        Assert.Equal([new ExpectedFinding("tx-doc", FindingType.FEE_MISMATCH, FindingVerdict.CONFIRMED, 2, "vat")], findings);
    }

    [Fact]
    public async Task ContractStoredByAnAdmin_OverridesTheConfiguredOne_AndIsAudited()
    {
        var catalog = Catalog(TossContract(withThreeMonths: false));
        await catalog.SaveAsync(MId, JsonSerializer.Serialize(TossContract()), "admin-kim");

        var findings = await RunAsync(catalog, Documented());

        Assert.Empty(findings);
        var view = Assert.Single(await catalog.ListAsync());
        Assert.Equal(FeeContractSource.ConsoleOverridesConfiguration, view.Source);
        await using var ctx = db.Factory.CreateDbContext();
        var entry = Assert.Single(await ctx.AuditEntries.Where(a => a.TargetType == FeeContractCatalog.AuditTarget).ToListAsync());
        Assert.Equal("admin-kim", entry.Actor);
        Assert.Equal(MId, entry.TargetId);
    }

    // A rate change on D (2.5% → 2.0%): the old contract has no end, so it runs until the day before the new one.
    private static string RateChangeOnD => JsonSerializer.Serialize(new[]
    {
        new FeeContractSettings { BaseRates = { ["CARD"] = 0.025m } },
        new FeeContractSettings { ValidFrom = D, BaseRates = { ["CARD"] = 0.02m } },
    });

    // A cancel on D of a card approval of the day before: Toss's cancel line carries the approval's approvedAt.
    private static (LedgerPayment, ExternalLine) CancelOfYesterdaysApproval(string id, long amount, long fee, long vat)
    {
        var approvedAt = Noon.AddDays(-1);
        var approval = new InternalTx($"tx-{id}-a", $"pay-{id}", $"order-{id}", TransactionKind.APPROVAL, amount, PaymentMethod.CARD, approvedAt);
        var cancel = new InternalTx($"tx-{id}-c", $"pay-{id}", $"order-{id}", TransactionKind.CANCEL, amount, PaymentMethod.CARD, Noon);
        return (new LedgerPayment($"pay-{id}", $"order-{id}", amount, PaymentMethod.CARD, PaymentStatus.CANCELED, [approval, cancel]),
            new ExternalLine(cancel.Key, cancel.PaymentKey, cancel.OrderId, PaymentMethod.CARD, -amount, fee, D, approvedAt, MId, "61",
                Vat: vat));
    }

    [Fact]
    public async Task RateChange_ApprovalOfTheDayTakesTheNewRate_ACancelOfAnEarlierApprovalRefundsTheOldOne()
    {
        var catalog = Catalog(null);
        await catalog.SaveAsync(MId, RateChangeOnD, "admin-kim");

        var findings = await RunAsync(catalog,
            Card("new", 20_000, 400, 36, null, null, "61", 0, null),          // 2.0% of 20,000
            CancelOfYesterdaysApproval("old", 40_000, -1_000, -91),            // refunds 2.5% of 40,000
            CancelOfYesterdaysApproval("oldnewrate", 40_000, -800, -73));      // refunded at the new rate: 200 short

        Assert.Equal([new ExpectedFinding("tx-oldnewrate-c", FindingType.FEE_MISMATCH, FindingVerdict.CONFIRMED, 200, "fee")], findings);
        Assert.Equal(0, _lastRun!.LinesWithoutContract);
    }

    [Fact]
    public async Task LineOnADateWithoutContract_IsNotFeeChecked_AndTheRunCountsIt()
    {
        var catalog = Catalog(null);
        await catalog.SaveAsync(MId, JsonSerializer.Serialize(new FeeContractSettings { ValidFrom = D.AddDays(1), BaseRates = { ["CARD"] = 0.02m } }),
            "admin-kim");

        // 5,000 on 20,000 would be a FEE_MISMATCH under any contract or the flat rate.
        var findings = await RunAsync(catalog, Card("gap", 20_000, 5_000, 455, null, null, "61", 0, null));

        Assert.Empty(findings);
        Assert.Equal(1, _lastRun!.LinesWithoutContract);
    }

    /// <summary>
    /// The figures of the steps before pass 1 (lines without a contract, approval keys learnt) commit with the claim and
    /// the run's scope, in one update of the run row: a run that fails once it has claimed the date's marks still tells
    /// them, and is known as a full run (the next run of the date compares the whole date again).
    /// </summary>
    [Fact]
    public async Task RunThatFailsAfterItsClaim_StillRecordsTheLinesWithoutContract_AndItsScope()
    {
        var catalog = Catalog(null);
        await catalog.SaveAsync(MId, JsonSerializer.Serialize(new FeeContractSettings { ValidFrom = D.AddDays(1), BaseRates = { ["CARD"] = 0.02m } }),
            "admin-kim");
        var ledger = new Ledger();
        var (payment, line) = Card("gap", 20_000, 5_000, 455, null, null, "61", 0, null);
        ledger.Payments.Add(payment);
        ledger.Lines.Add(line);
        await ledger.SaveAsync(db.Factory);
        var service = new ReconciliationService(db.Factory,
            Options.Create(new ReconciliationOptions { SettleDelay = TimeSpan.Zero }), TimeProvider.System, contracts: catalog);

        var run = await service.RunAsync(D, RunTrigger.CLI, "contract-test", progress: new FailingAt(RunPhase.PASS1));

        Assert.Equal(RunStatus.FAILED, run.Status);
        Assert.Equal(1, run.LinesWithoutContract);
        Assert.Equal(0, run.KeysLearned);
        Assert.Equal(RunScope.FULL, run.Scope);
        Assert.False(string.IsNullOrEmpty(run.RulesFingerprint));
    }

    /// <summary>Fails the run when it reports <paramref name="phase"/> (reported as the run row moves to it).</summary>
    private sealed class FailingAt(RunPhase phase) : IProgress<RunProgress>
    {
        public void Report(RunProgress value)
        {
            if (value.Phase == phase) throw new InvalidOperationException($"failed at {phase} (test)");
        }
    }

    [Fact]
    public async Task OverlappingPeriodsFromTheConsole_AreRefusedNamingBoth_AndTheStoredContractStays()
    {
        var catalog = Catalog(null);
        await catalog.SaveAsync(MId, RateChangeOnD, "admin-kim");
        var before = Assert.Single(await catalog.ListAsync()).Terms;

        var error = await Assert.ThrowsAsync<DomainException>(() => catalog.SaveAsync(MId, JsonSerializer.Serialize(new[]
        {
            new FeeContractSettings { ValidFrom = new DateOnly(2026, 1, 1), ValidUntil = new DateOnly(2026, 2, 15), BaseRates = { ["CARD"] = 0.025m } },
            new FeeContractSettings { ValidFrom = new DateOnly(2026, 2, 1), BaseRates = { ["CARD"] = 0.02m } },
        }), "admin-lee"));

        Assert.Equal("FEE_CONTRACT_OVERLAP", error.Code);
        Assert.Contains("2026-01-01 to 2026-02-15 and 2026-02-01 to open end", error.Message);
        Assert.Equal(before, Assert.Single(await catalog.ListAsync()).Terms);
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Single(await ctx.AuditEntries.Where(a => a.TargetType == FeeContractCatalog.AuditTarget).ToListAsync());
    }

    [Fact]
    public async Task ChangingTheContractsOverTime_IsAuditedBeforeAndAfter()
    {
        var catalog = Catalog(null);
        await catalog.SaveAsync(MId, JsonSerializer.Serialize(new FeeContractSettings { BaseRates = { ["CARD"] = 0.025m } }), "admin-kim");

        await catalog.SaveAsync(MId, RateChangeOnD, "admin-lee");

        await using var ctx = db.Factory.CreateDbContext();
        var update = await ctx.AuditEntries.Where(a => a.TargetType == FeeContractCatalog.AuditTarget && a.Action == "fee-contract.update")
            .SingleAsync();
        Assert.Equal("admin-lee", update.Actor);
        Assert.DoesNotContain("ValidFrom", update.Before);
        Assert.Contains($"\"ValidFrom\": \"{D:yyyy-MM-dd}\"", update.After);
        Assert.StartsWith("[", update.After);
    }

    [Fact]
    public async Task BadContractFromTheConsole_IsRefusedWithTheProblemNamed_AndNothingStored()
    {
        var catalog = Catalog(null);

        var error = await Assert.ThrowsAsync<DomainException>(() =>
            catalog.SaveAsync(MId, """{"BaseRates": {"CARD": 2.5}, "Typo": 1}""", "admin-kim"));

        Assert.Contains("Typo", error.Message);
        error = await Assert.ThrowsAsync<DomainException>(() => catalog.SaveAsync(MId, """{"BaseRates": {"CARD": 2.5}}""", "admin-kim"));
        Assert.Contains("BaseRates:CARD must be a fraction in [0, 1)", error.Message);
        Assert.Empty(await catalog.ListAsync());
    }
}

public sealed class SqliteContractFeeRunTests(SqliteTestDatabase db)
    : ContractFeeRunTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresContractFeeRunTests(PostgresTestDatabase db)
    : ContractFeeRunTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;
