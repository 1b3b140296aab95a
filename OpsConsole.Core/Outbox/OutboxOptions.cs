namespace OpsConsole.Core.Outbox;

/// <summary>Settings <c>Outbox:*</c>.</summary>
public sealed class OutboxOptions
{
    /// <summary>Events are POSTed here as JSON. Empty: events wait in the outbox table.</summary>
    public string? WebhookUrl { get; set; }

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    public int BatchSize { get; set; } = 100;

    /// <summary>How long one delivery may take before it counts as failed (and is retried later).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
