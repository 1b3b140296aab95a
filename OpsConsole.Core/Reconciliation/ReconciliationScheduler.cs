using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// Daily at <see cref="ReconciliationOptions.ScheduleKst"/> (KST), reconciles the previous business date for every
/// configured PG connection (one run each; the API connection's settlement lines are pulled first). With several replicas, one runs it: the scheduled run of a date holds
/// that date's <see cref="JobLock"/> for its whole duration; the others wait and retry every
/// <see cref="ReconciliationOptions.ScheduleRetryInterval"/> until the date is reconciled. If the holder dies
/// (kill -9), its lock goes with its database session: the next one to get the lock abandons the dead run's
/// RUNNING row at once and runs the date. A PG whose date was already reconciled by a scheduled run is skipped; a PG
/// whose date is held by a console run is retried later while the other PGs run now. The followers run once every
/// PG's date is reconciled.
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

    /// <summary>False when another replica (or a console run) holds the date or one PG's run of it: try again later.</summary>
    private async Task<bool> TryRunScheduledAsync(DateOnly businessDate, CancellationToken cancellationToken)
    {
        await using var held = await jobLock.TryAcquireAsync($"recon-schedule-{businessDate:yyyyMMdd}", cancellationToken);
        if (held is null)
        {
            logger.LogInformation("Scheduled run for {BusinessDate}: another replica runs it; trying again later", businessDate);
            return false;
        }
        List<string> pending;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var reconciled = await db.Set<ReconRun>().Where(r => r.BusinessDate == businessDate &&
                                                                 r.Trigger == RunTrigger.SCHEDULE &&
                                                                 r.Status == RunStatus.SUCCEEDED)
                .Select(r => r.Pg).Distinct().ToListAsync(cancellationToken);
            pending = service.Connections.All.Select(c => c.Name).Where(pg => !reconciled.Contains(pg)).ToList();
            if (pending.Count == 0)
            {
                logger.LogInformation("{BusinessDate} was already reconciled by a scheduled run of every PG", businessDate);
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
        var waiting = false;
        foreach (var pg in pending)
        {
            try
            {
                var run = await service.RunAsync(businessDate, RunTrigger.SCHEDULE, Actor,
                    pullFirst: options.Value.PullBeforeScheduledRun, cancellationToken: cancellationToken, pg: pg);
                logger.LogInformation("Scheduled run {RunId} for {BusinessDate} and PG {Pg}: {Status}", run.Id, businessDate,
                    pg, run.Status);
            }
            catch (DomainException e) when (e.Code == "RUN_IN_PROGRESS")
            {
                logger.LogInformation("Scheduled run for {BusinessDate} and PG {Pg} waits: {Reason}", businessDate, pg, e.Message);
                waiting = true; // a run started from the console holds the date of this PG
            }
        }
        if (waiting) return false;
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
}
