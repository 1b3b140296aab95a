using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace OpsConsole.Core.Warehouse;

public static class WarehouseSetup
{
    /// <summary>BigQuery client, its credentials and the warehouse reconciliation engine (<c>Warehouse:BigQuery:*</c>).</summary>
    public static IHostApplicationBuilder AddWarehouse(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<BigQueryOptions>(builder.Configuration.GetSection(BigQueryOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IBigQueryTokenSource, GoogleTokenSource>();
        // Timeouts and retries are the client's own (it classifies by reason), so the HttpClient has none.
        services.AddHttpClient<BigQueryClient>(BigQueryClient.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);
        return builder;
    }
}
