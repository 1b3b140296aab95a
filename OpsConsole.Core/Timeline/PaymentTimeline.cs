using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Data;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Timeline;

/// <summary>Adds entries from another feature (e.g. reconciliation findings) to a payment's timeline.</summary>
public interface ITimelineContributor
{
    Task<IReadOnlyList<TimelineEntry>> GetEntriesAsync(OpsDbContext db, PaymentSummary payment,
        CancellationToken cancellationToken);
}

/// <summary>
/// Finds payments by any key or by event text, and assembles one time-ordered timeline per payment from
/// payment events, cancel attempts, outbox messages, audit rows and any contributors.
/// </summary>
public sealed class PaymentTimeline(IDbContextFactory<OpsDbContext> dbFactory, IEnumerable<ITimelineContributor> contributors,
    int maxCandidateEvents = PaymentTimeline.MaxCandidateEvents, int recentEventsSearched = PaymentTimeline.RecentEventsSearched)
{
    public const int MaxHits = 50;

    /// <summary>
    /// A text search whose trigram probe would hand PostgreSQL more candidate events than this (estimated from
    /// the sample) reads only the newest <see cref="RecentEventsSearched"/> events instead: a needle of common
    /// words that matches nothing (e.g. "customer request") otherwise rechecks millions of events (53 s at
    /// 23.5M events) before answering "nothing".
    /// </summary>
    public const int MaxCandidateEvents = 100_000;

    /// <summary>How many of the newest events a bounded text search reads (a few hours at 10M payments a month).</summary>
    public const int RecentEventsSearched = 100_000;

    private readonly EventTextStatistics _textStatistics = new();

    public static TraceQueryKind Classify(string? query)
    {
        var q = query?.Trim() ?? "";
        if (q.Length == 0) return TraceQueryKind.Empty;
        return IsTraceId(q) ? TraceQueryKind.TraceId : TraceQueryKind.Key;
    }

    /// <summary>A W3C trace id: 32 hex digits (not all zero).</summary>
    public static bool IsTraceId(string q) =>
        q.Length == 32 && q.All(char.IsAsciiHexDigit) && q.Any(c => c != '0');

    public async Task<TraceSearchResult> SearchAsync(string? query, CancellationToken cancellationToken = default)
    {
        var q = query?.Trim() ?? "";
        if (q.Length == 0) return new TraceSearchResult(q, TraceQueryKind.Empty, [], false);
        if (q.Length > 300) q = q[..300];

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var matched = new Dictionary<string, string>(StringComparer.Ordinal);
        var kind = TraceQueryKind.Key;

        if (IsTraceId(q))
        {
            kind = TraceQueryKind.TraceId;
            var traceId = q.ToLowerInvariant();
            foreach (var key in await db.Payments.Where(p => p.TraceId == traceId).Select(p => p.PaymentKey)
                         .Take(MaxHits).ToListAsync(cancellationToken))
                matched.TryAdd(key, "traceId");
            foreach (var key in await db.PaymentEvents.Where(e => e.TraceId == traceId).Select(e => e.PaymentKey)
                         .Distinct().Take(MaxHits).ToListAsync(cancellationToken))
                matched.TryAdd(key, "traceId (event)");
        }

        foreach (var p in await db.Payments.Where(p => p.PaymentKey == q || p.OrderId == q)
                     .Select(p => new { p.PaymentKey, p.OrderId }).Take(MaxHits).ToListAsync(cancellationToken))
            matched.TryAdd(p.PaymentKey, p.PaymentKey == q ? "paymentKey" : "orderId");
        foreach (var key in await db.PaymentTransactions.Where(t => t.TransactionKey == q).Select(t => t.PaymentKey)
                     .Take(MaxHits).ToListAsync(cancellationToken))
            matched.TryAdd(key, "transactionKey");

        var snippets = new Dictionary<string, string>(StringComparer.Ordinal);
        var truncated = false;
        DateTimeOffset? searchedFrom = null;
        if (matched.Count == 0)
        {
            // The "string search of logs": event messages and the redacted PG summaries.
            kind = TraceQueryKind.Text;
            // A stable kind named by the text ("timeout" → pg.timeout) finds its events whatever their messages say.
            var kinds = PaymentEventTypes.Matching(q);
            if (kinds.Count > 0)
                foreach (var row in await db.PaymentEvents.Where(e => kinds.Contains(e.Type))
                             .OrderByDescending(e => e.OccurredAt).Select(e => new { e.PaymentKey, e.Message })
                             .Take(MaxHits * 4).ToListAsync(cancellationToken))
                    if (matched.Count < MaxHits && matched.TryAdd(row.PaymentKey, "event kind"))
                        snippets[row.PaymentKey] = Masking.Mask(row.Message);
            (var source, var probe, searchedFrom) = await PlanTextSearchAsync(db, q, cancellationToken);
            var rows = await TextMatches(source, db.Provider, q, probe)
                .OrderByDescending(e => e.OccurredAt)
                .Select(e => new { e.PaymentKey, e.Message })
                .Take(MaxHits * 4)
                .ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                if (matched.Count >= MaxHits)
                {
                    truncated = true;
                    break;
                }
                if (matched.TryAdd(row.PaymentKey, "event text"))
                    snippets[row.PaymentKey] = Masking.Mask(row.Message);
            }
        }

        var keys = matched.Keys.ToList();
        var payments = await db.Payments.Where(p => keys.Contains(p.PaymentKey))
            .Select(p => new { p.PaymentKey, p.OrderId, p.Amount, p.Status, p.RequestedAt })
            .ToDictionaryAsync(p => p.PaymentKey, cancellationToken);
        var hits = matched.Select(m => payments.TryGetValue(m.Key, out var p)
                ? new TraceSearchHit(m.Key, p.OrderId, p.Amount, p.Status.ToString(), p.RequestedAt, m.Value,
                    snippets.GetValueOrDefault(m.Key))
                : new TraceSearchHit(m.Key, null, null, null, null, m.Value, snippets.GetValueOrDefault(m.Key)))
            .OrderByDescending(h => h.RequestedAt)
            .ToList();
        return new TraceSearchResult(q, kind, hits, truncated, searchedFrom);
    }

    /// <summary>
    /// Where a text search looks and with what it probes the trigram indexes. A needle seen in the sample is
    /// common: plain ILIKE, and the planner walks the newest events and stops at the page. A rare one probes
    /// without its common trigrams, unless even the probe would hand over too many candidates: then only the
    /// newest <c>recentEventsSearched</c> events are read (<c>SearchedFrom</c>: the oldest of them).
    /// </summary>
    private async Task<(IQueryable<PaymentEvent> Source, string Probe, DateTimeOffset? SearchedFrom)> PlanTextSearchAsync(
        OpsDbContext db, string q, CancellationToken cancellationToken)
    {
        if (db.Provider != DatabaseProvider.Postgres) return (db.PaymentEvents, q, null);
        var sample = await _textStatistics.SampleAsync(db, cancellationToken);
        if (sample.Contains(q)) return (db.PaymentEvents, q, null);
        var probe = EventTextProbe.Choose(q, sample.Share);
        if (sample.EstimatedCandidates(probe) <= maxCandidateEvents) return (db.PaymentEvents, probe, null);

        var newest = db.PaymentEvents.OrderByDescending(e => e.OccurredAt);
        var oldestRead = await newest.Skip(recentEventsSearched - 1).Select(e => (DateTimeOffset?)e.OccurredAt)
            .FirstOrDefaultAsync(cancellationToken);
        return oldestRead is null
            ? (db.PaymentEvents, probe, null) // fewer events than the bound: search them all
            : (newest.Take(recentEventsSearched), q, oldestRead);
    }

    /// <summary>
    /// Events whose message or PG summaries contain <paramref name="q"/>, ignoring case. PostgreSQL: ILIKE,
    /// which the trigram indexes answer; when <paramref name="probe"/> (a substring of the needle without its
    /// common trigrams, <see cref="EventTextProbe"/>) is shorter, the indexes are probed with it and the whole
    /// needle is checked on the rows found (<c>column || ''</c> is not indexed, so it stays a filter).
    /// SQLite: lower() and instr(), a scan.
    /// </summary>
    internal static IQueryable<PaymentEvent> TextMatches(IQueryable<PaymentEvent> events, DatabaseProvider provider,
        string q, string probe)
    {
        if (provider == DatabaseProvider.Postgres)
        {
            var pattern = ContainsPattern(q);
            if (probe == q)
                return events.Where(e => EF.Functions.ILike(e.Message, pattern, LikeEscape) ||
                                                   (e.RequestSummary != null && EF.Functions.ILike(e.RequestSummary, pattern, LikeEscape)) ||
                                                   (e.ResponseSummary != null && EF.Functions.ILike(e.ResponseSummary, pattern, LikeEscape)));
            var probePattern = ContainsPattern(probe);
            return events.Where(e =>
                (EF.Functions.ILike(e.Message, probePattern, LikeEscape) && EF.Functions.ILike(e.Message + "", pattern, LikeEscape)) ||
                (e.RequestSummary != null && EF.Functions.ILike(e.RequestSummary, probePattern, LikeEscape) &&
                 EF.Functions.ILike(e.RequestSummary + "", pattern, LikeEscape)) ||
                (e.ResponseSummary != null && EF.Functions.ILike(e.ResponseSummary, probePattern, LikeEscape) &&
                 EF.Functions.ILike(e.ResponseSummary + "", pattern, LikeEscape)));
        }
        var needle = q.ToLowerInvariant();
        return events.Where(e => e.Message.ToLower().Contains(needle) ||
                                           (e.RequestSummary != null && e.RequestSummary.ToLower().Contains(needle)) ||
                                           (e.ResponseSummary != null && e.ResponseSummary.ToLower().Contains(needle)));
    }

    // Npgsql's two-argument ILike says ESCAPE '' (no escape): name the escape character explicitly.
    private const string LikeEscape = @"\";

    private static string ContainsPattern(string text) =>
        "%" + text.Replace(LikeEscape, LikeEscape + LikeEscape, StringComparison.Ordinal)
            .Replace("%", LikeEscape + "%", StringComparison.Ordinal)
            .Replace("_", LikeEscape + "_", StringComparison.Ordinal) + "%";

    public async Task<PaymentTrace?> LoadAsync(string paymentKey, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var payment = await db.Payments.AsNoTracking()
            .Where(p => p.PaymentKey == paymentKey)
            .Select(p => new PaymentSummary(p.Id, p.PaymentKey, p.OrderId, p.Amount, p.BalanceAmount,
                p.Status.ToString(), p.Method == null ? null : p.Method.ToString(), p.RequestedAt, p.ApprovedAt, p.UpdatedAt,
                p.TraceId, p.FailureCode, p.FailureMessage, p.Currency, p.Pg))
            .FirstOrDefaultAsync(cancellationToken);
        if (payment is null) return null;

        var entries = new List<TimelineEntry>();
        entries.AddRange((await db.PaymentEvents.AsNoTracking().Where(e => e.PaymentKey == paymentKey)
            .OrderBy(e => e.Id).ToListAsync(cancellationToken)).Select(FromEvent));

        foreach (var c in await db.CancelAttempts.AsNoTracking().Where(c => c.PaymentKey == paymentKey)
                     .OrderBy(c => c.Id).ToListAsync(cancellationToken))
        {
            entries.Add(new TimelineEntry
            {
                At = c.CreatedAt,
                Kind = TimelineKind.CancelAttempt,
                Title = $"Cancel requested: {Money.Krw(c.Amount)} {(c.IsFullCancel ? "(full)" : "(partial)")}",
                Detail = Masking.Mask($"by {c.RequestedBy}: {c.Reason} · idempotency key {c.IdempotencyKey}"),
                Actor = c.RequestedBy,
                TraceId = c.TraceId,
                Sequence = c.Id,
            });
            if (c.Status != CancelAttemptStatus.PENDING)
                entries.Add(new TimelineEntry
                {
                    At = c.UpdatedAt,
                    Kind = TimelineKind.CancelAttempt,
                    Title = $"Cancel attempt {c.Status}",
                    Detail = Masking.Mask(string.Join(" · ", new[]
                    {
                        c.TransactionKey is null ? null : $"transactionKey {c.TransactionKey}",
                        c.FailureCode, c.FailureMessage,
                        c.JanitorAttempts > 0 ? $"janitor attempts {c.JanitorAttempts}" : null,
                    }.Where(s => !string.IsNullOrEmpty(s)))),
                    TraceId = c.TraceId,
                    Sequence = c.Id,
                });
        }

        var aggregateKeys = new[] { payment.PaymentKey, payment.OrderId };
        foreach (var m in await db.OutboxMessages.AsNoTracking().Where(m => aggregateKeys.Contains(m.AggregateKey))
                     .OrderBy(m => m.Id).ToListAsync(cancellationToken))
        {
            entries.Add(new TimelineEntry
            {
                At = m.CreatedAt,
                Kind = TimelineKind.Outbox,
                Title = $"Outbox event {m.Type}",
                Detail = Masking.Mask(Clip(m.Payload, 400)),
                TraceId = m.TraceId,
                Sequence = m.Id,
            });
            if (m.SentAt is { } sentAt)
                entries.Add(new TimelineEntry
                {
                    At = sentAt,
                    Kind = TimelineKind.Outbox,
                    Title = $"Outbox event {m.Type} published",
                    Detail = $"after {m.Attempts} attempt(s)",
                    TraceId = m.TraceId,
                    Sequence = m.Id,
                });
        }

        foreach (var a in await db.AuditEntries.AsNoTracking().Where(a => aggregateKeys.Contains(a.TargetId))
                     .OrderBy(a => a.Id).ToListAsync(cancellationToken))
        {
            entries.Add(new TimelineEntry
            {
                At = a.At,
                Kind = TimelineKind.Audit,
                Title = $"{a.Action} by {a.Actor}",
                Detail = Masking.Mask(string.Join(" · ", new[]
                {
                    AuditChange.Summary(a.Before, a.After),
                    a.Reason is null ? null : $"reason: {a.Reason}",
                    a.Outcome,
                }.Where(s => !string.IsNullOrEmpty(s)))),
                Actor = a.Actor,
                TraceId = a.TraceId,
                Sequence = a.Id,
            });
        }

        foreach (var contributor in contributors)
            entries.AddRange(await contributor.GetEntriesAsync(db, payment, cancellationToken));

        var ordered = entries.OrderBy(e => e.At).ThenBy(e => e.Kind).ThenBy(e => e.Sequence).ToList();
        return new PaymentTrace(payment, ordered);
    }

    private static TimelineEntry FromEvent(PaymentEvent e)
    {
        var kind = e.Type switch
        {
            PaymentEventTypes.StateChanged => TimelineKind.StateChange,
            PaymentEventTypes.PgCall or PaymentEventTypes.PgTimeout => TimelineKind.PgCall,
            PaymentEventTypes.JanitorAttempt => TimelineKind.Janitor,
            _ => TimelineKind.PaymentEvent,
        };
        var title = kind switch
        {
            TimelineKind.StateChange => $"{e.FromStatus ?? "∅"} → {e.ToStatus}",
            TimelineKind.PgCall => $"{e.HttpMethod} {e.Path} → {(e.StatusCode?.ToString() ?? "no response")}" +
                                   (e.PgCode is null ? "" : $" {e.PgCode}"),
            _ => e.Type,
        };
        return new TimelineEntry
        {
            At = e.OccurredAt,
            Kind = kind,
            Title = title,
            Detail = Masking.Mask(e.Message),
            TraceId = e.TraceId,
            SpanId = e.SpanId,
            HttpMethod = e.HttpMethod,
            Path = e.Path,
            StatusCode = e.StatusCode,
            PgCode = e.PgCode,
            LatencyMs = e.LatencyMs,
            RequestSummary = e.RequestSummary is null ? null : Masking.Mask(e.RequestSummary),
            ResponseSummary = e.ResponseSummary is null ? null : Masking.Mask(e.ResponseSummary),
            Sequence = e.Id,
        };
    }

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..max] + "…";
}
