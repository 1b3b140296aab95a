namespace OpsConsole.Core.Common;

/// <summary>
/// Business dates are KST (Asia/Seoul) calendar dates with the cut-off at 00:00 KST.
/// Korea has no daylight saving time, so the offset is a constant +09:00.
/// </summary>
public static class BusinessCalendar
{
    public static readonly TimeSpan KstOffset = TimeSpan.FromHours(9);

    public static DateOnly BusinessDateOf(DateTimeOffset instant) =>
        DateOnly.FromDateTime(instant.ToOffset(KstOffset).DateTime);

    /// <summary>The first UTC instant of a KST business date.</summary>
    public static DateTimeOffset StartOfDayUtc(DateOnly businessDate) =>
        new DateTimeOffset(businessDate.ToDateTime(TimeOnly.MinValue), KstOffset).ToUniversalTime();

    public static DateTimeOffset ToKst(DateTimeOffset instant) => instant.ToOffset(KstOffset);

    public static DateOnly Today(TimeProvider clock) => BusinessDateOf(clock.GetUtcNow());
}
