using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Alerts;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;

namespace OpsConsole.Core.Reconciliation;

public static class ReconciliationSetup
{
    /// <summary>
    /// Registers the reconciliation engine, ingestion, findings, the Slack alert sink and — when background
    /// jobs are on (<c>Jobs:Enabled</c> not false) and <c>Reconciliation:ScheduleEnabled</c> is not false —
    /// the daily schedule.
    /// </summary>
    public static IHostApplicationBuilder AddReconciliation(this IHostApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var services = builder.Services;
        services.Configure<ReconciliationOptions>(config.GetSection("Reconciliation"));
        services.AddOptions<ReconciliationOptions>()
            .Validate(o => o.PullPageSize is >= 1 and <= SettlementPuller.MaxPageSize,
                $"Reconciliation:PullPageSize must be 1 to {SettlementPuller.MaxPageSize:N0} (the PG's largest page).")
            .ValidateOnStart();
        services.AddOptions<FeeContractOptions>().Bind(config.GetSection("Pg")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FeeContractOptions>, FeeContractOptionsValidator>();
        services.AddSingleton<FeeContractCatalog>();
        services.Configure<AlertOptions>(config.GetSection("Alerts"));
        services.AddHttpClient(SlackAlertSink.HttpClientName);
        services.AddSingleton<IReconAlertSink, SlackAlertSink>();

        services.AddSingleton(sp => new SettlementPuller(sp.GetRequiredService<IPaymentGateway>,
            sp.GetRequiredService<IDbContextFactory<OpsDbContext>>(), sp.GetRequiredService<IOptions<ReconciliationOptions>>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SettlementPuller>>(),
            sp.GetRequiredService<Gateway.PgConnections>()));
        services.AddSingleton(sp => new ReconLiveCheck(sp.GetRequiredService<IPaymentGateway>,
            sp.GetRequiredService<IDbContextFactory<OpsDbContext>>(), sp.GetRequiredService<IOptions<ReconciliationOptions>>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ReconLiveCheck>>()));
        services.AddSingleton<SettlementImporter>();
        services.AddSingleton<SettlementProfileStore>();
        services.AddSingleton<ControlTotals.ControlTotalsVerifier>();
        services.AddSingleton<ControlTotals.ControlTotalsVerificationQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<ControlTotals.ControlTotalsVerificationQueue>());
        services.AddSingleton<ReconciliationService>();
        services.AddSingleton<FindingService>();

        if (config.GetValue("Jobs:Enabled", true) && config.GetValue("Reconciliation:ScheduleEnabled", true))
        {
            services.AddSingleton<ReconciliationScheduler>();
            services.AddHostedService(sp => sp.GetRequiredService<ReconciliationScheduler>());
        }
        return builder;
    }
}
