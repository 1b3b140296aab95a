using System.Globalization;

namespace OpsConsole.Sandbox;

/// <summary>
/// The demo generator's own clock: the instant of the historical payment it is writing. Only the generator's
/// own payment path and its requests to the sandbox PG (header <see cref="SandboxClock.Header"/>) read it; the
/// app's clock (sign-in, audit, UI, janitor, repair TTLs) keeps telling real time.
/// </summary>
public sealed class HistoryClock(DateTimeOffset start) : TimeProvider
{
    private long _utcTicks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    public void Set(DateTimeOffset utc) => Interlocked.Exchange(ref _utcTicks, utc.UtcTicks);

    /// <summary>Stamps every request with the history instant, so the sandbox PG records the same time as our ledger.</summary>
    public sealed class Stamp(HistoryClock clock) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation(SandboxClock.Header, clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            return base.SendAsync(request, cancellationToken);
        }
    }
}
