using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Hosting;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Sandbox;

/// <summary>The first start of the embedded run: demo data through the sandbox PG, then every seeded day reconciled.</summary>
public sealed class DemoDataJobTests
{
    [Fact]
    public async Task FirstStart_SeedsAndReconcilesEveryDay_WithoutWaitingASettleDelay()
    {
        await using var host = await AppHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Jobs:Enabled"] = "true",
            ["Demo:SeedOnFirstStart"] = "true",
            ["Demo:SeedDays"] = "2",
            ["Demo:SeedPerDay"] = "12",
            ["Reconciliation:ScheduleEnabled"] = "false",
        });
        var job = host.Services.GetServices<IHostedService>().OfType<DemoDataJob>().Single();

        // The configured settle delay is 2 minutes; the seeded days are settled (the seeder ends with the janitor),
        // so the demo runs skip it and finish well within this bound.
        await job.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(90));

        await using var db = await host.Get<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        var runs = await db.Set<ReconRun>().AsNoTracking().OrderBy(r => r.BusinessDate).ToListAsync();
        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Equal(RunStatus.SUCCEEDED, r.Status));
        Assert.All(runs, r => Assert.InRange(r.SettleMs ?? -1, 0, 10_000));
        Assert.Equal(runs[0].BusinessDate.AddDays(1), runs[1].BusinessDate);
    }
}
