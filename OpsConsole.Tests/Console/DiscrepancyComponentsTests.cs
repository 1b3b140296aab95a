using System.Globalization;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Discrepancies;
using OpsConsole.Components.Pages.Discrepancies.Components;
using OpsConsole.Components.Shared;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.Findings;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Console;

public sealed class FindingSidesTableTests : ConsoleComponentTest
{
    private static FindingSides Sides(long? internalAmount, long? externalAmount, params string[] diff) => new(
        "APPROVAL", internalAmount, "CARD", new DateOnly(2026, 11, 20), DateTimeOffset.UnixEpoch, "DONE",
        externalAmount is null ? 0 : 1, externalAmount, externalAmount, 475, 475, "CARD", new DateOnly(2026, 11, 20),
        DateTimeOffset.UnixEpoch, diff);

    [Fact]
    public void OnlyTheDifferingFields_AreHighlighted()
    {
        var cut = Render<FindingSidesTable>(p => p.Add(t => t.Sides, Sides(20_000, 19_000, "amount")));

        var differing = cut.FindAll("tr.differs");
        var row = Assert.Single(differing);
        Assert.Equal("Amount (KRW)", row.GetAttribute("data-field"));
        Assert.Equal(2, row.QuerySelectorAll("td.diff-cell").Length);
        Assert.Contains("20,000", row.TextContent);
        Assert.Contains("19,000", row.TextContent);
        Assert.Contains("(differs)", row.TextContent);
    }

    [Fact]
    public void AMissingPgLine_HighlightsPresenceAndLineCount()
    {
        var cut = Render<FindingSidesTable>(p => p.Add(t => t.Sides, Sides(30_000, null, "external", "lineCount")));

        Assert.Equal(["Present", "Lines"], cut.FindAll("tr.differs").Select(r => r.GetAttribute("data-field")));
    }

    [Fact]
    public void AMatchingFinding_HighlightsNothing()
    {
        var cut = Render<FindingSidesTable>(p => p.Add(t => t.Sides, Sides(10_000, 10_000)));

        Assert.Empty(cut.FindAll("tr.differs"));
    }
}

public sealed class DiscrepancyPagesTests : ConsoleComponentTest, IClassFixture<SqliteTestDatabase>
{
    private readonly SqliteTestDatabase _database;
    private ReconSeed.Seeded _seeded = null!;

    public DiscrepancyPagesTests(SqliteTestDatabase database)
    {
        _database = database;
        Services.AddLogging();
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<IDbContextFactory<OpsDbContext>>(database.Factory);
        Services.AddSingleton<AuditLog>();
        Services.AddSingleton<FindingService>();
        Services.AddSingleton<FindingBulkActions>();
        Services.AddScoped<ConsoleUser>();
    }

    public override async Task InitializeAsync() =>
        _seeded = await ReconSeed.DateWithDiscrepanciesAsync(_database.Factory, new DateOnly(2026, 11, 20));

    private NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    private IRenderedComponent<T> RenderPage<T>(Action<ComponentParameterCollectionBuilder<T>>? parameters = null)
        where T : IComponent
    {
        // Selects and snackbars need their providers rendered somewhere in the test's render tree.
        Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
            b.OpenComponent<MudSnackbarProvider>(1);
            b.CloseComponent();
        });
        return Render(parameters ?? (_ => { }));
    }

    [Fact]
    public void FiltersFromTheUrl_SelectTheGridRows_AndTheTotal()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        Navigation.NavigateTo($"discrepancies?type=AMOUNT_MISMATCH,CHARGED_BUT_FAILED&q=order-");

        var cut = RenderPage<DiscrepanciesPage>();

        cut.WaitForAssertion(() => Assert.Contains("finding(s) match", cut.Find("#finding-total").TextContent));
        var types = cut.FindAll("#findings-grid .finding-type").Select(c => c.GetAttribute("data-code")!).ToList();
        Assert.NotEmpty(types);
        Assert.All(types, t => Assert.Contains(t, new[] { "AMOUNT_MISMATCH", "CHARGED_BUT_FAILED" }));
        Assert.Equal(
            [FindingType.AMOUNT_MISMATCH, FindingType.CHARGED_BUT_FAILED],
            cut.Instance.Filter.Types);
    }

    [Fact]
    public async Task TheGridTotal_SaysItSumsUnresolvedFindings_AndLeavesARefundedOneOut()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        await using (var db = _database.Factory.CreateDbContext())
        {
            var refunded = await db.Set<Finding>().SingleAsync(f => f.PaymentKey == _seeded.Key("e"));
            Assert.True(refunded.MoneyAtRisk > 0);
            refunded.Resolve("finance", DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
        }
        Navigation.NavigateTo($"discrepancies?q=order-&from=2026-11-20&to=2026-11-20");

        var cut = RenderPage<DiscrepanciesPage>();

        cut.WaitForAssertion(() => Assert.Contains("finding(s) match", cut.Find("#finding-total").TextContent));
        await using (var db = _database.Factory.CreateDbContext())
        {
            var all = await db.Set<Finding>().Where(f => f.BusinessDate == new DateOnly(2026, 11, 20) &&
                                                       f.Verdict == FindingVerdict.CONFIRMED).ToListAsync();
            Assert.Contains(all, f => f.Status == FindingStatus.RESOLVED);
            Assert.Equal(all.Count.ToString("N0"), cut.Find("#finding-total b").TextContent.Trim());
            Assert.Equal(Kst.Money(all.Where(f => f.IsWorkable).Sum(f => f.MoneyAtRisk)),
                cut.Find("#finding-total-money").TextContent.Trim());
        }
        Assert.Contains("KRW at risk (open and acknowledged findings only)", cut.Find("#finding-total").TextContent);
    }

    [Fact]
    public void ApplyingTheForm_PutsTheFilterInTheUrl()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        Navigation.NavigateTo("discrepancies?verdict=any");
        var cut = RenderPage<DiscrepanciesPage>();

        cut.WaitForAssertion(() => Assert.Contains("finding(s) match", cut.Find("#finding-total").TextContent));
        cut.Find("#filter-text").Input(_seeded.Order("b"));
        cut.Find("#filter-min").Change("500");
        // MudBlazor applies typed values asynchronously: submit once the inputs show them.
        cut.WaitForAssertion(() =>
        {
            Assert.Equal(_seeded.Order("b"), cut.Find("#filter-text").GetAttribute("value"));
            Assert.Equal("500", cut.Find("#filter-min").GetAttribute("value"));
        });
        cut.Find("form#finding-filter").Submit();

        cut.WaitForAssertion(() =>
            Assert.EndsWith($"/discrepancies?verdict=any&min=500&q={_seeded.Order("b")}", Navigation.Uri));
    }

    /// <summary>
    /// The page is rendered again whenever its parent is (a run's live progress in the layout, say): what the user
    /// has typed but not applied yet must survive that, or Apply sends the old filter.
    /// </summary>
    [Fact]
    public void TypedFilter_SurvivesARenderFromAbove_UntilApplied()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        Navigation.NavigateTo("discrepancies?verdict=any");
        var cut = RenderPage<DiscrepanciesPage>();
        cut.WaitForAssertion(() => Assert.Contains("finding(s) match", cut.Find("#finding-total").TextContent));
        cut.Find("#filter-text").Input(_seeded.Order("b"));
        cut.WaitForAssertion(() => Assert.Equal(_seeded.Order("b"), cut.Find("#filter-text").GetAttribute("value")));

        cut.Render();

        Assert.Equal(_seeded.Order("b"), cut.Find("#filter-text").GetAttribute("value"));
        cut.Find("form#finding-filter").Submit();
        cut.WaitForAssertion(() => Assert.EndsWith($"/discrepancies?verdict=any&q={_seeded.Order("b")}", Navigation.Uri));
    }

    [Fact]
    public void Engineers_SeeBulkActionsDisabledWithTheReason()
    {
        SignInAs("engineer", ConsoleRoles.Engineer);
        Navigation.NavigateTo("discrepancies");

        var cut = RenderPage<DiscrepanciesPage>();

        Assert.True(cut.Find("button#bulk-ack").HasAttribute("disabled"));
        Assert.Equal(ConsoleActions.WorkFindings.DeniedReason, cut.Find("#bulk-ack-reason").TextContent.Trim());
        Assert.False(cut.Find("button#findings-export").HasAttribute("disabled"));
    }

    [Fact]
    public async Task BulkAcknowledge_OfAllMatching_AcknowledgesEachFindingAndAuditsIt()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        Navigation.NavigateTo($"discrepancies?q={_seeded.Order("c")}");
        var cut = RenderPage<DiscrepanciesPage>();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("#findings-grid .finding-link")));

        var allMatching = cut.Find("#bulk-all");
        (allMatching.TagName == "INPUT" ? allMatching : allMatching.QuerySelector("input")!).Change(true);
        cut.Find("button#bulk-ack").Click();

        await using var db = _database.Factory.CreateDbContext();
        cut.WaitForAssertion(() =>
        {
            using var check = _database.Factory.CreateDbContext();
            Assert.Equal(FindingStatus.ACKNOWLEDGED,
                check.Set<Finding>().Single(f => f.OrderId == _seeded.Order("c")).Status);
        });
        var finding = await db.Set<Finding>().SingleAsync(f => f.OrderId == _seeded.Order("c"));
        Assert.True(await db.AuditEntries.AnyAsync(a =>
            a.Actor == "finance" && a.Action == "finding.acknowledge" && a.TargetId == finding.Id.ToString()));
    }

    [Fact]
    public async Task FindingDetail_ShowsTheDiff_HistoryAndDisabledRepairs()
    {
        SignInAs("engineer", ConsoleRoles.Engineer);
        await using var db = _database.Factory.CreateDbContext();
        var id = await db.Set<Finding>().Where(f => f.OrderId == _seeded.Order("b")).Select(f => f.Id).SingleAsync();

        var cut = RenderPage<OpsConsole.Components.Pages.Discrepancies.FindingDetailPage>(p => p.Add(x => x.Id, id));

        cut.WaitForAssertion(() => Assert.Equal("AMOUNT_MISMATCH", cut.Find("#finding-type").GetAttribute("data-code")));
        Assert.Equal("Amounts differ", cut.Find("#finding-type").TextContent.Trim());
        Assert.Equal("Amount (KRW)", Assert.Single(cut.FindAll("#finding-sides tr.differs")).GetAttribute("data-field"));
        Assert.Contains("pass 1", cut.Find("#finding-history").TextContent);
        Assert.Contains("pass 2", cut.Find("#finding-history").TextContent);
        Assert.All(cut.FindAll("#finding-repairs button"), b => Assert.True(b.HasAttribute("disabled")));
        Assert.Equal(ConsoleActions.RequestRepair.DeniedReason, cut.Find("#request-repair-reason").TextContent.Trim());
        Assert.True(cut.Find("button#finding-ack").HasAttribute("disabled"));
        Assert.EndsWith($"trace/payment/{_seeded.Key("b")}", cut.Find("#finding-trace-link").GetAttribute("href"));
        Assert.Empty(cut.FindAll("#finding-pg-live")); // no run asked the PG live about it
        Assert.StartsWith("1× · last ", cut.Find("#finding-seen").TextContent.Trim());
        Assert.Empty(cut.FindAll("#finding-compared")); // the one run that saw it compared it
    }

    [Fact]
    public async Task FindingDetail_CountsTheRunsThatCarriedIt_AndSaysWhenItWasLastCompared()
    {
        SignInAs("engineer", ConsoleRoles.Engineer);
        var engine = new ReconciliationService(_database.Factory,
            Options.Create(new ReconciliationOptions { SettleDelay = TimeSpan.Zero }), TimeProvider.System);
        var date = new DateOnly(2026, 11, 12);
        var seeded = await ReconSeed.DateWithDiscrepanciesAsync(_database.Factory, date, engine);
        // Nothing changed since: the next two runs of the date are incremental and carry its findings forward.
        foreach (var _ in Enumerable.Range(0, 2))
            Assert.Equal(RunScope.INCREMENTAL, (await engine.RunAsync(date, RunTrigger.CLI, "test")).Scope);
        await using var db = _database.Factory.CreateDbContext();
        var finding = await db.Set<Finding>().AsNoTracking().SingleAsync(f => f.OrderId == seeded.Order("b"));
        Assert.Equal((seeded.RunId, 1), (finding.LastRunId, finding.SeenCount));

        var cut = RenderPage<OpsConsole.Components.Pages.Discrepancies.FindingDetailPage>(p => p.Add(x => x.Id, finding.Id));

        cut.WaitForAssertion(() => Assert.StartsWith("3× · last ", cut.Find("#finding-seen").TextContent.Trim()));
        Assert.Equal($"last updated by run #{seeded.RunId} at {Kst.Short(finding.LastSeenAt)}; seen unchanged by 2 later runs",
            cut.Find("#finding-compared").TextContent.Trim());
        Assert.Equal(2, cut.FindAll("#finding-history td").Count(td => td.TextContent == "carried forward"));
        // Newest run first: the two carrying runs above the passes of the run that compared it.
        var runs = cut.FindAll("#finding-history tbody tr")
            .Select(tr => long.Parse(tr.QuerySelector("td")!.TextContent.Trim().TrimStart('#'), CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(runs.OrderByDescending(r => r), runs);
        Assert.Equal(seeded.RunId, runs[^1]);
        Assert.True(runs[0] > seeded.RunId);
    }

    [Fact]
    public async Task FindingDetail_ShowsThePgsLiveAnswer_WhenARunAsked()
    {
        SignInAs("engineer", ConsoleRoles.Engineer);
        await using var db = _database.Factory.CreateDbContext();
        var asked = await db.Set<Finding>().Where(f => f.OrderId == _seeded.Order("c")).Select(f => f.Id).SingleAsync();
        await FindingEdits.SetAsync(db, f => f.Id == asked, e =>
        {
            e.Property(f => f.PgLiveStatus).CurrentValue = "CANCELED";
            e.Property(f => f.PgLiveBalance).CurrentValue = 0L;
            e.Property(f => f.PgLiveCheckedAt).CurrentValue = DateTimeOffset.UtcNow;
        });

        var cut = RenderPage<OpsConsole.Components.Pages.Discrepancies.FindingDetailPage>(p => p.Add(x => x.Id, asked));
        cut.WaitForAssertion(() => Assert.Contains("CANCELED", cut.Find("#finding-pg-live").TextContent));
        Assert.Contains("refundable balance 0 KRW", cut.Find("#finding-pg-live").TextContent);
    }

    [Fact]
    public async Task FindingDetail_FinanceAddsANote()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        await using var db = _database.Factory.CreateDbContext();
        var id = await db.Set<Finding>().Where(f => f.OrderId == _seeded.Order("e")).Select(f => f.Id).SingleAsync();
        var cut = RenderPage<OpsConsole.Components.Pages.Discrepancies.FindingDetailPage>(p => p.Add(x => x.Id, id));
        cut.WaitForAssertion(() => cut.Find("#finding-note-input"));

        cut.Find("#finding-note-input").Input("PG confirmed the charge; cancel requested by phone");
        cut.Find("button#finding-note").Click();

        cut.WaitForAssertion(() => Assert.Contains("cancel requested by phone", cut.Find(".finding-note").TextContent));
    }
}
