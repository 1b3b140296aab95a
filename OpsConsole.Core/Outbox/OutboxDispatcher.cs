using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Outbox;

/// <summary>
/// Publishes outbox rows to <c>Outbox:WebhookUrl</c> (POST, JSON) and marks them sent; a failed delivery
/// is retried with backoff. Delivery is at least once: consumers deduplicate by <c>id</c>.
/// </summary>
public sealed class OutboxDispatcher(
    IDbContextFactory<OpsDbContext> dbFactory,
    IHttpClientFactory httpClientFactory,
    TimeProvider clock,
    IOptions<OutboxOptions> options,
    ILogger<OutboxDispatcher> logger)
{
    public const string HttpClientName = "outbox";

    /// <summary>Sends one batch of due messages; returns how many were delivered.</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken cancellationToken = default)
    {
        var url = options.Value.WebhookUrl;
        if (string.IsNullOrWhiteSpace(url)) return 0;

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var due = await db.OutboxMessages
            .Where(m => m.SentAt == null && (m.NextAttemptAt == null || m.NextAttemptAt <= now))
            .OrderBy(m => m.Id).Take(options.Value.BatchSize).ToListAsync(cancellationToken);
        var http = httpClientFactory.CreateClient(HttpClientName);
        var sent = 0;
        foreach (var message in due)
        {
            try
            {
                using var response = await http.PostAsJsonAsync(url, new
                {
                    id = message.Id,
                    type = message.Type,
                    key = message.AggregateKey,
                    occurredAt = message.CreatedAt,
                    traceId = message.TraceId,
                    payload = System.Text.Json.JsonDocument.Parse(message.Payload).RootElement,
                }, cancellationToken);
                response.EnsureSuccessStatusCode();
                message.MarkSent(clock.GetUtcNow());
                sent++;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                var backoff = TimeSpan.FromSeconds(Math.Min(3600, 5 * Math.Pow(2, Math.Min(message.Attempts, 10))));
                message.MarkFailed(e.Message, clock.GetUtcNow() + backoff);
                logger.LogWarning("Outbox message {Id} ({Type}) not delivered: {Error}", message.Id, message.Type, e.Message);
            }
        }
        await db.SaveChangesAsync(CancellationToken.None);
        return sent;
    }
}
