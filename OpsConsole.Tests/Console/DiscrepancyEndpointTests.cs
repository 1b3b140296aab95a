using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Components.Pages.Discrepancies;
using OpsConsole.Components.Pages.Runs;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.Findings;

namespace OpsConsole.Tests.Console;

[Collection(ConsoleAppCollection.Name)]
public sealed class DiscrepancyEndpointTests(ConsoleAppHost app)
{
    [Fact]
    public async Task FindingsExport_StreamsEveryMatchingRow_WithTheFilterInTheFileName()
    {
        var seeded = await app.Discrepancies;
        using var client = await app.SignedInClientAsync("finance");

        var response = await client.GetAsync(
            $"console/findings/export.csv?from=2026-11-20&to=2026-11-20&type=AMOUNT_MISMATCH,MISSING_INTERNAL&q=order-");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("discrepancies_2026-11-20_2026-11-20_type-AMOUNT_MISMATCH+MISSING_INTERNAL_q-order-.csv",
            response.Content.Headers.ContentDisposition!.FileName!.Trim('"'));
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(FindingExport.Header, lines[0]);
        var mine = lines.Skip(1).Where(l => l.Contains(seeded.Suffix)).ToList();
        Assert.Equal(2, mine.Count);
        Assert.Contains(mine, l => l.Contains(",AMOUNT_MISMATCH,") && l.Contains(seeded.Order("b")));
        Assert.Contains(mine, l => l.Contains(",MISSING_INTERNAL,") && l.Contains(seeded.Order("d")));
        await using var db = app.Db.CreateDbContext();
        Assert.True(await db.AuditEntries.AnyAsync(a => a.Actor == "finance" && a.Action == "findings.export"));

        // The PG filter: its findings with their PG in the last column; another PG's filter exports none of them.
        var ofPg = (await client.GetStringAsync($"console/findings/export.csv?from=2026-11-20&to=2026-11-20&q=order-&pg=toss"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Where(l => l.Contains(seeded.Suffix)).ToList();
        Assert.NotEmpty(ofPg);
        Assert.All(ofPg, l => Assert.EndsWith(",toss", l.TrimEnd('\r')));
        var other = await client.GetAsync($"console/findings/export.csv?from=2026-11-20&to=2026-11-20&q=order-&pg=sandbox-inicis");
        Assert.EndsWith("_pg-sandbox-inicis.csv", other.Content.Headers.ContentDisposition!.FileName!.Trim('"'));
        Assert.DoesNotContain(seeded.Suffix, await other.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task FindingsExport_PgFilter_KeepsOnlyThatPgsFindings_AndEachRowNamesItsPg()
    {
        var seeded = await app.Discrepancies;
        using var client = await app.SignedInClientAsync("finance");

        var toss = (await client.GetStringAsync("console/findings/export.csv?from=2026-11-20&to=2026-11-20&pg=toss"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var other = (await client.GetStringAsync("console/findings/export.csv?from=2026-11-20&to=2026-11-20&pg=inicis"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.EndsWith(",pg", toss[0]);
        var mine = toss.Skip(1).Where(l => l.Contains(seeded.Suffix)).ToList();
        Assert.NotEmpty(mine);
        Assert.All(mine, l => Assert.EndsWith(",toss", l.TrimEnd('\r')));
        Assert.DoesNotContain(other.Skip(1), l => l.Contains(seeded.Suffix));
    }

    [Fact]
    public async Task FindingsExport_WithoutSignIn_IsUnauthorized()
    {
        using var client = app.NewClient();

        var response = await client.GetAsync("console/findings/export.csv");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task RunNow_AsFinance_IsForbiddenOnTheServer()
    {
        using var client = await app.SignedInClientAsync("finance");

        var response = await PostRunAsync(client, "2026-11-19");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await using var db = app.Db.CreateDbContext();
        Assert.False(await db.Set<ReconRun>().AnyAsync(r => r.RequestedBy == "finance"));
    }

    [Fact]
    public async Task RunNow_AsOncall_StartsARunAndAuditsIt()
    {
        using var client = await app.SignedInClientAsync("oncall");

        var response = await PostRunAsync(client, "2026-11-18");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var started = await response.Content.ReadFromJsonAsync<RunStarted>();
        Assert.Equal(new DateOnly(2026, 11, 18), started!.BusinessDate);
        Assert.Equal(new StartedRun(started.RunId, "toss"), Assert.Single(started.Runs));
        await app.Services.GetRequiredService<ReconciliationService>().WhenBackgroundIdleAsync();
        await using var db = app.Db.CreateDbContext();
        var run = await db.Set<ReconRun>().SingleAsync(r => r.Id == started.RunId);
        Assert.Equal("oncall", run.RequestedBy);
        Assert.Equal(RunStatus.SUCCEEDED, run.Status);
        Assert.True(await db.AuditEntries.AnyAsync(a => a.Actor == "oncall" && a.Action == "recon.run" && a.TargetId == started.RunId.ToString()));
    }

    private static async Task<HttpResponseMessage> PostRunAsync(HttpClient client, string date)
    {
        var page = await client.GetStringAsync("runs");
        var token = Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        return await client.PostAsync("console/runs", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["date"] = date,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
        }));
    }
}
