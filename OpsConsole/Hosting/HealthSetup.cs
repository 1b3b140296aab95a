using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;

namespace OpsConsole.Hosting;

/// <summary>
/// <c>/healthz/live</c> (the process answers) and <c>/healthz/ready</c> (the database answers and is migrated; the
/// PG's reachability is reported but never fails readiness). Anonymous; the answer names checks and verdicts only.
/// </summary>
public static class HealthSetup
{
    public const string LivePath = "/healthz/live";
    public const string ReadyPath = "/healthz/ready";
    private const string ReadyTag = "ready";

    public static WebApplicationBuilder AddOpsHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpClient(PgHealthCheck.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(3));
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", HealthStatus.Unhealthy, [ReadyTag], TimeSpan.FromSeconds(5))
            .AddCheck<PgHealthCheck>("pg", HealthStatus.Degraded, [ReadyTag], TimeSpan.FromSeconds(5));
        return builder;
    }

    public static WebApplication MapOpsHealth(this WebApplication app)
    {
        var group = app.MapGroup("/healthz").AllowAnonymous().ExcludeFromDescription();
        group.MapHealthChecks("/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .WithName("HealthLive").WithSummary("Liveness: the process answers.");
        group.MapHealthChecks("/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync })
            .WithName("HealthReady").WithSummary("Readiness: the database answers and is migrated (the PG's reachability is reported).");
        return app;
    }

    /// <summary><c>{"status":"Healthy","checks":{"database":"Healthy","pg":"Degraded"}}</c>: no messages, hosts or timings.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
