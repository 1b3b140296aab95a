using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Alerts;

namespace OpsConsole.Core.Repairs;

/// <summary>Posts executed repairs to Slack (<c>Alerts:SlackWebhookUrl</c>). Never fails or blocks the repair.</summary>
public sealed class RepairNotifier(IHttpClientFactory httpFactory, IOptions<AlertOptions> options, ILogger<RepairNotifier> logger)
{
    public async Task NotifyAsync(RepairRequest r)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.SlackWebhookUrl)) return;
        var link = o.ConsoleBaseUrl is { Length: > 0 } b ? $" <{b.TrimEnd('/')}/repairs/{r.Id}|open>" : "";
        var text = $"Repair #{r.Id} {r.Status}: {r.Kind} {(r.Amount > 0 ? $"{r.Amount:N0} KRW " : "")}of payment {r.PaymentKey} " +
                   $"(order {r.OrderId}) — requested by {r.RequestedBy}, approved by {r.ApprovedBy ?? "-"}. {r.Outcome}{link}";
        var http = httpFactory.CreateClient(SlackAlertSink.HttpClientName);
        for (var attempt = 1; attempt <= Math.Max(1, o.MaxAttempts); attempt++)
        {
            try
            {
                using var cts = new CancellationTokenSource(o.AttemptTimeout);
                using var response = await http.PostAsJsonAsync(o.SlackWebhookUrl, new { text }, cts.Token);
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                logger.LogWarning("Slack post for repair {Id} failed (attempt {Attempt}): {Error}", r.Id, attempt, e.Message);
            }
            if (attempt < o.MaxAttempts)
                await Task.Delay(o.RetryBaseDelay * Math.Pow(2, attempt - 1));
        }
    }
}
