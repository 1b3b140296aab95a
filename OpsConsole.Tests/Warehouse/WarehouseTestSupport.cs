using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Data;
using OpsConsole.Core.Warehouse;

namespace OpsConsole.Tests.Warehouse;

public static class WarehouseTestSupport
{
    /// <summary>An engine on <paramref name="options"/>; without a database the engine can plan and run passes
    /// but not write them (the SQLite factory is never opened).</summary>
    public static BigQueryReconciliationEngine Engine(BigQueryOptions options, OpsDbContextFactory? database = null)
    {
        var o = Options.Create(options);
        var client = new BigQueryClient(new HttpClient(), new StaticTokenSource("test-token"), o, TimeProvider.System,
            NullLogger<BigQueryClient>.Instance);
        return new BigQueryReconciliationEngine(client, o,
            database ?? new OpsDbContextFactory(DatabaseProvider.Sqlite, "Data Source=unused-by-this-test.db"),
            TimeProvider.System, NullLogger<BigQueryReconciliationEngine>.Instance);
    }

    /// <summary>Options pointing at the fake server, with millisecond backoff.</summary>
    public static BigQueryOptions FakeServerOptions(FakeBigQueryServer server) => new()
    {
        ProjectId = FakeBigQueryServer.Project,
        Dataset = "ledger",
        Location = "asia-northeast3",
        BaseUrl = server.BaseUrl,
        InitialRetryDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(8),
        MaximumBytesBilled = 10L * 1024 * 1024 * 1024,
    };
}
