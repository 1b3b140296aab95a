namespace OpsConsole.Core.Payments;

/// <summary>Settings <c>Janitor:*</c>.</summary>
public sealed class JanitorOptions
{
    /// <summary>How often the hosted janitor looks for unresolved payments and cancels.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First retry delay after an inconclusive look-up; doubles per attempt.</summary>
    public TimeSpan BaseBackoff { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>An IN_PROGRESS payment older than this is treated as orphaned by a crash and looked up.</summary>
    public TimeSpan InProgressGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A payment the PG never approved is EXPIRED after this long (Toss expires authorisations after 30 minutes).</summary>
    public TimeSpan PendingTimeout { get; set; } = TimeSpan.FromMinutes(30);

    public int BatchSize { get; set; } = 100;
}
