using System.Globalization;
using System.Text;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Cash.Payouts;

/// <summary>The Slack summary of a payout run (sent through <see cref="Alerts.IReconAlertSink.SendTextAsync"/>).</summary>
public static class PayoutAlert
{
    public static string Format(PayoutRun run, IReadOnlyCollection<Finding> confirmed)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(ci, $":bank: *Payouts {run.FromDate:yyyy-MM-dd}..{run.ToDate:yyyy-MM-dd}*: ");
        sb.Append(ci, $"{run.ConfirmedCount} confirmed finding(s), {run.ConfirmedAmount:N0} KRW at risk");
        sb.Append(ci, $" ({run.TransientCount} transient dropped on recheck; payout run {run.Id}, {run.Trigger})\n");
        foreach (var g in confirmed.GroupBy(f => f.Type).OrderByDescending(g => g.Sum(f => f.MoneyAtRisk)))
            sb.Append(ci, $"• {g.Key}: {g.Count()} — {g.Sum(f => f.MoneyAtRisk):N0} KRW\n");
        var largest = confirmed.OrderByDescending(f => f.MoneyAtRisk).ThenBy(f => f.TransactionKey, StringComparer.Ordinal).Take(5).ToList();
        if (largest.Count > 0)
        {
            sb.Append("*Largest:*\n");
            foreach (var f in largest)
                sb.Append(ci, $"• {f.Type} {f.MoneyAtRisk:N0} KRW — `{f.TransactionKey}`\n");
        }
        return sb.ToString();
    }
}
