using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Warehouse;

public static class WarehouseSetup
{
    /// <summary>BigQuery client, its credentials and the warehouse reconciliation engine (<c>Warehouse:BigQuery:*</c>).</summary>
    public static IHostApplicationBuilder AddWarehouse(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(BigQueryReconciliationEngine)))
            return builder; // already added
        services.Configure<BigQueryOptions>(builder.Configuration.GetSection(BigQueryOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IBigQueryTokenSource, GoogleTokenSource>();
        // Timeouts and retries are the client's own (it classifies by reason), so the HttpClient has none. The
        // client lives as long as the app; pooled connections are renewed so DNS changes are followed.
        services.AddHttpClient(BigQueryClient.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        services.AddSingleton(sp => new BigQueryClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(BigQueryClient.HttpClientName),
            sp.GetRequiredService<IBigQueryTokenSource>(),
            sp.GetRequiredService<IOptions<BigQueryOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<BigQueryClient>>()));
        services.AddSingleton<BigQueryReconciliationEngine>();
        services.AddSingleton<IExternalReconEngine>(sp => sp.GetRequiredService<BigQueryReconciliationEngine>());
        services.AddSingleton<Cash.Payouts.BigQueryPayoutEngine>(); // reconcile-payouts --engine bigquery
        return builder;
    }
}
