using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Dashboard;
using OpsConsole.Components.Pages.Discrepancies;
using OpsConsole.Components.Shared;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.Findings;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Console;

/// <summary>Resolves or auto-resolves seeded findings the way people and later runs do.</summary>
internal static class FindingResolution
{
    /// <summary>Resolves the CHARGED_BUT_FAILED finding (letter e, refunded) and marks MISSING_EXTERNAL (c) AUTO_RESOLVED.</summary>
    public static async Task<(long Resolved, long AutoResolved)> ResolveSomeAsync(OpsDbContextFactory factory, ReconSeed.Seeded seeded)
    {
        await using var db = factory.CreateDbContext();
        var e = await db.Set<Finding>().SingleAsync(f => f.PaymentKey == seeded.Key("e"));
        Assert.Equal(FindingType.CHARGED_BUT_FAILED, e.Type);
        e.Resolve("finance", DateTimeOffset.UtcNow);
        await db.SaveChangesAsync();
        await FindingEdits.SetAsync(db, f => f.PaymentKey == seeded.Key("c"),
            e => e.Property(f => f.Status).CurrentValue = FindingStatus.AUTO_RESOLVED);
        var c = await db.Set<Finding>().AsNoTracking().SingleAsync(f => f.PaymentKey == seeded.Key("c"));
        Assert.True(e.MoneyAtRisk > 0 && c.MoneyAtRisk > 0);
        return (e.MoneyAtRisk, c.MoneyAtRisk);
    }
}

/// <summary>"At risk" means unresolved (OPEN, ACKNOWLEDGED) on the dashboard and in the grid's totals, on both providers.</summary>
public abstract class DashboardNumbersQueryTests(TestDatabase database)
{
    [Fact]
    public async Task Dashboard_CountsOnlyUnresolvedAtRisk_AndShowsResolvedWorkSeparately()
    {
        var date = new DateOnly(2026, 8, 11);
        var seeded = await ReconSeed.DateWithDiscrepanciesAsync(database.Factory, date);
        var queries = new DashboardQueries(database.Factory, TimeProvider.System);
        var before = await queries.LoadAsync(date);
        Assert.Equal(4, before.Count);
        Assert.Equal(new ResolvedTotal(0, 0), before.Resolved);

        var (resolved, autoResolved) = await FindingResolution.ResolveSomeAsync(database.Factory, seeded);
        var after = await queries.LoadAsync(date);

        Assert.Equal(2, after.Count);
        Assert.Equal(before.MoneyAtRisk - resolved - autoResolved, after.MoneyAtRisk);
        Assert.DoesNotContain(after.ByType, t => t.Type is FindingType.CHARGED_BUT_FAILED or FindingType.MISSING_EXTERNAL);
        Assert.Equal(after.MoneyAtRisk, after.Trend.Single(t => t.Date == date).MoneyAtRisk);
        Assert.Equal(2, after.Trend.Single(t => t.Date == date).Count);
        Assert.Equal(new ResolvedTotal(2, resolved + autoResolved), after.Resolved);
        Assert.DoesNotContain(after.NeedsAttention, f => f.PaymentKey == seeded.Key("e") || f.PaymentKey == seeded.Key("c"));
        Assert.True(after.Reconciled);
    }

    [Fact]
    public async Task Dashboard_ADateWithoutASucceededRun_IsNotReconciled()
    {
        var queries = new DashboardQueries(database.Factory, TimeProvider.System);

        var future = await queries.LoadAsync(new DateOnly(2027, 3, 1));

        Assert.False(future.Reconciled);
        Assert.Equal(0, future.Count);
    }

    [Fact]
    public async Task DiscrepancyGridTotals_SumOnlyUnresolvedMoney_ButStillCountEveryMatch()
    {
        var date = new DateOnly(2026, 8, 12);
        var seeded = await ReconSeed.DateWithDiscrepanciesAsync(database.Factory, date);
        var filter = new FindingFilter { From = date, To = date };
        FindingTotals before;
        await using (var db = database.Factory.CreateDbContext())
            before = await FindingGridQuery.TotalsAsync(db, filter, CancellationToken.None);

        var (resolved, autoResolved) = await FindingResolution.ResolveSomeAsync(database.Factory, seeded);

        await using (var db = database.Factory.CreateDbContext())
        {
            var exact = await FindingGridQuery.TotalsAsync(db, filter, CancellationToken.None);
            var page = await FindingGridQuery.LoadAsync(db, filter, null, true, 0, 25, CancellationToken.None);
            Assert.Equal(new FindingTotals(4, before.MoneyAtRisk - resolved - autoResolved), exact);
            Assert.Equal(exact, page.Totals);
            Assert.Equal(4, page.Items.Count);
        }
        Assert.Equal(4, before.Count);
    }
}

public sealed class DashboardNumbersSqliteTests(SqliteTestDatabase database)
    : DashboardNumbersQueryTests(database), IClassFixture<SqliteTestDatabase>;

public sealed class DashboardNumbersPostgresTests(PostgresTestDatabase database)
    : DashboardNumbersQueryTests(database), IClassFixture<PostgresTestDatabase>;

/// <summary>What the dashboard page says about a date: at risk vs resolved, and "not reconciled yet".</summary>
public sealed class DashboardPageTests : ConsoleComponentTest, IClassFixture<SqliteTestDatabase>
{
    private readonly SqliteTestDatabase _database;

    public DashboardPageTests(SqliteTestDatabase database)
    {
        _database = database;
        Services.AddLogging();
        Services.AddSingleton(new DashboardQueries(database.Factory, TimeProvider.System));
        Services.AddSingleton(new Core.Cash.Payouts.CashViewService(database.Factory));
        Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
        });
    }

    private IRenderedComponent<Dashboard> RenderFor(DateOnly date)
    {
        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo($"/?date={date:yyyy-MM-dd}");
        var cut = Render<Dashboard>();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#dashboard-loading")));
        return cut;
    }

    [Theory]
    [InlineData(2027, 5, 20)]
    [InlineData(2026, 12, 6)]
    public async Task ADateWithoutARun_ReadsNotReconciledYet_NeverClean(int year, int month, int day)
    {
        SignInAs("oncall", ConsoleRoles.Oncall);

        var cut = RenderFor(new DateOnly(year, month, day));

        Assert.Contains("Not reconciled yet", cut.Find("#dashboard-not-reconciled").TextContent);
        Assert.Empty(cut.FindAll("#dashboard-clean"));
        Assert.DoesNotContain("No confirmed discrepancies", cut.Markup);
        Assert.DoesNotContain("No unresolved discrepancies", cut.Markup);
        var runNow = cut.Find("button#dashboard-run-now");
        Assert.False(runNow.HasAttribute("disabled"));

        // Awaited: Click() does not wait for the handler when the renderer's dispatcher is busy.
        await runNow.ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());

        Assert.EndsWith($"/runs?date={year:D4}-{month:D2}-{day:D2}",
            Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().Uri);
    }

    [Fact]
    public void Finance_SeesNotReconciledYet_WithRunNowDisabledAndTheReason()
    {
        SignInAs("finance", ConsoleRoles.Finance);

        var cut = RenderFor(new DateOnly(2027, 5, 21));

        Assert.Contains("Not reconciled yet", cut.Find("#dashboard-not-reconciled").TextContent);
        Assert.True(cut.Find("button#dashboard-run-now").HasAttribute("disabled"));
        Assert.Equal(ConsoleActions.RunReconciliation.DeniedReason, cut.Find("#dashboard-run-now-reason").TextContent.Trim());
    }

    [Fact]
    public async Task ARefundedChargedButFailed_LeavesAtRisk_AndShowsAsResolvedOnThisDate()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        var date = new DateOnly(2026, 8, 13);
        var seeded = await ReconSeed.DateWithDiscrepanciesAsync(_database.Factory, date);
        var (resolved, autoResolved) = await FindingResolution.ResolveSomeAsync(_database.Factory, seeded);
        await using var db = _database.Factory.CreateDbContext();
        var open = await db.Set<Finding>().Where(f => f.BusinessDate == date && f.Status == FindingStatus.OPEN)
            .SumAsync(f => f.MoneyAtRisk);

        var cut = RenderFor(date);

        Assert.Equal("2", cut.Find("#dashboard-count").TextContent.Trim());
        Assert.Equal(Kst.MoneyTotal(open), cut.Find("#dashboard-money").TextContent.Trim());
        Assert.Contains("open and acknowledged", cut.Find("#dashboard-money").ParentElement!.TextContent);
        Assert.DoesNotContain("Charged but failed", cut.Find("#dashboard-by-type").TextContent);
        Assert.Empty(cut.FindAll("#dashboard-by-type [data-code=CHARGED_BUT_FAILED]"));
        var resolvedText = cut.Find("#dashboard-resolved").TextContent;
        Assert.Contains("Resolved on this date: 2 findings", resolvedText);
        Assert.Contains($"{Kst.MoneyTotal(resolved + autoResolved)} KRW", resolvedText);
        Assert.Empty(cut.FindAll("#dashboard-not-reconciled"));
    }

    [Fact]
    public async Task AReconciledDateWithNothingUnresolved_ReadsClean()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        var date = new DateOnly(2026, 8, 14);
        await ReconSeed.DateWithDiscrepanciesAsync(_database.Factory, date);
        await using (var db = _database.Factory.CreateDbContext())
        {
            foreach (var f in await db.Set<Finding>().Where(f => f.BusinessDate == date).ToListAsync())
                f.Resolve("finance", DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
        }

        var cut = RenderFor(date);

        Assert.NotNull(cut.Find("#dashboard-clean"));
        Assert.Empty(cut.FindAll("#dashboard-not-reconciled"));
        Assert.Contains("Resolved on this date: 4 findings", cut.Find("#dashboard-resolved").TextContent);
    }
}
