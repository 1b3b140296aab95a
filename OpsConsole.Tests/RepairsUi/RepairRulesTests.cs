using OpsConsole.Components.Pages.Repairs;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Repairs;

namespace OpsConsole.Tests.RepairsUi;

/// <summary>The pure rules behind the console's repair buttons and effect text.</summary>
public sealed class RepairRulesTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);

    private static RepairRequest Requested(string by = "finance") =>
        RepairRequest.Create(RepairKind.REFUND, "pk_1", "order-1", 7, 5_000, false, "OTHER", "why", by, At, TimeSpan.FromHours(24));

    [Fact]
    public void Approve_IsRefusedToTheRequester_WhateverTheCase_AndAllowedToAnyoneElse()
    {
        var r = Requested();
        Assert.Contains("You requested repair", RepairQueries.WhyCannotApprove(r, "FINANCE", At.AddMinutes(1)));
        Assert.Null(RepairQueries.WhyCannotApprove(r, "oncall", At.AddMinutes(1)));
    }

    [Fact]
    public void Approve_IsRefusedAfterExpiry_AndOnceDecided()
    {
        var r = Requested();
        Assert.Contains("expired", RepairQueries.WhyCannotApprove(r, "oncall", At.AddHours(24)));
        r.Reject("oncall", "wrong payment", At.AddMinutes(2));
        Assert.Contains("is REJECTED", RepairQueries.WhyCannotApprove(r, "admin", At.AddMinutes(3)));
        Assert.Contains("is REJECTED", RepairQueries.WhyCannotReject(r));
    }

    [Fact]
    public void PartialRefund_OfAnApprovedPayment_AddsOnlyACancel()
    {
        var preview = new RepairPreview(
            new PaymentSnapshot("pk_1", "order-1", PaymentStatus.DONE, 10_000, 10_000, 0, "KRW", PaymentMethod.CARD, At, At, null, null, "t"),
            new TossPayment("pk_1", "order-1", "DONE", 10_000, 10_000, "카드", At, At, "tx_1", []),
            null, [new RepairOption(RepairKind.REFUND, true, "cancel at the PG", 10_000)], null);

        var effect = RepairEffects.Describe(preview, RepairKind.REFUND, 4_000, null);

        Assert.Equal((10_000L, 6_000L), (effect.PgBalanceBefore, effect.PgBalanceAfter!.Value));
        Assert.Equal(
        [
            "a cancel transaction of 4,000 KRW is added; status DONE → PARTIAL_CANCELED, ledger balance 10,000 → 6,000",
            "at the PG: partial cancel of 4,000 KRW with an idempotency key fixed at request time; balance 10,000 → 6,000",
        ], effect.Changes);
    }
}
