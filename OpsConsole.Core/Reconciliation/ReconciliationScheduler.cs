using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// Daily at <see cref="ReconciliationOptions.ScheduleKst"/> (KST), reconciles the previous business date,
/// pulling the PG's settlement lines first. With several replicas, one runs it: the scheduled run of a date holds
/// that date's <see cref="JobLock"/> for its whole duration; the others wait and retry every
/// <see cref="ReconciliationOptions.ScheduleRetryInterval"/> until the date is reconciled. If the holder dies
/// (kill -9), its lock goes with its database session: the next one to get the lock abandons the dead run's
/// RUNNING row at once and runs the date. A date already reconciled by a scheduled run is skipped.
/// </summary>
public sealed class ReconciliationScheduler(ReconciliationService service, IDbContextFactory<OpsDbContext> dbFactory,
    JobLock jobLock, IOptions<ReconciliationOptions> options, TimeProvider clock, ILogger<ReconciliationScheduler> logger,
    IEnumerable<IScheduledRunFollower>? followers = null)
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

    /// <summary>One scheduled run, retried while another replica holds it; never throws (the schedule must survive a bad day).</summary>
    public async Task RunScheduledAsync(DateOnly businessDate, CancellationToken cancellationToken)
    {
        var giveUpAt = clock.GetUtcNow() + TimeSpan.FromDays(1);
        while (!cancellationToken.IsCancellationRequested)
        {
            bool done;
            try
            {
                done = await TryRunScheduledAsync(businessDate, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogError(e, "Scheduled reconciliation of {BusinessDate} failed", businessDate);
                return;
            }
            if (done || clock.GetUtcNow() >= giveUpAt) return;
            try
            {
                await Task.Delay(options.Value.ScheduleRetryInterval, clock, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>False when another replica (or a console run) holds the date: try again later.</summary>
    private async Task<bool> TryRunScheduledAsync(DateOnly businessDate, CancellationToken cancellationToken)
    {
        await using var held = await jobLock.TryAcquireAsync($"recon-schedule-{businessDate:yyyyMMdd}", cancellationToken);
        if (held is null)
        {
            logger.LogInformation("Scheduled run for {BusinessDate}: another replica runs it; trying again later", businessDate);
            return false;
        }
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (await db.Set<ReconRun>().AnyAsync(r => r.BusinessDate == businessDate &&
                                                      r.Trigger == RunTrigger.SCHEDULE &&
                                                      r.Status == RunStatus.SUCCEEDED, cancellationToken))
            {
                logger.LogInformation("{BusinessDate} was already reconciled by a scheduled run", businessDate);
                return true;
            }
            // With the date's schedule lock held, a scheduled run still RUNNING belongs to a replica that died.
            var dead = await db.Set<ReconRun>().Where(r => r.BusinessDate == businessDate && r.Trigger == RunTrigger.SCHEDULE &&
                                                          r.Status == RunStatus.RUNNING).ToListAsync(cancellationToken);
            foreach (var run in dead)
            {
                run.Abandon(clock.GetUtcNow());
                logger.LogWarning("Scheduled run {RunId} for {BusinessDate} was abandoned by a replica that stopped; running the date again",
                    run.Id, businessDate);
            }
            await db.SaveChangesAsync(cancellationToken);
        }
        try
        {
            var run = await service.RunAsync(businessDate, RunTrigger.SCHEDULE, Actor,
                pullFirst: options.Value.PullBeforeScheduledRun, cancellationToken: cancellationToken);
            logger.LogInformation("Scheduled run {RunId} for {BusinessDate}: {Status}", run.Id, businessDate, run.Status);
            foreach (var follower in followers ?? [])
            {
                try
                {
                    await follower.AfterScheduledRunAsync(businessDate, cancellationToken);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    logger.LogError(e, "{Follower} after the scheduled run of {BusinessDate} failed", follower.GetType().Name, businessDate);
                }
            }
            return true;
        }
        catch (DomainException e) when (e.Code == "RUN_IN_PROGRESS")
        {
            logger.LogInformation("Scheduled run for {BusinessDate} waits: {Reason}", businessDate, e.Message);
            return false; // a run started from the console holds the date
        }
    }
}
