using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Common;
using Polly.Timeout;

namespace OpsConsole.Core.Gateway;

/// <summary>
/// HTTP client for the Toss Payments v1 API subset (or the sandbox). Never throws for a PG outcome: every
/// call returns Success, Rejected or Unknown. Timeouts and safe retries come from the resilience pipeline
/// configured in <see cref="GatewaySetup"/>; a retried POST carries the same Idempotency-Key.
/// </summary>
public sealed class TossPaymentsClient(
    HttpClient http,
    PgEndpoint endpoint,
    IOptions<PgOptions> options,
    ILogger<TossPaymentsClient> logger,
    OpsMetrics? metrics = null) : IPaymentGateway
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The operation name of a request (<c>confirm</c>, <c>settlements</c>…), read by the timeouts of <see cref="GatewaySetup"/>.</summary>
    public static readonly HttpRequestOptionsKey<string> OperationKey = new("OpsConsole.PgOperation");

    public Task<PgResult<TossPayment>> ConfirmAsync(TossConfirmRequest request, string idempotencyKey,
        CancellationToken cancellationToken = default) =>
        SendAsync<TossPayment>("confirm", HttpMethod.Post, "v1/payments/confirm", request, idempotencyKey,
            $"paymentKey={request.PaymentKey} orderId={request.OrderId} amount={request.Amount.ToString(CultureInfo.InvariantCulture)}",
            cancellationToken, ReadPayment);

    public Task<PgResult<TossPayment>> GetPaymentAsync(string paymentKey,
        CancellationToken cancellationToken = default) =>
        SendAsync<TossPayment>("get_payment", HttpMethod.Get, $"v1/payments/{Uri.EscapeDataString(paymentKey)}", null, null,
            $"paymentKey={paymentKey}", cancellationToken, ReadPayment);

    public Task<PgResult<TossPayment>> GetPaymentByOrderIdAsync(string orderId,
        CancellationToken cancellationToken = default) =>
        SendAsync<TossPayment>("get_payment_by_order", HttpMethod.Get, $"v1/payments/orders/{Uri.EscapeDataString(orderId)}", null, null,
            $"orderId={orderId}", cancellationToken, ReadPayment);

    public Task<PgResult<TossPayment>> CancelAsync(string paymentKey, TossCancelRequest request,
        string idempotencyKey, CancellationToken cancellationToken = default) =>
        SendAsync<TossPayment>("cancel", HttpMethod.Post, $"v1/payments/{Uri.EscapeDataString(paymentKey)}/cancel", request,
            idempotencyKey,
            $"paymentKey={paymentKey} cancelAmount={(request.CancelAmount?.ToString(CultureInfo.InvariantCulture) ?? "full")} reason={request.CancelReason}",
            cancellationToken, ReadPayment);

    public Task<PgResult<IReadOnlyList<TossSettlement>>> GetSettlementsAsync(DateOnly startDate, DateOnly endDate,
        int page, int size, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<TossSettlement>>("settlements", HttpMethod.Get,
            $"v1/settlements?startDate={startDate:yyyy-MM-dd}&endDate={endDate:yyyy-MM-dd}&page={page}&size={size}",
            null, null, $"startDate={startDate:yyyy-MM-dd} endDate={endDate:yyyy-MM-dd} page={page} size={size}",
            cancellationToken, ReadSettlements);

    /// <summary>Settlement pages are read field by field (<see cref="TossSettlementReader"/>): nothing is defaulted.</summary>
    private static IReadOnlyList<TossSettlement>? ReadSettlements(string text, out string? problem) =>
        TossSettlementReader.Read(text, out problem);

    /// <summary>Payment objects: amounts in the currency's units become minor units exactly (<see cref="TossWire"/>).</summary>
    private static TossPayment? ReadPayment(string text, out string? problem) => TossWire.ReadPayment(text, out problem);

    private delegate T? Reader<T>(string text, out string? problem);

    /// <summary>One PG call, counted by operation and outcome with its latency (<see cref="OpsMetrics"/>).</summary>
    private async Task<PgResult<T>> SendAsync<T>(string operation, HttpMethod method, string path, object? body,
        string? idempotencyKey, string requestSummary, CancellationToken cancellationToken, Reader<T>? reader = null)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = PgOutcome.Unknown;
        try
        {
            var result = await SendCoreAsync(operation, method, path, body, idempotencyKey, requestSummary, cancellationToken, reader);
            outcome = result.Outcome;
            return result;
        }
        finally
        {
            metrics?.PgCall(operation, outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<PgResult<T>> SendCoreAsync<T>(string operation, HttpMethod method, string path, object? body,
        string? idempotencyKey, string requestSummary, CancellationToken cancellationToken, Reader<T>? reader)
    {
        // Make sure there is an activity, so the W3C traceparent header always goes out and the
        // payment timeline can name the trace and span of this call.
        using var activity = Tracing.Source.StartActivity($"PG {method} {TemplateOf(path)}", ActivityKind.Internal)
                             ?? (Activity.Current is null ? new Activity("pg.call").Start() : null);
        var pathOnly = path.Split('?')[0];
        var sw = Stopwatch.StartNew();
        int? status = null;
        try
        {
            using var request = new HttpRequestMessage(method, new Uri(endpoint.BaseUri, path));
            request.Options.Set(OperationKey, operation);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(options.Value.SecretKey + ":")));
            if (idempotencyKey is not null)
                request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
            if (body is not null)
                request.Content = JsonContent.Create(body, body.GetType(), options: Json);

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var latency = sw.ElapsedMilliseconds;

            if (response.IsSuccessStatusCode)
            {
                try
                {
                    string? unreadable = null;
                    var value = reader is null ? JsonSerializer.Deserialize<T>(text, Json) : reader(text, out unreadable);
                    if (unreadable is not null)
                    {
                        logger.LogWarning("PG answer to {Method} {Path} refused: {Problem}", method, pathOnly, unreadable);
                        return Unknown<T>(method, pathOnly, status, $"refused answer: {unreadable}", latency, requestSummary, text);
                    }
                    if (value is null)
                        return Unknown<T>(method, pathOnly, status, "the PG answered an empty body", latency, requestSummary, text);
                    if (PgAnswerCheck.Problem(value, options.Value.AcceptedCurrencies) is { } problem)
                    {
                        logger.LogWarning("PG answer to {Method} {Path} refused: {Problem}", method, pathOnly, problem);
                        return Unknown<T>(method, pathOnly, status, $"refused answer: {problem}", latency, requestSummary, text);
                    }
                    return new PgResult<T>(PgOutcome.Success, value, method.Method, pathOnly, status, null, null,
                        latency, requestSummary, Redaction.Summarize(text));
                }
                catch (JsonException e)
                {
                    return Unknown<T>(method, pathOnly, status, $"unreadable answer: {e.Message}", latency, requestSummary, text);
                }
            }

            var error = TryReadError(text);
            if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout)
                return Unknown<T>(method, pathOnly, status,
                    $"PG server error {status}{(error is null ? "" : $" {error.Code}: {error.Message}")}", latency,
                    requestSummary, text, error?.Code);
            if (error is null)
                return Unknown<T>(method, pathOnly, status, $"PG answered {status} without a readable error", latency,
                    requestSummary, text);
            if (error.Code == TossErrorCodes.IdempotentRequestProcessing)
                return Unknown<T>(method, pathOnly, status, "the same request is still being processed at the PG",
                    latency, requestSummary, text, error.Code);
            return new PgResult<T>(PgOutcome.Rejected, default, method.Method, pathOnly, status, error.Code,
                error.Message, latency, requestSummary, Redaction.Summarize(text));
        }
        catch (Exception e) when (e is TimeoutRejectedException or HttpRequestException or IOException
                                      || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            logger.LogWarning("PG call {Method} {Path} ended without an answer: {Error}", method, pathOnly, e.Message);
            var reason = e switch
            {
                TimeoutRejectedException or OperationCanceledException => "timed out waiting for the PG",
                _ => $"connection failed: {e.Message}",
            };
            return Unknown<T>(method, pathOnly, status, reason, sw.ElapsedMilliseconds, requestSummary, "") with
            {
                TimedOut = e is TimeoutRejectedException or OperationCanceledException,
            };
        }
    }

    private static PgResult<T> Unknown<T>(HttpMethod method, string path, int? status, string reason, long latency,
        string requestSummary, string responseText, string? code = null) =>
        new(PgOutcome.Unknown, default, method.Method, path, status, code, reason, latency, requestSummary,
            Redaction.Summarize(responseText));

    private static TossError? TryReadError(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (root.TryGetProperty("error", out var nested) && nested.ValueKind == JsonValueKind.Object)
                root = nested;
            if (root.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String)
                return new TossError(code.GetString()!,
                    root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "");
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string TemplateOf(string path) =>
        path.StartsWith("v1/payments/orders/", StringComparison.Ordinal) ? "v1/payments/orders/{orderId}"
        : path.StartsWith("v1/payments/confirm", StringComparison.Ordinal) ? "v1/payments/confirm"
        : path.EndsWith("/cancel", StringComparison.Ordinal) ? "v1/payments/{paymentKey}/cancel"
        : path.StartsWith("v1/settlements", StringComparison.Ordinal) ? "v1/settlements"
        : "v1/payments/{paymentKey}";
}
