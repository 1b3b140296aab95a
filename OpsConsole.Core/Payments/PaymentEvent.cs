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

    public static PaymentEvent PgCall(string paymentKey, string? orderId, string httpMethod, string path,
        int? statusCode, string? pgCode, long latencyMs, string requestSummary, string responseSummary,
        string message, string traceId, string? spanId, DateTimeOffset at) => new()
    {
        PaymentKey = paymentKey,
        OrderId = orderId,
        Type = PaymentEventTypes.PgCall,
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

public static class PaymentEventTypes
{
    public const string StateChanged = "state.changed";
    public const string PgCall = "pg.call";
    public const string ConfirmRequested = "confirm.requested";
    public const string CancelRequested = "cancel.requested";
    public const string CancelResolved = "cancel.resolved";
    public const string JanitorAttempt = "janitor.attempt";
}
