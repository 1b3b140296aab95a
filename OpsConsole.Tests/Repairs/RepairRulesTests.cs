using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Repairs;

namespace OpsConsole.Tests.Repairs;

/// <summary>The pure rules behind the console's repair buttons and effect text (Core/Repairs).</summary>
public sealed class RepairRulesTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);

    private static RepairRequest Requested(string by = "finance") =>
        RepairRequest.Create(RepairKind.REFUND, "pk_1", "order-1", 7, 5_000, false, "OTHER", "why", by, At, TimeSpan.FromHours(24));

    [Fact]
    public void Approve_IsRefusedToTheRequester_WhateverTheCase_AndAllowedToAnyoneElse()
    {
        var r = Requested();
        Assert.Contains("You requested repair", r.WhyCannotApprove("FINANCE", At.AddMinutes(1))?.Message);
        Assert.Null(r.WhyCannotApprove("oncall", At.AddMinutes(1))?.Message);
    }

    [Fact]
    public void Approve_IsRefusedAfterExpiry_AndOnceDecided()
    {
        var r = Requested();
        Assert.Contains("expired", r.WhyCannotApprove("oncall", At.AddHours(24))?.Message);
        r.Reject("oncall", "wrong payment", At.AddMinutes(2));
        Assert.Contains("is REJECTED", r.WhyCannotApprove("admin", At.AddMinutes(3))?.Message);
        Assert.Contains("is REJECTED", r.WhyCannotReject()?.Message);
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

    [Fact]
    public void Batch_ApproveIsRefusedToTheRequester_AndRejectOnlyWhileRequested()
    {
        var b = RepairBatch.Create("finance", "OTHER", "why", At);
        b.SetTotals(1, 5_000, At.AddHours(24));
        Assert.Equal("SELF_APPROVAL", b.WhyCannotApprove("Finance", At.AddMinutes(1))!.Code);
        Assert.Null(b.WhyCannotApprove("oncall", At.AddMinutes(1)));
        b.Reject("oncall", "no", At.AddMinutes(2));
        Assert.Equal("ILLEGAL_TRANSITION", b.WhyCannotReject()!.Code);
        Assert.Equal("ILLEGAL_TRANSITION", Assert.Throws<OpsConsole.Core.Common.DomainException>(() => b.Approve("admin", At.AddMinutes(3))).Code);
    }

    [Theory]
    [InlineData(PaymentStatus.ABORTED, true)]
    [InlineData(PaymentStatus.EXPIRED, true)]
    [InlineData(PaymentStatus.UNKNOWN, true)]
    [InlineData(PaymentStatus.IN_PROGRESS, false)]
    [InlineData(PaymentStatus.DONE, false)]
    [InlineData(PaymentStatus.CANCELED, false)]
    public void AFailedPayment_IsAbortedExpiredOrUnknown_TheSameForReconciliationAndRepairs(PaymentStatus status, bool failed)
    {
        Assert.Equal(failed, status.IsFailed());
        Assert.Equal(failed, OpsConsole.Core.Reconciliation.ReconciliationDefinition
            .Standard(OpsConsole.Core.Reconciliation.FeeSchedule.Default).FailedPaymentStatuses.Contains(status));
    }
}
