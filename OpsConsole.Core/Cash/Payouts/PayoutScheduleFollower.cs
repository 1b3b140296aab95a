using Microsoft.Extensions.Logging;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Cash.Payouts;

/// <summary>
/// After the daily settlement run of a business date: reconciles the payouts of the <see cref="Days"/> days up to it
/// (so a deposit that arrived late, or a statement imported since, updates the recent findings). Skipped when no
/// <c>Cash:Pgs</c> are configured.
/// </summary>
public sealed class PayoutScheduleFollower(PayoutReconciliationService payouts, ILogger<PayoutScheduleFollower> logger)
    : IScheduledRunFollower
{
    public const int Days = 14;

    public async Task AfterScheduledRunAsync(DateOnly businessDate, CancellationToken cancellationToken)
    {
        if ((await payouts.RulesAsync(cancellationToken)).Pgs.Count == 0) return;
        var run = await payouts.RunAsync(businessDate.AddDays(1 - Days), businessDate, RunTrigger.SCHEDULE,
            ReconciliationScheduler.Actor, cancellationToken);
        logger.LogInformation("Scheduled payout run {RunId} ({From}..{To}): {Status}, {Confirmed} confirmed",
            run.Id, run.FromDate, run.ToDate, run.Status, run.ConfirmedCount);
    }
}
