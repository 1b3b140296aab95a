using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Gateway;
using OpsConsole.Hosting;
using OpsConsole.Sandbox;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Sandbox;

/// <summary>The first start of the embedded run: demo data through the sandbox PG, then every seeded day reconciled.</summary>
public sealed class DemoDataJobTests
{
    [Fact]
    public async Task FirstStart_SeedsTwoPgsAndReconcilesEveryDay_WithoutWaitingASettleDelay()
    {
        await using var host = await AppHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Jobs:Enabled"] = "true",
            ["Demo:SeedOnFirstStart"] = "true",
            ["Demo:SeedDays"] = "2",
            ["Demo:SeedPerDay"] = "20",
            // Enough planted faults that each PG's share has some (fixed seed 42).
            ["Demo:SeedFaultShare"] = "0.5",
            ["Reconciliation:ScheduleEnabled"] = "false",
        });
        var job = host.Services.GetServices<IHostedService>().OfType<DemoDataJob>().Single();

        // The configured settle delay is 2 minutes; the seeded days are settled (the seeder ends with the janitor),
        // so the demo runs skip it and finish well within this bound.
        await job.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(90));

        await using var db = await host.Get<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        // One run per (date, PG).
        var runs = await db.Set<ReconRun>().AsNoTracking().OrderBy(r => r.BusinessDate).ThenBy(r => r.Pg).ToListAsync();
        Assert.Equal(4, runs.Count);
        Assert.All(runs, r => Assert.Equal(RunStatus.SUCCEEDED, r.Status));
        Assert.All(runs, r => Assert.InRange(r.SettleMs ?? -1, 0, 10_000));
        Assert.Equal(runs[0].BusinessDate.AddDays(1), runs[2].BusinessDate);

        // Two PGs: the Toss-like API connection and the sandbox's file persona, each with payments, settlement lines
        // (the file persona's imported from the file it wrote, through its profile) and findings.
        var pgs = new[] { PgConnections.LegacyName, DemoPgConnections.FilePgName }.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(pgs, host.Get<PgConnections>().All.Select(c => c.Name).Order(StringComparer.Ordinal));
        var paymentsByPg = await db.Payments.GroupBy(p => p.Pg).Select(g => new { g.Key, Count = g.Count() }).ToListAsync();
        Assert.Equal(pgs, paymentsByPg.Select(g => g.Key).Order(StringComparer.Ordinal));
        var linesByPg = await db.Set<SettlementLine>().GroupBy(l => l.Pg).Select(g => new { g.Key, Count = g.Count() }).ToListAsync();
        Assert.Equal(pgs, linesByPg.Select(g => g.Key).Order(StringComparer.Ordinal));
        Assert.All(await db.Set<SettlementLine>().Where(l => l.Pg == DemoPgConnections.FilePgName).ToListAsync(),
            l => Assert.Equal(SandboxFilePg.MerchantId, l.MId));
        var import = await db.Set<SettlementImport>().SingleAsync(i => i.Pg == DemoPgConnections.FilePgName);
        Assert.EndsWith(".csv", import.Name);
        Assert.Equal(pgs, runs.Select(r => r.Pg).Distinct().Order(StringComparer.Ordinal));
        var findingPgs = await db.Set<Finding>().Select(f => f.Pg).Distinct().ToListAsync();
        Assert.Equal(pgs, findingPgs.Order(StringComparer.Ordinal));
        // A finding carries the PG of the payment it is about (where our ledger has the payment).
        var mislabelled = await (from f in db.Set<Finding>()
                                 join p in db.Payments on f.PaymentKey equals p.PaymentKey
                                 where f.Pg != p.Pg
                                 select f.Id).CountAsync();
        Assert.Equal(0, mislabelled);
    }
}
