namespace OpsConsole.Tests.Infrastructure;

/// <summary>
/// The app's clock in whole-app tests: real time, except while a test sets it (to make the janitor or a TTL
/// see a later instant). Unlike <c>FakeTimeProvider</c> it keeps ticking, so the PG client's Polly timeouts and
/// retry delays (which take the app's TimeProvider) still fire in the tests that do not move it.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private long _fixedUtcTicks = -1;

    public override DateTimeOffset GetUtcNow()
    {
        var t = Interlocked.Read(ref _fixedUtcTicks);
        return t < 0 ? base.GetUtcNow() : new DateTimeOffset(t, TimeSpan.Zero);
    }

    public void Set(DateTimeOffset utc) => Interlocked.Exchange(ref _fixedUtcTicks, utc.UtcTicks);

    public void Reset() => Interlocked.Exchange(ref _fixedUtcTicks, -1);
}
