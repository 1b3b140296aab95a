namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// Work that runs after the daily scheduled reconciliation of a business date, on the replica that ran it and under
/// its lock (e.g. the payout reconciliation, which needs that day's settlement lines). A follower's failure is logged
/// and never fails the schedule.
/// </summary>
public interface IScheduledRunFollower
{
    Task AfterScheduledRunAsync(DateOnly businessDate, CancellationToken cancellationToken);
}
