using OpsConsole.Core.Audit;

namespace OpsConsole.Tests.Audit;

/// <summary>An audit row's change: only the fields that differ, amounts as KRW, free text of older rows left alone.</summary>
public sealed class AuditChangeTests
{
    [Fact]
    public void Between_KeepsOnlyTheChangedFields_AndParseShowsThemBeforeToAfter()
    {
        var change = AuditChange.Between(
            new() { { "status", "REQUESTED" }, { "amount", 45_800L }, { "approvedBy", (string?)null } },
            new() { { "status", "APPROVED" }, { "amount", 45_800L }, { "approvedBy", "oncall-1" } });

        var fields = AuditChange.Parse(change.Before, change.After)!;

        Assert.Equal(["status", "approvedBy"], fields.Select(f => f.Field));
        Assert.Equal(("REQUESTED", "APPROVED"), (fields[0].Before, fields[0].After));
        Assert.Equal(("∅", "oncall-1", "approved by"), (fields[1].Before, fields[1].After, fields[1].Label));
        Assert.Equal("status REQUESTED → APPROVED · approved by ∅ → oncall-1", AuditChange.Summary(change.Before, change.After));
    }

    [Fact]
    public void Amounts_AreShownAsKrw_AndACreationListsItsSetFieldsWithoutArrows()
    {
        var created = AuditChange.Created(new() { { "kind", "REFUND" }, { "amount", 45_800L }, { "batch", (long?)null }, { "fullRefund", true } });

        Assert.Null(created.Before);
        Assert.Equal("kind REFUND · amount 45,800 KRW · full refund yes", AuditChange.Summary(created.Before, created.After));
        var balance = AuditChange.Between(new() { { "balanceAmount", 45_800L } }, new() { { "balanceAmount", 0L } });
        Assert.Equal("balance amount 45,800 KRW → 0 KRW", AuditChange.Summary(balance.Before, balance.After));
    }

    [Fact]
    public void NothingChanged_IsNoChange_AndOlderFreeTextRowsAreShownAsTheyAre()
    {
        Assert.Equal(AuditChange.None, AuditChange.Between(new() { { "status", "OPEN" } }, new() { { "status", "OPEN" } }));
        Assert.Null(AuditChange.Parse("status=OPEN assignee=-", "status=ACKNOWLEDGED assignee=-"));
        Assert.Equal("∅ → revoked", AuditChange.Summary(null, "revoked"));
        Assert.Null(AuditChange.Summary(null, null));
    }
}
