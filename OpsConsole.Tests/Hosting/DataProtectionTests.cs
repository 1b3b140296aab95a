using System.Net;
using OpsConsole.Tests.Console;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Hosting;

/// <summary>
/// Replicas as real processes on one PostgreSQL, each with its own HOME (as separate containers): the
/// data-protection key ring lives in the database, so a sign-in on one is valid on the other and after a restart.
/// </summary>
public sealed class DataProtectionTests : IAsyncLifetime
{
    private readonly PostgresTestDatabase _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    private Dictionary<string, string?> Settings => new()
    {
        ["Database:Provider"] = "Postgres",
        ["ConnectionStrings:OpsConsole"] = _db.ConnectionString,
        ["Database:MigrateOnStart"] = "true",
        ["Demo:Enabled"] = "true",
        ["Jobs:Enabled"] = "false",
        ["Sandbox:Enabled"] = "false",
        ["Reconciliation:ScheduleEnabled"] = "false",
    };

    [Fact]
    public async Task SignIn_OnOneReplica_IsValidOnAnother_AndAfterARestart()
    {
        await using var first = await AppProcess.StartAsync(Settings);
        await using var second = await AppProcess.StartAsync(Settings);

        var jar = new CookieContainer();
        using var onFirst = Client(first, jar);
        var signIn = await ConsoleAppHost.PostSignInAsync(onFirst, "finance", ConsoleAppHost.DemoPassword);
        Assert.True(signIn.StatusCode == HttpStatusCode.Redirect && signIn.Headers.Location?.OriginalString == "/",
            $"sign-in answered {(int)signIn.StatusCode} {signIn.Headers.Location}\n{first.Output}");
        var cookie = jar.GetCookies(first.BaseUri)["opsconsole.auth"]?.Value;
        Assert.False(string.IsNullOrEmpty(cookie));

        // Without the cookie the console sends to the sign-in page; with the first replica's cookie the second serves it.
        using (var anonymous = Client(second, new CookieContainer()))
            Assert.Contains("/signin", (await anonymous.GetAsync("")).Headers.Location?.OriginalString);
        await AssertSignedInAsync(second, cookie);

        // A restart (a new container: a fresh HOME) keeps the sign-in.
        first.Kill();
        await using var restarted = await AppProcess.StartAsync(Settings);
        await AssertSignedInAsync(restarted, cookie);
    }

    private static async Task AssertSignedInAsync(AppProcess app, string cookie)
    {
        var jar = new CookieContainer();
        jar.Add(app.BaseUri, new Cookie("opsconsole.auth", cookie));
        using var client = Client(app, jar);
        // The dashboard opens (it may first redirect to itself with the business date); never the sign-in page.
        var response = await client.GetAsync("");
        if (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location is { } to &&
            !to.OriginalString.Contains("/signin", StringComparison.Ordinal))
        {
            response.Dispose();
            response = await client.GetAsync(to);
        }
        using (response)
            Assert.True(response.StatusCode == HttpStatusCode.OK,
                $"{app.BaseUri}: {(int)response.StatusCode} {response.Headers.Location}\n{app.Output}");
    }

    private static HttpClient Client(AppProcess app, CookieContainer jar) =>
        new(new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = false, UseCookies = true })
        {
            BaseAddress = app.BaseUri,
            Timeout = TimeSpan.FromSeconds(30),
        };
}
