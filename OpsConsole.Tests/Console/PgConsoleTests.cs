using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Dashboard;
using OpsConsole.Components.Pages.Discrepancies;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.Findings;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Console;

/// <summary>
/// The console with two PG connections: one business date reconciled for each PG (each its own run, lines and
/// findings), then the Discrepancies grid and the dashboard filtered and grouped by PG.
/// </summary>
public sealed class PgConsoleTests : ConsoleComponentTest, IClassFixture<SqliteTestDatabase>
{
    private const string Toss = "toss";
    private const string File = "sandbox-inicis";

    public static PgConnections TwoPgs { get; } = PgConnections.FromConfiguration(new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pgs:toss:Kind"] = "toss",
            ["Pgs:toss:MerchantIds"] = "tosspayments",
            ["Pgs:toss:SecretKey"] = "test_sk_two_pgs",
            ["Pgs:sandbox-inicis:Kind"] = "file",
            ["Pgs:sandbox-inicis:MerchantIds"] = "INIpayTest",
        }).Build());

    private readonly SqliteTestDatabase _database;

    public PgConsoleTests(SqliteTestDatabase database)
    {
        _database = database;
        Services.AddSingleton(TwoPgs);
        Services.AddLogging();
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<IDbContextFactory<OpsDbContext>>(database.Factory);
        Services.AddSingleton<AuditLog>();
        Services.AddSingleton<FindingService>();
        Services.AddSingleton<FindingBulkActions>();
        Services.AddScoped<ConsoleUser>();
        Services.AddSingleton(new DashboardQueries(database.Factory, TimeProvider.System, TwoPgs));
        Services.AddSingleton(new Core.Cash.Payouts.CashViewService(database.Factory));
        Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
            b.OpenComponent<MudSnackbarProvider>(1);
            b.CloseComponent();
        });
    }

    /// <summary>The date reconciled for both PGs (each test its own date: the class shares one database).</summary>
    private async Task<(ReconSeed.Seeded Toss, ReconSeed.Seeded File)> BothPgsAsync(DateOnly date) =>
        (await ReconSeed.DateWithDiscrepanciesAsync(_database.Factory, date, pg: Toss, connections: TwoPgs, mId: "tosspayments"),
         await ReconSeed.DateWithDiscrepanciesAsync(_database.Factory, date, pg: File, connections: TwoPgs, mId: "INIpayTest"));

    private NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    private static string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();

    [Fact]
    public async Task Discrepancies_PgInTheUrl_ShowsOnlyThatPgsFindings_InThePgColumn()
    {
        var Date = new DateOnly(2026, 10, 7);
        var (_toss, _file) = await BothPgsAsync(Date);
        SignInAs("finance", ConsoleRoles.Finance);
        Navigation.NavigateTo($"discrepancies?from={Date:yyyy-MM-dd}&to={Date:yyyy-MM-dd}&pg={File}");

        var cut = Render<DiscrepanciesPage>();

        cut.WaitForAssertion(() => Assert.Contains("finding(s) match", cut.Find("#finding-total").TextContent));
        Assert.Equal(File, cut.Instance.Filter.Pg);
        var pgs = cut.FindAll("#findings-grid .finding-pg").Select(c => c.TextContent.Trim()).ToList();
        Assert.NotEmpty(pgs);
        Assert.All(pgs, pg => Assert.Equal(File, pg));
        var orders = cut.FindAll("#findings-grid .finding-link").Select(a => a.TextContent).ToList();
        Assert.Contains(orders, o => o.Contains(_file.Suffix));
        Assert.DoesNotContain(orders, o => o.Contains(_toss.Suffix));
    }

    [Fact]
    public async Task Discrepancies_WithoutAPg_ShowEveryPg_AndApplyingTheFormKeepsThePgInTheUrl()
    {
        var Date = new DateOnly(2026, 10, 8);
        var (_toss, _) = await BothPgsAsync(Date);
        SignInAs("finance", ConsoleRoles.Finance);
        Navigation.NavigateTo($"discrepancies?from={Date:yyyy-MM-dd}&to={Date:yyyy-MM-dd}");
        var cut = Render<DiscrepanciesPage>();
        cut.WaitForAssertion(() => Assert.Equal([File, Toss],
            cut.FindAll("#findings-grid .finding-pg").Select(c => c.TextContent.Trim()).Distinct().Order(StringComparer.Ordinal)));
        Assert.Null(cut.Instance.Filter.Pg);

        Navigation.NavigateTo($"discrepancies?verdict=any&pg={Toss}");
        cut.WaitForAssertion(() => Assert.Equal(Toss, cut.Instance.Filter.Pg));
        cut.Find("#filter-text").Input(_toss.Order("b"));
        cut.WaitForAssertion(() => Assert.Equal(_toss.Order("b"), cut.Find("#filter-text").GetAttribute("value")));
        cut.Find("form#finding-filter").Submit();

        cut.WaitForAssertion(() => Assert.EndsWith($"/discrepancies?verdict=any&q={_toss.Order("b")}&pg={Toss}", Navigation.Uri));
    }

    [Fact]
    public async Task Dashboard_AllPgs_ShowsEachPgsFigures_AndControlTotalsPerPg_AndOnePgNarrowsEveryCard()
    {
        var Date = new DateOnly(2026, 10, 9);
        await BothPgsAsync(Date);
        SignInAs("finance", ConsoleRoles.Finance);
        Navigation.NavigateTo($"/?date={Date:yyyy-MM-dd}");
        var cut = Render<Dashboard>();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#dashboard-loading")));

        // Each PG's date has the same four unresolved findings (see ReconSeed): both listed, each reconciled.
        var rows = cut.FindAll("#dashboard-by-pg tbody tr");
        Assert.Equal([File, Toss], rows.Select(r => r.GetAttribute("data-pg")));
        Assert.All(rows, r => Assert.Contains("✓ reconciled", r.TextContent));
        var each = int.Parse(rows[0].Children[1].TextContent.Trim());
        Assert.Equal(each, int.Parse(rows[1].Children[1].TextContent.Trim()));
        Assert.Equal((2 * each).ToString(), cut.Find("#dashboard-count").TextContent.Trim());
        Assert.Empty(cut.FindAll("#dashboard-not-reconciled"));
        // Control totals: each PG's run adds up on its own, and so does the sum.
        Assert.Equal("true", cut.Find("#control-totals-status").GetAttribute("data-adds-up"));
        Assert.Equal([File, Toss], cut.FindAll("#ct-by-pg tbody tr").Select(r => r.GetAttribute("data-pg")));
        Assert.All(cut.FindAll("#ct-by-pg tbody tr"), r => Assert.Equal("true", r.GetAttribute("data-adds-up")));
        Assert.Equal("120,000", cut.Find("#ct-our-net").TextContent.Trim());
        Assert.Equal(new[] { File, Toss }, cut.FindAll(".dashboard-run-pg").Select(c => c.TextContent.Trim()).Order(StringComparer.Ordinal));

        Navigation.NavigateTo($"/?date={Date:yyyy-MM-dd}&pg={File}");

        cut.WaitForAssertion(() => Assert.Equal(each.ToString(), cut.Find("#dashboard-count").TextContent.Trim()));
        Assert.Empty(cut.FindAll("#dashboard-by-pg"));
        Assert.Equal("60,000", cut.Find("#ct-our-net").TextContent.Trim());
        Assert.Contains(File, Flat(cut.Find("#control-totals").TextContent));
        Assert.All(cut.FindAll(".dashboard-run-pg"), c => Assert.Equal(File, c.TextContent.Trim()));
        Assert.All(cut.FindAll("#dashboard-by-type a"), a => Assert.EndsWith($"&pg={File}", a.GetAttribute("href")));
    }

    [Fact]
    public async Task Dashboard_APgWithoutARunOfTheDate_IsNamedAsNotReconciled()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        var date = new DateOnly(2026, 10, 10);
        await ReconSeed.DateWithDiscrepanciesAsync(_database.Factory, date, pg: Toss, connections: TwoPgs, mId: "tosspayments");
        Navigation.NavigateTo($"/?date={date:yyyy-MM-dd}");

        var cut = Render<Dashboard>();

        cut.WaitForAssertion(() => Assert.Contains($"no successful run for {date:yyyy-MM-dd} of {File}",
            Flat(cut.Find("#dashboard-not-reconciled").TextContent)));
        Assert.Contains("not yet", cut.Find($"#dashboard-by-pg tr[data-pg={File}]").TextContent);
    }
}
