using OpsConsole.Core.Common;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Tests.Reconciliation;

public sealed class ReconciliationScheduleTests
{
    [Theory]
    // now (UTC)                      schedule  next run (UTC)            reconciles
    [InlineData("2026-03-15T20:59:59Z", "06:00", "2026-03-15T21:00:00Z", "2026-03-15")] // 05:59:59 KST on the 16th
    [InlineData("2026-03-15T21:00:00Z", "06:00", "2026-03-16T21:00:00Z", "2026-03-16")] // exactly 06:00 KST: next day
    [InlineData("2026-03-15T14:59:59Z", "00:30", "2026-03-15T15:30:00Z", "2026-03-15")] // 23:59:59 KST on the 15th
    [InlineData("2026-03-15T15:00:00Z", "23:00", "2026-03-16T14:00:00Z", "2026-03-15")] // midnight KST
    public void NextRun_IsTheNextScheduleTimeInKst_ForThePreviousBusinessDate(string now, string schedule, string next, string date)
    {
        var at = TimeOnly.Parse(schedule, System.Globalization.CultureInfo.InvariantCulture);

        var nextRun = ReconciliationScheduler.NextRunUtc(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), at);

        Assert.Equal(DateTimeOffset.Parse(next, System.Globalization.CultureInfo.InvariantCulture), nextRun);
        Assert.Equal(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), ReconciliationScheduler.BusinessDateFor(nextRun));
    }

    [Fact]
    public void ScheduleKst_ThatIsNotATime_IsRefused()
    {
        var options = new ReconciliationOptions { ScheduleKst = "6am" };

        var e = Assert.Throws<ConfigurationError>(() => options.ScheduleTime());

        Assert.Contains("HH:mm", e.Message);
    }
}
