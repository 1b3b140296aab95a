using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// Daily at <see cref="ReconciliationOptions.ScheduleKst"/> (KST), reconciles the previous business date,
/// pulling the PG's settlement lines first. With several replicas the run lock lets one of them run it;
/// a date already reconciled by a scheduled run is skipped.
/// </summary>
public sealed class ReconciliationScheduler(ReconciliationService service, IDbContextFactory<OpsDbContext> dbFactory,
    IOptions<ReconciliationOptions> options, TimeProvider clock, ILogger<ReconciliationScheduler> logger)
    : BackgroundService
{
    public const string Actor = "scheduler";

    /// <summary>The next UTC instant at <paramref name="scheduleKst"/> KST strictly after <paramref name="nowUtc"/>.</summary>
    public static DateTimeOffset NextRunUtc(DateTimeOffset nowUtc, TimeOnly scheduleKst)
    {
        var today = BusinessCalendar.BusinessDateOf(nowUtc);
        var candidate = new DateTimeOffset(today.ToDateTime(scheduleKst), BusinessCalendar.KstOffset);
        if (candidate <= nowUtc) candidate = candidate.AddDays(1);
        return candidate.ToUniversalTime();
    }

    /// <summary>The business date a run fired at <paramref name="firedAtUtc"/> reconciles: the previous KST day.</summary>
    public static DateOnly BusinessDateFor(DateTimeOffset firedAtUtc) =>
        BusinessCalendar.BusinessDateOf(firedAtUtc).AddDays(-1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var at = options.Value.ScheduleTime();
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            var next = NextRunUtc(now, at);
            logger.LogInformation("Next scheduled reconciliation at {Next:O}", next);
            try
            {
                await Task.Delay(next - now, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await RunScheduledAsync(BusinessDateFor(next), stoppingToken);
        }
    }

    /// <summary>One scheduled run; never throws (the schedule must survive a bad day).</summary>
    public async Task RunScheduledAsync(DateOnly businessDate, CancellationToken cancellationToken)
    {
        try
        {
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                if (await db.Set<ReconRun>().AnyAsync(r => r.BusinessDate == businessDate &&
                                                          r.Trigger == RunTrigger.SCHEDULE &&
                                                          r.Status == RunStatus.SUCCEEDED, cancellationToken))
                {
                    logger.LogInformation("{BusinessDate} was already reconciled by a scheduled run", businessDate);
                    return;
                }
            }
            var run = await service.RunAsync(businessDate, RunTrigger.SCHEDULE, Actor,
                pullFirst: options.Value.PullBeforeScheduledRun, cancellationToken: cancellationToken);
            logger.LogInformation("Scheduled run {RunId} for {BusinessDate}: {Status}", run.Id, businessDate, run.Status);
        }
        catch (DomainException e) when (e.Code == "RUN_IN_PROGRESS")
        {
            logger.LogInformation("Scheduled run for {BusinessDate} skipped: {Reason}", businessDate, e.Message);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogError(e, "Scheduled reconciliation of {BusinessDate} failed", businessDate);
        }
    }
}
