using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Common;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

public abstract class SettlementPullTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    private static readonly DateOnly D = ReconTestSupport.Date;

    public Task InitializeAsync() => Ledger.ClearAsync(db.Factory);
    public Task DisposeAsync() => Task.CompletedTask;

    private static List<TossSettlement> Lines(int n) => Enumerable.Range(1, n).Select(i => new TossSettlement(
        $"pay-{i}", $"tx-{i}", $"order-{i}", i % 2 == 0 ? "카드" : "CARD", 1000 * i, 25 * i, 909 * i, 91 * i, 975 * i,
        BusinessCalendar.StartOfDayUtc(D).AddMinutes(i), D, D.AddDays(2))).ToList();

    private SettlementPuller Puller(IPaymentGateway pg) => new(() => pg, db.Factory,
        Options.Create(new ReconciliationOptions { PullPageSize = 2 }), TimeProvider.System);

    private async Task<int> LineCountAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.Set<SettlementLine>().CountAsync();
    }

    [Fact]
    public async Task Pull_ReadsEveryPage_AndPullingAgainReplacesInsteadOfDuplicating()
    {
        var pg = new PagedPg(Lines(5));

        var first = await Puller(pg).PullAsync(D, D, "tester");
        var second = await Puller(pg).PullAsync(D, D, "tester");

        Assert.Equal(3, first.Pages);
        Assert.Equal(5, first.LineCount);
        Assert.Equal(5, second.ReplacedLineCount);
        Assert.Equal(5, await LineCountAsync());
        Assert.Equal([(1, 2), (2, 2), (3, 2)], pg.Calls.Take(3));
    }

    [Fact]
    public async Task Pull_WhenAPageFails_ChangesNothing()
    {
        await Puller(new PagedPg(Lines(3))).PullAsync(D, D, "tester");

        var e = await Assert.ThrowsAsync<DomainException>(() => Puller(new PagedPg(Lines(6), failPage: 2)).PullAsync(D, D, "tester"));

        Assert.Equal("PG_PULL_FAILED", e.Code);
        Assert.Contains("page 2", e.Message);
        Assert.Equal(3, await LineCountAsync());
    }

    [Fact]
    public async Task Pull_WithAnUnknownMethod_KeepsItAsOtherWithItsText_WarnsAndStoresTheRest()
    {
        var lines = Lines(3);
        lines[1] = lines[1] with { Method = "포인트" };

        var result = await Puller(new PagedPg(lines)).PullAsync(D, D, "tester");

        Assert.Equal(3, result.LineCount);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("'포인트'", warning, StringComparison.Ordinal);
        Assert.Contains("transactionKey tx-2", warning, StringComparison.Ordinal);
        await using var ctx = db.Factory.CreateDbContext();
        var other = await ctx.Set<SettlementLine>().SingleAsync(l => l.TransactionKey == "tx-2");
        Assert.Equal(PaymentMethod.OTHER, other.Method);
        Assert.Equal("포인트", other.MethodText);
        Assert.Equal(3, await ctx.Set<SettlementLine>().CountAsync());
    }

    [Fact]
    public async Task Pull_GiftCertificates_AreTheirOwnMethods_NeverCard()
    {
        var lines = Lines(3);
        lines[0] = lines[0] with { Method = "문화상품권" };
        lines[1] = lines[1] with { Method = "도서문화상품권" };
        lines[2] = lines[2] with { Method = "게임문화상품권" };

        var result = await Puller(new PagedPg(lines)).PullAsync(D, D, "tester");

        Assert.Empty(result.Warnings);
        await using var ctx = db.Factory.CreateDbContext();
        var methods = await ctx.Set<SettlementLine>().OrderBy(l => l.TransactionKey).Select(l => l.Method).ToListAsync();
        Assert.Equal([PaymentMethod.CULTURE_GIFT_CERTIFICATE, PaymentMethod.BOOK_GIFT_CERTIFICATE, PaymentMethod.GAME_GIFT_CERTIFICATE], methods);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5001)]
    public async Task Pull_WithAPageSizeOutsideThePgsLimit_IsAConfigurationError(int size)
    {
        var puller = new SettlementPuller(() => new PagedPg(Lines(1)), db.Factory,
            Options.Create(new ReconciliationOptions { PullPageSize = size }), TimeProvider.System);

        var e = await Assert.ThrowsAsync<ConfigurationError>(() => puller.PullAsync(D, D, "tester"));

        Assert.Contains("Reconciliation:PullPageSize must be 1 to 5,000", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, await LineCountAsync());
    }

    [Fact]
    public async Task Pull_OverHttp_StoresTheFeeBreakdownCardAndCancelOfTheDocumentedLines()
    {
        await using var pg = await Gateway.TossStubServer.StartAsync();
        var puller = new SettlementPuller(() => pg.Client(), db.Factory,
            Options.Create(new ReconciliationOptions()), TimeProvider.System);

        pg.Settlements = Gateway.TossStubServer.Fixture("settlement-card-cancel-line.json");
        await puller.PullAsync(new DateOnly(2023, 11, 25), new DateOnly(2023, 11, 25), "tester");
        pg.Settlements = Gateway.TossStubServer.Fixture("constructed-settlement-installment-34000.json");
        await puller.PullAsync(new DateOnly(2026, 3, 15), new DateOnly(2026, 3, 15), "tester");

        await using var ctx = db.Factory.CreateDbContext();
        var cancel = await ctx.Set<SettlementLine>().SingleAsync(l => l.TransactionKey == "497BF239847238947B0491D84B4");
        Assert.Equal(-99800, cancel.Amount);
        Assert.Equal(-2250, cancel.Fee);
        Assert.Equal(-2045, cancel.SupplyAmount);
        Assert.Equal((long?)-2250, cancel.FeeBase);
        Assert.Equal((long?)0, cancel.FeeEtc);
        Assert.Null(cancel.FeeInstallment);
        Assert.Equal((long?)0, cancel.InterestFee);
        Assert.Equal(new DateTimeOffset(2023, 11, 25, 4, 3, 39, TimeSpan.Zero), cancel.ApprovedAt);
        Assert.Equal("497BF239847238947B0491D84B4", cancel.CancelTransactionKey);
        Assert.Equal((long?)99800, cancel.CancelAmount);
        Assert.Equal(new DateTimeOffset(2023, 11, 25, 4, 40, 3, TimeSpan.Zero), cancel.CanceledAt);
        Assert.Equal(("11", "11", 3, true, "CARD_COMPANY", "READY"), (cancel.CardIssuerCode, cancel.CardAcquirerCode,
            cancel.CardInstallmentPlanMonths, cancel.CardIsInterestFree, cancel.CardInterestPayer, cancel.CardAcquireStatus));
        Assert.Equal("tosspayments", cancel.MId);
        Assert.Equal("카드", cancel.MethodText);

        var installment = await ctx.Set<SettlementLine>().SingleAsync(l => l.TransactionKey == "constructed_tx_34000");
        Assert.Equal((860L, 800L, 60L, 782L, 78L, 33140L), (installment.Fee, installment.FeeBase!.Value,
            installment.FeeInstallment!.Value, installment.SupplyAmount, installment.Vat, installment.PayOutAmount));
        Assert.Equal(false, installment.CardIsInterestFree);
        var gift = await ctx.Set<SettlementLine>().SingleAsync(l => l.TransactionKey == "constructed_tx_gift");
        Assert.Equal(PaymentMethod.CULTURE_GIFT_CERTIFICATE, gift.Method);
        Assert.Null(gift.InterestFee);
        var easy = await ctx.Set<SettlementLine>().SingleAsync(l => l.TransactionKey == "constructed_tx_easy");
        Assert.Equal("토스페이", easy.EasyPayProvider);
        Assert.Equal((long?)0, easy.FeePointSaving);
    }

    [Fact]
    public async Task Pull_OfAPageWithAMissingFee_FailsWithOneLineNamingTheLineAndField_AndChangesNothing()
    {
        await using var pg = await Gateway.TossStubServer.StartAsync();
        pg.Settlements = Gateway.TossStubServer.Fixture("settlement-card-installment-interest-free.json")
            .Replace("\"fee\": 1492,", "", StringComparison.Ordinal);
        var puller = new SettlementPuller(() => pg.Client(), db.Factory,
            Options.Create(new ReconciliationOptions()), TimeProvider.System);

        var e = await Assert.ThrowsAsync<DomainException>(() => puller.PullAsync(new DateOnly(2025, 2, 9), new DateOnly(2025, 2, 9), "tester"));

        Assert.Equal("PG_PULL_FAILED", e.Code);
        Assert.Contains("settlement line 1 of the page (transactionKey txrd_a01jkks4kdkvhqr2kge21gqawf8): field 'fee' is missing", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(0, await LineCountAsync());
    }
}

public sealed class SqliteSettlementPullTests(SqliteTestDatabase db)
    : SettlementPullTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresSettlementPullTests(PostgresTestDatabase db)
    : SettlementPullTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;
