using System.Net;
using System.Text.Json;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Hosting;

/// <summary>/healthz/live and /healthz/ready: anonymous, verdicts only; readiness follows the database, not the PG.</summary>
public sealed class HealthTests
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(AppHost host, string path)
    {
        using var client = new HttpClient { BaseAddress = host.BaseUri }; // no cookie, no key
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static void AssertVerdictsOnly(JsonElement body)
    {
        Assert.Equal(["checks", "status"], body.EnumerateObject().Select(p => p.Name).Order());
        foreach (var check in body.GetProperty("checks").EnumerateObject())
            Assert.Contains(check.Value.GetString(), new[] { "Healthy", "Degraded", "Unhealthy" });
    }

    [Fact]
    public async Task LiveAndReady_AnswerAnonymously_WithVerdictsOnly()
    {
        await using var host = await AppHost.StartAsync();

        var (liveStatus, live) = await GetAsync(host, "healthz/live");
        var (readyStatus, ready) = await GetAsync(host, "healthz/ready");

        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Equal("Healthy", live.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("database").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("pg").GetString());
        AssertVerdictsOnly(live);
        AssertVerdictsOnly(ready);
    }

    [Fact]
    public async Task Ready_WhenTheDatabaseIsNotMigrated_Answers503_WhileLiveStays200()
    {
        await using var host = await AppHost.StartAsync(settings: new Dictionary<string, string?> { ["Database:MigrateOnStart"] = "false" });

        var (readyStatus, ready) = await GetAsync(host, "healthz/ready");
        var (liveStatus, _) = await GetAsync(host, "healthz/live");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyStatus);
        Assert.Equal("Unhealthy", ready.GetProperty("checks").GetProperty("database").GetString());
        Assert.Equal(HttpStatusCode.OK, liveStatus);
        AssertVerdictsOnly(ready);
    }

    [Fact]
    public async Task Ready_WhenTheDatabaseIsUnreachable_Answers503_WithoutNamingIt()
    {
        await using var host = await AppHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:OpsConsole"] = "Host=127.0.0.1;Port=1;Username=secret-user;Timeout=3",
            ["Database:MigrateOnStart"] = "false",
        });

        using var client = new HttpClient { BaseAddress = host.BaseUri };
        using var response = await client.GetAsync("healthz/ready");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Unhealthy", JsonDocument.Parse(text).RootElement.GetProperty("checks").GetProperty("database").GetString());
        Assert.DoesNotContain("secret-user", text);
        Assert.DoesNotContain("127.0.0.1", text);
    }

    [Fact]
    public async Task Ready_WhenThePgIsUnreachable_StaysReady_AndReportsIt()
    {
        await using var host = await AppHost.StartAsync(settings: new Dictionary<string, string?> { ["Pg:BaseUrl"] = "http://127.0.0.1:1/" });

        var (status, ready) = await GetAsync(host, "healthz/ready");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Degraded", ready.GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("database").GetString());
        Assert.Equal("Degraded", ready.GetProperty("checks").GetProperty("pg").GetString());
    }

    [Fact]
    public async Task HealthcheckVerb_AsAProcess_ExitsZeroWhenReady_AndOneWhenNot()
    {
        await using var ready = await AppHost.StartAsync();
        await using var notMigrated = await AppHost.StartAsync(settings: new Dictionary<string, string?> { ["Database:MigrateOnStart"] = "false" });

        // As the container runs it: the address from ASPNETCORE_URLS (a wildcard host means the loopback).
        var readyUrl = ready.BaseUri.ToString().Replace("127.0.0.1", "+");
        var (okCode, okOut, okErr) = await CliProcess.RunAsync(new Dictionary<string, string?> { ["ASPNETCORE_URLS"] = readyUrl }, "healthcheck");
        var (badCode, _, _) = await CliProcess.RunAsync(null, "healthcheck", "--url", notMigrated.BaseUri.ToString());
        var (liveCode, _, _) = await CliProcess.RunAsync(null, "healthcheck", "--url", notMigrated.BaseUri.ToString(), "--live");
        var (downCode, _, downErr) = await CliProcess.RunAsync(null, "healthcheck", "--url", "http://127.0.0.1:1");

        Assert.True(okCode == 0, okErr);
        Assert.Contains("\"status\":\"Healthy\"", okOut);
        Assert.Equal(1, badCode);
        Assert.Equal(0, liveCode);
        Assert.Equal(1, downCode);
        Assert.Contains("did not answer", downErr);
    }

    [Fact]
    public void Dockerfile_HealthcheckRunsTheHealthcheckVerb()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Dockerfile"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var healthcheck = File.ReadAllText(Path.Combine(dir.FullName, "Dockerfile")).Split('\n')
            .SkipWhile(l => !l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal)).Take(2);
        Assert.Contains("CMD [\"dotnet\", \"OpsConsole.dll\", \"healthcheck\"]", string.Join("\n", healthcheck));
    }
}
