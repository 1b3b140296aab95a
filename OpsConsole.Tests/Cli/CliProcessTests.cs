using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Cli;

/// <summary>
/// Verbs run as real processes: stdout is for machines (one JSON document with --json, only SQL with --print-sql;
/// logs on stderr), a verb that serves no HTTP listens on nothing, and a fresh data directory is created and
/// upgraded as the app does.
/// </summary>
public sealed class CliProcessTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"opsconsole-cliproc-{Guid.NewGuid():N}");

    public void Dispose()
    {
        try { Directory.Delete(_dataDirectory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static readonly Dictionary<string, string?> Development = new() { ["DOTNET_ENVIRONMENT"] = "Development" };

    [Fact]
    public async Task ReconcileJson_OnAFreshDataDirectory_PrintsExactlyOneJsonDocument_AndLogsOnStderr()
    {
        // Development: the built-in sandbox PG is on, the app logs at Information (migrations, listening address).
        var (code, stdout, stderr) = await CliProcess.RunAsync(Development,
            "reconcile", "--date", "2026-11-20", "--json", $"--DataDirectory={_dataDirectory}",
            "--Reconciliation:SettleDelay=00:00:00", "--Logging:LogLevel:Default=Information");

        Assert.True(code == 0, stderr);
        using var report = JsonDocument.Parse(stdout); // throws on anything before or after the one document
        // A fresh demo directory has the demo's two PG connections: one document with each PG's run.
        Assert.Equal("2026-11-20", report.RootElement.GetProperty("businessDate").GetString());
        var runs = report.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("run")).ToList();
        Assert.Equal(["sandbox-inicis", "toss"], runs.Select(r => r.GetProperty("pg").GetString()).Order());
        Assert.All(runs, r => Assert.Equal("SUCCEEDED", r.GetProperty("status").GetString()));
        Assert.All(runs, r => Assert.Equal("2026-11-20", r.GetProperty("businessDate").GetString()));
        Assert.Empty(report.RootElement.GetProperty("skipped").EnumerateArray());
        Assert.Contains("info:", stderr);
    }

    [Fact]
    public async Task ReconcilePrintSql_PrintsOnlySql()
    {
        var (code, stdout, stderr) = await CliProcess.RunAsync(Development,
            "reconcile", "--date", "2026-11-24", "--engine", "bigquery", "--print-sql", $"--DataDirectory={_dataDirectory}",
            "--Warehouse:BigQuery:ProjectId=ops-proj", "--Warehouse:BigQuery:Dataset=ledger", "--Warehouse:BigQuery:Location=asia-northeast3",
            "--Logging:LogLevel:Default=Information");

        Assert.True(code == 0, stderr);
        Assert.StartsWith("-- Engine: BigQuery", stdout);
        Assert.Contains("FULL OUTER JOIN", stdout);
        Assert.DoesNotContain("info:", stdout);
        Assert.DoesNotContain("warn:", stdout);
        Assert.DoesNotContain("Now listening", stdout + stderr); // it calls nobody, so it does not listen either
    }

    [Fact]
    public async Task ImportSettlements_OnAFreshDataDirectory_CreatesAndUpgradesTheDatabase()
    {
        Directory.CreateDirectory(_dataDirectory);
        var csv = Path.Combine(_dataDirectory, "settle.csv");
        await File.WriteAllTextAsync(csv,
            "paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate,currency,mId\n" +
            "pay-1,tx-1,order-1,CARD,10000,250,9091,909,9750,2026-03-15T10:00:00+09:00,2026-03-15,2026-03-17,KRW,\n");

        var (code, stdout, stderr) = await CliProcess.RunAsync(null,
            "import-settlements", "--file", csv, $"--DataDirectory={Path.Combine(_dataDirectory, "fresh")}");

        Assert.True(code == 0, stderr);
        Assert.Contains("settle.csv: ", stdout);
        Assert.True(File.Exists(Path.Combine(_dataDirectory, "fresh", "opsconsole.db")));
    }

    [Fact]
    public async Task AVerbCallingAConfiguredPg_ListensOnNoSocket_EvenWithUrlsInItsEnvironment()
    {
        // A stand-in PG that holds the settlements request until the test has looked at the verb's sockets.
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var pg = builder.Build();
        pg.MapGet("/v1/settlements", async () =>
        {
            asked.TrySetResult();
            await answer.Task;
            return Results.Text("[]", "application/json");
        });
        await pg.StartAsync();
        var pgUrl = pg.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        using var held = new TcpListener(IPAddress.Loopback, 0);
        held.Start();
        var urlsPort = ((IPEndPoint)held.LocalEndpoint).Port;
        held.Stop();

        await using var verb = CliProcess.Start(new Dictionary<string, string?>
            {
                ["DOTNET_ENVIRONMENT"] = "Development",
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{urlsPort}",
            },
            "pull-settlements", "--from", "2026-11-20", "--to", "2026-11-20", $"--DataDirectory={_dataDirectory}",
            $"--Pg:BaseUrl={pgUrl}", "--Pg:SecretKey=test_sk_cli");
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var listening = verb.ListeningPorts();
        // The detector sees a listening socket where there is one: the stand-in PG's, in this process.
        Assert.Contains(new Uri(pgUrl).Port, CliProcess.ListeningPortsOf(Environment.ProcessId));
        answer.SetResult();
        var (code, stdout, stderr) = await verb.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 0, stderr);
        Assert.Contains("pulled 0 settlement lines", stdout);
        Assert.Empty(listening);
    }
}
