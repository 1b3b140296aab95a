using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.HttpOverrides;
using OpsConsole.Components.Account;

namespace OpsConsole.Hosting;

/// <summary>Settings <c>Proxy:*</c>: running behind a TLS-terminating reverse proxy.</summary>
public sealed class ProxyOptions
{
    /// <summary>Proxy addresses whose <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c> are trusted (e.g. <c>10.0.0.5</c>).</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks (CIDR, e.g. <c>10.0.0.0/8</c>) whose forwarded headers are trusted.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>Proxies in front of the app (entries of <c>X-Forwarded-For</c> taken from the right).</summary>
    public int ForwardLimit { get; set; } = 1;

    /// <summary>HSTS max-age (outside Development, on HTTPS requests).</summary>
    public int HstsMaxAgeDays { get; set; } = 365;
}

/// <summary>
/// Forwarded headers only from configured proxies (nothing is trusted by default, not even loopback), HSTS
/// outside Development, and <c>Secure</c> cookies: on HTTPS requests, and always when the app is not in
/// Development or listens beyond loopback.
/// </summary>
public static class ProxySetup
{
    public static WebApplicationBuilder AddProxySupport(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ProxyOptions>().BindConfiguration("Proxy")
            .Validate(o => o.KnownProxies.All(p => IPAddress.TryParse(p, out _)), "Proxy:KnownProxies must be IP addresses.")
            .Validate(o => o.KnownNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)), "Proxy:KnownNetworks must be CIDR networks (10.0.0.0/8).")
            .Validate(o => o.ForwardLimit >= 1, "Proxy:ForwardLimit must be at least 1.")
            .ValidateOnStart();
        var proxy = builder.Configuration.GetSection("Proxy").Get<ProxyOptions>() ?? new ProxyOptions();
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = proxy.ForwardLimit;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var p in proxy.KnownProxies)
                if (IPAddress.TryParse(p, out var ip)) o.KnownProxies.Add(ip);
            foreach (var n in proxy.KnownNetworks)
                if (System.Net.IPNetwork.TryParse(n, out var net)) o.KnownIPNetworks.Add(net);
        });
        builder.Services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(proxy.HstsMaxAgeDays);
            o.IncludeSubDomains = true;
        });
        var development = builder.Environment.IsDevelopment();
        builder.Services.Configure<CookiePolicyOptions>(o =>
        {
            o.Secure = CookieSecurePolicy.SameAsRequest;
            o.OnAppendCookie = ctx =>
            {
                if (!ctx.CookieOptions.Secure && MustAlwaysBeSecure(ctx.Context, development))
                    ctx.CookieOptions.Secure = true;
            };
            o.OnDeleteCookie = ctx =>
            {
                if (!ctx.CookieOptions.Secure && MustAlwaysBeSecure(ctx.Context, development))
                    ctx.CookieOptions.Secure = true;
            };
        });
        return builder;
    }

    /// <summary>Outside Development, or on a listener reachable from other machines, every cookie is Secure.</summary>
    public static bool MustAlwaysBeSecure(HttpContext http, bool development)
    {
        if (!development) return true;
        var addresses = http.RequestServices.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return !LoopbackGuard.ListensOnlyOnLoopback(addresses);
    }

    /// <summary>First in the pipeline: the request's scheme and client address as the trusted proxy saw them.</summary>
    public static WebApplication UseProxySupport(this WebApplication app)
    {
        app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment())
            app.UseHsts();
        app.UseCookiePolicy();
        return app;
    }
}
