using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;
using OpsConsole.Hosting;
using OpsConsole.Sandbox;
using OpsConsole.Tests.Console;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Sandbox;

/// <summary>
/// The first-start demo generator writes history with its own clock: someone who uses the console while it runs
/// sees real time (session, audit, payments), and the history still carries its own instants.
/// </summary>
public sealed class DemoClockTests
{
    [Fact]
    public async Task SignInNavigateAndConfirm_WhileTheGeneratorWritesHistory_KeepTheSessionAndRealTime()
    {
        var reached = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await AppHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Jobs:Enabled"] = "true",
            ["Demo:Enabled"] = "true",
            ["Demo:SeedOnFirstStart"] = "true",
            ["Demo:SeedDays"] = "2",
            ["Demo:SeedPerDay"] = "6",
            ["Reconciliation:ScheduleEnabled"] = "false",
        }, configure: b => b.Services.AddSingleton(sp =>
        {
            var seeder = ActivatorUtilities.CreateInstance<DemoSeeder>(sp);
            // Hold the generator before its fourth payment: history is being written, the clock of the seed is days back.
            seeder.BeforePayment = async (at, index, ct) =>
            {
                if (index != 3) return;
                reached.TrySetResult(at);
                await release.Task.WaitAsync(ct);
            };
            return seeder;
        }));
        var job = host.Services.GetServices<IHostedService>().OfType<DemoDataJob>().Single();
        var historyInstant = await reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var today = BusinessCalendar.StartOfDayUtc(BusinessCalendar.Today(TimeProvider.System));
        Assert.True(historyInstant < today, $"the generator writes history ({historyInstant:O})");

        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = host.BaseUri,
        };
        var signIn = await ConsoleAppHost.PostSignInAsync(client, "finance", ConsoleAppHost.DemoPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/", signIn.Headers.Location?.OriginalString);
        foreach (var page in new[] { "/", "/discrepancies", "/runs" })
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(page)).StatusCode);

        var (paymentKey, orderId, amount) = await host.CheckoutAsync(12_300);
        var confirmed = await host.Get<PaymentService>().ConfirmAsync(new ConfirmCommand(paymentKey, orderId, amount));
        Assert.Equal(PaymentStatus.DONE, confirmed.Status);
        var atPg = await host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"sandbox/pg/v1/payments/{paymentKey}")
        {
            Headers = { { "Authorization", "Basic " + Convert.ToBase64String("test_sk_opsconsole_sandbox:"u8.ToArray()) } },
        });
        var pgApprovedAt = JsonDocument.Parse(await atPg.Content.ReadAsStringAsync()).RootElement.GetProperty("approvedAt").GetDateTimeOffset();

        release.SetResult();
        await job.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(90));
        // The session holds after the generator is done.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        var after = DateTimeOffset.UtcNow.AddSeconds(1);

        await using var db = await host.Get<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        var signInAudit = await db.AuditEntries.AsNoTracking().Where(a => a.Action == "auth.signin" && a.Actor == "finance").ToListAsync();
        Assert.NotEmpty(signInAudit);
        Assert.All(signInAudit, a => Assert.InRange(a.At, before, after));
        var payment = await db.Payments.AsNoTracking().SingleAsync(p => p.PaymentKey == paymentKey);
        Assert.InRange(payment.RequestedAt, before, after);
        Assert.InRange(payment.ApprovedAt!.Value, before, after);
        Assert.InRange(pgApprovedAt, before, after);

        // The history still carries its own instants, in our ledger and at the PG alike.
        var seeded = await db.Payments.AsNoTracking().Where(p => p.PaymentKey != paymentKey).ToListAsync();
        Assert.NotEmpty(seeded);
        Assert.All(seeded, p => Assert.True(p.RequestedAt < today, $"{p.PaymentKey} at {p.RequestedAt:O}"));
    }
}
