using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Cash;
using OpsConsole.Components.Pages.Dashboard.Components;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Cash.Payouts;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Console;
using OpsConsole.Tests.Infrastructure;
using static OpsConsole.Tests.Cash.Payouts.PayoutTestSupport;

namespace OpsConsole.Tests.Cash.Payouts;

/// <summary>The Cash page, a payout finding's drill-down and the dashboard card, on a reconciled month (SQLite).</summary>
public sealed class CashPageTests : ConsoleComponentTest, IClassFixture<SqliteTestDatabase>
{
    private readonly SqliteTestDatabase _db;

    public CashPageTests(SqliteTestDatabase db)
    {
        _db = db;
        var clock = new TestClock();
        clock.Set(Now);
        Services.AddLogging();
        Services.AddSingleton<TimeProvider>(clock);
        Services.AddSingleton<IDbContextFactory<OpsDbContext>>(db.Factory);
        Services.AddSingleton<AuditLog>();
        Services.AddSingleton<FindingService>();
        Services.AddSingleton<CashViewService>();
        Services.AddSingleton(Service(db.Factory, Options()));
        Services.AddScoped<ConsoleUser>();
    }

    private static DateOnly D(int day) => new(2026, 3, day);

    public override async Task InitializeAsync()
    {
        await ClearAsync(_db.Factory);
        await AddLinesAsync(_db.Factory,
        [
            new("tosspay", D(5), D(9), PaymentMethod.TRANSFER, 10_000),
            new("tosspay", D(10), D(12), PaymentMethod.TRANSFER, 40_000),
            new("tosspay", D(27), D(31), PaymentMethod.TRANSFER, 9_000),
            new("tosspay", D(31), new DateOnly(2026, 4, 2), PaymentMethod.TRANSFER, 77_000),
        ]);
        await AddDepositsAsync(_db.Factory,
        [
            new("kb-operating", D(9), 10_000, "토스페이먼츠"),
            new("kb-operating", D(31), 9_000, "토스페이먼츠"),
        ]);
        await Service(_db.Factory, Options()).RunAsync(From, D(31), RunTrigger.CLI, "test");
    }

    [Fact]
    public void CashPage_ShowsTheCalendarFindingsAndReceivables()
    {
        SignInAs("finance-kim", ConsoleRoles.Finance);

        var cut = Render<CashPage>();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#cash-calendar")));
        Assert.Contains("mud-chip-color-success", cut.Find("[data-cash-cell='PAYOUT:tosspay:2026-03-09']").ClassName);
        Assert.Contains("mud-chip-color-error", cut.Find("[data-cash-cell='PAYOUT:tosspay:2026-03-12']").ClassName);
        Assert.Contains("Payout not received", cut.Find("#cash-findings [data-type='PAYOUT_MISSING']").TextContent);
        Assert.Contains("40,000", cut.Find("#cash-overdue").TextContent);
        Assert.Equal("77,000", cut.Find("#cash-forecast-total").TextContent.Trim());
    }

    [Fact]
    public void CashPage_NamesAndExplainsTheFivePayoutFindingTypes()
    {
        SignInAs("finance-kim", ConsoleRoles.Finance);

        var cut = Render<CashPage>();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#cash-legend")));
        var legend = cut.FindAll("#cash-legend [data-type]");
        Assert.Equal(FindingTypes.Payout.Select(t => t.ToString()).Order(), legend.Select(e => e.GetAttribute("data-type")!).Order());
        foreach (var type in FindingTypes.Payout)
            Assert.Contains(FindingTypeNames.Of(type).Explanation, cut.Find($"#cash-legend [data-type='{type}']").TextContent);
    }

    [Fact]
    public async Task RunPayouts_ByOncall_RunsTheRangeShowsTheResultAndAuditsIt()
    {
        SignInAs("oncall-lee", ConsoleRoles.Oncall);
        var before = (await Cash().LatestRunAsync())!.Id;
        var cut = Render<CashPage>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#cash-calendar")));

        await cut.InvokeAsync(() => cut.Find("#cash-run-payouts").Click());

        cut.WaitForAssertion(() => Assert.Contains("succeeded", cut.Find("#cash-run-result").TextContent));
        var latest = (await Cash().LatestRunAsync())!;
        Assert.True(latest.Id > before);
        Assert.Equal(RunTrigger.USER, latest.Trigger);
        Assert.Equal((new DateOnly(2026, 3, 18), new DateOnly(2026, 3, 31)), (latest.FromDate, latest.ToDate));
        Assert.Contains($"Payout run {latest.Id}", cut.Find("#cash-run-result").TextContent);
        await using var db = _db.Factory.CreateDbContext();
        Assert.Contains(await db.AuditEntries.Where(a => a.Action == "payout.run").ToListAsync(),
            a => a.Actor == "oncall-lee" && a.TargetId == latest.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void RunPayouts_IsDisabledWithTheReason_ForFinance()
    {
        SignInAs("finance-kim", ConsoleRoles.Finance);

        var cut = Render<CashPage>();

        cut.WaitForAssertion(() => Assert.True(cut.Find("#cash-run-payouts").HasAttribute("disabled")));
        Assert.Contains(ConsoleActions.RunReconciliation.DeniedReason, cut.Find("#cash-run-now").TextContent);
    }

    private CashViewService Cash() => Services.GetRequiredService<CashViewService>();

    [Fact]
    public async Task FindingPage_ShowsTheExpectedPayoutItsLinesAndTheirPayments()
    {
        SignInAs("oncall-lee", ConsoleRoles.Oncall);
        var missing = (await FindingsAsync(_db.Factory)).Single(f => f.Type == FindingType.PAYOUT_MISSING);

        var cut = Render<CashFindingPage>(p => p.Add(x => x.Id, missing.Id));

        cut.WaitForAssertion(() => Assert.Contains("PAYOUT:tosspay:2026-03-12", cut.Find("#cash-finding-title").TextContent));
        Assert.Contains("Payout not received", cut.Find("#cash-finding-title").TextContent);
        Assert.Contains(FindingTypeNames.Of(FindingType.PAYOUT_MISSING).Explanation, cut.Find("#cash-finding-explanation").TextContent);
        Assert.Contains("nothing", cut.Find("#cash-finding-received").TextContent);
        var link = cut.Find("#cash-finding-lines a");
        Assert.StartsWith("trace/payment/pk-", link.GetAttribute("href"));
        Assert.Equal($"discrepancies/{missing.Id}", cut.Find("#cash-finding-lifecycle").GetAttribute("href"));
    }

    [Fact]
    public void DashboardCard_ShowsTodaysPayoutsAndWhetherTheyArrived()
    {
        SignInAs("finance-kim", ConsoleRoles.Finance);

        var cut = Render<PayoutsTodayCard>();

        cut.WaitForAssertion(() => Assert.Contains("1 of 1 arrived", cut.Find("#dashboard-payouts-today").TextContent));
    }

    [Fact]
    public void DashboardCard_IsHiddenFromEngineers()
    {
        SignInAs("eng-park", ConsoleRoles.Engineer);

        var cut = Render<PayoutsTodayCard>();

        Assert.Empty(cut.FindAll("#dashboard-payouts-today"));
    }
}
