using System.Reflection;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Core.Cash;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Repairs;
using OpsConsole.Sandbox;

namespace OpsConsole.Tests.Console;

/// <summary>
/// One app host with demo data (the app's own generator through the sandbox PG and, as on the demo's first start, a
/// share of the payments through the second PG — the sandbox's file persona, its settlement file imported — every day
/// reconciled for each PG, a repair and a batch requested) and one browser, shared by the layout tests: every console page at laptop and desktop sizes, in
/// both themes. The pages are the app's routes, found by reflection: a new page is covered without touching the tests
/// (a route with a parameter needs a sample path in <see cref="SamplePath"/>).
/// </summary>
public sealed class LayoutFixture : IAsyncLifetime
{
    public ConsoleAppHost App { get; } = new()
    {
        // The demo's timeouts end after 1 s instead of the production 10 s.
        Settings =
        {
            ["Pg:AttemptTimeout"] = "00:00:01", ["Pg:TotalTimeout"] = "00:00:03",
            // The demo's two PGs (DemoPgConnections): the Toss-like sandbox and the file persona with its contract.
            ["Pgs:toss:Kind"] = "toss", ["Pgs:toss:MerchantIds"] = "opsconsole_sandbox", ["Pgs:toss:SecretKey"] = "test_sk_opsconsole_sandbox",
            ["Pgs:sandbox-inicis:Kind"] = "file", ["Pgs:sandbox-inicis:MerchantIds"] = SandboxFilePg.MerchantId,
            ["Pg:Contracts:INIpayTest:BaseRates:CARD"] = "0.022", ["Pg:Contracts:INIpayTest:BaseRates:EASY_PAY"] = "0.027",
            ["Pg:Contracts:INIpayTest:BaseRates:TRANSFER"] = "0.018",
        },
    };

    public BrowserFixture Browser { get; } = new();

    public IReadOnlyList<string> Pages { get; private set; } = [];

    /// <summary>Routes left out of the walk, and why.</summary>
    public static readonly IReadOnlyDictionary<string, string> NotWalked = new Dictionary<string, string>
    {
        ["/signin"] = "signed-out page (covered by BrowserTests.SignInPage_ExplainsAWrongPassword)",
        ["/Error"] = "the exception handler's page, shown only outside Development",
    };

    public long FindingId { get; private set; }
    public string TimedOutPaymentKey { get; private set; } = "";
    public long PayoutFindingId { get; private set; }
    public long RepairId { get; private set; }
    public long BatchId { get; private set; }

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)App).InitializeAsync();
        await Browser.InitializeAsync();

        var seeder = App.Services.GetRequiredService<DemoSeeder>();
        var truth = await seeder.SeedAsync(new SeedSpec(Days: 2, PerDay: 60, Seed: 42, FaultShare: 0.5,
            LastDay: TwoBankingDaysEnding(App.Services.GetRequiredService<KoreanBusinessCalendar>())), CancellationToken.None);
        await seeder.ImportFilePgAsync(truth, CancellationToken.None);
        var reconciliation = App.Services.GetRequiredService<ReconciliationService>();
        for (var day = truth.FirstDay; day <= truth.LastDay; day = day.AddDays(1))
            await reconciliation.RunEachPgAsync(day, RunTrigger.SCHEDULE, "demo", pullFirst: true, settleDelay: TimeSpan.Zero);
        // Each day once more, as the next scheduled run finds it: nothing changed, so the runs are incremental and carry the
        // findings forward (the finding page then says how many runs saw a finding and when one last compared it).
        for (var day = truth.FirstDay; day <= truth.LastDay; day = day.AddDays(1))
            await reconciliation.RunEachPgAsync(day, RunTrigger.SCHEDULE, "demo", pullFirst: false, settleDelay: TimeSpan.Zero);
        // The sandbox PG's payouts into the sandbox bank, reconciled as the demo does: the Cash pages have findings.
        await OpsConsole.Sandbox.SandboxBank.ImportAndReconcileAsync(App.Services, truth.FirstDay, truth.LastDay, CancellationToken.None);

        await using var db = await App.Db.CreateDbContextAsync();
        var charged = await db.Set<Finding>().AsNoTracking()
            .Where(f => f.Type == FindingType.CHARGED_BUT_FAILED && f.Status == FindingStatus.OPEN)
            .OrderByDescending(f => f.MoneyAtRisk).ToListAsync();
        if (charged.Count < 2)
            throw new InvalidOperationException($"The demo seed made {charged.Count} charged-but-failed findings; the walk needs 2.");
        FindingId = charged[0].Id;
        PayoutFindingId = await db.Set<Finding>().AsNoTracking().Where(f => FindingTypes.Payout.Contains(f.Type))
            .OrderBy(f => f.Id).Select(f => f.Id).FirstOrDefaultAsync();
        if (PayoutFindingId == 0)
            throw new InvalidOperationException("The demo's sandbox bank made no payout finding; the walk needs one.");
        TimedOutPaymentKey = await db.PaymentEvents.AsNoTracking().Where(e => e.Type == PaymentEventTypes.PgTimeout)
            .Select(e => e.PaymentKey).FirstOrDefaultAsync() ?? charged[0].PaymentKey!;
        RepairId = (await App.Services.GetRequiredService<RepairService>().RequestAsync(new RepairCommand(RepairKind.REFUND,
            charged[0].PaymentKey!, charged[0].Id, charged[0].MoneyAtRisk, charged[0].MoneyAtRisk, "OTHER",
            "customer called (layout walk)", "finance"), ["finance"])).Id;
        BatchId = (await App.Services.GetRequiredService<RepairBatchService>().RequestAsync(
            charged.Skip(1).Select(f => f.Id).ToList(), "CHARGED_BUT_FAILED", "nightly clean-up (layout walk)", "finance",
            ["finance"])).Batch.Id;

        Pages = Routes().SelectMany(SamplePath).ToList();
    }

    /// <summary>
    /// The last of the two most recent consecutive banking days before today (KST). The sandbox bank books nothing on a
    /// weekend or holiday, so two seeded days ending yesterday would, on a Monday or after a holiday, leave the statement
    /// without a deposit and the Cash pages without a finding: the walk would depend on the day it runs.
    /// </summary>
    public static DateOnly TwoBankingDaysEnding(KoreanBusinessCalendar calendar)
    {
        var last = BusinessCalendar.Today(TimeProvider.System).AddDays(-1);
        while (!calendar.IsBusinessDay(last) || !calendar.IsBusinessDay(last.AddDays(-1))) last = last.AddDays(-1);
        return last;
    }

    /// <summary>Every routable page of the app (its @page templates).</summary>
    public static IEnumerable<(string Template, Type Page)> Routes() =>
        typeof(Components.App).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t))
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => (r.Template, t)))
            .Where(r => !NotWalked.ContainsKey(r.Template))
            .OrderBy(r => r.Template, StringComparer.Ordinal);

    /// <summary>The paths the walk visits for a route: its parameters filled from the demo data, plus telling variants.</summary>
    private IEnumerable<string> SamplePath((string Template, Type Page) route) => route.Template switch
    {
        "/" => ["/", $"/?pg={DemoPgConnections.FilePgName}"],
        "/discrepancies" => ["/discrepancies?verdict=any", $"/discrepancies?verdict=any&pg={DemoPgConnections.FilePgName}"],
        "/trace" => ["/trace?q=timeout"],
        "/discrepancies/{Id:long}" => [$"/discrepancies/{FindingId}"],
        "/trace/payment/{PaymentKey}" => [$"/trace/payment/{TimedOutPaymentKey}"],
        "/repairs/{Id:long}" => [$"/repairs/{RepairId}"],
        "/cash/findings/{Id:long}" => [$"/cash/findings/{PayoutFindingId}"],
        "/repairs/batches/{Id:long}" => [$"/repairs/batches/{BatchId}"],
        var t when !t.Contains('{') => [t],
        var t => throw new InvalidOperationException(
            $"The page {route.Page.Name} ({t}) has a route parameter: give LayoutFixture.SamplePath a path for it from the demo data."),
    };

    public static bool IsStatic(string path) =>
        Routes().Any(r => r.Template == path.Split('?')[0] &&
                          r.Page.GetCustomAttribute<ExcludeFromInteractiveRoutingAttribute>() is not null);

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await ((IAsyncLifetime)App).DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class LayoutCollection : ICollectionFixture<LayoutFixture>
{
    public const string Name = "console layout";
}
