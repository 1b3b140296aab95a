using System.Net;
using Microsoft.EntityFrameworkCore;

namespace OpsConsole.Tests.Console;

[Collection(ConsoleAppCollection.Name)]
public sealed class AuthorizationTests(ConsoleAppHost app)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/audit")]
    [InlineData("/trace?q=x")]
    public async Task Pages_WithoutSignIn_RedirectToTheSignInPage(string path)
    {
        using var client = app.NewClient();

        var response = await client.GetAsync(path.TrimStart('/'));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin?ReturnUrl=", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task SignIn_AsDemoUser_OpensTheConsoleAndIsAudited()
    {
        using var client = await app.SignedInClientAsync("finance");

        var html = await client.GetStringAsync("");

        Assert.Contains("Dashboard", html);
        Assert.Contains("id=\"demo-banner\"", html);
        await using var db = app.Db.CreateDbContext();
        Assert.True(await db.AuditEntries.AnyAsync(a => a.Actor == "finance" && a.Action == "auth.signin" && a.Outcome == "success"));
    }

    [Fact]
    public async Task SignIn_WithAWrongPassword_IsRefusedAndAudited()
    {
        using var client = app.NewClient();

        var response = await ConsoleAppHost.PostSignInAsync(client, "engineer", "not-the-password");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin?error=invalid", response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("audit")).StatusCode);
        await using var db = app.Db.CreateDbContext();
        Assert.True(await db.AuditEntries.AnyAsync(a => a.Actor == "engineer" && a.Outcome == "failed: invalid"));
    }

    [Fact]
    public async Task SignIn_LocksTheAccountOutAfterFiveFailures()
    {
        using var client = app.NewClient();
        for (var i = 0; i < 5; i++)
            await ConsoleAppHost.PostSignInAsync(client, "finance2", "wrong-password-" + i);

        var response = await ConsoleAppHost.PostSignInAsync(client, "finance2", ConsoleAppHost.DemoPassword);

        Assert.StartsWith("/signin?error=locked-out", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task SignIn_WithoutTheAntiforgeryToken_IsRejected()
    {
        using var client = app.NewClient();

        var response = await client.PostAsync("account/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = "admin",
            ["password"] = ConsoleAppHost.DemoPassword,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task AuditExport_AsEngineer_IsForbiddenOnTheServer()
    {
        using var client = await app.SignedInClientAsync("engineer");

        var response = await client.GetAsync("console/audit/export.csv");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task AuditExport_AsAdmin_StreamsTheFilteredLogWithTheFilterInTheFileName()
    {
        using var client = await app.SignedInClientAsync("admin");

        var response = await client.GetAsync("console/audit/export.csv?action=auth.signin&actor=admin");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("audit_actor-admin_action-auth.signin.csv", response.Content.Headers.ContentDisposition!.FileName!.Trim('"'));
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,at_utc,actor,action", lines[0]);
        Assert.True(lines.Length >= 2);
        Assert.All(lines.Skip(1), l => Assert.Contains(",admin,auth.signin,", l));
        await using var db = app.Db.CreateDbContext();
        Assert.True(await db.AuditEntries.AnyAsync(a => a.Actor == "admin" && a.Action == "audit.export"));
    }

    [Fact]
    public async Task SignOut_EndsTheSession()
    {
        using var client = await app.SignedInClientAsync("oncall");
        var page = await client.GetStringAsync("audit");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;

        var response = await client.PostAsync("account/signout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
        }));

        Assert.Equal("/signin", response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("audit")).StatusCode);
    }
}
