using System.Net;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpsConsole.Core.Common;

namespace OpsConsole.Hosting;

public static class TelemetrySetup
{
    /// <summary>
    /// Traces of requests, PG calls and jobs. Activities are always created (payment events record their
    /// trace and span ids); they are exported over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set.
    /// Metrics (<see cref="OpsMetrics"/>, ASP.NET Core, HttpClient): OTLP when OTEL_EXPORTER_OTLP_ENDPOINT or
    /// <c>Metrics:Otlp:Endpoint</c> is set; a Prometheus scrape endpoint when <c>Metrics:Prometheus=true</c>.
    /// </summary>
    public static WebApplicationBuilder AddOpsTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<MetricsOptions>().BindConfiguration("Metrics").ValidateDataAnnotations().ValidateOnStart();
        var metrics = builder.Configuration.GetSection("Metrics").Get<MetricsOptions>() ?? new MetricsOptions();
        var otlpFromEnvironment = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("opsconsole"))
            .WithTracing(t =>
            {
                t.AddSource(Tracing.SourceName)
                    .AddAspNetCoreInstrumentation(o => o.Filter = ctx =>
                        !ctx.Request.Path.StartsWithSegments("/_blazor") && !ctx.Request.Path.StartsWithSegments("/_framework"))
                    .AddHttpClientInstrumentation()
                    .AddSource("Npgsql")
                    .AddSource("Microsoft.EntityFrameworkCore");
                if (otlpFromEnvironment)
                    t.AddOtlpExporter();
            })
            .WithMetrics(m =>
            {
                m.AddMeter(OpsMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation();
                if (!string.IsNullOrWhiteSpace(metrics.Otlp.Endpoint))
                    m.AddOtlpExporter(o =>
                    {
                        o.Endpoint = new Uri(metrics.Otlp.Endpoint);
                        o.Protocol = metrics.Otlp.Protocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                    });
                else if (otlpFromEnvironment)
                    m.AddOtlpExporter();
                if (metrics.Prometheus)
                    m.AddPrometheusExporter();
            });
        return builder;
    }

    /// <summary>
    /// The Prometheus scrape endpoint (<c>Metrics:Prometheus=true</c>): anonymous, for the loopback and the networks in
    /// <c>Metrics:AllowedNetworks</c> only; anyone else gets 403. Counts only, no payment data.
    /// </summary>
    public static WebApplication MapOpsMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (!options.Prometheus) return app;
        var networks = options.Networks();
        app.MapPrometheusScrapingEndpoint(options.Path, meterProvider: null, configureBranchedPipeline: branch => branch.Use((ctx, next) =>
            {
                if (MayScrape(ctx.Connection.RemoteIpAddress, networks)) return next(ctx);
                ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
                return ctx.Response.WriteAsync("metrics may be scraped from the loopback and Metrics:AllowedNetworks only");
            }), optionsName: null)
            .AllowAnonymous()
            .WithName("Metrics")
            .WithSummary("Prometheus scrape endpoint (loopback and Metrics:AllowedNetworks only).")
            .ExcludeFromDescription();
        return app;
    }

    internal static bool MayScrape(IPAddress? remote, IReadOnlyList<IPNetwork> networks)
    {
        if (remote is null) return false;
        if (remote.IsIPv4MappedToIPv6) remote = remote.MapToIPv4();
        return IPAddress.IsLoopback(remote) || networks.Any(n => n.Contains(remote));
    }
}
