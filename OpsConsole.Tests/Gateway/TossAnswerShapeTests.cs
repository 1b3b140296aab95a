using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;

namespace OpsConsole.Tests.Gateway;

/// <summary>
/// Answers in shapes Toss really sends, through the real client over HTTP: a settlement page with a field
/// missing or mistyped is refused naming the line and field; documented alternative spellings are accepted on
/// purpose; null methods; the full-cancel body.
/// </summary>
public sealed class TossAnswerShapeTests : IAsyncLifetime
{
    private TossStubServer _pg = null!;
    private static readonly DateOnly D = new(2026, 3, 15);

    public async Task InitializeAsync() => _pg = await TossStubServer.StartAsync();
    public async Task DisposeAsync() => await _pg.DisposeAsync();

    private const string Good = """
        "mId":"m1","paymentKey":"pk-1","transactionKey":"tx-1","orderId":"o-1","currency":"KRW","method":"카드",
        "amount":10000,"vat":23,"payOutAmount":9750,"approvedAt":"2026-03-15T10:00:00+09:00",
        "soldDate":"2026-03-15","paidOutDate":"2026-03-17"
        """;

    private async Task<PgResult<IReadOnlyList<TossSettlement>>> PageAsync(params string[] lines)
    {
        _pg.Settlements = "[" + string.Join(",", lines.Select(l => "{" + l + "}")) + "]";
        return await _pg.Client().GetSettlementsAsync(D, D, 1, 100);
    }

    [Fact]
    public async Task LineWithoutFee_RefusesThePage_NamingLineKeyAndField()
    {
        var r = await PageAsync(Good + ",\"fee\":250,\"supplyAmount\":227",
            Good.Replace("tx-1", "tx-2") + ",\"supplyAmount\":227");

        Assert.Equal(PgOutcome.Unknown, r.Outcome);
        Assert.Null(r.Value);
        Assert.Contains("settlement line 2 of the page (transactionKey tx-2): field 'fee' is missing", r.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(",\"fee\":250", "field 'supplyAmount' (or 'suppliedAmount') is missing")]
    [InlineData(",\"fee\":\"250\",\"supplyAmount\":227", "field 'fee' is a JSON string, not a number")]
    [InlineData(",\"fee\":250.5,\"supplyAmount\":227", "field 'fee' is 250.5, not a whole number of KRW")]
    [InlineData(",\"fee\":null,\"supplyAmount\":227", "field 'fee' is null")]
    [InlineData(",\"fee\":250,\"supplyAmount\":227,\"suppliedAmount\":228", "'supplyAmount' 227 and 'suppliedAmount' 228 disagree")]
    [InlineData(",\"fee\":250,\"supplyAmount\":227,\"fees\":[{\"type\":\"SURCHARGE\",\"fee\":1}]", "field 'fees[0].type' is 'SURCHARGE'")]
    [InlineData(",\"fee\":250,\"supplyAmount\":227,\"fees\":[{\"type\":\"BASE\"}]", "field 'fees[0].fee' is missing")]
    [InlineData(",\"fee\":250,\"supplyAmount\":227,\"card\":{\"isInterestFree\":\"Y\"}", "field 'card.isInterestFree' is a JSON string, not a boolean")]
    [InlineData(",\"fee\":250,\"supplyAmount\":227,\"cancel\":{\"transactionKey\":\"c1\",\"cancelAmount\":1}", "field 'cancel.canceledAt' is missing")]
    public async Task MissingOrMistypedField_RefusesThePage(string rest, string named)
    {
        var r = await PageAsync(Good + rest);

        Assert.Equal(PgOutcome.Unknown, r.Outcome);
        Assert.Contains("settlement line 1 of the page (transactionKey tx-1): " + named, r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingRequiredField_IsNamed()
    {
        var r = await PageAsync(Good.Replace("\"paidOutDate\":\"2026-03-17\"", "\"x\":1") + ",\"fee\":250,\"supplyAmount\":227");

        Assert.Contains("field 'paidOutDate' is missing", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuppliedAmountSpelling_IsAcceptedOnPurpose()
    {
        var r = await PageAsync(Good + ",\"fee\":250,\"suppliedAmount\":227");

        Assert.True(r.IsSuccess, r.Describe());
        Assert.Equal(227, r.Value![0].SupplyAmount);
        Assert.Equal(250, r.Value[0].Fee);
    }

    [Fact]
    public async Task ForeignCurrencyLineWithDecimals_IsRefusedWhenItsCurrencyIsNotConfigured()
    {
        var r = await PageAsync(Good.Replace("\"KRW\"", "\"USD\"").Replace("10000", "726.24") + ",\"fee\":250,\"supplyAmount\":227");

        Assert.Equal(PgOutcome.Unknown, r.Outcome);
        Assert.Contains("(transactionKey tx-1): currency 'USD' is not one of the accepted currencies (KRW; Pg:Currencies)", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NullMethodOnASettlementLine_IsRefused()
    {
        var r = await PageAsync(Good.Replace("\"카드\"", "null") + ",\"fee\":250,\"supplyAmount\":227");

        Assert.Contains("field 'method' is null", r.Message, StringComparison.Ordinal);
    }

    private static string Payment(string status, string method) =>
        $$"""{"paymentKey":"pk1","orderId":"order-1","status":"{{status}}","totalAmount":10000,"balanceAmount":10000,"method":{{method}},"requestedAt":"2026-03-15T10:00:00+09:00","approvedAt":null,"lastTransactionKey":null,"cancels":null,"currency":"KRW"}""";

    [Fact]
    public async Task NullMethod_OnADonePayment_IsRefused()
    {
        _pg.Payment = Payment("DONE", "null");

        var r = await _pg.Client().GetPaymentAsync("pk1");

        Assert.Equal(PgOutcome.Unknown, r.Outcome);
        Assert.Contains("method is null on a DONE payment", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NullMethod_OnAnExpiredPayment_IsKeptAsNull()
    {
        _pg.Payment = Payment("EXPIRED", "null");

        var r = await _pg.Client().GetPaymentAsync("pk1");

        Assert.True(r.IsSuccess, r.Describe());
        Assert.Null(r.Value!.Method);
    }

    [Theory]
    [InlineData("카드", PaymentMethod.CARD)]
    [InlineData("가상계좌", PaymentMethod.VIRTUAL_ACCOUNT)]
    [InlineData("간편결제", PaymentMethod.EASY_PAY)]
    [InlineData("휴대폰", PaymentMethod.MOBILE_PHONE)]
    [InlineData("계좌이체", PaymentMethod.TRANSFER)]
    [InlineData("문화상품권", PaymentMethod.CULTURE_GIFT_CERTIFICATE)]
    [InlineData("도서문화상품권", PaymentMethod.BOOK_GIFT_CERTIFICATE)]
    [InlineData("게임문화상품권", PaymentMethod.GAME_GIFT_CERTIFICATE)]
    public void EveryDocumentedMethod_IsKnown_AndRoundTrips(string text, PaymentMethod expected)
    {
        Assert.True(TossMethods.TryParse(text, out var m));
        Assert.Equal(expected, m);
        Assert.Equal(text, TossMethods.ToToss(m));
    }

    [Theory]
    [InlineData("포인트")]
    [InlineData("")]
    [InlineData(null)]
    public void UnknownOrMissingMethod_IsOther_NeverCard(string? text)
    {
        Assert.False(TossMethods.TryParse(text, out var m));
        Assert.Equal(PaymentMethod.OTHER, m);
    }

    [Fact]
    public async Task FullCancel_LeavesCancelAmountOutOfTheBody_PartialSendsIt()
    {
        _pg.Payment = Payment("CANCELED", "\"카드\"");
        var client = _pg.Client();

        await client.CancelAsync("pk1", new TossCancelRequest("고객 요청"), "idem-1");
        await client.CancelAsync("pk1", new TossCancelRequest("부분 취소", 3000), "idem-2");

        var bodies = _pg.Requests.Where(r => r.Path.EndsWith("/cancel", StringComparison.Ordinal)).Select(r => r.Body).ToList();
        Assert.Equal(2, bodies.Count);
        using var full = System.Text.Json.JsonDocument.Parse(bodies[0]);
        Assert.False(full.RootElement.TryGetProperty("cancelAmount", out _), bodies[0]);
        Assert.Equal("고객 요청", full.RootElement.GetProperty("cancelReason").GetString());
        using var partial = System.Text.Json.JsonDocument.Parse(bodies[1]);
        Assert.Equal(3000, partial.RootElement.GetProperty("cancelAmount").GetInt64());
    }
}
