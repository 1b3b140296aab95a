using Microsoft.AspNetCore.Antiforgery;
using OpsConsole.Hosting;

namespace OpsConsole.Components.Account;

/// <summary>
/// Hardening of the console's edge: antiforgery for scripts (<see cref="ConsoleRequestGuard"/>), sign-in
/// throttling and rate limit, session revalidation and the TLS proxy settings.
/// </summary>
public static class ConsoleSecuritySetup
{
    public static WebApplicationBuilder AddConsoleSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddAntiforgery(o => o.HeaderName = ConsoleRequestGuard.HeaderName);

        services.AddOptions<SignInThrottleOptions>().BindConfiguration("Auth:SignIn").ValidateDataAnnotations()
            .Validate(o => o.FailureWindow > TimeSpan.Zero, "Auth:SignIn:FailureWindow must be positive.").ValidateOnStart();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<SignInThrottle.RateLimitPolicyImpl>();
        // Another feature may register its own policies: AddRateLimiter composes.
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy<string, SignInThrottle.RateLimitPolicyImpl>(SignInThrottle.RateLimitPolicy);
        });

        services.AddOptions<SessionOptions>().BindConfiguration("Auth")
            .Validate(o => o.RevalidateMinutes >= 0, "Auth:RevalidateMinutes must be 0 or more.").ValidateOnStart();
        services.AddSingleton<SessionValidator>();
        services.AddSingleton<DummyPasswordHash>();

        builder.AddProxySupport();
        return builder;
    }

    /// <summary><c>GET /account/antiforgery</c>: the token (and its cookie) a signed-in script sends in <see cref="ConsoleRequestGuard.HeaderName"/>.</summary>
    public static IEndpointRouteBuilder MapAntiforgeryToken(this IEndpointRouteBuilder app)
    {
        app.MapGet("/account/antiforgery", (HttpContext http, IAntiforgery antiforgery) =>
            {
                var tokens = antiforgery.GetAndStoreTokens(http);
                http.Response.Headers.CacheControl = "no-store";
                return TypedResults.Ok(new AntiforgeryTokenDto(tokens.HeaderName ?? ConsoleRequestGuard.HeaderName, tokens.RequestToken!));
            })
            .RequireAuthorization(ConsolePolicies.SignedIn)
            .WithName("GetAntiforgeryToken")
            .WithSummary("The antiforgery token a signed-in script sends with state-changing requests.");
        return app;
    }

    public sealed record AntiforgeryTokenDto(string HeaderName, string Token);
}
