using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Dashboard;
using OpsConsole.Components.Pages.Discrepancies;
using OpsConsole.Components.Shared;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.Findings;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Console;

/// <summary>
/// Findings resolved on one KST day across business dates (each test its own day, so tests sharing a database stay apart):
/// two seeded business dates, four findings resolved that day by a person, by a later run and in another currency, one
/// resolved a millisecond before the day, one at its end's first instant, the rest still open.
/// </summary>
internal static class ResolvedDaySeed
{
    public sealed record Expected(DateOnly Day, IReadOnlyList<long> Ids, decimal Krw, long Usd, long AutoResolvedKrw);

    public static async Task<Expected> SeedAsync(OpsDbContextFactory factory, DateOnly day)
    {
        // Business dates long before the day; the day far from the real clock, which stamps what the seed's own runs resolve.
        var older = await ReconSeed.DateWithDiscrepanciesAsync(factory, new DateOnly(2026, 9, 10));
        var recent = await ReconSeed.DateWithDiscrepanciesAsync(factory, new DateOnly(2026, 9, 24));
        var start = BusinessCalendar.StartOfDayUtc(day);
        var end = BusinessCalendar.StartOfDayUtc(day.AddDays(1));
        await using var db = factory.CreateDbContext();
        Task<Finding> F(ReconSeed.Seeded s, string letter) => db.Set<Finding>().SingleAsync(f => f.PaymentKey == s.Key(letter));

        var olderB = await F(older, "b");
        olderB.Resolve("carol", start);                          // 00:00 KST: today
        var recentC = await F(recent, "c");
        recentC.Resolve("dave", end.AddMilliseconds(-1));         // 23:59:59.999 KST: today
        var recentE = await F(recent, "e");
        recentE.Resolve("dave", start.AddHours(3));               // today, in USD (below)
        (await F(older, "c")).Resolve("carol", start.AddMilliseconds(-1)); // yesterday
        (await F(recent, "b")).Resolve("erin", end);              // tomorrow
        await db.SaveChangesAsync();
        await FindingEdits.SetAsync(db, f => f.Id == recentE.Id, e => e.Property(f => f.Currency).CurrentValue = "USD");
        // A later run auto-resolves older d this morning.
        var olderD = await F(older, "d");
        await FindingEdits.SetAsync(db, f => f.Id == olderD.Id, e =>
        {
            e.Property(f => f.Status).CurrentValue = FindingStatus.AUTO_RESOLVED;
            e.Property(f => f.ResolvedAt).CurrentValue = start.AddHours(2);
            e.Property(f => f.ResolvedBy).CurrentValue = FindingWorkload.SystemResolver;
        });
        // An OPEN finding that carries a resolution time from earlier today (reopened) is not resolved work.
        var recentD = await F(recent, "d");
        await FindingEdits.SetAsync(db, f => f.Id == recentD.Id, e => e.Property(f => f.ResolvedAt).CurrentValue = start.AddHours(1));

        return new Expected(day, [olderB.Id, recentC.Id, recentE.Id, olderD.Id],
            olderB.MoneyAtRisk + recentC.MoneyAtRisk + olderD.MoneyAtRisk, recentE.MoneyAtRisk, olderD.MoneyAtRisk);
    }
}

public abstract class ResolvedTodayQueryTests(TestDatabase database)
{
    [Fact]
    public async Task ResolvedOnADay_CountsResolutionsOfThatKstDay_WhateverTheirBusinessDate()
    {
        var expected = await ResolvedDaySeed.SeedAsync(database.Factory, new DateOnly(2030, 3, 6));
        await using var db = database.Factory.CreateDbContext();

        var day = await FindingWorkload.ResolvedOnAsync(db, expected.Day);

        Assert.Equal(4, day.Count);
        Assert.Equal(expected.Krw, day.Money);
        var usd = Assert.Single(day.OtherCurrencies);
        Assert.Equal(("USD", 1, expected.Usd), (usd.Currency, usd.Count, usd.Money));
        Assert.Equal(["dave", "carol", FindingWorkload.SystemResolver], day.ByWhom.Select(r => r.ResolvedBy));
        Assert.Equal(2, day.ByWhom[0].Count);
        Assert.True(day.ByWhom.Single(r => r.IsSystem) is { Count: 1 } auto && auto.Money == expected.AutoResolvedKrw);
        Assert.Equal(0, (await FindingWorkload.ResolvedOnAsync(db, expected.Day.AddDays(2))).Count);
    }

    [Fact]
    public async Task TheGridsResolvedOnFilter_SelectsTheSameFindings()
    {
        var expected = await ResolvedDaySeed.SeedAsync(database.Factory, new DateOnly(2030, 3, 9));
        await using var db = database.Factory.CreateDbContext();

        var ids = await new FindingFilter { ResolvedOn = expected.Day }.Apply(db.Set<Finding>()).Select(f => f.Id).ToListAsync();

        Assert.Equal(expected.Ids.Order(), ids.Order());
    }
}

public sealed class ResolvedTodaySqliteTests(SqliteTestDatabase database)
    : ResolvedTodayQueryTests(database), IClassFixture<SqliteTestDatabase>;

public sealed class ResolvedTodayPostgresTests(PostgresTestDatabase database)
    : ResolvedTodayQueryTests(database), IClassFixture<PostgresTestDatabase>
{
    /// <summary>A day's resolutions are a range of the resolved_at index, not a scan of every finding.</summary>
    [Fact]
    public async Task ResolvedOnADay_ReadsTheResolvedAtIndex()
    {
        await using var db = database.Factory.CreateDbContext();
        var query = db.Set<Finding>().Where(f => f.Verdict == FindingVerdict.CONFIRMED)
            .Where(FindingWorkload.ResolvedOn(new DateOnly(2026, 12, 6)))
            .Select(f => new { f.ResolvedBy, f.Currency, f.MoneyAtRisk });

        var plan = await PostgresPlan.ExplainAsync(db, query, "'2026-12-05T15:00:00Z'::timestamptz");

        Assert.Contains("ix_recon_findings_resolved_at", plan);
    }
}

/// <summary>
/// The dashboard's backlog queries (the date's unresolved by type, the 30-day trend, the aging matrix) read the partial
/// backlog index alone, never the findings table: their cost follows the unresolved backlog, not the whole history.
/// </summary>
public sealed class DashboardBacklogPostgresTests(PostgresTestDatabase database) : IClassFixture<PostgresTestDatabase>
{
    [Fact]
    public async Task TheTrend_TheDatesTypes_AndTheAging_AreIndexOnlyScansOfTheBacklog()
    {
        await using var db = database.Factory.CreateDbContext();
        var unresolved = db.Set<Finding>().Where(f => f.Verdict == FindingVerdict.CONFIRMED).Where(Finding.IsUnresolved);
        var day = new DateOnly(2026, 12, 6);
        var now = DateTimeOffset.UtcNow;
        var queries = new (string Name, string Sql)[]
        {
            ("trend", unresolved.Where(f => f.BusinessDate >= day.AddDays(-29) && f.BusinessDate <= day).GroupBy(f => f.BusinessDate)
                .Select(g => new { g.Key, Count = g.Count(), Money = g.Sum(f => f.Currency == null || f.Currency == "KRW" ? (decimal)f.MoneyAtRisk : 0m) })
                .ToQueryString()),
            ("types", unresolved.Where(f => f.BusinessDate == day).GroupBy(f => f.Type)
                .Select(g => new { g.Key, Count = g.Count(), Money = g.Sum(f => f.Currency == null || f.Currency == "KRW" ? (decimal)f.MoneyAtRisk : 0m) })
                .ToQueryString()),
            ("aging", unresolved.GroupBy(f => new { f.Type, Age = f.FirstSeenAt >= now ? 0 : 1 })
                .Select(g => new { g.Key.Type, g.Key.Age, Count = g.Count(), Money = g.Sum(f => (decimal)f.MoneyAtRisk) })
                .ToQueryString()),
        };
        foreach (var (name, sql) in queries)
        {
            var select = System.Text.RegularExpressions.Regex.Replace(sql[sql.IndexOf("SELECT", StringComparison.Ordinal)..], @"@\w+",
                m => m.Value.Contains("now", StringComparison.Ordinal) ? "now()" : "'2026-12-06'");
            var plan = await PostgresPlan.ExplainAsync(db, select, "SET enable_seqscan = off; SET enable_bitmapscan = off");
            Assert.True(plan.Contains("Index Only Scan using ix_recon_findings_backlog ", StringComparison.Ordinal), $"{name}: {plan}");
        }
    }
}

public sealed class ResolvedTodayUrlTests
{
    [Fact]
    public void TheResolvedOnFilter_RoundTripsThroughTheUrl_AndNamesTheExport()
    {
        var filter = new FindingFilter { ResolvedOn = new DateOnly(2026, 12, 6) };
        var values = System.Web.HttpUtility.ParseQueryString(filter.ToQueryString());

        Assert.Equal("resolved=2026-12-06", filter.ToQueryString());
        Assert.Equal(filter, FindingFilter.FromQuery(name => values[name]));
        Assert.Equal("discrepancies_resolved-2026-12-06.csv", filter.ToFileName());
    }
}

/// <summary>The dashboard's "resolved today" and the Discrepancies "Resolved today" view, rendered (SQLite).</summary>
public sealed class ResolvedTodayPagesTests : ConsoleComponentTest, IClassFixture<SqliteTestDatabase>
{
    private static readonly DateOnly Today = new(2030, 3, 6);
    private static readonly SemaphoreSlim Seeding = new(1, 1);
    private static ResolvedDaySeed.Expected? _seeded;
    private readonly SqliteTestDatabase _database;
    private ResolvedDaySeed.Expected _expected = null!;

    public ResolvedTodayPagesTests(SqliteTestDatabase database)
    {
        _database = database;
        var clock = new FakeTimeProvider(BusinessCalendar.StartOfDayUtc(Today).AddHours(10));
        Services.AddLogging();
        Services.AddSingleton<TimeProvider>(clock);
        Services.AddSingleton<IDbContextFactory<OpsDbContext>>(database.Factory);
        Services.AddSingleton(new DashboardQueries(database.Factory, clock));
        Services.AddSingleton(new Core.Cash.Payouts.CashViewService(database.Factory));
        Services.AddSingleton<AuditLog>();
        Services.AddSingleton<FindingService>();
        Services.AddSingleton<FindingBulkActions>();
        Services.AddScoped<ConsoleUser>();
        Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
            b.OpenComponent<MudSnackbarProvider>(1);
            b.CloseComponent();
        });
    }

    /// <summary>Seeded once for the class (its tests share the database): every test sees the same day's four resolutions.</summary>
    public override async Task InitializeAsync()
    {
        await Seeding.WaitAsync();
        try
        {
            _expected = _seeded ??= await ResolvedDaySeed.SeedAsync(_database.Factory, Today);
        }
        finally
        {
            Seeding.Release();
        }
    }

    private NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    private static string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Trim();

    [Fact]
    public void TheDashboard_ShowsWhatWasResolvedToday_AcrossBusinessDates_ByWhom()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        Navigation.NavigateTo($"/?date={Today.AddDays(-1):yyyy-MM-dd}");

        var cut = Render<Dashboard>();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#dashboard-loading")));

        var today = cut.Find("#dashboard-resolved-today");
        Assert.Equal("4", today.GetAttribute("data-count"));
        Assert.Contains("Resolved today (2030-03-06 KST, any business date): 4 findings", Flat(today.TextContent));
        Assert.Equal(Kst.MoneyTotal(_expected.Krw), cut.Find("#dashboard-resolved-today-money").TextContent.Trim());
        Assert.Contains($"{MinorUnits.Format(_expected.Usd, "USD")} (1 finding)", cut.Find("#dashboard-resolved-today-other").TextContent);
        Assert.Equal("discrepancies?resolved=2030-03-06", cut.Find("#dashboard-resolved-today-link").GetAttribute("href"));
        var auto = cut.Find($"#dashboard-resolved-today-by .resolver[data-resolver={FindingWorkload.SystemResolver}]");
        Assert.Contains($"Auto-resolved by a later run: 1 finding, {Kst.MoneyTotal(_expected.AutoResolvedKrw)} KRW", Flat(auto.TextContent));
        Assert.Contains("dave: 2 findings", Flat(cut.Find("#dashboard-resolved-today-by .resolver[data-resolver=dave]").TextContent));
    }

    [Fact]
    public void TheResolvedTodayView_ListsTodaysResolutions_AndWhoResolvedThem()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        Navigation.NavigateTo("discrepancies");
        var cut = Render<DiscrepanciesPage>();
        var href = cut.Find("#view-resolved-today").GetAttribute("href");
        Assert.Equal("discrepancies?resolved=2030-03-06", href);

        Navigation.NavigateTo(href!);

        cut.WaitForAssertion(() => Assert.Equal(4, cut.FindAll("#findings-grid .finding-row").Count));
        Assert.Equal(Today, cut.Instance.Filter.ResolvedOn);
        Assert.Contains("Resolved on 2030-03-06 (KST): 4 findings", Flat(cut.Find("#view-resolved").TextContent));
        Assert.Contains("auto-resolved by a later run: 1", cut.Find("#view-resolved").TextContent);
    }
}
