using OpsConsole.Core.Gateway;

namespace OpsConsole.Tests.Gateway;

/// <summary>
/// Documented / real Toss responses (Fixtures/, sources in Fixtures/SOURCES.md) parsed by the real client over
/// real HTTP; every field OpsConsole reads is asserted.
/// </summary>
public sealed class TossConformanceTests : IAsyncLifetime
{
    private TossStubServer _pg = null!;
    private static readonly DateOnly D = new(2025, 2, 9);

    public async Task InitializeAsync() => _pg = await TossStubServer.StartAsync();
    public async Task DisposeAsync() => await _pg.DisposeAsync();

    private async Task<TossSettlement> OnlyLineAsync(string fixture)
    {
        _pg.Settlements = TossStubServer.Fixture(fixture);
        var r = await _pg.Client().GetSettlementsAsync(D, D, 1, 100);
        Assert.True(r.IsSuccess, r.Describe());
        return Assert.Single(r.Value!);
    }

    [Fact]
    public async Task Settlement_CardInstallmentInterestFree_ForumResponse()
    {
        var s = await OnlyLineAsync("settlement-card-installment-interest-free.json");

        Assert.Equal("TP01020250209065811VYdf1", s.PaymentKey);
        Assert.Equal("txrd_a01jkks4kdkvhqr2kge21gqawf8", s.TransactionKey);
        Assert.Equal("1474301494006-ae063bd9-f752-4633-b130-a379dddc6a0a", s.OrderId);
        Assert.Equal("카드", s.Method);
        Assert.Equal(64601, s.Amount);
        Assert.Equal(1492, s.Fee);
        Assert.Equal(1356, s.SupplyAmount);
        Assert.Equal(136, s.Vat);
        Assert.Equal(63109, s.PayOutAmount);
        Assert.Equal(0, s.InterestFee);
        Assert.Equal(new DateTimeOffset(2025, 2, 9, 6, 58, 32, TimeSpan.FromHours(9)), s.ApprovedAt);
        Assert.Equal(new DateOnly(2025, 2, 9), s.SoldDate);
        Assert.Equal(new DateOnly(2025, 2, 13), s.PaidOutDate);
        Assert.Equal("KRW", s.Currency);
        Assert.Equal("TP01012100", s.MId);
        Assert.Equal([new TossSettlementFee("BASE", 1492)], s.Fees!);
        Assert.Equal(new TossSettlementCard("41", "41", 5, true, "CARD_COMPANY", "READY"), s.Card);
        Assert.Null(s.EasyPay);
        Assert.Null(s.Cancel);
    }

    [Fact]
    public async Task Settlement_CancelLine_ForumResponse_KeepsTheOriginalApprovalTimeAndTheCancel()
    {
        var s = await OnlyLineAsync("settlement-card-cancel-line.json");

        Assert.Equal("xLpgeoO7410238740297423RBKEzMjPJyG", s.PaymentKey);
        Assert.Equal("497BF239847238947B0491D84B4", s.TransactionKey);
        Assert.Equal("EjBNtZK7j8q2TlGFLJ-9T", s.OrderId);
        Assert.Equal("카드", s.Method);
        Assert.Equal(-99800, s.Amount);
        Assert.Equal(-2250, s.Fee);
        Assert.Equal(-2045, s.SupplyAmount);
        Assert.Equal(-205, s.Vat);
        Assert.Equal(-97550, s.PayOutAmount);
        Assert.Equal(0, s.InterestFee);
        Assert.Equal(new DateTimeOffset(2023, 11, 25, 13, 3, 39, TimeSpan.FromHours(9)), s.ApprovedAt);
        Assert.Equal(new DateOnly(2023, 11, 25), s.SoldDate);
        Assert.Equal(new DateOnly(2023, 11, 30), s.PaidOutDate);
        Assert.Equal("tosspayments", s.MId);
        Assert.Equal([new TossSettlementFee("BASE", -2250), new TossSettlementFee("ETC", 0)], s.Fees!);
        Assert.Equal(new TossSettlementCard("11", "11", 3, true, "CARD_COMPANY", "READY"), s.Card);
        Assert.Equal(new TossSettlementCancel("497BF239847238947B0491D84B4", 99800,
            new DateTimeOffset(2023, 11, 25, 13, 40, 3, TimeSpan.FromHours(9))), s.Cancel);
    }

    [Fact]
    public async Task Settlement_WithoutFees_ForumResponse_LeavesTheBreakdownUnreported()
    {
        var s = await OnlyLineAsync("settlement-card-without-fees.json");

        Assert.Null(s.Fees);
        Assert.Equal(859950, s.Fee);
        Assert.Equal(781773, s.SupplyAmount);
        Assert.Equal(78177, s.Vat);
        Assert.Equal(2420050, s.PayOutAmount);
        Assert.Equal(3280000, s.Amount);
        Assert.Equal("", s.MId);
        Assert.Equal(new TossSettlementCard("51", "51", 24, true, null, "READY"), s.Card);
    }

    [Fact]
    public async Task Settlement_ConstructedInstallmentGiftCertificateAndEasyPay()
    {
        _pg.Settlements = TossStubServer.Fixture("constructed-settlement-installment-34000.json");
        var r = await _pg.Client().GetSettlementsAsync(D, D, 1, 100);
        Assert.True(r.IsSuccess, r.Describe());
        var (card, gift, easy) = (r.Value![0], r.Value[1], r.Value[2]);

        Assert.Equal(34000, card.Amount);
        Assert.Equal([new TossSettlementFee("BASE", 800), new TossSettlementFee("INSTALLMENT", 60)], card.Fees!);
        Assert.Equal(860, card.Fee);
        Assert.Equal(782, card.SupplyAmount); // spelled suppliedAmount in the answer
        Assert.Equal(78, card.Vat);
        Assert.Equal(33140, card.PayOutAmount);
        Assert.Equal(new TossSettlementCard("61", "31", 3, false, null, "COMPLETED"), card.Card);
        Assert.Equal("문화상품권", gift.Method);
        Assert.Null(gift.InterestFee);
        Assert.Equal(500, gift.SupplyAmount);
        Assert.Equal("간편결제", easy.Method);
        Assert.Equal(new TossEasyPay("토스페이"), easy.EasyPay);
        Assert.Equal([new TossSettlementFee("BASE", 600), new TossSettlementFee("POINT_SAVING", 0)], easy.Fees!);
    }

    [Fact]
    public async Task Payment_DoneCard_ForumResponse()
    {
        _pg.Payment = TossStubServer.Fixture("payment-done-card.json");

        var r = await _pg.Client().GetPaymentAsync("tnhig20251121102047bvrO8");

        Assert.True(r.IsSuccess, r.Describe());
        var p = r.Value!;
        Assert.Equal("tnhig20251121102047bvrO8", p.PaymentKey);
        Assert.Equal("39_C_1_51_1763688046", p.OrderId);
        Assert.Equal("DONE", p.Status);
        Assert.Equal(9026, p.TotalAmount);
        Assert.Equal(9026, p.BalanceAmount);
        Assert.Equal("카드", p.Method);
        Assert.Equal(new DateTimeOffset(2025, 11, 21, 10, 20, 47, TimeSpan.FromHours(9)), p.RequestedAt);
        Assert.Equal(new DateTimeOffset(2025, 11, 21, 10, 21, 9, TimeSpan.FromHours(9)), p.ApprovedAt);
        Assert.Equal("txrd_a01kaj00e2mrrpmscg7w050d8g7", p.LastTransactionKey);
        Assert.Null(p.Cancels);
        Assert.Equal("KRW", p.Currency);
        Assert.Equal("안심 33kg(1+|한우거세)", p.OrderName);
        Assert.Equal("tnhigogz5bi", p.MId);
    }

    [Fact]
    public async Task Payment_WaitingForDeposit_VirtualAccount_ForumResponse()
    {
        _pg.Payment = TossStubServer.Fixture("payment-waiting-virtual-account.json");

        var r = await _pg.Client().GetPaymentAsync("znsyz20251130141719u7Ie0");

        Assert.True(r.IsSuccess, r.Describe());
        Assert.Equal("WAITING_FOR_DEPOSIT", r.Value!.Status);
        Assert.Equal("가상계좌", r.Value.Method);
        Assert.True(TossMethods.TryParse(r.Value.Method, out var m));
        Assert.Equal(Core.Payments.PaymentMethod.VIRTUAL_ACCOUNT, m);
        Assert.Null(r.Value.ApprovedAt);
        Assert.Equal(30000, r.Value.TotalAmount);
    }

    [Fact]
    public async Task Payment_ExpiredWithNullMethodInAnotherCurrency_ForumResponse_IsRefusedForItsCurrency()
    {
        _pg.Payment = TossStubServer.Fixture("payment-expired-method-null.json");

        var r = await _pg.Client().GetPaymentAsync("3bill20250828101631QgTJ9");

        Assert.Equal(PgOutcome.Unknown, r.Outcome);
        Assert.Contains("currency 'MUSD'", r.Message, StringComparison.Ordinal);
    }
}
