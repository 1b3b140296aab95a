using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;
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
    public async Task Search_ByTextWithCommonTrigrams_ProbesWithTheRarePart_AndStillMatchesTheWholeNeedle()
    {
        // Fixed, and free of zeros: a random number here sometimes held "000" itself, which made the probe shorter.
        const string run = "481276";
        var wanted = await TraceSeed.PaymentWithHistoryAsync(database.Factory, $"000{run}9qq");
        // Contains the rare part of the needle but not the needle: only the exact check keeps it out.
        var nearMiss = await TraceSeed.PaymentWithHistoryAsync(database.Factory, $"100{run}9qq");
        var filler = await TraceSeed.PaymentWithHistoryAsync(database.Factory, "filler" + run);
        await using (var db = database.Factory.CreateDbContext())
        {
            // Zero-padded numbers everywhere, as in real order numbers: "000" becomes a common trigram.
            db.PaymentEvents.AddRange(Enumerable.Range(0, 400).Select(i => PaymentEvent.StateChanged(filler.PaymentKey,
                filler.OrderId, "DONE", "DONE", "heartbeat 000000", filler.TraceId, null, filler.StartedAt.AddSeconds(i))));
            await db.SaveChangesAsync();
        }
        var needle = $"000{run}9";

        var result = await Timeline.SearchAsync(needle);

        Assert.Equal(TraceQueryKind.Text, result.Kind);
        Assert.Equal(wanted.PaymentKey, Assert.Single(result.Hits).PaymentKey);
        Assert.DoesNotContain(result.Hits, h => h.PaymentKey == nearMiss.PaymentKey);

        await using var check = database.Factory.CreateDbContext();
        if (check.Provider != DatabaseProvider.Postgres) return;
        // PostgreSQL probes the trigram indexes with the needle minus its common "000" and checks the whole needle.
        var sample = await new EventTextStatistics().SampleAsync(check, CancellationToken.None);
        Assert.True(sample.Share("000") > EventTextProbe.CommonShare, $"share of 000: {sample.Share("000")}");
        Assert.True(sample.Contains(needle.ToUpperInvariant())); // a small table is sampled whole
        Assert.False(sample.Contains($"001{run}9"));
        var probe = EventTextProbe.Choose(needle, sample.Share);
        Assert.Equal($"00{run}9", probe);
        var sql = PaymentTimeline.TextMatches(check.PaymentEvents, check.Provider, needle, probe).ToQueryString();
        Assert.Contains($"%{probe}%", sql);
        Assert.Contains("|| ''", sql);
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
    : PaymentTimelineTests(database), IClassFixture<PostgresTestDatabase>
{
    [Fact]
    public async Task Timeline_LooksUpAuditRowsByTargetIdThroughAnIndex()
    {
        // The timeline's audit query (PaymentTimeline.LoadAsync), planned with sequential scans priced out:
        // without an index led by target_id it would still scan the whole audit log.
        await using var db = database.Factory.CreateDbContext();
        string[] keys = ["pk_a", "order-a"];
        var plan = await PostgresPlan.ExplainAsync(db, db.AuditEntries.Where(a => keys.Contains(a.TargetId)),
            "ARRAY['pk_a','order-a']::varchar[]");
        Assert.Contains("ix_audit_log_target_id", plan);
    }

    [Fact]
    public async Task Search_ByCommonWordsUnseenInTheSample_ReadsOnlyTheNewestEvents_AndSaysSince()
    {
        var timeline = new PaymentTimeline(database.Factory, [], maxCandidateEvents: 10, recentEventsSearched: 50);
        var scenario = await TraceSeed.CommonWordsAsync(database.Factory, timeline);

        var result = await timeline.SearchAsync(scenario.Needle.ToUpperInvariant());

        Assert.Equal(TraceQueryKind.Text, result.Kind);
        Assert.Equal(scenario.Recent.PaymentKey, Assert.Single(result.Hits).PaymentKey); // the old one is past the bound
        Assert.NotNull(result.SearchedFrom);
        Assert.True(result.SearchedFrom > scenario.Old.StartedAt, $"searched from {result.SearchedFrom}");

        // Unbounded (the default limits), the same timeline state finds both.
        var unbounded = new PaymentTimeline(database.Factory, []);
        var all = await unbounded.SearchAsync(scenario.Needle);
        Assert.Null(all.SearchedFrom);
        Assert.Equal(new[] { scenario.Old.PaymentKey, scenario.Recent.PaymentKey }.Order(StringComparer.Ordinal), all.Hits.Select(h => h.PaymentKey).Order(StringComparer.Ordinal));
    }
}
