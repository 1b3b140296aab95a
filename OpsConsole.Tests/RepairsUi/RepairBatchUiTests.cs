using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Discrepancies;
using OpsConsole.Components.Pages.Repairs;
using OpsConsole.Components.Pages.Repairs.Components;
using OpsConsole.Components.Shared;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.Findings;
using OpsConsole.Core.Repairs;
using OpsConsole.Tests.Console;
using OpsConsole.Tests.Infrastructure;
using OpsConsole.Tests.Repairs;

namespace OpsConsole.Tests.RepairsUi;

/// <summary>
/// Bulk refunds in the console: the request dialog, the button on the discrepancies page and the batch page,
/// rendered with bUnit over the real services of an app on SQLite.
/// </summary>
public sealed class RepairBatchUiTests : ConsoleComponentTest, IClassFixture<RepairAppFixture<SqliteTestDatabase>>
{
    private readonly RepairAppFixture<SqliteTestDatabase> _fx;

    public RepairBatchUiTests(RepairAppFixture<SqliteTestDatabase> fx)
    {
        _fx = fx;
        Services.AddLogging();
        Services.AddSingleton<IDbContextFactory<OpsDbContext>>(fx.Database.Factory);
        Services.AddSingleton(fx.Host.Get<FindingBulkActions>());
        Services.AddSingleton(fx.Host.Get<RepairBatchService>());
        Services.AddSingleton(fx.Host.Get<IOptions<RepairOptions>>());
        Services.AddSingleton(fx.Host.Get<TimeProvider>());
        Services.AddScoped<ConsoleUser>();
    }

    private RepairBatchService Batches => _fx.Host.Get<RepairBatchService>();

    /// <summary>Dialogs, selects, tooltips and snackbars need their providers rendered somewhere in the test's render tree.</summary>
    private IRenderedComponent<MudDialogProvider> RenderProviders()
    {
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
        return _dialogs = Render<MudDialogProvider>();
    }

    /// <summary>The dialog provider <see cref="RenderProviders"/> rendered last (the confirm dialogs open there).</summary>
    private IRenderedComponent<MudDialogProvider> _dialogs = null!;

    /// <summary>A batch requested by <paramref name="by"/> whose findings do not exist: every item is skipped, no PG is needed.</summary>
    private async Task<long> RequestedBatchAsync(string by) =>
        (await Batches.RequestAsync([900_001, 900_002], "CHARGED_BUT_FAILED", "nightly clean-up (OPS-77)", by, ["finance"])).Batch.Id;

    /// <summary>Signs in as <paramref name="user"/> and opens the page of a batch <paramref name="requestedBy"/> just requested.</summary>
    private async Task<(long Id, IRenderedComponent<RepairBatchPage> Page)> OpenRequestedBatchAsync(string requestedBy, string user, string role)
    {
        var id = await RequestedBatchAsync(requestedBy);
        SignInAs(user, role);
        RenderProviders();
        var cut = Render<RepairBatchPage>(p => p.Add(x => x.Id, id));
        cut.WaitForAssertion(() => Assert.Equal("REQUESTED", cut.Find("#batch-status").TextContent.Trim()));
        return (id, cut);
    }

    private static bool IsDisabled<T>(IRenderedComponent<T> cut, string selector) where T : IComponent =>
        cut.Find(selector).HasAttribute("disabled");

    private async Task<int> BatchCountAsync()
    {
        await using var db = await _fx.Database.Factory.CreateDbContextAsync();
        return await db.Set<RepairBatch>().CountAsync();
    }

    /// <summary>A payment our ledger shows failed while the sandbox PG charged it, and its CHARGED_BUT_FAILED finding.</summary>
    private async Task<(string Key, long FindingId)> ChargedButFailedAsync(long amount)
    {
        var (key, order, a) = await _fx.CheckoutAsync(amount, OpsConsole.Sandbox.SandboxFaults.DeclineAfterCharge);
        await _fx.Payments.ConfirmAsync(new OpsConsole.Core.Payments.ConfirmCommand(key, order, a));
        var today = OpsConsole.Core.Common.BusinessCalendar.Today(TimeProvider.System);
        await _fx.Host.Get<SettlementPuller>().PullAsync(today, today, "test");
        await _fx.Host.Get<ReconciliationService>().RunAsync(today, RunTrigger.CLI, "test");
        await using var db = await _fx.Database.Factory.CreateDbContextAsync();
        return (key, (await db.Set<Finding>().SingleAsync(f => f.PaymentKey == key)).Id);
    }

    private IDialogReference OpenBulkDialog(IRenderedComponent<MudDialogProvider> provider, IReadOnlyList<long> ids, long atRisk)
    {
        var dialogs = Services.GetRequiredService<IDialogService>();
        IDialogReference dialog = null!;
        provider.InvokeAsync(async () => dialog = await dialogs.ShowAsync<BulkRefundDialog>("Request refunds",
            new DialogParameters<BulkRefundDialog>
            {
                { d => d.FindingIds, ids },
                { d => d.MoneyAtRisk, atRisk },
                { d => d.Scope, "all matching this filter" },
            })).GetAwaiter().GetResult();
        return dialog;
    }

    [Fact]
    public async Task Dialog_PreviewsWhatWillBeRefundedAndWhatIsSkipped_RefusesToSendWithoutAReasonAndComment_ThenRequests()
    {
        var (key, findingId) = await ChargedButFailedAsync(21_500);
        SignInAs("fin-dialog", ConsoleRoles.Finance);
        var provider = RenderProviders();
        var dialog = OpenBulkDialog(provider, [findingId, 910_002, 910_003], 31_500);

        provider.WaitForAssertion(() => Assert.Equal("3 findings", provider.Find("#batch-target-count").TextContent.Trim()));
        Assert.Equal("31,500 KRW", provider.Find("#batch-target-money").TextContent.Trim());
        Assert.Contains("all matching this filter", provider.Find("#batch-target").TextContent);
        // Before anything is requested: only what will be refunded is counted; the rest is listed with why.
        provider.WaitForAssertion(() => Assert.Equal("1 payment", provider.Find("#batch-preview-count").TextContent.Trim()), TimeSpan.FromSeconds(30));
        Assert.Equal("21,500 KRW", provider.Find("#batch-preview-money").TextContent.Trim());
        Assert.Equal("2 findings", provider.Find("#batch-preview-skipped-count").TextContent.Trim());
        Assert.Equal(["2 · no such finding"], provider.FindAll(".batch-preview-skip-reason").Select(e => e.TextContent.Trim()));
        Assert.Equal(["910002", "910003"], provider.FindAll("tr.batch-preview-skip").Select(r => r.GetAttribute("data-finding-id")));
        var before = await BatchCountAsync();

        Assert.True(IsDisabled(provider, "button#batch-submit"));
        Assert.Equal("Choose a reason code.", provider.Find("#batch-submit-hint").TextContent.Trim());
        provider.Find("button#batch-reason-CHARGED_BUT_FAILED").Click();
        provider.WaitForAssertion(() => Assert.Equal("Write a comment: a bulk refund needs a reason (what happened, ticket link).",
            provider.Find("#batch-submit-hint").TextContent.Trim()));
        provider.Find("#batch-comment").Input("   ");
        provider.Find("button#batch-submit").Click();
        Assert.True(IsDisabled(provider, "button#batch-submit"));
        Assert.Equal(before, await BatchCountAsync());

        provider.Find("#batch-comment").Input("charged while checkout said failed (OPS-1234)");
        provider.WaitForAssertion(() => Assert.False(IsDisabled(provider, "button#batch-submit")));
        Assert.Empty(provider.FindAll("#batch-submit-hint"));
        provider.Find("button#batch-submit").Click();

        var result = await dialog.Result.WaitAsync(TimeSpan.FromSeconds(30));
        var batchId = Assert.IsType<long>(result!.Data);
        var view = await Batches.GetAsync(batchId);
        Assert.Equal(("fin-dialog", "CHARGED_BUT_FAILED", "charged while checkout said failed (OPS-1234)"),
            (view.Batch.RequestedBy, view.Batch.ReasonCode, view.Batch.Comment));
        Assert.Equal((1, 21_500L), (view.Batch.ItemCount, view.Batch.TotalAmount));
        Assert.Equal(key, view.Items.Single(i => i.RepairId is not null).PaymentKey);
    }

    [Fact]
    public void Dialog_WhenEveryFindingWouldBeSkipped_RefusesToRequest_AndSaysSo()
    {
        SignInAs("fin-dialog-2", ConsoleRoles.Finance);
        var provider = RenderProviders();
        OpenBulkDialog(provider, [920_001], 1_000);

        provider.WaitForAssertion(() => Assert.Equal("0 payments", provider.Find("#batch-preview-count").TextContent.Trim()), TimeSpan.FromSeconds(30));
        provider.Find("button#batch-reason-OTHER").Click();
        provider.Find("#batch-comment").Input("clean-up");
        provider.WaitForAssertion(() => Assert.Equal("Nothing to refund: every finding would be skipped (see why above).",
            provider.Find("#batch-submit-hint").TextContent.Trim()));
        Assert.True(IsDisabled(provider, "button#batch-submit"));
    }

    [Fact]
    public async Task DiscrepanciesPage_RequestRefundsOfAllMatching_ShowsHowManyFindingsAreTargeted()
    {
        await ReconSeed.DateWithDiscrepanciesAsync(_fx.Database.Factory, new DateOnly(2026, 11, 20));
        await ReconSeed.DateWithDiscrepanciesAsync(_fx.Database.Factory, new DateOnly(2026, 11, 20));
        int expected;
        long unresolvedMoney;
        await using (var db = await _fx.Database.Factory.CreateDbContextAsync())
        {
            var matching = db.Set<Finding>().Where(f => f.Type == FindingType.CHARGED_BUT_FAILED && f.Verdict == FindingVerdict.CONFIRMED);
            expected = await matching.CountAsync();
            // The second seed's settlement file replaces the first's lines of the date, so the first seed's
            // CHARGED_BUT_FAILED is auto-resolved by the second run: "at risk" is the unresolved ones' money only.
            unresolvedMoney = await matching.Where(Finding.IsUnresolved).SumAsync(f => f.MoneyAtRisk);
        }
        Assert.True(expected >= 2);
        SignInAs("finance", ConsoleRoles.Finance);
        Services.GetRequiredService<NavigationManager>().NavigateTo("discrepancies?type=CHARGED_BUT_FAILED");
        var provider = RenderProviders();
        var cut = Render<DiscrepanciesPage>();
        cut.WaitForAssertion(() => Assert.Equal(expected, cut.FindAll("#findings-grid .finding-link").Count));
        Assert.True(IsDisabled(cut, "button#bulk-refund"));

        var allMatching = cut.Find("#bulk-all");
        (allMatching.TagName == "INPUT" ? allMatching : allMatching.QuerySelector("input")!).Change(true);
        cut.WaitForAssertion(() => Assert.False(IsDisabled(cut, "button#bulk-refund")));
        cut.Find("button#bulk-refund").Click();

        provider.WaitForAssertion(() => Assert.Equal($"{expected} findings", provider.Find("#batch-target-count").TextContent.Trim()));
        Assert.True(unresolvedMoney > 0);
        Assert.Equal($"{unresolvedMoney:N0} KRW", provider.Find("#batch-target-money").TextContent.Trim());
        Assert.Contains("all matching this filter", provider.Find("#batch-target").TextContent);
    }

    [Fact]
    public void DiscrepanciesPage_Engineer_SeesRequestRefundsDisabled_WithTheReason()
    {
        SignInAs("engineer", ConsoleRoles.Engineer);
        Services.GetRequiredService<NavigationManager>().NavigateTo("discrepancies");
        RenderProviders();

        var cut = Render<DiscrepanciesPage>();

        Assert.True(IsDisabled(cut, "button#bulk-refund"));
        Assert.Equal(ConsoleActions.RequestRepair.DeniedReason, cut.Find("#bulk-refund-reason").TextContent.Trim());
    }

    [Fact]
    public async Task BatchPage_ForTheRequester_DisablesApprove_WithTheFourEyesReason()
    {
        var (id, cut) = await OpenRequestedBatchAsync("fin-1", "fin-1", ConsoleRoles.Finance);

        Assert.True(IsDisabled(cut, "button#batch-approve"));
        Assert.Equal($"You requested batch #{id}; a different finance, on-call or admin user must approve it.",
            cut.Find("#batch-approve-why").TextContent.Trim());
        Assert.Contains("fin-1", cut.Find("#batch-requested-by").TextContent);
        Assert.Equal(["SKIPPED", "SKIPPED"], cut.FindAll("#batch-items tr.batch-item").Select(r => r.GetAttribute("data-result")));
        Assert.All(cut.FindAll("#batch-items .batch-item-why"), why => Assert.Equal("no such finding", why.TextContent.Trim()));
        Assert.Contains("skipped 2", cut.Find("#batch-count-SKIPPED").TextContent);
        Assert.EndsWith($"api/v1/repair-batches/{id}/report.csv", cut.Find("#batch-report").GetAttribute("href"));
    }

    [Fact]
    public async Task BatchPage_ForAnEngineer_DisablesApproveAndReject_WithTheRoleReason()
    {
        var (_, cut) = await OpenRequestedBatchAsync("fin-2", "engineer", ConsoleRoles.Engineer);

        Assert.True(IsDisabled(cut, "button#batch-approve"));
        Assert.True(IsDisabled(cut, "button#batch-reject"));
        Assert.Equal(ConsoleActions.ApproveRepair.DeniedReason, cut.Find("#batch-approve-reason").TextContent.Trim());
    }

    [Fact]
    public async Task BatchPage_RejectNeedsAReason_ThenRejects_AndTheAuditShowsIt()
    {
        var (id, cut) = await OpenRequestedBatchAsync("fin-3", "oncall-3", ConsoleRoles.Oncall);
        cut.WaitForAssertion(() => Assert.False(IsDisabled(cut, "button#batch-approve")));

        Assert.True(IsDisabled(cut, "button#batch-reject"));
        Assert.Equal("Rejecting needs a reason.", cut.Find("#batch-reject-why").TextContent.Trim());
        cut.Find("#batch-reject-reason").Input("these were refunded by phone already");
        cut.WaitForAssertion(() => Assert.False(IsDisabled(cut, "button#batch-reject")));
        cut.Find("button#batch-reject").Click();

        cut.WaitForAssertion(() => Assert.Equal("REJECTED", cut.Find("#batch-status").TextContent.Trim()));
        Assert.Contains("oncall-3: these were refunded by phone already", cut.Find("#batch-rejected-by").TextContent);
        Assert.True(IsDisabled(cut, "button#batch-approve"));
        await using var db = await _fx.Database.Factory.CreateDbContextAsync();
        var audit = await db.AuditEntries.Where(a => a.TargetType == "repair-batch" && a.TargetId == id.ToString())
            .OrderBy(a => a.Id).Select(a => a.Actor + " " + a.Action).ToListAsync();
        Assert.Equal(["fin-3 repair.batch.request", "oncall-3 repair.batch.reject"], audit);
    }

    [Fact]
    public async Task BatchPage_WhenSomeoneElseDecidedFirst_ShowsTheRefusal()
    {
        var (id, cut) = await OpenRequestedBatchAsync("fin-4", "oncall-4", ConsoleRoles.Oncall);
        cut.WaitForAssertion(() => Assert.False(IsDisabled(cut, "button#batch-approve")));

        await Batches.RejectAsync(id, "admin-4", "duplicate of another batch", ["admin"]);
        cut.Find("button#batch-approve").Click();
        _dialogs.WaitForElement("#confirm-execute-ok").Click();

        cut.WaitForAssertion(() => Assert.StartsWith("ILLEGAL_TRANSITION: ", cut.Find("#batch-action-error").TextContent.Trim()));
        Assert.Equal("REJECTED", cut.Find("#batch-status").TextContent.Trim());
        Assert.Equal(RepairBatchStatus.REJECTED, (await Batches.GetAsync(id)).Batch.Status);
    }

    /// <summary>A requested batch of one 1,000 KRW refund whose earliest item expires at <paramref name="expiresAt"/>.</summary>
    private async Task<long> BatchExpiringAtAsync(DateTimeOffset expiresAt)
    {
        var batch = RepairBatch.Create("fin-5", "CHARGED_BUT_FAILED", "expiry shown (OPS-5)", DateTimeOffset.UtcNow.AddHours(-1));
        batch.SetTotals(1, 1_000, expiresAt);
        await using var db = await _fx.Database.Factory.CreateDbContextAsync();
        db.Add(batch);
        await db.SaveChangesAsync();
        return batch.Id;
    }

    [Fact]
    public async Task BatchPage_ShowsWhenTheBatchExpires()
    {
        var expiresAt = DateTimeOffset.UtcNow.AddHours(20);
        var id = await BatchExpiringAtAsync(expiresAt);
        SignInAs("oncall-5", ConsoleRoles.Oncall);
        RenderProviders();

        var cut = Render<RepairBatchPage>(p => p.Add(x => x.Id, id));

        cut.WaitForAssertion(() => Assert.StartsWith(Kst.Format(expiresAt), cut.Find("#batch-expires").TextContent.Trim()));
        Assert.Contains("approve before then", cut.Find("#batch-expires").TextContent);
        Assert.False(IsDisabled(cut, "button#batch-approve"));
    }

    [Fact]
    public async Task BatchPage_OfAnExpiredBatch_DisablesApprove_WithTheExpiry()
    {
        var expiresAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        var id = await BatchExpiringAtAsync(expiresAt);
        SignInAs("oncall-6", ConsoleRoles.Oncall);
        RenderProviders();

        var cut = Render<RepairBatchPage>(p => p.Add(x => x.Id, id));

        cut.WaitForAssertion(() => Assert.Contains("expired: request the refunds again", cut.Find("#batch-expires").TextContent));
        Assert.True(IsDisabled(cut, "button#batch-approve"));
        Assert.Equal($"Batch #{id} expired at {expiresAt:u} before anyone approved it; request the refunds again.",
            cut.Find("#batch-approve-why").TextContent.Trim());
    }

    [Fact]
    public void BatchPage_OfAnUnknownBatch_SaysSo()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        RenderProviders();

        var cut = Render<RepairBatchPage>(p => p.Add(x => x.Id, 987_654));

        cut.WaitForAssertion(() => Assert.Equal("Repair batch 987654 does not exist.", cut.Find("#batch-not-found").TextContent.Trim()));
    }
}
