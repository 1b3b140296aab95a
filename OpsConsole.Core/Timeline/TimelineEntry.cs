namespace OpsConsole.Core.Timeline;

public enum TimelineKind
{
    StateChange,
    PgCall,
    Janitor,
    PaymentEvent,
    CancelAttempt,
    Outbox,
    Audit,
    Finding,
}

/// <summary>One row of a payment's timeline. Text fields are masked before they get here.</summary>
public sealed record TimelineEntry
{
    public required DateTimeOffset At { get; init; }
    public required TimelineKind Kind { get; init; }
    public required string Title { get; init; }
    public string? Detail { get; init; }
    public string? TraceId { get; init; }
    public string? SpanId { get; init; }
    public string? Actor { get; init; }
    public string? HttpMethod { get; init; }
    public string? Path { get; init; }
    public int? StatusCode { get; init; }
    public string? PgCode { get; init; }
    public long? LatencyMs { get; init; }
    public string? RequestSummary { get; init; }
    public string? ResponseSummary { get; init; }

    /// <summary>Where the entry links to inside the console (e.g. a finding's detail page).</summary>
    public string? Href { get; init; }

    /// <summary>Breaks ties between entries at the same instant: the source's own order.</summary>
    public long Sequence { get; init; }
}

/// <summary>The payment a timeline is about.</summary>
/// <param name="Pg">The PG connection the payment went through (<c>payments.pg</c>).</param>
public sealed record PaymentSummary(
    long Id, string PaymentKey, string OrderId, long Amount, long BalanceAmount, string Status, string? Method,
    DateTimeOffset RequestedAt, DateTimeOffset? ApprovedAt, DateTimeOffset UpdatedAt, string TraceId,
    string? FailureCode, string? FailureMessage, string Currency = Common.Money.LedgerCurrency, string Pg = "");

public sealed record PaymentTrace(PaymentSummary Payment, IReadOnlyList<TimelineEntry> Entries)
{
    public DateTimeOffset Start => Entries.Count == 0 ? Payment.RequestedAt : Entries.Min(e => e.At) < Payment.RequestedAt ? Entries.Min(e => e.At) : Payment.RequestedAt;
    public DateTimeOffset End => Entries.Count == 0 ? Payment.UpdatedAt : Entries.Max(e => e.At) > Payment.UpdatedAt ? Entries.Max(e => e.At) : Payment.UpdatedAt;
}

public enum TraceQueryKind
{
    Empty,
    TraceId,
    Key,
    Text,
}

public sealed record TraceSearchHit(string PaymentKey, string? OrderId, long? Amount, string? Status,
    DateTimeOffset? RequestedAt, string MatchedBy, string? Snippet);

/// <param name="SearchedFrom">Set when a text search read only the newest events: the oldest one it read.</param>
public sealed record TraceSearchResult(string Query, TraceQueryKind Kind, IReadOnlyList<TraceSearchHit> Hits, bool Truncated,
    DateTimeOffset? SearchedFrom = null);
