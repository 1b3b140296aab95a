using System.Net;
using OpsConsole.Tests.Console;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Security;

/// <summary>A signed-in user without a console role sees the "no access yet" page and nothing else.</summary>
public sealed class RoleAccessTests : IAsyncLifetime
{
    private AppHost _host = null!;
    private const string Password = "no-role-password-123";

    public async Task InitializeAsync()
    {
        _host = await SecurityHost.StartAsync(new Dictionary<string, string?>(ConsoleAppHost.RelaxedSignInThrottle!));
        await SecurityHost.CreateUserAsync(_host, "newcomer", Password);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("")]
    [InlineData("discrepancies")]
    [InlineData("trace?q=x")]
    [InlineData("repairs")]
    [InlineData("runs")]
    [InlineData("audit")]
    public async Task UserWithoutRole_OpeningAnyPage_IsSentToTheNoAccessPage(string path)
    {
        using var client = await SecurityHost.SignedInAsync(_host, "newcomer", Password, withToken: false);

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/access-denied", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task UserWithoutRole_SeesNoAccessYet_WithNothingButSignOut()
    {
        using var client = await SecurityHost.SignedInAsync(_host, "newcomer", Password);

        var html = await client.GetStringAsync("access-denied");

        Assert.Contains("id=\"no-access-yet\"", html);
        Assert.Contains("ask an admin", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("nav-repairs", html);
        Assert.DoesNotContain("Dashboard", html);
        Assert.DoesNotContain("global-search", html);
    }

    [Theory]
    [InlineData("api/v1/repairs")]
    [InlineData("api/v1/repairs/1")]
    [InlineData("api/v1/repair-batches/1")]
    [InlineData("console/findings/export.csv")]
    [InlineData("console/audit/export.csv")]
    public async Task UserWithoutRole_GetsNothingFromTheEndpoints(string path)
    {
        using var client = await SecurityHost.SignedInAsync(_host, "newcomer", Password);

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task UserWithoutRole_CanSignOut()
    {
        using var client = await SecurityHost.SignedInAsync(_host, "newcomer", Password);
        var page = await client.GetStringAsync("access-denied");
        var token = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex
            .Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);

        using var response = await client.PostAsync("account/signout",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("account/antiforgery")).StatusCode);
    }

    [Fact]
    public async Task Engineer_CanNeitherExportNorPageThroughTheAuditLog_FinanceCanDoBoth()
    {
        using var engineer = await SecurityHost.SignedInAsync(_host, "engineer");
        using var finance = await SecurityHost.SignedInAsync(_host, "finance");

        Assert.Equal(HttpStatusCode.Forbidden, (await engineer.GetAsync("console/audit/export.csv")).StatusCode);
        var page = await engineer.GetAsync("audit");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/access-denied", page.Headers.Location!.PathAndQuery);
        Assert.DoesNotContain("nav-audit", await engineer.GetStringAsync(""));

        Assert.Equal(HttpStatusCode.OK, (await finance.GetAsync("console/audit/export.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await finance.GetAsync("audit")).StatusCode);
        Assert.Contains("nav-audit", await finance.GetStringAsync(""));
    }
}
