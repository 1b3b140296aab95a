using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Dashboard;
using OpsConsole.Components.Pages.Dashboard.Components;
using OpsConsole.Components.Pages.Discrepancies.Components;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.ControlTotals;
using OpsConsole.Core.Reconciliation.Findings;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Console;

/// <summary>The dashboard's control totals, aging and resolved-by cards, and the finding types' plain names.</summary>
public sealed class DashboardCardsTests : ConsoleComponentTest, IClassFixture<SqliteTestDatabase>
{
    private readonly SqliteTestDatabase _database;

    public DashboardCardsTests(SqliteTestDatabase database)
    {
        _database = database;
        Services.AddLogging();
        Services.AddSingleton(new DashboardQueries(database.Factory, TimeProvider.System));
        Services.AddSingleton(new Core.Cash.Payouts.CashViewService(database.Factory));
        Services.AddSingleton<IDbContextFactory<OpsDbContext>>(database.Factory);
        Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
        });
    }

    private static string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();

    private IRenderedComponent<Dashboard> RenderFor(DateOnly date)
    {
        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo($"/?date={date:yyyy-MM-dd}");
        var cut = Render<Dashboard>();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#dashboard-loading")));
        return cut;
    }

    [Fact]
    public async Task AReconciledDate_ShowsControlTotalsThatAddUp_WhoResolvedWhat_AndTheBacklogByAge()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        var date = new DateOnly(2026, 9, 3);
        var seeded = await ReconSeed.DateWithDiscrepanciesAsync(_database.Factory, date);
        await using (var db = _database.Factory.CreateDbContext())
        {
            var e = await db.Set<Finding>().SingleAsync(f => f.PaymentKey == seeded.Key("e"));
            e.Resolve("carol", DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
            // The MISSING_EXTERNAL was found ten days ago: the oldest in the backlog and first in "Needs attention".
            await FindingEdits.SetAsync(db, f => f.PaymentKey == seeded.Key("c"),
                e => e.Property(f => f.FirstSeenAt).CurrentValue = DateTimeOffset.UtcNow.AddDays(-10));
        }

        var cut = RenderFor(date);

        // Ours 60,000 (a, b, c); the PG's lines 41,000 (a, b at 19,000, d, e); the findings explain the 19,000.
        var status = cut.Find("#control-totals-status");
        Assert.Equal("true", status.GetAttribute("data-adds-up"));
        Assert.Contains("Adds up", status.TextContent);
        Assert.Equal("60,000", cut.Find("#ct-our-net").TextContent.Trim());
        Assert.Equal("41,000", cut.Find("#ct-pg-gross").TextContent.Trim());
        Assert.Equal("19,000", cut.Find("#ct-difference").TextContent.Trim());
        Assert.Equal("19,000", cut.Find("#ct-findings-diff").TextContent.Trim());
        Assert.Contains("Matched: 1 of 3 transactions (33.33 %)", Flat(cut.Find("#ct-matched").TextContent));
        Assert.Contains("Charged but failed", cut.Find("#ct-by-type").TextContent);

        // A resolved finding still explains its difference; who resolved it is named with count and KRW.
        var resolver = cut.Find("#dashboard-resolved-by .resolver[data-resolver=carol]");
        Assert.Contains("carol: 1 finding, 7,000 KRW", Flat(resolver.TextContent));

        var missingExternal = cut.Find($"#aging-matrix tr[data-type={FindingType.MISSING_EXTERNAL}]");
        Assert.Equal("1", missingExternal.QuerySelector($"td[data-age={AgeBucket.OverSevenDays}]")!.TextContent.Trim());
        Assert.Equal("Missing at the PG", missingExternal.QuerySelector("td")!.TextContent.Trim());
        var attention = cut.FindAll("#attention-list tbody tr");
        Assert.Equal(seeded.Order("c"), attention[0].QuerySelector(".copy-text")!.GetAttribute("title"));
        Assert.Equal("10 d", attention[0].QuerySelector(".attention-age")!.TextContent.Trim());
        Assert.Equal("MISSING_EXTERNAL", attention[0].QuerySelector(".mud-chip")!.GetAttribute("data-code"));

        // Discrepancies, filtered to the date: the same resolved work by whom, and the range's control totals.
        var view = Render<ViewWorkSummary>(p => p.Add(c => c.Filter, new FindingFilter { From = date, To = date }));
        view.WaitForAssertion(() => Assert.Contains("carol: 1 (7,000 KRW)", Flat(view.Find("#view-resolved").TextContent)));
        Assert.Contains("✓ adds up", view.Find("#view-control-totals-toggle").TextContent);
        view.Find("#view-control-totals-toggle").Click();
        Assert.Equal("true", view.Find("#control-totals-status").GetAttribute("data-adds-up"));
    }

    [Fact]
    public void ADateWithoutARun_HasNoControlTotals_AndSaysSo()
    {
        SignInAs("finance", ConsoleRoles.Finance);

        var cut = RenderFor(new DateOnly(2027, 6, 1));

        Assert.Equal("none", cut.Find("#control-totals-status").GetAttribute("data-adds-up"));
        Assert.Contains("Not reconciled yet", cut.Find("#control-totals-none").TextContent);
        Assert.Empty(cut.FindAll("#ct-our-net"));
    }

    [Fact]
    public void ControlTotalsCard_WhenFindingsDoNotExplainTheDifference_SaysDoesNotAddUp_AndByHowMuch()
    {
        var date = new DateOnly(2026, 9, 4);
        var report = new ControlTotalsReport(date, date,
            new CurrencyTotals("KRW", new LedgerSide(3, 60_000, 0, 0), new PgSide(4, 41_000, 0, 0, 1_025, 0, 39_975)),
            [new CurrencyTotals("USD", LedgerSide.Empty, new PgSide(2, 1_999, 0, 0, 50, 0, 1_949))],
            2, [new FindingDifference(FindingType.MISSING_EXTERNAL, 1, 30_000), new FindingDifference(FindingType.CHARGED_BUT_FAILED, 1, -7_000)],
            [new DayControl(date, 9, 60_000, 41_000, 23_000)], [], []);

        var cut = Render<ControlTotalsCard>(p => p.Add(c => c.Report, report));

        Assert.Equal("false", cut.Find("#control-totals-status").GetAttribute("data-adds-up"));
        Assert.Contains("Does not add up", cut.Find("#control-totals-status").TextContent);
        Assert.Equal("−4,000", cut.Find("#ct-unexplained").TextContent.Trim());
        Assert.Equal("39,975", cut.Find("#ct-pg-payout").TextContent.Trim());
        Assert.Contains("USD: 2 PG lines", cut.Find(".ct-other-currency").TextContent);
        Assert.Contains("not in the KRW totals", cut.Find(".ct-other-currency").TextContent);
    }

    [Fact]
    public void ControlTotalsCard_SaysWhenTheTotalsWereVerified_AndWarnsWhenTheLastVerificationCorrectedADrift()
    {
        var date = new DateOnly(2026, 9, 4);
        var at = new DateTimeOffset(2026, 9, 5, 1, 30, 0, TimeSpan.Zero);
        ControlTotalsReport Report(bool drifted) => new(date, date,
            new CurrencyTotals("KRW", new LedgerSide(1, 10_000, 0, 0), new PgSide(1, 10_000, 0, 0, 250, 22, 9_750)),
            [], 0, [], [new DayControl(date, 9, 10_000, 10_000, 0, "toss")], [], [],
            [new TotalsCheck(date, "toss", at, drifted, drifted ? 1_000 : 0, drifted ? -500 : 0, drifted ? "KRW: our approval amount +1,000 KRW" : null)]);

        var clean = Render<ControlTotalsCard>(p => p.Add(c => c.Report, Report(false)));
        var drift = Render<ControlTotalsCard>(p => p.Add(c => c.Report, Report(true)));

        Assert.Contains("Verified against the ledgers at 2026-09-05 10:30:00 KST", clean.Find("#ct-verified").TextContent);
        Assert.Contains("no drift", clean.Find("#ct-verified").TextContent);
        Assert.Empty(clean.FindAll(".ct-drift"));
        var warning = drift.Find(".ct-drift");
        Assert.Contains("drifted from the ledgers", warning.TextContent);
        Assert.Contains("our net 1,000, PG gross −500 KRW", warning.TextContent);
        Assert.Contains("corrected", warning.TextContent);
        Assert.DoesNotContain("no drift", drift.Find("#ct-verified").TextContent);
    }

    [Fact]
    public void TypeLegend_OpensOnRequest_AndExplainsEveryTypeWithItsCode()
    {
        var cut = Render<FindingTypeLegend>();
        Assert.Empty(cut.FindAll("#type-legend"));

        cut.Find("#type-legend-toggle").Click();

        var rows = cut.FindAll("#type-legend tbody tr");
        Assert.Equal(FindingTypeNames.All.Count, rows.Count);
        var charged = rows.Single(r => r.TextContent.Contains("CHARGED_BUT_FAILED"));
        Assert.Contains("Charged but failed", charged.TextContent);
        Assert.Contains("told the payment failed, but the PG charged them", charged.TextContent);
    }

    [Fact]
    public void EveryFindingType_HasAPlainNameAndAnExplanation()
    {
        Assert.All(Enum.GetValues<FindingType>(), t =>
        {
            var name = FindingTypeNames.Of(t);
            Assert.NotEqual(t.ToString(), name.Name);
            Assert.False(string.IsNullOrWhiteSpace(name.Explanation));
        });
        Assert.Equal(FindingTypeNames.All.Count, FindingTypeNames.All.Select(n => n.Type).Distinct().Count());
    }
}
