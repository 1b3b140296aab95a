using OpsConsole.Core.Common;
namespace OpsConsole.Core.Payments;

/// <summary>
/// Append-only timeline entry of a payment: a state change, a PG call or a janitor attempt, with the
/// trace and span of the activity that produced it. Engineers search these by trace id and by text.
/// </summary>
public sealed class PaymentEvent
{
    private PaymentEvent()
    {
        PaymentKey = Type = Message = TraceId = "";
    }

    public long Id { get; private set; }
    public string PaymentKey { get; private set; }
    public string? OrderId { get; private set; }
    public string Type { get; private set; }
    public string Message { get; private set; }
    public string? FromStatus { get; private set; }
    public string? ToStatus { get; private set; }
    public string? HttpMethod { get; private set; }
    public string? Path { get; private set; }
    public int? StatusCode { get; private set; }
    public string? PgCode { get; private set; }
    public long? LatencyMs { get; private set; }
    public string? RequestSummary { get; private set; }
    public string? ResponseSummary { get; private set; }
    public string TraceId { get; private set; }
    public string? SpanId { get; private set; }
    public DateTimeOffset OccurredAt { get; private set; }

    public static PaymentEvent StateChanged(string paymentKey, string? orderId, string? from, string to,
        string message, string traceId, string? spanId, DateTimeOffset at) => new()
    {
        PaymentKey = paymentKey,
        OrderId = orderId,
        Type = PaymentEventTypes.StateChanged,
        Message = Masking.Mask(message),
        FromStatus = from,
        ToStatus = to,
        TraceId = traceId,
        SpanId = spanId,
        OccurredAt = at,
    };

    public static PaymentEvent Note(string paymentKey, string? orderId, string type, string message,
        string traceId, string? spanId, DateTimeOffset at) => new()
    {
        PaymentKey = paymentKey,
        OrderId = orderId,
        Type = type,
        Message = Masking.Mask(message),
        TraceId = traceId,
        SpanId = spanId,
        OccurredAt = at,
    };

    /// <summary>A PG call and its answer; one that timed out is of the kind <see cref="PaymentEventTypes.PgTimeout"/>.</summary>
    public static PaymentEvent PgCall(string paymentKey, string? orderId, string httpMethod, string path,
        int? statusCode, string? pgCode, long latencyMs, string requestSummary, string responseSummary,
        string message, string traceId, string? spanId, DateTimeOffset at, bool timedOut = false) => new()
    {
        PaymentKey = paymentKey,
        OrderId = orderId,
        Type = timedOut ? PaymentEventTypes.PgTimeout : PaymentEventTypes.PgCall,
        Message = Masking.Mask(message),
        HttpMethod = httpMethod,
        Path = path,
        StatusCode = statusCode,
        PgCode = pgCode,
        LatencyMs = latencyMs,
        RequestSummary = Truncate(Masking.Mask(requestSummary)),
        ResponseSummary = Truncate(Masking.Mask(responseSummary)),
        TraceId = traceId,
        SpanId = spanId,
        OccurredAt = at,
    };

    private static string Truncate(string s) => s.Length <= 2000 ? s : s[..2000];
}

/// <summary>
/// The stable kinds of payment events (<see cref="PaymentEvent.Type"/>). Trace search matches them besides the
/// messages: searching "timeout" finds every <see cref="PgTimeout"/> whatever its message says.
/// </summary>
public static class PaymentEventTypes
{
    public const string StateChanged = "state.changed";
    public const string PgCall = "pg.call";

    /// <summary>A PG call that got no answer in time: its outcome is unknown until the PG is asked again.</summary>
    public const string PgTimeout = "pg.timeout";
    public const string ConfirmRequested = "confirm.requested";
    public const string CancelRequested = "cancel.requested";
    public const string CancelResolved = "cancel.resolved";
    public const string JanitorAttempt = "janitor.attempt";

    public static readonly IReadOnlyList<string> All =
        [StateChanged, PgCall, PgTimeout, ConfirmRequested, CancelRequested, CancelResolved, JanitorAttempt];

    /// <summary>Whether the kind is a call to the PG (answered or timed out).</summary>
    public static bool IsPgCall(string type) => type is PgCall or PgTimeout;

    /// <summary>
    /// The kinds a search text names: a word of a kind ("timeout", "janitor") or the whole kind ("pg.timeout").
    /// Words of three letters or fewer name nothing (so "pg" does not list every call).
    /// </summary>
    public static IReadOnlyList<string> Matching(string text)
    {
        var t = text.Trim();
        if (t.Length < 4) return [];
        return All.Where(k => k.Equals(t, StringComparison.OrdinalIgnoreCase) ||
                              k.Split('.').Any(w => w.Equals(t, StringComparison.OrdinalIgnoreCase)))
            .ToList();
    }
}
