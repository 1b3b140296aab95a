using Bunit;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Repairs;
using OpsConsole.Components.Pages.Repairs.Components;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Repairs;
using OpsConsole.Tests.Console;

namespace OpsConsole.Tests.RepairsUi;

/// <summary>The repair form: what it offers, what it shows before anything moves, and when it lets the operator send.</summary>
public sealed class RepairFormTests : ConsoleComponentTest
{
    private static readonly DateTimeOffset At = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);

    /// <summary>Our ledger shows ABORTED; the PG charged 7,000 KRW (the CHARGED_BUT_FAILED case).</summary>
    private static RepairPreview ChargedButFailed(params RepairOption[] options) => new(
        new PaymentSnapshot("pk_test_1", "order-1", PaymentStatus.ABORTED, 7_000, 0, 0, "KRW", PaymentMethod.CARD, At, null,
            "PG_TIMEOUT", "timed out", "0123456789abcdef0123456789abcdef"),
        new TossPayment("pk_test_1", "order-1", "DONE", 7_000, 7_000, "카드", At, At, "tx_approval_1", [], OrderName: "Mug for kim@example.com"),
        null,
        options.Length > 0 ? options :
        [
            new RepairOption(RepairKind.REFUND, true, "the PG charged a payment our ledger shows failed", 7_000),
            new RepairOption(RepairKind.RECORD_APPROVAL, true, "the order should stand"),
            new RepairOption(RepairKind.MARK_RESOLVED, false, "open this from a finding to resolve it"),
        ],
        null);

    private IRenderedComponent<RepairForm> RenderForm(RepairPreview preview, List<RepairDraft>? sent = null,
        long? findingId = 42, Func<Task>? whileSending = null) =>
        Render<RepairForm>(p => p
            .Add(f => f.Preview, preview)
            .Add(f => f.FindingId, findingId)
            .Add(f => f.OnSubmit, async (RepairDraft d) =>
            {
                sent?.Add(d);
                if (whileSending is not null) await whileSending();
            }));

    private static string Text(IRenderedComponent<RepairForm> cut, string selector) =>
        string.Join(' ', cut.Find(selector).TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static bool IsDisabled(IRenderedComponent<RepairForm> cut, string selector) =>
        cut.Find(selector).HasAttribute("disabled");

    /// <summary>A payment only the PG knows (MISSING_INTERNAL): no ledger row; the PG charged 12,000 KRW.</summary>
    private static RepairPreview OnlyAtPg() => new(
        null,
        new TossPayment("pk_pg_only", "order-pg-only", "DONE", 12_000, 12_000, "카드", At, At, "tx_pg_only", []),
        null,
        [
            new RepairOption(RepairKind.REFUND, true, "only the PG knows this payment: record it in our ledger from the PG's data, then cancel it at the PG; full or partial", 12_000),
            new RepairOption(RepairKind.RECORD_APPROVAL, true, "the order should stand: record the PG's payment and its approval in our ledger"),
            new RepairOption(RepairKind.MARK_RESOLVED, true, "close the finding with a reason; no money moves"),
        ],
        null);

    [Fact]
    public void PaymentOnlyAtThePg_OffersRefundByPaymentKey_RecordFromPg_AndResolve_AndSaysWhatWillHappen()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        var sent = new List<RepairDraft>();
        var cut = RenderForm(OnlyAtPg(), sent);

        Assert.Equal("pk_pg_only", cut.Find("#repair-payment-key").TextContent.Trim());
        Assert.StartsWith("not in our ledger", Text(cut, "#repair-ledger"));
        Assert.Equal(["Refund at the PG by paymentKey", "Record the payment from the PG", "Mark resolved (no money moves)"],
            cut.FindAll(".repair-option button").Select(b => b.TextContent.Trim()));
        Assert.All(cut.FindAll(".repair-option button"), b => Assert.False(b.HasAttribute("disabled")));
        Assert.Contains("payment pk_pg_only (order order-pg-only) is added to our ledger from the PG's data", Text(cut, "#repair-effect"));
        Assert.Contains("refundable balance at the PG 12,000 → 0 KRW", Text(cut, "#repair-effect-balance"));

        cut.Find("button#repair-kind-RECORD_APPROVAL").Click();
        Assert.Contains("the next run matches the PG's line", Text(cut, "#repair-effect"));
        cut.Find("button#repair-reason-LEDGER_CORRECTION").Click();
        cut.Find("#repair-comment").Input("order shipped; our core lost the confirm");
        cut.Find("button#repair-submit").Click();

        cut.WaitForAssertion(() => Assert.Equal(RepairKind.RECORD_APPROVAL, Assert.Single(sent).Kind));
    }

    [Fact]
    public void DisallowedOptions_AreDisabled_AndSayWhy()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        var cut = RenderForm(ChargedButFailed());

        Assert.False(IsDisabled(cut, "button#repair-kind-REFUND"));
        Assert.False(IsDisabled(cut, "button#repair-kind-RECORD_APPROVAL"));
        Assert.True(IsDisabled(cut, "button#repair-kind-MARK_RESOLVED"));
        Assert.Equal("Not possible: open this from a finding to resolve it", cut.Find("#repair-why-MARK_RESOLVED").TextContent.Trim());
        // The first allowed option is chosen.
        Assert.Equal("true", cut.Find("button#repair-kind-REFUND").GetAttribute("aria-pressed"));
    }

    [Fact]
    public void NothingAllowed_SubmitStaysDisabled_WithTheReason()
    {
        SignInAs("oncall", ConsoleRoles.Oncall);
        var cut = RenderForm(ChargedButFailed(
            new RepairOption(RepairKind.REFUND, false, "the PG shows CANCELED: nothing to refund"),
            new RepairOption(RepairKind.RECORD_APPROVAL, false, "the ledger already shows CANCELED"),
            new RepairOption(RepairKind.MARK_RESOLVED, false, "the finding is RESOLVED")));

        Assert.True(IsDisabled(cut, "button#repair-submit"));
        Assert.Equal("No repair is possible for this payment right now.", cut.Find("#repair-submit-hint").TextContent.Trim());
        Assert.Contains("nothing to refund", cut.Find("#repair-why-REFUND").TextContent);
    }

    [Fact]
    public void Refund_ShowsTheEffectBeforeAnythingMoves()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        var cut = RenderForm(ChargedButFailed());

        cut.Find("#repair-amount").Input("2,500");

        cut.WaitForAssertion(() => Assert.Equal("Refund 2,500 KRW · refundable balance at the PG 7,000 → 4,500 KRW",
            Text(cut, "#repair-effect-balance")));
        var effect = Text(cut, "#repair-effect");
        Assert.Contains("approval transaction tx_approval_1 of 7,000 KRW is recorded; status ABORTED → DONE", effect);
        Assert.Contains("a cancel transaction of 2,500 KRW is added; status DONE → PARTIAL_CANCELED, ledger balance 7,000 → 4,500", effect);
        Assert.Contains("finding #42 becomes RESOLVED", effect);
        Assert.Contains("different finance, on-call or admin user approves", cut.Find("#repair-approval-note").TextContent);
        // The customer's e-mail in the order name is masked.
        Assert.DoesNotContain("kim@example.com", cut.Find("#repair-customer").TextContent);
        Assert.Contains("k***@example.com", cut.Find("#repair-customer").TextContent);
    }

    [Fact]
    public void ConfirmAmountMismatch_KeepsSubmitDisabled_UntilTheTypedAmountMatches()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        var sent = new List<RepairDraft>();
        var cut = RenderForm(ChargedButFailed(), sent);

        cut.Find("#repair-reason-CHARGED_BUT_FAILED").Click();
        cut.Find("#repair-comment").Input("charged while we told the customer it failed");
        Assert.True(IsDisabled(cut, "button#repair-submit"));
        Assert.Equal("Type the amount (7,000) to confirm.", cut.Find("#repair-submit-hint").TextContent.Trim());

        cut.Find("#repair-confirm-amount").Input("700");
        cut.WaitForAssertion(() => Assert.Equal("The typed amount does not match 7,000 KRW.", cut.Find("#repair-submit-hint").TextContent.Trim()));
        Assert.True(IsDisabled(cut, "button#repair-submit"));
        cut.Find("button#repair-submit").Click();
        Assert.Empty(sent);

        cut.Find("#repair-confirm-amount").Input("7,000");
        cut.WaitForAssertion(() => Assert.False(IsDisabled(cut, "button#repair-submit")));
        Assert.Empty(cut.FindAll("#repair-submit-hint"));
        cut.Find("button#repair-submit").Click();

        cut.WaitForAssertion(() => Assert.Single(sent));
        Assert.Equal(new RepairDraft(RepairKind.REFUND, 7_000, 7_000, "CHARGED_BUT_FAILED", "charged while we told the customer it failed"), sent[0]);
    }

    [Fact]
    public void ReasonCodeAndComment_AreRequired()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        var cut = RenderForm(ChargedButFailed());
        cut.Find("#repair-kind-RECORD_APPROVAL").Click();

        Assert.Equal("Choose a reason code.", cut.Find("#repair-submit-hint").TextContent.Trim());
        cut.Find("#repair-reason-LEDGER_CORRECTION").Click();
        Assert.Equal("Write a comment.", cut.Find("#repair-submit-hint").TextContent.Trim());
        cut.Find("#repair-comment").Input("   ");
        Assert.True(IsDisabled(cut, "button#repair-submit"));
        cut.Find("#repair-comment").Input("the order shipped");
        cut.WaitForAssertion(() => Assert.False(IsDisabled(cut, "button#repair-submit")));
        Assert.Contains("nothing is sent to the PG", cut.Find("#repair-effect").TextContent);
    }

    [Fact]
    public void WhileTheRequestIsSent_TheButtonsAreDisabled()
    {
        SignInAs("oncall", ConsoleRoles.Oncall);
        var release = new TaskCompletionSource();
        var cut = RenderForm(ChargedButFailed(), whileSending: () => release.Task);
        cut.Find("#repair-kind-RECORD_APPROVAL").Click();
        cut.Find("#repair-reason-OTHER").Click();
        cut.Find("#repair-comment").Input("the order stands");

        cut.Find("button#repair-submit").Click();

        cut.WaitForAssertion(() => Assert.True(IsDisabled(cut, "button#repair-submit")));
        Assert.True(IsDisabled(cut, "button#repair-kind-REFUND"));
        release.SetResult();
        cut.WaitForAssertion(() => Assert.False(IsDisabled(cut, "button#repair-submit")));
    }

    [Fact]
    public void Engineer_SeesSubmitDisabled_WithTheRoleReason()
    {
        SignInAs("engineer", ConsoleRoles.Engineer);
        var cut = RenderForm(ChargedButFailed());

        Assert.True(IsDisabled(cut, "button#repair-submit"));
        Assert.Equal(ConsoleActions.RequestRepair.DeniedReason, cut.Find("#repair-submit-reason").TextContent.Trim());
    }

    [Fact]
    public void AnOpenRepair_IsShown_WithWhoHoldsItAndSince()
    {
        SignInAs("finance2", ConsoleRoles.Finance);
        var open = RepairRequest.Create(RepairKind.REFUND, "pk_test_1", "order-1", 42, 7_000, true, "OTHER", "first",
            "finance", At, TimeSpan.FromHours(24));
        var preview = ChargedButFailed(
            new RepairOption(RepairKind.REFUND, false, "repair #0 (REFUND, REQUESTED) requested by finance is in flight"),
            new RepairOption(RepairKind.RECORD_APPROVAL, false, "repair #0 (REFUND, REQUESTED) requested by finance is in flight"),
            new RepairOption(RepairKind.MARK_RESOLVED, true, "close the finding with a reason; no money moves")) with { OpenRepair = open };
        var cut = RenderForm(preview);

        var alert = Text(cut, "#repair-open");
        Assert.Contains("requested by finance", alert);
        Assert.Contains("2026-11-24 12:00", alert); // KST
        Assert.Equal("true", cut.Find("button#repair-kind-MARK_RESOLVED").GetAttribute("aria-pressed"));
    }
}
