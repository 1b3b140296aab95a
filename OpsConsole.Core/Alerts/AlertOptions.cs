namespace OpsConsole.Core.Alerts;

/// <summary>Settings <c>Alerts:*</c>.</summary>
public sealed class AlertOptions
{
    /// <summary>Slack incoming webhook; empty turns alerts off.</summary>
    public string? SlackWebhookUrl { get; set; }

    /// <summary>The console's public base URL, for links in alerts (e.g. https://ops.example.com).</summary>
    public string? ConsoleBaseUrl { get; set; }

    /// <summary>Attempts per alert, first included. Default 4.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Delay before the first retry; doubles each time. Default 2 s.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Timeout of one attempt. Default 10 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
