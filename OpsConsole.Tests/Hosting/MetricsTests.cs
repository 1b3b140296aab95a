using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Hosting;
using OpsConsole.Tests.Console;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Hosting;

/// <summary>OpenTelemetry metrics: recorded where things happen, scraped by Prometheus, exported over OTLP.</summary>
public sealed class MetricsTests
{
    private static readonly Dictionary<string, string?> PrometheusOn = new()
    {
        ["Metrics:Prometheus"] = "true",
        ["Reconciliation:SettleDelay"] = "00:00:00",
        ["Reconciliation:ScheduleEnabled"] = "false",
    };

    [Fact]
    public async Task Scrape_AfterAConfirmAndARun_ShowsPgCallsRunsFindingsBacklogAndRepairs()
    {
        await using var host = await AppHost.StartAsync(settings: PrometheusOn);
        var (paymentKey, orderId, amount) = await host.CheckoutAsync(4_500);
        var confirmed = await host.Get<PaymentService>().ConfirmAsync(new ConfirmCommand(paymentKey, orderId, amount));
        Assert.Equal(PaymentStatus.DONE, confirmed.Status);
        await ReconSeed.DateWithDiscrepanciesAsync(host.Get<OpsDbContextFactory>(), new DateOnly(2026, 11, 20),
            host.Get<ReconciliationService>());

        using var anonymous = new HttpClient { BaseAddress = host.BaseUri };
        using var response = await anonymous.GetAsync("metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(Series(text, "opsconsole_pg_calls_total"), s => s.Contains("operation=\"confirm\"") && s.Contains("outcome=\"success\""));
        Assert.Contains(Series(text, "opsconsole_pg_call_duration_seconds_bucket"), s => s.Contains("operation=\"confirm\""));
        Assert.Contains(Series(text, "opsconsole_recon_runs_total"), s => s.Contains("status=\"SUCCEEDED\""));
        Assert.Contains(Series(text, "opsconsole_recon_run_duration_seconds_count"), s => s.Contains("status=\"SUCCEEDED\""));
        foreach (var type in new[] { "AMOUNT_MISMATCH", "MISSING_EXTERNAL", "MISSING_INTERNAL", "CHARGED_BUT_FAILED" })
            Assert.Contains(Series(text, "opsconsole_recon_findings_confirmed_total"), s => s.Contains($"type=\"{type}\""));
        Assert.Contains(Series(text, "opsconsole_janitor_waiting"), s => s.Contains("kind=\"payment\""));
        Assert.Contains(Series(text, "opsconsole_janitor_waiting"), s => s.Contains("kind=\"cancel\""));
        Assert.Contains(Series(text, "opsconsole_repairs"), s => s.Contains("status=\"REQUESTED\""));
    }

    [Fact]
    public async Task Scrape_WithPrometheusOff_IsNotServed()
    {
        await using var host = await AppHost.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = host.BaseUri };
        using var response = await anonymous.GetAsync("metrics");
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void MayScrape_TheLoopbackAndTheConfiguredNetworksOnly()
    {
        var networks = new MetricsOptions { AllowedNetworks = ["10.20.0.0/16"] }.Networks();
        Assert.True(TelemetrySetup.MayScrape(IPAddress.Loopback, networks));
        Assert.True(TelemetrySetup.MayScrape(IPAddress.IPv6Loopback, networks));
        Assert.True(TelemetrySetup.MayScrape(IPAddress.Parse("10.20.3.4"), networks));
        Assert.True(TelemetrySetup.MayScrape(IPAddress.Parse("::ffff:10.20.3.4"), networks));
        Assert.False(TelemetrySetup.MayScrape(IPAddress.Parse("10.21.3.4"), networks));
        Assert.False(TelemetrySetup.MayScrape(IPAddress.Parse("203.0.113.9"), networks));
        Assert.False(TelemetrySetup.MayScrape(null, networks));
    }

    [Fact]
    public async Task AnInvalidAllowedNetwork_StopsTheStart_NamingTheSetting()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => AppHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Metrics:Prometheus"] = "true",
            ["Metrics:AllowedNetworks:0"] = "everyone",
        }));
        Assert.Contains("Metrics:AllowedNetworks: 'everyone'", e.Message);
    }

    [Fact]
    public async Task Otlp_WhenConfigured_ExportsTheOpsMetrics()
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var collector = builder.Build();
        collector.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            // OTLP protobuf carries metric names as plain UTF-8 strings.
            if (System.Text.Encoding.UTF8.GetString(body.ToArray()).Contains("opsconsole.pg.calls"))
                received.TrySetResult();
            return Results.Ok();
        });
        await collector.StartAsync();
        var collectorUrl = collector.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        await using var host = await AppHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Metrics:Otlp:Endpoint"] = $"{collectorUrl}/v1/metrics",
            ["Metrics:Otlp:Protocol"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
        });
        var (paymentKey, orderId, amount) = await host.CheckoutAsync(1_000);
        await host.Get<PaymentService>().ConfirmAsync(new ConfirmCommand(paymentKey, orderId, amount));

        await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>The sample lines of one metric family in a Prometheus text exposition.</summary>
    private static List<string> Series(string exposition, string name) =>
        exposition.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal)).ToList();
}
