using System.Net;
using OpsConsole.Tests.Console;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Security;

/// <summary>Behind a TLS proxy: forwarded headers only from configured proxies, HSTS, Secure cookies.</summary>
public sealed class ProxyTests
{
    private static async Task<HttpResponseMessage> GetSignInAsync(AppHost host, bool forwardedHttps)
    {
        using var client = SecurityHost.NewClient(host);
        using var request = new HttpRequestMessage(HttpMethod.Get, "signin");
        request.Headers.Host = "console.example.com";
        if (forwardedHttps) request.Headers.Add("X-Forwarded-Proto", "https");
        return await client.SendAsync(request);
    }

    private static bool SetsSecureCookies(HttpResponseMessage r) =>
        r.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any() &&
        cookies.All(c => c.Contains("secure", StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<string> Cookies(HttpResponseMessage r) =>
        r.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [];

    [Fact]
    public async Task FromAConfiguredProxy_ForwardedHttps_GivesHstsAndSecureCookies()
    {
        await using var host = await SecurityHost.StartAsync(new Dictionary<string, string?>
        {
            ["Proxy:KnownProxies:0"] = "127.0.0.1",
        }, environment: "Production");

        using var response = await GetSignInAsync(host, forwardedHttps: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.Contains("Strict-Transport-Security"));
        Assert.True(SetsSecureCookies(response), string.Join(" | ", Cookies(response)));
    }

    [Fact]
    public async Task FromAnUnknownProxy_ForwardedHeadersAreIgnored_NoHsts_ButCookiesAreSecureOutsideDevelopment()
    {
        await using var host = await SecurityHost.StartAsync(new Dictionary<string, string?>
        {
            ["Proxy:KnownProxies:0"] = "10.9.8.7",
        }, environment: "Production");

        using var response = await GetSignInAsync(host, forwardedHttps: true);

        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        Assert.True(SetsSecureCookies(response), string.Join(" | ", Cookies(response)));
    }

    [Fact]
    public async Task InDevelopmentOnLoopback_PlainHttpCookiesStayUsable_OnANonLoopbackBindTheyAreSecure()
    {
        await using var loopback = await SecurityHost.StartAsync(new Dictionary<string, string?>(ConsoleAppHost.RelaxedSignInThrottle!));
        await using var exposed = await SecurityHost.StartAsync(new Dictionary<string, string?> { ["urls"] = "http://0.0.0.0:0" });

        using var local = await GetSignInAsync(loopback, forwardedHttps: false);
        using var wide = await GetSignInAsync(exposed, forwardedHttps: false);

        Assert.NotEmpty(Cookies(local));
        Assert.DoesNotContain(Cookies(local), c => c.Contains("secure", StringComparison.OrdinalIgnoreCase));
        Assert.False(local.Headers.Contains("Strict-Transport-Security"));
        Assert.True(SetsSecureCookies(wide), string.Join(" | ", Cookies(wide)));
    }
}
