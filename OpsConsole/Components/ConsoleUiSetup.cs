using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using OpsConsole.Api.Edge;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Audit;
using OpsConsole.Components.Pages.Dashboard;
using OpsConsole.Components.Pages.Discrepancies;
using OpsConsole.Core.Reconciliation.Findings;
using OpsConsole.Components.Pages.Runs;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Data;
using OpsConsole.Core.Timeline;
using OpsConsole.Hosting;

namespace OpsConsole.Components;

/// <summary>The Blazor Server console: components, MudBlazor, sign-in and authorization.</summary>
public static class ConsoleUiSetup
{
    public static WebApplicationBuilder AddConsoleUi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices(ConfigureMud);
        services.AddCascadingAuthenticationState();
        services.AddScoped<ConsoleUser>();
        services.AddSingleton<UserAdmin>();

        services.Configure<TraceLinkOptions>(builder.Configuration.GetSection("Tracing"));
        services.AddSingleton(sp => new PaymentTimeline(
            sp.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<OpsDbContext>>(),
            sp.GetServices<ITimelineContributor>()));

        services.AddSingleton<FindingBulkActions>();
        services.AddSingleton<DashboardQueries>();
        services.AddSingleton<ITimelineContributor, FindingTimelineContributor>();

        builder.AddConsoleAuthentication();
        builder.AddConsoleSecurity();
        return builder;
    }

    /// <summary>
    /// Snackbars appear bottom left, over the navigation drawer: never over a dialog's buttons (bottom right of the
    /// dialog), the pager or a page's primary actions, which the user needs next.
    /// </summary>
    public static void ConfigureMud(MudServicesConfiguration config)
    {
        config.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomLeft;
        config.SnackbarConfiguration.PreventDuplicates = false;
        config.SnackbarConfiguration.ShowCloseIcon = true;
        config.SnackbarConfiguration.VisibleStateDuration = 6000;
        config.SnackbarConfiguration.MaxDisplayedSnackbars = 3;
    }

    /// <summary>
    /// Identity (local accounts, lockout) on the console database, an optional OpenID Connect provider
    /// (<c>Auth:Oidc:*</c>), one authorization policy per <see cref="ConsoleAction"/>, and demo users.
    /// </summary>
    private static void AddConsoleAuthentication(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var services = builder.Services;

        var demo = new DemoOptions();
        config.GetSection("Demo").Bind(demo);
        // Demo mode is the embedded SQLite run's default; a PostgreSQL deployment must opt in explicitly.
        demo.Enabled = config.GetValue<bool?>("Demo:Enabled")
                       ?? config.GetValue("Database:Provider", DatabaseProvider.Sqlite) == DatabaseProvider.Sqlite;
        if (string.IsNullOrEmpty(demo.Password)) demo.Password = DemoOptions.DefaultPassword;
        if (string.IsNullOrEmpty(demo.ApiKey)) demo.ApiKey = DemoOptions.DefaultApiKey;
        services.AddSingleton(Options.Create(demo));
        services.AddSingleton<DemoUsers>();

        // The Identity stores need a scoped context. Only the sign-in endpoints (one HTTP request each) and
        // DemoUsers (its own scope) resolve it; components use IDbContextFactory as everywhere else.
        services.TryAddScoped<OpsDbContext>(sp => sp.GetRequiredService<OpsDbContextFactory>().CreateDbContext());
        services.AddIdentityCore<IdentityUser>(o =>
            {
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.AllowedForNewUsers = true;
                // Above Auth:SignIn:MaxFailuresPerIp (5): one address is throttled before it can lock an account.
                o.Lockout.MaxFailedAccessAttempts = config.GetValue("Auth:Lockout:MaxFailedAttempts", 10);
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(config.GetValue("Auth:Lockout:Minutes", 15));
                o.User.RequireUniqueEmail = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<OpsDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        var auth = services.AddAuthentication(o =>
        {
            o.DefaultScheme = IdentityConstants.ApplicationScheme;
            o.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
        });
        auth.AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = ConsoleCookies.Session;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = AccountEndpoints.SignInPage;
            o.AccessDeniedPath = "/access-denied";
            o.ExpireTimeSpan = TimeSpan.FromHours(config.GetValue("Auth:SessionHours", 10));
            o.SlidingExpiration = true;
            o.Events.OnRedirectToLogin = ctx => RedirectOrStatus(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => RedirectOrStatus(ctx, StatusCodes.Status403Forbidden);
            // Locked, disabled or deleted users and SSO users whose provider withdrew a role: SessionValidator.
            o.Events.OnValidatePrincipal = ctx =>
                ctx.HttpContext.RequestServices.GetRequiredService<SessionValidator>().ValidateAsync(ctx);
            o.Events.OnSigningIn = ctx =>
            {
                ctx.HttpContext.RequestServices.GetRequiredService<SessionValidator>().MarkValidated(ctx.Properties);
                return Task.CompletedTask;
            };
        });

        var oidc = config.GetSection("Auth:Oidc");
        var roleClaim = oidc["RoleClaim"] is { Length: > 0 } rc ? rc : "roles";
        var nameClaim = oidc["NameClaim"] is { Length: > 0 } nc ? nc : "preferred_username";
        services.AddSingleton(new OidcClaimsOptions(roleClaim, nameClaim));
        if (!string.IsNullOrWhiteSpace(oidc["Authority"]))
        {
            auth.AddOpenIdConnect(OpenIdConnectDefaults.AuthenticationScheme, oidc["DisplayName"] ?? "Company SSO", o =>
            {
                o.Authority = oidc["Authority"];
                o.ClientId = oidc["ClientId"];
                o.ClientSecret = oidc["ClientSecret"];
                o.ResponseType = "code";
                o.UsePkce = true;
                o.MapInboundClaims = false;
                // The access token re-reads userinfo (Auth:RevalidateMinutes); the id token ends the provider's session.
                o.SaveTokens = true;
                // Many providers (oidc-provider by default) put profile and role claims only in userinfo.
                o.GetClaimsFromUserInfoEndpoint = oidc.GetValue("GetClaimsFromUserInfoEndpoint", true);
                o.ClaimActions.MapJsonKey(roleClaim, roleClaim);
                o.ClaimActions.MapUniqueJsonKey(nameClaim, nameClaim);
                // A top-level GET back to the console carries SameSite=Lax cookies; a cross-site form post would not.
                o.ResponseMode = oidc["ResponseMode"] is { Length: > 0 } mode ? mode : "query";
                o.CorrelationCookie.SameSite = SameSiteMode.Lax;
                o.NonceCookie.SameSite = SameSiteMode.Lax;
                o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.SignedOutCallbackPath = oidc["SignedOutCallbackPath"] is { Length: > 0 } so ? so : "/signout-callback-oidc";
                o.SignedOutRedirectUri = AccountEndpoints.SignInPage;
                o.SignInScheme = IdentityConstants.ApplicationScheme;
                o.CallbackPath = oidc["CallbackPath"] is { Length: > 0 } cb ? cb : "/signin-oidc";
                o.RequireHttpsMetadata = oidc.GetValue("RequireHttpsMetadata", true);
                o.Scope.Clear();
                foreach (var scope in (oidc["Scopes"] ?? "openid profile email").Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    o.Scope.Add(scope);
                // After userinfo was merged (OnTokenValidated comes before it).
                o.Events.OnTicketReceived = async ctx =>
                {
                    ctx.Principal = OidcRoleMapper.ToConsolePrincipal(ctx.Principal!, roleClaim, nameClaim);
                    var name = ctx.Principal.Identity?.Name ?? "unknown";
                    var audit = ctx.HttpContext.RequestServices.GetRequiredService<AuditLog>();
                    await audit.WriteAsync(name, "auth.signin", "user", name,
                        AuditChange.Created(new() { { "roles", ctx.Principal.FindAll(System.Security.Claims.ClaimTypes.Role).Select(c => c.Value) } }),
                        outcome: "success (oidc)");
                };
            });
        }

        services.AddAuthorization(o =>
        {
            foreach (var action in ConsoleActions.All)
                o.AddPolicy(action.Policy, p => p.RequireAuthenticatedUser().RequireRole(action.Roles));
            // [Authorize] and RequireAuthorization() without a policy: one of the four console roles. A signed-in
            // user without a role sees only the "no access yet" page and can sign out.
            o.DefaultPolicy = ConsolePolicies.ConsoleUser;
            o.AddPolicy(ConsolePolicies.SignedIn, ConsolePolicies.SignedInPolicy);
        });
    }

    /// <summary>Pages redirect to sign-in / access denied; endpoints (exports, account, API) answer with a status.</summary>
    private static Task RedirectOrStatus(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> ctx,
        int status)
    {
        var path = ctx.Request.Path;
        if (path.StartsWithSegments("/console") || path.StartsWithSegments("/api") || path.StartsWithSegments("/account"))
        {
            // A problem body, so that no status-code page re-executes the request (a POST would hit a page).
            var code = status == StatusCodes.Status401Unauthorized ? "unauthenticated" : "FORBIDDEN";
            var policies = ctx.HttpContext.GetEndpoint()?.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>()
                .Select(a => a.Policy).ToHashSet() ?? [];
            var denied = ConsoleActions.All.FirstOrDefault(a => policies.Contains(a.Policy))?.DeniedReason
                         ?? "This needs a console role (finance, engineer, on-call or admin). Ask an admin.";
            return Results.Problem(statusCode: status, title: code,
                detail: status == StatusCodes.Status401Unauthorized ? "Sign in first." : denied,
                extensions: new Dictionary<string, object?> { ["code"] = code, ["traceId"] = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? ctx.HttpContext.TraceIdentifier })
                .ExecuteAsync(ctx.HttpContext);
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    public static WebApplication UseConsoleUi(this WebApplication app)
    {
        app.UseProxySupport();
        if (!app.Environment.IsDevelopment())
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        app.Use(static (ctx, next) =>
        {
            var headers = ctx.Response.Headers;
            headers["X-Content-Type-Options"] = "nosniff";
            headers["X-Frame-Options"] = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers["Content-Security-Policy"] = "frame-ancestors 'none'; base-uri 'self'; object-src 'none'";
            return next(ctx);
        });
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseApiErrors(); // inside the two above: errors under /api are problem details, never HTML
        app.UseAuthentication();
        app.UseConsoleRequestGuard();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapConsoleUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapAccountEndpoints();
        app.MapAuditExport();
        app.MapFindingExport();
        app.MapRunsApi();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
