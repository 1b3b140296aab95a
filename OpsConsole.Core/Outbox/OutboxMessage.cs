namespace OpsConsole.Core.Outbox;

/// <summary>
/// An event for other services, committed in the same transaction as the state change it announces
/// (transactional outbox). The dispatcher publishes it and marks it sent.
/// </summary>
public sealed class OutboxMessage
{
    private OutboxMessage()
    {
        Type = AggregateKey = Payload = "";
    }

    public long Id { get; private set; }
    public string Type { get; private set; }
    public string AggregateKey { get; private set; }
    public string Payload { get; private set; }
    public string? TraceId { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? SentAt { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset? NextAttemptAt { get; private set; }
    public string? LastError { get; private set; }

    public static OutboxMessage Create(string type, string aggregateKey, string payload, string? traceId,
        DateTimeOffset now) => new()
    {
        Type = type,
        AggregateKey = aggregateKey,
        Payload = payload,
        TraceId = traceId,
        CreatedAt = now,
        NextAttemptAt = now,
    };

    public void MarkSent(DateTimeOffset now)
    {
        SentAt = now;
        Attempts++;
        LastError = null;
        NextAttemptAt = null;
    }

    public void MarkFailed(string error, DateTimeOffset nextAttemptAt)
    {
        Attempts++;
        LastError = error.Length <= 1000 ? error : error[..1000];
        NextAttemptAt = nextAttemptAt;
    }
}
