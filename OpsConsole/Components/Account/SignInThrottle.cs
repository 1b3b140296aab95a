using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace OpsConsole.Components.Account;

/// <summary>Settings <c>Auth:SignIn:*</c>: throttling of sign-in attempts per client IP.</summary>
public sealed class SignInThrottleOptions
{
    /// <summary>Sign-in attempts (any outcome) per client IP per minute; more answer 429.</summary>
    [Range(1, int.MaxValue)] public int PermitsPerMinute { get; set; } = 10;

    /// <summary>
    /// Failed sign-ins per client IP within <see cref="FailureWindow"/> after which that IP gets 429 without the
    /// password being checked. Keep it below <c>Auth:Lockout:MaxFailedAttempts</c> (10): one address then cannot
    /// lock an account out, and lockout cannot be used from outside to lock every account.
    /// </summary>
    [Range(1, int.MaxValue)] public int MaxFailuresPerIp { get; set; } = 5;

    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>
/// Failed sign-ins per client IP (in memory, per process), checked before the password so that a throttled
/// address cannot add to any account's lockout counter.
/// </summary>
public sealed class SignInThrottle(IOptions<SignInThrottleOptions> options, TimeProvider clock)
{
    public const string RateLimitPolicy = "signin";

    private readonly ConcurrentDictionary<string, Window> _failures = new();

    private sealed record Window(DateTimeOffset Start, int Count);

    public static string KeyOf(HttpContext http) => (http.Connection.RemoteIpAddress ?? IPAddress.None).ToString();

    /// <summary>How long until <paramref name="ip"/> may try again; null when it may now.</summary>
    public TimeSpan? BlockedFor(string ip)
    {
        var now = clock.GetUtcNow();
        if (!_failures.TryGetValue(ip, out var w)) return null;
        var end = w.Start + options.Value.FailureWindow;
        if (now >= end)
        {
            _failures.TryRemove(new KeyValuePair<string, Window>(ip, w));
            return null;
        }
        return w.Count >= options.Value.MaxFailuresPerIp ? end - now : null;
    }

    public void RecordFailure(string ip)
    {
        var now = clock.GetUtcNow();
        _failures.AddOrUpdate(ip, _ => new Window(now, 1),
            (_, w) => now >= w.Start + options.Value.FailureWindow ? new Window(now, 1) : w with { Count = w.Count + 1 });
        if (_failures.Count > 100_000) Prune(now);
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (ip, w) in _failures)
            if (now >= w.Start + options.Value.FailureWindow) _failures.TryRemove(new KeyValuePair<string, Window>(ip, w));
    }

    /// <summary>The sign-in rate limit (per client IP, fixed one-minute window) answering 429 problem details.</summary>
    public sealed class RateLimitPolicyImpl(IOptions<SignInThrottleOptions> options) : IRateLimiterPolicy<string>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => (ctx, _) =>
            new ValueTask(TooManyAsync(ctx.HttpContext, TimeSpan.FromMinutes(1)));

        public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
            RateLimitPartition.GetFixedWindowLimiter(KeyOf(httpContext), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = options.Value.PermitsPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            });
    }

    public static Task TooManyAsync(HttpContext http, TimeSpan retryAfter)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "too_many_attempts",
            detail: "Too many sign-in attempts from this address. Wait and try again.",
            extensions: new Dictionary<string, object?> { ["code"] = "too_many_attempts" }).ExecuteAsync(http);
    }
}
