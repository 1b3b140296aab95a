using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Outbox;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Repairs;
using OpsConsole.Sandbox;

namespace OpsConsole.Hosting;

public static class JobsSetup
{
    public static bool JobsEnabled(IConfiguration config) => config.GetValue("Jobs:Enabled", true);

    /// <summary>Background jobs: janitor, outbox dispatcher, first-start demo data. Off for CLI verbs (<c>Jobs:Enabled=false</c>).</summary>
    public static WebApplicationBuilder AddHostedJobs(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<DemoSeeder>();
        if (!JobsEnabled(builder.Configuration)) return builder;
        builder.Services.AddHostedService<JanitorJob>();
        builder.Services.AddHostedService<OutboxJob>();
        builder.Services.AddHostedService<DemoDataJob>();
        return builder;
    }
}

/// <summary>
/// Runs the janitor, then the repair and repair-batch sweeps, every <c>Janitor:Interval</c> — in one replica at a
/// time (<see cref="JobLock"/> "janitor"): the others skip the tick, so no PG look-up or re-sent cancel goes twice.
/// </summary>
internal sealed class JanitorJob(PaymentJanitor janitor, RepairService repairs, RepairBatchService batches, JobLock jobLock,
    IOptions<JanitorOptions> options, ILogger<JanitorJob> logger)
    : BackgroundService
{
    public const string LockName = "janitor";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var held = await jobLock.TryAcquireAsync(LockName, stoppingToken);
                if (held is null)
                {
                    logger.LogDebug("Janitor: another replica runs it; tick skipped");
                    continue;
                }
                await janitor.RunOnceAsync(stoppingToken);
                await repairs.SweepAsync(stoppingToken);
                await batches.SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Janitor run failed; next run in {Interval}", options.Value.Interval);
            }
        }
    }
}

/// <summary>
/// Publishes outbox messages every <c>Outbox:Interval</c>, in one replica at a time (<see cref="JobLock"/> "outbox"):
/// two dispatchers would read the same unsent rows and deliver each twice.
/// </summary>
internal sealed class OutboxJob(OutboxDispatcher dispatcher, JobLock jobLock, IOptions<OutboxOptions> options, ILogger<OutboxJob> logger)
    : BackgroundService
{
    public const string LockName = "outbox";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(options.Value.WebhookUrl)) return;
        using var timer = new PeriodicTimer(options.Value.Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var held = await jobLock.TryAcquireAsync(LockName, stoppingToken);
                if (held is null)
                {
                    logger.LogDebug("Outbox: another replica runs it; tick skipped");
                    continue;
                }
                while (await dispatcher.DispatchOnceAsync(stoppingToken) > 0) { }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Outbox dispatch failed");
            }
        }
    }
}

/// <summary>
/// On the first start of the embedded (SQLite) run with the sandbox on, generates a small demo dataset
/// once the app listens (<c>Demo:SeedOnFirstStart</c>, default true).
/// </summary>
internal sealed class DemoDataJob(
    IConfiguration config,
    IHostEnvironment env,
    DatabaseOptions database,
    DemoSeeder seeder,
    ReconciliationService reconciliation,
    IHostApplicationLifetime lifetime,
    IServiceProvider services,
    ILogger<DemoDataJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!config.GetValue("Demo:SeedOnFirstStart", true) || database.Provider != DatabaseProvider.Sqlite ||
            !SandboxSetup.IsEnabled(config, env))
            return;
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
        if (!await seeder.IsEmptyAsync(stoppingToken)) return;

        var spec = new SeedSpec(config.GetValue("Demo:SeedDays", 7), config.GetValue("Demo:SeedPerDay", 150), 42,
            config.GetValue("Demo:SeedFaultShare", 0.06));
        logger.LogWarning("First start: generating demo data ({Days} days x {PerDay} payments through the sandbox PG)...",
            spec.Days, spec.PerDay);
        try
        {
            var truth = await seeder.SeedAsync(spec, stoppingToken);
            logger.LogWarning("Demo data ready: {Payments} payments, {Cancels} cancels, {Faults} injected faults ({First} to {Last}). Reconciling those days...",
                truth.Payments, truth.Cancels, truth.Faults.Count, truth.FirstDay, truth.LastDay);
            // The demo's second PG delivers a settlement file: the sandbox persona writes it, the importer reads it.
            if (await seeder.ImportFilePgAsync(truth, stoppingToken) is { } file)
                logger.LogWarning("Demo settlement file of {Pg} imported: {Rows} lines ({File}).", DemoPgConnections.FilePgName,
                    file.RowCount, file.FileName);
            // Reconcile every seeded day. Nothing is in flight on those past days, so the runs skip the settle delay
            // and the console shows their findings at once.
            var days = Enumerable.Range(0, truth.Days).Select(i => truth.FirstDay.AddDays(i)).ToList();
            await Task.WhenAll(days.Select(async day =>
            {
                try
                {
                    // One run per PG: the toss one pulls its lines first, the file PG's came from its file above.
                    await reconciliation.RunEachPgAsync(day, RunTrigger.SCHEDULE, "demo", pullFirst: true,
                        cancellationToken: stoppingToken, settleDelay: TimeSpan.Zero);
                }
                catch (DomainException e)
                {
                    logger.LogWarning("Demo reconciliation of {Day} skipped: {Error}", day, e.Message);
                }
            }));
            logger.LogWarning("Demo reconciliation done for {First} to {Last}.", truth.FirstDay, truth.LastDay);
            // The sandbox PG's payouts arrive in the sandbox bank: import its statement and reconcile the payouts.
            var payouts = await SandboxBank.ImportAndReconcileAsync(services, truth.FirstDay, truth.LastDay, stoppingToken);
            logger.LogWarning("Demo payout reconciliation: {Status}, {Confirmed} confirmed findings.", payouts?.Status, payouts?.ConfirmedCount);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Demo data generation failed");
        }
    }
}
