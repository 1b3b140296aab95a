using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OpsConsole.Core.ApiClients;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Outbox;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core;

public static class CoreSetup
{
    /// <summary>Database, payment core, PG client, audit and outbox. Settings are bound from configuration.</summary>
    public static IHostApplicationBuilder AddOpsConsoleCore(this IHostApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var services = builder.Services;

        var dbOptions = new DatabaseOptions
        {
            Provider = config.GetValue("Database:Provider", DatabaseProvider.Sqlite),
            ConnectionString = config.GetConnectionString("OpsConsole"),
            DataDirectory = config["DataDirectory"] is { Length: > 0 } dir ? dir : "data",
        };
        dbOptions.MigrateOnStart = config.GetValue<bool?>("Database:MigrateOnStart") ?? dbOptions.Provider == DatabaseProvider.Sqlite;
        services.AddSingleton(dbOptions);
        services.AddSingleton(sp => new OpsDbContextFactory(dbOptions.Provider, dbOptions.ResolveConnectionString()));
        services.AddSingleton<IDbContextFactory<OpsDbContext>>(sp => sp.GetRequiredService<OpsDbContextFactory>());
        services.AddSingleton<JobLock>();

        // The world's clock: sign-in, audit, the janitor and repair TTLs. Nothing in the app moves it (the demo
        // generator writes history with its own clock); tests register their own TimeProvider first.
        services.TryAddSingleton(TimeProvider.System);
        services.AddHostedService<DatabaseStartup>();
        // The PG connections are checked now: a bad Pgs section stops the start with every problem named.
        var pgConnections = PgConnections.FromConfiguration(config);
        services.AddSingleton(pgConnections);
        services.Configure<PgOptions>(config.GetSection("Pg"));
        if (pgConnections.ApiSection is { } apiSection)
            services.Configure<PgOptions>(config.GetSection(apiSection));
        services.Configure<JanitorOptions>(config.GetSection("Janitor"));
        services.Configure<OutboxOptions>(config.GetSection("Outbox"));
        services.AddPgClient();

        services.AddMetrics();
        services.TryAddSingleton<OpsMetrics>();
        services.AddSingleton<EventLog>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<ApiClientService>();
        services.AddSingleton<PaymentService>();
        services.AddSingleton<PaymentJanitor>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddHttpClient(OutboxDispatcher.HttpClientName)
            .ConfigureHttpClient((sp, c) => c.Timeout = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<OutboxOptions>>().Value.Timeout);
        return builder;
    }
}
