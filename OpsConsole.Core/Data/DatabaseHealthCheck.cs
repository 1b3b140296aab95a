using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OpsConsole.Core.Data;

/// <summary>Readiness: the console's database answers and has every migration of this build applied.</summary>
public sealed class DatabaseHealthCheck(OpsDbContextFactory factory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = factory.CreateDbContext();
            if (!await db.Database.CanConnectAsync(cancellationToken))
                return HealthCheckResult.Unhealthy("unreachable");
            var pending = await db.Database.GetPendingMigrationsAsync(cancellationToken);
            return pending.Any() ? HealthCheckResult.Unhealthy("not migrated") : HealthCheckResult.Healthy("migrated");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The driver's message may name hosts and users: the probe answer carries only the verdict.
            return HealthCheckResult.Unhealthy("unreachable");
        }
    }
}
