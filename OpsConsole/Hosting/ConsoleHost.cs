using OpsConsole.Api;
using OpsConsole.Api.Edge;
using OpsConsole.Components;
using OpsConsole.Core;
using OpsConsole.Core.Cash;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Repairs;
using OpsConsole.Core.Warehouse;
using OpsConsole.Sandbox;

namespace OpsConsole.Hosting;

/// <summary>Builds the one host that serves the console, the API, the sandbox PG and the jobs.</summary>
public static class ConsoleHost
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The application name locates the static web assets manifest, also when a test runner hosts the app.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(ConsoleHost).Assembly.GetName().Name,
        });
        configure?.Invoke(builder);

        builder.AddDemoPgConnections();
        builder.AddOpsConsoleCore();
        builder.AddReconciliation();
        builder.AddCash();
        builder.AddWarehouse();
        builder.AddRepairs();
        builder.AddSandboxPg();
        builder.AddConsoleUi();
        builder.AddApiEdge();
        builder.AddDatabaseDataProtection();
        builder.AddOpsTelemetry();
        builder.AddOpsHealth();
        builder.AddHostedJobs();

        var app = builder.Build();
        app.UseConsoleUi();
        app.UseApiRateLimiting();
        app.MapApiDocument();
        app.MapOpsHealth();
        app.MapOpsMetrics();
        app.MapPaymentsApi();
        app.MapRepairsApi();
        app.MapSandboxPg();
        app.MapConsoleUi();
        return app;
    }
}
