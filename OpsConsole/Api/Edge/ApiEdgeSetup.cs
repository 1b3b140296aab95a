using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpsConsole.Core.ApiClients;
using OpsConsole.Core.Common;

namespace OpsConsole.Api.Edge;

/// <summary>
/// The edge of <c>/api/v1</c> for other services: API-key and (optional) JWT authentication, one policy per
/// scope, a per-client rate limit, problem details for every error under <c>/api</c>, and the OpenAPI document.
/// Console cookies are never accepted here: the policies name only the <see cref="Scheme"/> scheme.
/// </summary>
public static class ApiEdgeSetup
{
    /// <summary>Forwards to the API-key scheme for <c>ocs_</c> keys (and no credentials), else to the JWT scheme.</summary>
    public const string Scheme = "Api";
    public const string JwtScheme = "ApiJwt";
    public const string RateLimitPolicy = "api-client";

    /// <summary>Any authenticated API client.</summary>
    public const string ClientPolicy = "api-client";

    public static string ScopePolicy(string scope) => $"api-scope:{scope}";

    public static WebApplicationBuilder AddApiEdge(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ApiRateLimitOptions>().BindConfiguration("Api:RateLimit").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<JwtApiOptions>().BindConfiguration("Auth:Jwt")
            .Validate(o => !o.Enabled || !string.IsNullOrWhiteSpace(o.Audience), "Auth:Jwt:Audience is required when Auth:Jwt:Authority is set.")
            .ValidateOnStart();
        var jwt = builder.Configuration.GetSection("Auth:Jwt").Get<JwtApiOptions>() ?? new JwtApiOptions();

        var auth = services.AddAuthentication();
        auth.AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        if (jwt.Enabled)
            auth.AddJwtBearer(JwtScheme, o => ConfigureJwt(o, jwt));
        auth.AddPolicyScheme(Scheme, "API key or access token", o => o.ForwardDefaultSelector = ctx =>
            jwt.Enabled && ApiKeyAuthenticationHandler.BearerToken(ctx.Request) is { } token &&
            !token.StartsWith(ApiKeys.Prefix, StringComparison.Ordinal)
                ? JwtScheme
                : ApiKeyAuthenticationHandler.SchemeName);

        services.AddAuthorizationBuilder()
            .AddPolicy(ClientPolicy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        services.Configure<Microsoft.AspNetCore.Authorization.AuthorizationOptions>(o =>
        {
            foreach (var scope in ApiScopes.All)
                o.AddPolicy(ScopePolicy(scope), p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser()
                    .RequireAssertion(ctx => ApiCallers.HasScope(ctx.User, scope)));
        });

        services.AddProblemDetails(o =>
        {
            var previous = o.CustomizeProblemDetails;
            o.CustomizeProblemDetails = ctx =>
            {
                previous?.Invoke(ctx);
                if (ApiProblems.IsApiPath(ctx.HttpContext.Request.Path))
                    ApiProblems.Complete(ctx.ProblemDetails, ctx.HttpContext);
            };
        });

        services.AddRateLimiter(o =>
        {
            o.AddPolicy(RateLimitPolicy, http =>
            {
                var limits = http.RequestServices.GetRequiredService<IOptions<ApiRateLimitOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(ApiCallers.ClientName(http.User) ?? "", _ =>
                    new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = limits.PermitsPerSecond,
                        Window = limits.Window,
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    });
            });
            var previous = o.OnRejected;
            o.OnRejected = async (ctx, ct) =>
            {
                if (!ApiProblems.IsApiPath(ctx.HttpContext.Request.Path))
                {
                    if (previous is not null) await previous(ctx, ct);
                    return;
                }
                var retryAfter = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                ctx.HttpContext.Response.Headers.RetryAfter =
                    Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await ApiProblems.WriteAsync(ctx.HttpContext, StatusCodes.Status429TooManyRequests, ApiProblems.RateLimited,
                    "This API client sent too many requests; retry after the time in the Retry-After header.");
            };
        });

        builder.AddApiDocument(jwt);
        services.AddHostedService<DemoApiClientStartup>();
        return builder;
    }

    private static void ConfigureJwt(JwtBearerOptions o, JwtApiOptions jwt)
    {
        o.Authority = jwt.Authority;
        o.Audience = jwt.Audience;
        o.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
        o.MapInboundClaims = false;
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidAudience = jwt.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            NameClaimType = "client_id",
        };
        o.Events = new JwtBearerEvents
        {
            OnChallenge = async ctx =>
            {
                ctx.HandleResponse();
                await ApiKeyAuthenticationHandler.ChallengeAsync(ctx.HttpContext, ctx.AuthenticateFailure is null ? null : "invalid_token");
            },
            OnForbidden = ctx => ApiKeyAuthenticationHandler.ForbidAsync(ctx.HttpContext),
        };
    }

    /// <summary>
    /// Errors under <c>/api</c> as problem details: unhandled exceptions (no stack trace, also in Development)
    /// and empty error responses (404 unknown route, 405, 401 of a cookie challenge…). Sits inside the console's
    /// own exception handler and status-code pages, so those never render an HTML page for <c>/api</c>.
    /// </summary>
    public static IApplicationBuilder UseApiErrors(this IApplicationBuilder app) =>
        app.Use(static async (http, next) =>
        {
            if (!ApiProblems.IsApiPath(http.Request.Path))
            {
                await next(http);
                return;
            }
            try
            {
                await next(http);
            }
            catch (Exception e) when (!http.Response.HasStarted && !(e is OperationCanceledException && http.RequestAborted.IsCancellationRequested))
            {
                var status = e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
                if (status >= 500)
                    http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("OpsConsole.Api")
                        .LogError(e, "Unhandled exception on {Method} {Path}", http.Request.Method, http.Request.Path);
                http.Response.Clear();
                await ApiProblems.WriteAsync(http, status, ApiProblems.CodeFor(status), ApiProblems.DetailFor(status));
                return;
            }
            var r = http.Response;
            if (r.StatusCode >= 400 && !r.HasStarted && r.ContentLength is null && string.IsNullOrEmpty(r.ContentType))
                await ApiProblems.WriteAsync(http, r.StatusCode, ApiProblems.CodeFor(r.StatusCode), ApiProblems.DetailFor(r.StatusCode));
        });

    /// <summary>The one rate-limiting middleware (per API client, and the sign-in limit); after authorization, so the
    /// API's partition is the authenticated client.</summary>
    public static WebApplication UseApiRateLimiting(this WebApplication app)
    {
        app.UseRateLimiter();
        return app;
    }
}

/// <summary>Demo mode: the <c>demo-shop</c> API client with the key in <c>Demo:ApiKey</c>, created at start-up.</summary>
internal sealed class DemoApiClientStartup(
    IOptions<Components.Account.DemoOptions> demo,
    ApiClientService clients,
    ILogger<DemoApiClientStartup> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!demo.Value.Enabled) return;
        try
        {
            await clients.EnsureDemoClientAsync(demo.Value.ApiKey, cancellationToken);
            log.LogWarning("Demo API client '{Client}' is active with the documented demo key; never use demo mode with real data.",
                ApiClientService.DemoClientName);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or Microsoft.EntityFrameworkCore.DbUpdateException)
        {
            log.LogError("Could not create the demo API client: {Error}", e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
