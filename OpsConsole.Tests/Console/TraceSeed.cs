using System.Diagnostics;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Data;
using OpsConsole.Core.Outbox;
using OpsConsole.Core.Payments;

namespace OpsConsole.Tests.Console;

/// <summary>One approved payment with a realistic history: state changes, a PG call, an outbox event, an audit row.</summary>
public static class TraceSeed
{
    public sealed record Seeded(string PaymentKey, string OrderId, string TraceId, string TransactionKey, string TextToken,
        DateTimeOffset StartedAt);

    public const string CardNumber = "4111 1111 1111 1111";

    public static async Task<Seeded> PaymentWithHistoryAsync(OpsDbContextFactory factory, string? suffix = null,
        DateTimeOffset? startedAt = null)
    {
        suffix ??= Guid.NewGuid().ToString("N")[..12];
        var t0 = startedAt ?? new DateTimeOffset(2026, 11, 24, 14, 59, 0, TimeSpan.Zero);
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var paymentKey = $"pk_{suffix}";
        var orderId = $"order-{suffix}";
        var transactionKey = $"tx_{suffix}";
        var token = $"Gateway-Hiccup-{suffix}";

        await using var db = factory.CreateDbContext();
        var payment = Payment.StartConfirm(paymentKey, orderId, 15000, "KRW", traceId, t0, Core.Gateway.PgConnections.LegacyName);
        db.Payments.Add(payment);
        await db.SaveChangesAsync();
        payment.MarkApproved(transactionKey, PaymentMethod.CARD, t0.AddSeconds(2), t0.AddSeconds(2));
        db.PaymentEvents.AddRange(
            PaymentEvent.StateChanged(paymentKey, orderId, null, "IN_PROGRESS", "confirm started", traceId,
                ActivitySpanId.CreateRandom().ToHexString(), t0),
            PaymentEvent.PgCall(paymentKey, orderId, "POST", "/v1/payments/confirm", 200, null, 120,
                "{\"amount\":15000}", "{\"status\":\"DONE\"}",
                $"PG confirm answered after retry; {token}; card {CardNumber}", traceId,
                ActivitySpanId.CreateRandom().ToHexString(), t0.AddSeconds(1)),
            PaymentEvent.StateChanged(paymentKey, orderId, "IN_PROGRESS", "DONE", "approved by PG", traceId,
                ActivitySpanId.CreateRandom().ToHexString(), t0.AddSeconds(2)));
        db.OutboxMessages.Add(OutboxMessage.Create("payment.approved", paymentKey,
            $"{{\"paymentKey\":\"{paymentKey}\",\"amount\":15000}}", traceId, t0.AddSeconds(2)));
        db.AuditEntries.Add(AuditEntry.Create(t0.AddSeconds(30), "oncall", "payment.note", "payment", paymentKey,
            reason: "customer called; contact kim.minsu@example.com"));
        await db.SaveChangesAsync();
        return new Seeded(paymentKey, orderId, traceId, transactionKey, token, t0);
    }

    public sealed record CommonWordsScenario(string Needle, Seeded Recent, Seeded Old);

    /// <summary>
    /// For a timeline with small bounds (e.g. 10 candidates, 50 recent events): 400 new events holding both
    /// words of the needle apart, so its trigrams are everywhere; the timeline samples them (a search); then an
    /// old and a recent payment whose event holds the needle itself, unseen by the sample.
    /// </summary>
    public static async Task<CommonWordsScenario> CommonWordsAsync(OpsDbContextFactory factory, Core.Timeline.PaymentTimeline timeline)
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        var needle = $"zebra{run} crossing";
        var now = new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero);
        var filler = await PaymentWithHistoryAsync(factory, "zfill" + run, now.AddHours(-1));
        await using (var db = factory.CreateDbContext())
        {
            db.PaymentEvents.AddRange(Enumerable.Range(0, 400).Select(i => PaymentEvent.StateChanged(filler.PaymentKey,
                filler.OrderId, "DONE", "DONE", $"zebra{run} near the crossing", filler.TraceId, null, now.AddSeconds(i))));
            await db.SaveChangesAsync();
        }
        await timeline.SearchAsync("warm-up-" + run); // takes the sample, kept for an hour
        var old = await PaymentWithHistoryAsync(factory, "zold" + run, now.AddDays(-2));
        var recent = await PaymentWithHistoryAsync(factory, "znew" + run, now.AddHours(1));
        await using (var db = factory.CreateDbContext())
        {
            foreach (var (p, at) in new[] { (old, now.AddDays(-2)), (recent, now.AddHours(1)) })
                db.PaymentEvents.Add(PaymentEvent.StateChanged(p.PaymentKey, p.OrderId, "DONE", "DONE",
                    $"note: {needle} reported", p.TraceId, null, at.AddMinutes(5)));
            await db.SaveChangesAsync();
        }
        return new CommonWordsScenario(needle, recent, old);
    }
}
