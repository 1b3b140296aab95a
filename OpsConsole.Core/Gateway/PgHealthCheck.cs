using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OpsConsole.Core.Gateway;

/// <summary>
/// Readiness report of the PG's reachability: any HTTP answer from its base address (no credentials are sent)
/// is "reachable". Registered with failure status Degraded: the console still serves (findings, repairs requests,
/// the janitor retries later) when the PG is away, so this never fails readiness.
/// </summary>
public sealed class PgHealthCheck(PgEndpoint endpoint, IHttpClientFactory httpFactory) : IHealthCheck
{
    public const string HttpClientName = "pg-health";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var http = httpFactory.CreateClient(HttpClientName);
            using var response = await http.GetAsync(endpoint.BaseUri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return HealthCheckResult.Healthy("reachable");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "unreachable", e);
        }
    }
}
