using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Hosting;

/// <summary>The janitor-backlog gauge, read with a MeterListener on a real SQLite database and a fake clock.</summary>
public sealed class OpsMetricsGaugeTests(SqliteTestDatabase db) : IClassFixture<SqliteTestDatabase>
{
    [Fact]
    public async Task JanitorWaiting_CountsUnknownPayments_AndInFlightOnesOnlyOnceTheirGraceIsOver()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 1, 0, 0, TimeSpan.Zero));
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        _ = new OpsMetrics(meters, db.Factory, clock,
            Options.Create(new JanitorOptions { InProgressGrace = TimeSpan.FromMinutes(2) }));
        var now = clock.GetUtcNow();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        await using (var ctx = db.Factory.CreateDbContext())
        {
            var unknown = Payment.StartConfirm($"pk_u_{suffix}", $"order-u-{suffix}", 1_000, "KRW", "00000000000000000000000000000001", now, Core.Gateway.PgConnections.LegacyName);
            var inFlight = Payment.StartConfirm($"pk_f_{suffix}", $"order-f-{suffix}", 2_000, "KRW", "00000000000000000000000000000002", now, Core.Gateway.PgConnections.LegacyName);
            ctx.Payments.AddRange(unknown, inFlight);
            await ctx.SaveChangesAsync();
            unknown.MarkUnknown("timed out", now.AddMinutes(1), now);
            await ctx.SaveChangesAsync();
        }

        Assert.Equal(1, ReadWaiting(meters, "payment"));

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, ReadWaiting(meters, "payment")); // one snapshot per 5 s, whatever the scrape rate

        clock.Advance(TimeSpan.FromMinutes(3)); // the in-flight payment is orphaned now
        Assert.Equal(2, ReadWaiting(meters, "payment"));
        Assert.Equal(0, ReadWaiting(meters, "cancel"));
    }

    /// <summary>Reads the gauge of this test's meter factory only (other tests' hosts publish the same meter name).</summary>
    private static long ReadWaiting(IMeterFactory meters, string kind)
    {
        long? value = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Meter.Name == OpsMetrics.MeterName && instrument.Name == "opsconsole.janitor.waiting")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, measurement, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "kind" && (string?)tag.Value == kind) value = measurement;
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return value ?? throw new InvalidOperationException($"no janitor.waiting measurement for {kind}");
    }
}
