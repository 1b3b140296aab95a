using System.Globalization;
using System.Text.Json;
using OpsConsole.Core.Common;

namespace OpsConsole.Core.Cash;

/// <summary>
/// Korean bank business days: not Saturday or Sunday, not a day of the maintained list in
/// <c>KoreanHolidays.json</c> (public holidays incl. Seollal/Chuseok and substitute holidays, election and temporary
/// holidays, Labor Day; the source is named in the file), and not a configured extra closure
/// (<c>Cash:ExtraClosures</c>). A date outside the years the list covers is refused (<c>CALENDAR_NOT_COVERED</c>)
/// rather than guessed.
/// </summary>
public sealed class KoreanBusinessCalendar
{
    private readonly Dictionary<DateOnly, string> _closed;

    public KoreanBusinessCalendar(IEnumerable<DateOnly>? extraClosures = null)
    {
        var data = Data.Value;
        _closed = new Dictionary<DateOnly, string>(data.Days);
        FirstCovered = new DateOnly(data.Years.Min(), 1, 1);
        LastCovered = new DateOnly(data.Years.Max(), 12, 31);
        foreach (var day in extraClosures ?? [])
            _closed.TryAdd(day, "closure (Cash:ExtraClosures)");
    }

    public DateOnly FirstCovered { get; }
    public DateOnly LastCovered { get; }

    /// <summary>The holidays and closures of the list and the configuration (weekends not included).</summary>
    public IReadOnlyDictionary<DateOnly, string> Closures => _closed;

    public bool IsBusinessDay(DateOnly date)
    {
        EnsureCovered(date);
        return date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !_closed.ContainsKey(date);
    }

    /// <summary>Why <paramref name="date"/> is not a business day (null when it is one).</summary>
    public string? ClosedReason(DateOnly date) =>
        IsBusinessDay(date) ? null : _closed.TryGetValue(date, out var name) ? name : date.DayOfWeek.ToString();

    /// <summary>
    /// The date <paramref name="days"/> business days after <paramref name="date"/> (before it when negative), counted
    /// from the next business day: D+1 of a Friday is the Monday. D+0 is the date itself when it is a business day,
    /// else the next business day.
    /// </summary>
    public DateOnly AddBusinessDays(DateOnly date, int days)
    {
        var step = days < 0 ? -1 : 1;
        var current = date;
        if (days == 0)
        {
            while (!IsBusinessDay(current)) current = current.AddDays(1);
            return current;
        }
        for (var remaining = Math.Abs(days); remaining > 0;)
        {
            current = current.AddDays(step);
            if (IsBusinessDay(current)) remaining--;
        }
        return current;
    }

    /// <summary>The first business day on or after <paramref name="date"/>.</summary>
    public DateOnly NextBusinessDayOnOrAfter(DateOnly date) => AddBusinessDays(date, 0);

    private void EnsureCovered(DateOnly date)
    {
        if (date < FirstCovered || date > LastCovered)
            throw DomainException.BadInput("CALENDAR_NOT_COVERED", string.Create(CultureInfo.InvariantCulture,
                $"The Korean business-day calendar covers {FirstCovered:yyyy-MM-dd}..{LastCovered:yyyy-MM-dd}; {date:yyyy-MM-dd} is outside it (add the year to OpsConsole.Core/Cash/KoreanHolidays.json)."));
    }

    private static readonly Lazy<(int[] Years, Dictionary<DateOnly, string> Days)> Data = new(Load);

    private static (int[], Dictionary<DateOnly, string>) Load()
    {
        using var stream = typeof(KoreanBusinessCalendar).Assembly.GetManifestResourceStream("OpsConsole.Core.Cash.KoreanHolidays.json")
            ?? throw new InvalidOperationException("The embedded KoreanHolidays.json is missing.");
        using var doc = JsonDocument.Parse(stream);
        var years = doc.RootElement.GetProperty("years").EnumerateArray().Select(y => y.GetInt32()).ToArray();
        var days = new Dictionary<DateOnly, string>();
        foreach (var day in doc.RootElement.GetProperty("days").EnumerateArray())
        {
            var date = DateOnly.ParseExact(day.GetProperty("date").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (!years.Contains(date.Year) || !days.TryAdd(date, day.GetProperty("name").GetString()!))
                throw new InvalidOperationException($"KoreanHolidays.json: {date:yyyy-MM-dd} is listed twice or outside its years.");
        }
        return (years, days);
    }
}
