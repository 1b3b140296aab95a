using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OpsConsole.Core.Common;

namespace OpsConsole.Hosting;

public static class TelemetrySetup
{
    /// <summary>
    /// Traces of requests, PG calls and jobs. Activities are always created (payment events record their
    /// trace and span ids); they are exported over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set.
    /// </summary>
    public static WebApplicationBuilder AddOpsTelemetry(this WebApplicationBuilder builder)
    {
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
                if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
                    t.AddOtlpExporter();
            });
        return builder;
    }
}
