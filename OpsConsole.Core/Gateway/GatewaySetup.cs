using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace OpsConsole.Core.Gateway;

public static class GatewaySetup
{
    /// <summary>
    /// The PG client with a total deadline, a per-attempt timeout and retries of transient failures only.
    /// A retry re-sends the same request message, so a POST keeps its Idempotency-Key: the PG executes the
    /// intent at most once. Definitive answers (4xx) are never retried.
    /// </summary>
    public static IServiceCollection AddPgClient(this IServiceCollection services)
    {
        services.AddOptions<PgOptions>()
            .Validate(o => o.Timeouts.Settlements >= PgTimeouts.MinSettlements,
                "Pg:Timeouts:Settlements must be at least 00:01:00 (Toss: a settlement query can take up to 60 s).")
            .ValidateOnStart();
        services.AddSingleton<PgEndpoint>();
        services.AddHttpClient<IPaymentGateway, TossPaymentsClient>(c => c.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("pg", (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<PgOptions>>().Value;
                pipeline.AddTimeout(new HttpTimeoutStrategyOptions
                {
                    TimeoutGenerator = args => ValueTask.FromResult(
                        IsSettlements(args.Context) ? o.Timeouts.Settlements + o.TotalTimeout : o.TotalTimeout),
                });
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = Math.Max(1, o.MaxRetries),
                    Delay = o.RetryBaseDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    ShouldHandle = args => ValueTask.FromResult(o.MaxRetries > 0 && IsTransient(args.Outcome)),
                });
                pipeline.AddTimeout(new HttpTimeoutStrategyOptions
                {
                    TimeoutGenerator = args => ValueTask.FromResult(
                        IsSettlements(args.Context) ? o.Timeouts.Settlements : o.AttemptTimeout),
                });
            });
        return services;
    }

    private static bool IsSettlements(ResilienceContext context) =>
        context.GetRequestMessage()?.Options.TryGetValue(TossPaymentsClient.OperationKey, out var op) == true
        && op == "settlements";

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } r } => (int)r.StatusCode >= 500 || r.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests,
        _ => false,
    };
}
