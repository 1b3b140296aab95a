using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OpsConsole.Core.Data;

/// <summary>Creates and upgrades the embedded database before the app serves (setting <c>Database:MigrateOnStart</c>).</summary>
internal sealed class DatabaseStartup(DatabaseOptions options, OpsDbContextFactory factory, ILogger<DatabaseStartup> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.MigrateOnStart) return;
        logger.LogInformation("Applying database migrations ({Provider})", factory.Provider);
        await DatabaseInitializer.MigrateAsync(factory, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
