using Microsoft.AspNetCore.Http;
using OpsConsole.Components.Account;

namespace OpsConsole.Tests.Security;

/// <summary>The guard's origin rule without I/O: only the exact own origin passes; same-site is not same-origin.</summary>
public sealed class RequestGuardRulesTests
{
    private static HttpRequest Request(string? origin, string? fetchSite, string scheme = "https", string host = "console.example.com")
    {
        var http = new DefaultHttpContext();
        http.Request.Scheme = scheme;
        http.Request.Host = new HostString(host);
        if (origin is not null) http.Request.Headers.Origin = origin;
        if (fetchSite is not null) http.Request.Headers["Sec-Fetch-Site"] = fetchSite;
        return http.Request;
    }

    [Theory]
    [InlineData(null, null, true)] // a script without browser headers: the token decides
    [InlineData("https://console.example.com", "same-origin", true)]
    [InlineData("https://console.example.com", null, true)]
    [InlineData(null, "same-origin", true)]
    [InlineData("https://console.example.com:8443", null, false)] // another port of the host
    [InlineData("https://wiki.example.com", null, false)] // a sibling subdomain
    [InlineData("http://console.example.com", null, false)] // another scheme
    [InlineData("null", null, false)]
    [InlineData(null, "same-site", false)]
    [InlineData(null, "cross-site", false)]
    [InlineData(null, "none", false)]
    [InlineData("https://console.example.com", "same-site", false)]
    public void OnlyTheOwnOriginPasses(string? origin, string? fetchSite, bool allowed) =>
        Assert.Equal(allowed, ConsoleRequestGuard.CrossOriginReason(Request(origin, fetchSite)) is null);

    [Theory]
    [InlineData("application/json", true)]
    [InlineData("application/json; charset=utf-8", true)]
    [InlineData("application/problem+json", true)]
    [InlineData("text/plain", false)]
    [InlineData("application/x-www-form-urlencoded", false)]
    [InlineData("multipart/form-data; boundary=x", false)]
    public void OnlyJsonBodiesAreJson(string contentType, bool json)
    {
        var http = new DefaultHttpContext();
        http.Request.ContentType = contentType;
        Assert.Equal(json, ConsoleRequestGuard.IsJson(http.Request));
    }
}
