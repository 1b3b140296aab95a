using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Runs.Components;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Warehouse;
using OpsConsole.Tests.Console;
using OpsConsole.Tests.Infrastructure;
using OpsConsole.Tests.Reconciliation;

namespace OpsConsole.Tests.Warehouse;

/// <summary>The Runs page's BigQuery panel: estimate, refusal beyond the byte limit, run, and the jobs with links.</summary>
public sealed class WarehousePanelTests(PostgresTestDatabase db) : ConsoleComponentTest, IClassFixture<PostgresTestDatabase>
{
    private FakeBigQueryServer _server = null!;
    private ReconciliationService _runs = null!;

    public override async Task InitializeAsync()
    {
        _server = await FakeBigQueryServer.StartAsync();
        await Ledger.ClearAsync(db.Factory);
    }

    private void AddServices(Action<BigQueryOptions>? configure = null)
    {
        var options = WarehouseTestSupport.FakeServerOptions(_server);
        configure?.Invoke(options);
        var engine = WarehouseTestSupport.Engine(options, db.Factory);
        _runs = new ReconciliationService(db.Factory, Options.Create(new ReconciliationOptions { SettleDelay = TimeSpan.Zero }),
            TimeProvider.System, externalEngines: [engine]);
        Services.AddSingleton(Options.Create(options));
        Services.AddSingleton(Options.Create(new ReconciliationOptions()));
        Services.AddSingleton(engine);
        Services.AddSingleton(_runs);
        Services.AddSingleton<IDbContextFactory<OpsDbContext>>(db.Factory);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(new AuditLog(db.Factory, TimeProvider.System));
        Services.AddScoped<ConsoleUser>();
    }

    [Fact]
    public void WithoutABigQueryProject_ThePanelIsNotShown()
    {
        SignInAs("oncall", ConsoleRoles.Oncall);
        AddServices(o => o.ProjectId = null);

        var cut = Render<WarehousePanel>();

        Assert.Empty(cut.FindAll("#warehouse-panel"));
    }

    [Fact]
    public async Task Estimate_BeyondTheLimit_IsShownAndTheRunIsRefused()
    {
        SignInAs("oncall", ConsoleRoles.Oncall);
        AddServices();
        _server.Script("query", Bq.DryRun(12L * 1024 * 1024 * 1024));
        var cut = Render<WarehousePanel>();
        cut.WaitForElement("#warehouse-estimate");

        await cut.InvokeAsync(() => cut.Find("#warehouse-estimate").Click());

        cut.WaitForAssertion(() => Assert.Contains("12 GiB of 10 GiB allowed — over the limit",
            cut.Find("#warehouse-estimate-result").TextContent));
        Assert.True(cut.Find("button#warehouse-run").HasAttribute("disabled"));
        Assert.True(Assert.Single(_server.Requests).Body!["dryRun"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Run_StartsARunInBigQuery_AndItsJobsAreListedWithCloudConsoleLinks()
    {
        SignInAs("oncall", ConsoleRoles.Oncall);
        AddServices();
        _server.Script("query", Bq.DryRun(1_000), Bq.Query("job-ui-1", true, BigQueryReconciliationEngineTests.ItemSchema, []));
        var cut = Render<WarehousePanel>();
        cut.WaitForAssertion(() => Assert.False(cut.Find("button#warehouse-run").HasAttribute("disabled")));

        await cut.InvokeAsync(() => cut.Find("button#warehouse-run").Click());
        // The button re-renders when its handler has returned, i.e. once the run holds its lock and runs in the background.
        cut.WaitForAssertion(() =>
        {
            Assert.NotEmpty(Task.Run(() => _runs.ListRunsAsync()).GetAwaiter().GetResult()); // off the renderer's context
            Assert.False(cut.Find("button#warehouse-run").HasAttribute("disabled"));
        });
        Assert.Empty(cut.FindAll("#warehouse-error"));
        await _runs.WhenBackgroundIdleAsync();
        var run = Assert.Single(await _runs.ListRunsAsync());
        Assert.True(run.Status == RunStatus.SUCCEEDED, $"{run.Status}: {run.Error}");
        Assert.Equal(2, _server.Of("query").Count);

        var again = Render<WarehousePanel>();
        var link = again.WaitForElement("#warehouse-jobs a[target=_blank]");
        Assert.Equal("job-ui-1", link.TextContent);
        Assert.Equal("https://console.cloud.google.com/bigquery?project=ops-proj&j=bq:asia-northeast3:job-ui-1&page=queryresults",
            link.GetAttribute("href"));
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        _runs?.Dispose();
        await _server.DisposeAsync();
        await base.DisposeAsyncCore();
    }
}
