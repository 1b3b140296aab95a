using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Alerts;

/// <summary>Where run summaries go (Slack). Implementations retry and must not throw for delivery failures.</summary>
public interface IReconAlertSink
{
    /// <summary>True when delivered; false when off or every attempt failed.</summary>
    Task<bool> SendRunSummaryAsync(ReconRunSummary summary, CancellationToken cancellationToken = default);

    /// <summary>Any other summary (e.g. a payout run's), as Slack mrkdwn text; true when delivered.</summary>
    Task<bool> SendTextAsync(string text, CancellationToken cancellationToken = default);
}
