using OpsConsole.Core.Gateway;

namespace OpsConsole.Tests.Gateway;

/// <summary>
/// Foreign currency as Toss answers it (Fixtures/payment-paypal-usd-partial-canceled.json, source in SOURCES.md): amounts
/// are decimals in the currency's units and become minor units exactly through the real client over real HTTP; more
/// decimals than the currency has, or a currency outside Pg:Currencies, is refused with the field named.
/// </summary>
public sealed class TossCurrencyConformanceTests : IAsyncLifetime
{
    private TossStubServer _pg = null!;
    private static readonly DateOnly D = new(2025, 2, 9);
    private const string PayPal = "payment-paypal-usd-partial-canceled.json";

    public async Task InitializeAsync() => _pg = await TossStubServer.StartAsync();
    public async Task DisposeAsync() => await _pg.DisposeAsync();

    [Fact]
    public async Task Payment_PayPalUsdPartiallyCanceled_ForumResponse_ReadsDecimalsAsMinorUnitsExactly()
    {
        _pg.Payment = TossStubServer.Fixture(PayPal);

        var r = await _pg.Client("KRW,USD").GetPaymentAsync("tgove20240509110910paypal");

        Assert.True(r.IsSuccess, r.Describe());
        var p = r.Value!;
        Assert.Equal(("USD", 72624L, 54468L), (p.Currency, p.TotalAmount, p.BalanceAmount));
        Assert.Equal("PARTIAL_CANCELED", p.Status);
        Assert.Equal("해외간편결제", p.Method);
        var cancel = Assert.Single(p.Cancels!);
        Assert.Equal(("A47A42AE50F68F5FFB62778C67153E36", 18156L, "DONE"), (cancel.TransactionKey, cancel.CancelAmount, cancel.CancelStatus));
        // After a cancel, lastTransactionKey names the cancel: the approval's key is not in the object.
        Assert.Equal(cancel.TransactionKey, p.LastTransactionKey);
    }

    [Fact]
    public async Task Payment_InACurrencyNotConfigured_IsRefusedNamingTheCurrency()
    {
        _pg.Payment = TossStubServer.Fixture(PayPal);

        var r = await _pg.Client().GetPaymentAsync("tgove20240509110910paypal");

        Assert.Equal(PgOutcome.Unknown, r.Outcome);
        Assert.Contains("currency 'USD' is not one of the accepted currencies (KRW; Pg:Currencies)", r.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"totalAmount\": 726.24", "\"totalAmount\": 726.245", "field 'totalAmount' is 726.245: 726.245 USD has more decimals than the currency's 2")]
    [InlineData("\"cancelAmount\": 181.56", "\"cancelAmount\": 181.561", "field 'cancels[0].cancelAmount' is 181.561")]
    [InlineData("\"currency\": \"USD\",", "", "field 'currency' is missing")]
    public async Task Payment_WithAnAmountFinerThanItsCurrency_OrNoCurrency_IsRefusedWithTheFieldNamed(string from, string to, string expected)
    {
        _pg.Payment = TossStubServer.Fixture(PayPal).Replace(from, to, StringComparison.Ordinal);

        var r = await _pg.Client("KRW,USD").GetPaymentAsync("tgove20240509110910paypal");

        Assert.Equal(PgOutcome.Unknown, r.Outcome);
        Assert.Contains(expected, r.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// CONSTRUCTED from the forum's card line (settlement-card-installment-interest-free.json) with the currency changed
    /// to USD and the amounts given cents: no USD settlement line was found in Toss's documents or forum (PayPal has no
    /// settlement API, per docs.tosspayments.com/guides/payment-widget/integration-paypal).
    /// </summary>
    [Fact]
    public async Task Settlement_UsdLine_ReadsEveryAmountInCents_AndOneCentFinerIsRefused()
    {
        var line = TossStubServer.Fixture("settlement-card-installment-interest-free.json")
            .Replace("\"KRW\"", "\"USD\"", StringComparison.Ordinal)
            .Replace("64601", "646.01", StringComparison.Ordinal).Replace("63109", "631.09", StringComparison.Ordinal)
            .Replace("1492", "14.92", StringComparison.Ordinal).Replace("1356", "13.56", StringComparison.Ordinal)
            .Replace(": 136", ": 1.36", StringComparison.Ordinal);
        _pg.Settlements = line;

        var r = await _pg.Client("KRW,USD").GetSettlementsAsync(D, D, 1, 100);

        Assert.True(r.IsSuccess, r.Describe());
        var s = Assert.Single(r.Value!);
        Assert.Equal(("USD", 64601L, 1492L, 1356L, 136L, 63109L), (s.Currency, s.Amount, s.Fee, s.SupplyAmount, s.Vat, s.PayOutAmount));
        Assert.Equal([new TossSettlementFee("BASE", 1492)], s.Fees!);

        _pg.Settlements = line.Replace("646.01", "646.015", StringComparison.Ordinal);
        var finer = await _pg.Client("KRW,USD").GetSettlementsAsync(D, D, 1, 100);
        Assert.Equal(PgOutcome.Unknown, finer.Outcome);
        Assert.Contains("field 'amount' is 646.015", finer.Message, StringComparison.Ordinal);

        _pg.Settlements = line;
        var krwOnly = await _pg.Client().GetSettlementsAsync(D, D, 1, 100);
        Assert.Equal(PgOutcome.Unknown, krwOnly.Outcome);
        Assert.Contains("currency 'USD' is not one of the accepted currencies", krwOnly.Message, StringComparison.Ordinal);
    }
}
