using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;

namespace OpsConsole.Tests.Payments;

public class PaymentStateMachineTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);

    private static Payment NewPayment(long amount = 10_000) =>
        Payment.StartConfirm("pay_1", "order-0001", amount, "KRW", "trace", Now, Core.Gateway.PgConnections.LegacyName);

    [Fact]
    public void StartConfirm_RecordsIntentInProgress()
    {
        var p = NewPayment();
        Assert.Equal(PaymentStatus.IN_PROGRESS, p.Status);
        Assert.Equal(0, p.BalanceAmount);
        Assert.True(p.IsUnresolved);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void StartConfirm_WithNonPositiveAmount_IsRefused(long amount)
    {
        var e = Assert.Throws<DomainException>(() => NewPayment(amount));
        Assert.Equal("INVALID_AMOUNT", e.Code);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("has space in it")]
    [InlineData("")]
    public void StartConfirm_WithMalformedOrderId_IsRefused(string orderId)
    {
        var e = Assert.Throws<DomainException>(() =>
            Payment.StartConfirm("pay_1", orderId, 100, "KRW", "t", Now, Core.Gateway.PgConnections.LegacyName));
        Assert.Equal("INVALID_ORDER_ID", e.Code);
    }

    [Fact]
    public void Approve_SetsBalanceAndAddsApprovalTransaction()
    {
        var p = NewPayment();
        p.MarkApproved("tx_a", PaymentMethod.EASY_PAY, Now, Now);
        Assert.Equal(PaymentStatus.DONE, p.Status);
        Assert.Equal(10_000, p.BalanceAmount);
        var t = Assert.Single(p.Transactions);
        Assert.Equal(TransactionKind.APPROVAL, t.Kind);
        Assert.Equal(PaymentMethod.EASY_PAY, p.Method);
    }

    [Fact]
    public void Unknown_CanStillBeApprovedOrAborted_ButAbortedCannotBeApproved()
    {
        var p = NewPayment();
        p.MarkUnknown("timeout", Now, Now);
        Assert.Equal(PaymentStatus.UNKNOWN, p.Status);
        p.MarkApproved("tx", PaymentMethod.CARD, Now, Now);
        Assert.Equal(PaymentStatus.DONE, p.Status);

        var q = NewPayment();
        q.MarkAborted("REJECT_CARD_PAYMENT", "declined", Now);
        var e = Assert.Throws<DomainException>(() => q.MarkApproved("tx", PaymentMethod.CARD, Now, Now));
        Assert.Equal("ILLEGAL_TRANSITION", e.Code);
        Assert.Throws<DomainException>(() => q.MarkUnknown("x", Now, Now));
    }

    [Fact]
    public void Cancels_ReserveThenComplete_PartialThenFull()
    {
        var p = NewPayment();
        p.MarkApproved("tx", PaymentMethod.CARD, Now, Now);
        p.ReserveCancel(3_000, Now);
        Assert.Equal(7_000, p.CancelableAmount);
        p.CompleteCancel(3_000, "c1", Now, Now);
        Assert.Equal(PaymentStatus.PARTIAL_CANCELED, p.Status);
        Assert.Equal(7_000, p.BalanceAmount);
        p.ReserveCancel(7_000, Now);
        p.CompleteCancel(7_000, "c2", Now, Now);
        Assert.Equal(PaymentStatus.CANCELED, p.Status);
        Assert.Equal(0, p.BalanceAmount);
        Assert.Equal(3, p.Transactions.Count);
    }

    [Fact]
    public void Cancel_OverTheCancelableBalance_IsRefused_IncludingPendingReservations()
    {
        var p = NewPayment();
        p.MarkApproved("tx", PaymentMethod.CARD, Now, Now);
        p.ReserveCancel(6_000, Now);
        var e = Assert.Throws<DomainException>(() => p.ReserveCancel(5_000, Now));
        Assert.Equal("NOT_CANCELABLE_AMOUNT", e.Code);
        p.ReleaseCancel(6_000, Now);
        p.ReserveCancel(10_000, Now);
    }

    [Fact]
    public void Cancel_OfAFailedPayment_IsRefused()
    {
        var p = NewPayment();
        p.MarkAborted("X", "declined", Now);
        Assert.Equal("NOT_CANCELABLE_STATUS", Assert.Throws<DomainException>(() => p.ReserveCancel(1, Now)).Code);
    }

    [Fact]
    public void EveryChange_BumpsTheConcurrencyVersion()
    {
        var p = NewPayment();
        var v = p.Version;
        p.MarkUnknown("t", Now, Now);
        Assert.True(p.Version > v);
    }

    [Theory]
    [InlineData("2026-11-24T14:59:59Z", "2026-11-24")]
    [InlineData("2026-11-24T15:00:00Z", "2026-11-25")]
    [InlineData("2026-11-23T15:00:00Z", "2026-11-24")]
    public void BusinessDate_IsTheKstCalendarDate(string utc, string expected)
    {
        Assert.Equal(DateOnly.Parse(expected), BusinessCalendar.BusinessDateOf(DateTimeOffset.Parse(utc)));
    }
}
