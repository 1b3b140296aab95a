using OpsConsole.Core.Cash;
using OpsConsole.Core.Common;

namespace OpsConsole.Tests.Cash;

public sealed class KoreanBusinessCalendarTests
{
    private static readonly KoreanBusinessCalendar Calendar = new();

    private static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    // 2025: Seollal (1/28-30) and the temporary holiday 1/27, the 3/1 substitute, Children's/Buddha's day and its
    // substitute, the presidential election, Chuseok with its substitute and Hangul day, Christmas.
    [InlineData("2025-01-01")] [InlineData("2025-01-27")] [InlineData("2025-01-28")] [InlineData("2025-01-29")] [InlineData("2025-01-30")]
    [InlineData("2025-03-03")] [InlineData("2025-05-05")] [InlineData("2025-05-06")] [InlineData("2025-06-03")] [InlineData("2025-06-06")]
    [InlineData("2025-08-15")] [InlineData("2025-10-03")] [InlineData("2025-10-06")] [InlineData("2025-10-07")] [InlineData("2025-10-08")]
    [InlineData("2025-10-09")] [InlineData("2025-12-25")]
    // 2026: Seollal 2/16-18, 3/2 substitute, Buddha's birthday on a Sunday and its substitute 5/25, local elections,
    // 8/17 and 10/5 substitutes, Chuseok 9/24-25.
    [InlineData("2026-02-16")] [InlineData("2026-02-17")] [InlineData("2026-02-18")] [InlineData("2026-03-02")] [InlineData("2026-05-05")]
    [InlineData("2026-05-25")] [InlineData("2026-06-03")] [InlineData("2026-08-17")] [InlineData("2026-09-24")] [InlineData("2026-09-25")]
    [InlineData("2026-10-05")] [InlineData("2026-10-09")] [InlineData("2026-12-25")]
    // 2027: Seollal on a weekend (2/6-8, KST new moon: one day after China's) and its substitute 2/9, Buddha's
    // birthday 5/13, Chuseok 9/14-16, substitutes 8/16, 10/4, 10/11, 12/27.
    [InlineData("2027-02-08")] [InlineData("2027-02-09")] [InlineData("2027-03-01")] [InlineData("2027-05-13")] [InlineData("2027-08-16")]
    [InlineData("2027-09-14")] [InlineData("2027-09-15")] [InlineData("2027-09-16")] [InlineData("2027-10-04")] [InlineData("2027-10-11")]
    [InlineData("2027-12-27")]
    // Labor Day: banks are closed.
    [InlineData("2026-05-01")]
    public void Holiday_IsNoBusinessDay(string date) => Assert.False(Calendar.IsBusinessDay(D(date)));

    [Theory]
    [InlineData("2025-01-31")] [InlineData("2025-03-04")] [InlineData("2025-05-07")] [InlineData("2025-10-10")] [InlineData("2026-02-19")]
    [InlineData("2026-03-03")] [InlineData("2026-06-05")] [InlineData("2026-09-23")] [InlineData("2026-10-06")] [InlineData("2027-02-10")]
    [InlineData("2027-09-17")] [InlineData("2027-12-24")]
    public void OrdinaryWeekday_IsABusinessDay(string date) => Assert.True(Calendar.IsBusinessDay(D(date)));

    [Theory]
    [InlineData("2026-03-14")] [InlineData("2026-03-15")] [InlineData("2027-02-06")] [InlineData("2027-02-07")]
    public void Weekend_IsNoBusinessDay(string date) => Assert.False(Calendar.IsBusinessDay(D(date)));

    [Theory]
    [InlineData("2026-03-13", 1, "2026-03-16")] // Friday + 1 → Monday
    [InlineData("2026-03-12", 2, "2026-03-16")] // Thursday + 2 → over the weekend
    [InlineData("2025-10-02", 1, "2025-10-10")] // before the 2025 Chuseok week: 10/3..10/9 closed
    [InlineData("2026-02-13", 1, "2026-02-19")] // Friday before Seollal 2026 → Thursday
    [InlineData("2027-02-05", 1, "2027-02-10")] // Seollal on the weekend plus the substitute 2/9
    [InlineData("2026-05-22", 1, "2026-05-26")] // Buddha's birthday substitute Monday 5/25
    [InlineData("2026-03-16", 0, "2026-03-16")] // D+0 of a business day is itself
    [InlineData("2026-03-14", 0, "2026-03-16")] // D+0 of a Saturday is the Monday
    [InlineData("2026-03-16", -1, "2026-03-13")] // backwards over the weekend
    [InlineData("2025-12-31", 1, "2026-01-02")] // across the year end and New Year's Day
    public void AddBusinessDays_SkipsWeekendsAndHolidays(string from, int days, string expected) =>
        Assert.Equal(D(expected), Calendar.AddBusinessDays(D(from), days));

    [Fact]
    public void ExtraClosure_FromConfiguration_IsNoBusinessDay()
    {
        var calendar = new KoreanBusinessCalendar([D("2026-07-17")]);

        Assert.False(calendar.IsBusinessDay(D("2026-07-17")));
        Assert.True(Calendar.IsBusinessDay(D("2026-07-17")));
        Assert.Equal(D("2026-07-20"), calendar.AddBusinessDays(D("2026-07-16"), 1));
        Assert.Equal("closure (Cash:ExtraClosures)", calendar.ClosedReason(D("2026-07-17")));
    }

    [Fact]
    public void DateOutsideTheMaintainedYears_IsRefused_NotGuessed()
    {
        var e = Assert.Throws<DomainException>(() => Calendar.IsBusinessDay(D("2028-01-03")));

        Assert.Equal("CALENDAR_NOT_COVERED", e.Code);
        Assert.Contains("2025-01-01..2027-12-31", e.Message, StringComparison.Ordinal);
        Assert.Throws<DomainException>(() => Calendar.AddBusinessDays(D("2027-12-30"), 2));
    }

    [Fact]
    public void HolidayNames_ComeFromTheDataFile()
    {
        Assert.Contains("Chuseok", Calendar.ClosedReason(D("2025-10-06")), StringComparison.Ordinal);
        Assert.Contains("substitute", Calendar.ClosedReason(D("2025-10-08")), StringComparison.Ordinal);
        Assert.Equal("Saturday", Calendar.ClosedReason(D("2026-03-14")));
        Assert.Null(Calendar.ClosedReason(D("2026-03-16")));
    }

    [Theory]
    [InlineData(2025)]
    [InlineData(2026)]
    [InlineData(2027)]
    public void EveryCoveredYear_HasThreeSeollalAndThreeChuseokDays_AndTheFixedHolidays(int year)
    {
        var names = Calendar.Closures.Where(c => c.Key.Year == year).Select(c => c.Value).ToList();

        Assert.Equal(3, names.Count(n => n.Contains("Seollal", StringComparison.Ordinal) && !n.Contains("substitute", StringComparison.Ordinal)));
        Assert.Equal(3, names.Count(n => n.Contains("Chuseok", StringComparison.Ordinal) && !n.Contains("substitute", StringComparison.Ordinal)));
        foreach (var (month, day) in new[] { (1, 1), (3, 1), (5, 5), (6, 6), (8, 15), (10, 3), (10, 9), (12, 25) })
            Assert.True(Calendar.Closures.ContainsKey(new DateOnly(year, month, day)), $"{year}-{month:00}-{day:00}");
    }
}
