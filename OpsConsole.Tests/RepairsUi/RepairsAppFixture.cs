using System.Net;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Sandbox;
using OpsConsole.Tests.Console;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.RepairsUi;

/// <summary>
/// The real app on PostgreSQL with the sandbox PG and demo users on, so operators sign in through the real
/// form and repairs cancel at the sandbox over HTTP. No settle delay, so a run finds discrepancies at once.
/// </summary>
public sealed class RepairsAppFixture : PaymentAppFixture<PostgresTestDatabase>
{
    public override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        // At builder creation (not after), so the static web assets (blazor.web.js, MudBlazor) are served.
        ["environment"] = "Development",
        ["Demo:Enabled"] = "true",
        ["Reconciliation:SettleDelay"] = "00:00:00",
        ["Auth:SignIn:PermitsPerMinute"] = "100000",
        ["Auth:SignIn:MaxFailuresPerIp"] = "100000",
    };

    /// <summary>A payment our ledger shows ABORTED while the sandbox PG charged it (DECLINE_AFTER_CHARGE).</summary>
    public async Task<(string PaymentKey, long Amount)> ChargedButFailedPaymentAsync(long amount = 7_000)
    {
        var (key, order, a) = await CheckoutAsync(amount, SandboxFaults.DeclineAfterCharge);
        var p = await Payments.ConfirmAsync(new ConfirmCommand(key, order, a));
        Assert.Equal(PaymentStatus.ABORTED, p.Status);
        return (key, a);
    }

    /// <summary>
    /// The same, reported by the real engine: pulls today's settlement lines from the sandbox PG, runs the
    /// reconciliation and returns the CHARGED_BUT_FAILED finding of the payment.
    /// </summary>
    public async Task<(string PaymentKey, long Amount, long FindingId)> ChargedButFailedFindingAsync(long amount = 7_000) =>
        (await ChargedButFailedFindingsAsync(amount))[0];

    /// <summary>One such payment and finding per amount, found by a single reconciliation run.</summary>
    public async Task<IReadOnlyList<(string PaymentKey, long Amount, long FindingId)>> ChargedButFailedFindingsAsync(params long[] amounts)
    {
        var payments = new List<(string PaymentKey, long Amount)>();
        foreach (var amount in amounts)
            payments.Add(await ChargedButFailedPaymentAsync(amount));
        var date = BusinessCalendar.Today(TimeProvider.System);
        var run = await Host.Get<ReconciliationService>().RunAsync(date, RunTrigger.CLI, "test", pullFirst: true);
        Assert.True(run.Status == RunStatus.SUCCEEDED, run.Error);
        await using var db = await Database.Factory.CreateDbContextAsync();
        var found = new List<(string PaymentKey, long Amount, long FindingId)>();
        foreach (var (key, a) in payments)
        {
            var finding = await db.Set<Finding>().SingleAsync(f => f.PaymentKey == key && f.Verdict == FindingVerdict.CONFIRMED);
            Assert.Equal(FindingType.CHARGED_BUT_FAILED, finding.Type);
            found.Add((key, a, finding.Id));
        }
        return found;
    }

    /// <summary>
    /// A payment only the sandbox PG knows (confirmed at the PG directly, as the demo seed's PG_ONLY), and the
    /// MISSING_INTERNAL finding a run reports for it.
    /// </summary>
    public async Task<(string PaymentKey, long FindingId)> PgOnlyFindingAsync(long amount)
    {
        var (key, order, a) = await CheckoutAsync(amount);
        var confirmed = await Host.Get<OpsConsole.Core.Gateway.IPaymentGateway>()
            .ConfirmAsync(new OpsConsole.Core.Gateway.TossConfirmRequest(key, order, a), $"pg-only-{key}");
        Assert.True(confirmed.IsSuccess, confirmed.Describe());
        var run = await Host.Get<ReconciliationService>().RunAsync(BusinessCalendar.Today(TimeProvider.System), RunTrigger.CLI, "test",
            pullFirst: true);
        Assert.True(run.Status == RunStatus.SUCCEEDED, run.Error);
        await using var db = await Database.Factory.CreateDbContextAsync();
        var finding = await db.Set<Finding>().SingleAsync(f => f.PaymentKey == key && f.Verdict == FindingVerdict.CONFIRMED);
        Assert.Equal(FindingType.MISSING_INTERNAL, finding.Type);
        return (key, finding.Id);
    }

    /// <summary>An HTTP client signed in as a demo user through the real sign-in form (cookie jar, no redirects).</summary>
    public async Task<HttpClient> SignedInClientAsync(string userName)
    {
        var client = new HttpClient(new HttpClientHandler
        {
            CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseCookies = true,
        }) { BaseAddress = Host.BaseUri, Timeout = TimeSpan.FromSeconds(60) };
        var response = await ConsoleAppHost.PostSignInAsync(client, userName, ConsoleAppHost.DemoPassword);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString == "/",
            $"sign-in of {userName} failed: {(int)response.StatusCode} {response.Headers.Location}");
        await ConsoleAppHost.UseAntiforgeryTokenAsync(client);
        return client;
    }
}
