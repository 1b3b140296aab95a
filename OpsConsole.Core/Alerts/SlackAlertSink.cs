using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Alerts;

/// <summary>
/// Posts a run summary to a Slack incoming webhook: counts and amounts by type, the largest items and a
/// link to the console. Retries with exponential backoff; a failing Slack is logged, never thrown.
/// </summary>
public sealed class SlackAlertSink(IHttpClientFactory httpFactory, IOptions<AlertOptions> options, TimeProvider clock,
    ILogger<SlackAlertSink> logger) : IReconAlertSink
{
    public const string HttpClientName = "slack";

    public Task<bool> SendRunSummaryAsync(ReconRunSummary summary, CancellationToken cancellationToken = default) =>
        SendAsync(Format(summary, options.Value.ConsoleBaseUrl), $"run {summary.Run.Id}", cancellationToken);

    public Task<bool> SendTextAsync(string text, CancellationToken cancellationToken = default) =>
        SendAsync(text, "summary", cancellationToken);

    private async Task<bool> SendAsync(string text, string what, CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.SlackWebhookUrl)) return false;
        var payload = new { text };
        var delay = o.RetryBaseDelay;
        using var http = httpFactory.CreateClient(HttpClientName);
        for (var attempt = 1; attempt <= Math.Max(1, o.MaxAttempts); attempt++)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(o.AttemptTimeout);
                using var response = await http.PostAsJsonAsync(o.SlackWebhookUrl, payload, timeout.Token);
                if (response.IsSuccessStatusCode) return true;
                logger.LogWarning("Slack answered {Status} to the {What} summary (attempt {Attempt})",
                    (int)response.StatusCode, what, attempt);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Slack {What} summary failed (attempt {Attempt}): {Error}",
                    what, attempt, e.Message);
            }
            if (attempt < o.MaxAttempts)
            {
                await Task.Delay(delay, clock, cancellationToken);
                delay *= 2;
            }
        }
        logger.LogError("Gave up sending the Slack {What} summary", what);
        return false;
    }

    /// <summary>The message text (Slack mrkdwn).</summary>
    public static string Format(ReconRunSummary summary, string? consoleBaseUrl)
    {
        var run = summary.Run;
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(ci, $":rotating_light: *Reconciliation {run.BusinessDate:yyyy-MM-dd}*: ");
        sb.Append(ci, $"{run.ConfirmedCount} confirmed finding(s), {run.ConfirmedAmount:N0} KRW at risk");
        sb.Append(ci, $" ({run.TransientCount} transient dropped on recheck; run {run.Id}, {run.Trigger})\n");
        foreach (var t in run.Totals.Where(t => t.ConfirmedCount > 0).OrderByDescending(t => t.ConfirmedAmount))
            sb.Append(ci, $"• {t.FindingType}: {t.ConfirmedCount} — {t.ConfirmedAmount:N0} KRW\n");
        if (summary.LargestFindings.Count > 0)
        {
            sb.Append("*Largest:*\n");
            foreach (var f in summary.LargestFindings)
                sb.Append(ci, $"• {f.Type} {f.MoneyAtRisk:N0} KRW — tx `{f.TransactionKey}` order `{f.OrderId}`\n");
        }
        if (!string.IsNullOrWhiteSpace(consoleBaseUrl))
            sb.Append(ci, $"<{consoleBaseUrl.TrimEnd('/')}/discrepancies?date={run.BusinessDate:yyyy-MM-dd}&runId={run.Id}|Open in OpsConsole>");
        return sb.ToString();
    }
}
