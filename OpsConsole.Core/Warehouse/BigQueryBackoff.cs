namespace OpsConsole.Core.Warehouse;

/// <summary>Exponential backoff with jitter: 1, 2, 4, … 32 s (by default) plus up to one initial delay of jitter.</summary>
public static class BigQueryBackoff
{
    /// <param name="retry">0 for the first retry.</param>
    /// <param name="random01">A random number in [0, 1): the jitter.</param>
    public static TimeSpan Delay(int retry, TimeSpan initial, TimeSpan max, double random01)
    {
        var exponential = initial.Ticks * Math.Pow(2, Math.Min(retry, 30));
        var withJitter = Math.Min(exponential, max.Ticks) + initial.Ticks * random01;
        return TimeSpan.FromTicks((long)Math.Min(withJitter, max.Ticks));
    }
}
