namespace OpsConsole.Core.Common;

/// <summary>
/// The clock shared by the payment core and the sandbox PG. It tells real time, except while someone
/// (the demo seeder, a test) sets it to write history: then both ledgers record the same instants.
/// </summary>
public sealed class AdjustableClock : TimeProvider
{
    private long _fixedUtcTicks = -1;

    public override DateTimeOffset GetUtcNow()
    {
        var t = Interlocked.Read(ref _fixedUtcTicks);
        return t < 0 ? base.GetUtcNow() : new DateTimeOffset(t, TimeSpan.Zero);
    }

    public void Set(DateTimeOffset utc) => Interlocked.Exchange(ref _fixedUtcTicks, utc.UtcTicks);

    public void Advance(TimeSpan by) => Set(GetUtcNow() + by);

    public void Reset() => Interlocked.Exchange(ref _fixedUtcTicks, -1);
}
