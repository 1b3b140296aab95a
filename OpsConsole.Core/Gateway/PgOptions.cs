namespace OpsConsole.Core.Gateway;

/// <summary>Settings <c>Pg:*</c>.</summary>
public sealed class PgOptions
{
    /// <summary>e.g. https://api.tosspayments.com. Empty with the sandbox on: the app's own sandbox.</summary>
    public string? BaseUrl { get; set; }

    public string SecretKey { get; set; } = "test_sk_opsconsole_sandbox";

    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deadline over all attempts of one call.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxRetries { get; set; } = 2;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);
}
