using OpsConsole.Core.Timeline;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Console;

public abstract class PaymentTimelineTests(TestDatabase database)
{
    private PaymentTimeline Timeline => new(database.Factory, []);

    [Fact]
    public async Task Search_ByEachKind_OfKey_FindsThePayment()
    {
        var seeded = await TraceSeed.PaymentWithHistoryAsync(database.Factory);

        foreach (var (query, matchedBy) in new[]
                 {
                     (seeded.PaymentKey, "paymentKey"), (seeded.OrderId, "orderId"),
                     (seeded.TransactionKey, "transactionKey"), (seeded.TraceId, "traceId"),
                 })
        {
            var result = await Timeline.SearchAsync($"  {query} ");

            var hit = Assert.Single(result.Hits);
            Assert.Equal(seeded.PaymentKey, hit.PaymentKey);
            Assert.Equal(matchedBy, hit.MatchedBy);
            Assert.NotEqual(TraceQueryKind.Text, result.Kind);
        }
    }

    [Fact]
    public async Task Search_ByEventText_IsCaseInsensitiveAndMasksTheSnippet()
    {
        var seeded = await TraceSeed.PaymentWithHistoryAsync(database.Factory);

        var result = await Timeline.SearchAsync(seeded.TextToken.ToUpperInvariant());

        Assert.Equal(TraceQueryKind.Text, result.Kind);
        var hit = Assert.Single(result.Hits);
        Assert.Equal(seeded.PaymentKey, hit.PaymentKey);
        Assert.Equal("event text", hit.MatchedBy);
        Assert.Contains(seeded.TextToken, hit.Snippet);
        Assert.DoesNotContain(TraceSeed.CardNumber, hit.Snippet);
        Assert.Contains("**** **** **** 1111", hit.Snippet);
    }

    [Fact]
    public async Task Search_ForSomethingUnknown_FindsNothing()
    {
        var result = await Timeline.SearchAsync("no-such-thing-" + Guid.NewGuid().ToString("N"));

        Assert.Equal(TraceQueryKind.Text, result.Kind);
        Assert.Empty(result.Hits);
    }

    [Fact]
    public async Task Load_GivesOneTimeOrderedTimelineFromEverySource()
    {
        var seeded = await TraceSeed.PaymentWithHistoryAsync(database.Factory);

        var trace = await Timeline.LoadAsync(seeded.PaymentKey);

        Assert.NotNull(trace);
        Assert.Equal("DONE", trace.Payment.Status);
        Assert.Equal(
            [TimelineKind.StateChange, TimelineKind.PgCall, TimelineKind.StateChange, TimelineKind.Outbox, TimelineKind.Audit],
            trace.Entries.Select(e => e.Kind));
        Assert.Equal(trace.Entries.OrderBy(e => e.At).Select(e => e.At), trace.Entries.Select(e => e.At));
        var pgCall = trace.Entries.Single(e => e.Kind == TimelineKind.PgCall);
        Assert.Equal("POST /v1/payments/confirm → 200", pgCall.Title);
        Assert.Equal(120, pgCall.LatencyMs);
        Assert.Equal(seeded.TraceId, pgCall.TraceId);
        Assert.NotNull(pgCall.SpanId);
        Assert.All(trace.Entries, e => Assert.DoesNotContain(TraceSeed.CardNumber, e.Detail ?? ""));
        Assert.DoesNotContain("kim.minsu@", trace.Entries.Single(e => e.Kind == TimelineKind.Audit).Detail);
    }

    [Fact]
    public async Task Load_OfAnUnknownPayment_IsNull() =>
        Assert.Null(await Timeline.LoadAsync("pk_missing_" + Guid.NewGuid().ToString("N")));
}

public sealed class PaymentTimelineSqliteTests(SqliteTestDatabase database)
    : PaymentTimelineTests(database), IClassFixture<SqliteTestDatabase>;

public sealed class PaymentTimelinePostgresTests(PostgresTestDatabase database)
    : PaymentTimelineTests(database), IClassFixture<PostgresTestDatabase>;
