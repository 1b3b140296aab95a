using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpsConsole.Api.Edge;
using OpsConsole.Core.ApiClients;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;

namespace OpsConsole.Api;

/// <summary>The checkout API other services call: <c>/api/v1/payments</c>, JSON, RFC 7807 problems.</summary>
public static class PaymentsApi
{
    public static WebApplication MapPaymentsApi(this WebApplication app)
    {
        // API clients only (API key or access token): the console's cookie is not a credential here.
        var api = app.MapGroup("/api/v1/payments").WithTags("Payments").DisableAntiforgery()
            .RequireAuthorization(ApiEdgeSetup.ClientPolicy)
            .RequireRateLimiting(ApiEdgeSetup.RateLimitPolicy)
            .AddEndpointFilter(LimitBodySize);
        api.MapPost("/confirm", ConfirmAsync)
            .RequireAuthorization(ApiEdgeSetup.ScopePolicy(ApiScopes.PaymentsConfirm))
            .WithName("ConfirmPayment").WithSummary("Confirm (approve) a payment the customer authorised at the PG.");
        api.MapPost("/{paymentKey}/cancel", CancelAsync)
            .RequireAuthorization(ApiEdgeSetup.ScopePolicy(ApiScopes.PaymentsCancel))
            .WithName("CancelPayment").WithSummary("Cancel (refund) a payment in full or in part; needs an Idempotency-Key.");
        api.MapGet("/{paymentKey}", GetAsync)
            .RequireAuthorization(ApiEdgeSetup.ScopePolicy(ApiScopes.PaymentsRead))
            .WithName("GetPayment").WithSummary("A payment with its transactions and its event timeline.");
        return app;
    }

    /// <summary>
    /// <c>amount</c> is in the currency's units as the PG writes it (KRW: won; USD: 726.24), never rounded: more
    /// decimals than the currency has is refused. <c>currency</c> (ISO 4217) must be one of <c>Pg:Currencies</c>;
    /// when absent the payment is KRW (documented in docs/api.md) — no other currency is ever assumed.
    /// </summary>
    public sealed record ConfirmBody(string? PaymentKey, string? OrderId, decimal? Amount, string? Currency);

    /// <summary><c>cancelAmount</c> in the payment's currency units (as <see cref="ConfirmBody"/>); absent: the whole balance.</summary>
    public sealed record CancelBody(decimal? CancelAmount, string? CancelReason);

    /// <summary>Amounts in the currency's units as the PG writes them (KRW won, USD 726.24).</summary>
    public sealed record PaymentDto(string PaymentKey, string OrderId, string Status, decimal Amount, decimal BalanceAmount,
        string Currency, string? Method, DateTimeOffset RequestedAt, DateTimeOffset? ApprovedAt, string? FailureCode,
        string? FailureMessage, string TraceId)
    {
        public static PaymentDto Of(PaymentSnapshot p) => new(p.PaymentKey, p.OrderId, p.Status.ToString(),
            MinorUnits.ToMajor(p.Amount, p.Currency), MinorUnits.ToMajor(p.BalanceAmount, p.Currency), p.Currency, p.Method?.ToString(), p.RequestedAt, p.ApprovedAt, p.FailureCode, p.FailureMessage,
            p.TraceId);
    }

    public sealed record CancelDto(string Status, string IdempotencyKey, decimal CancelAmount, string? TransactionKey,
        string? FailureCode, string? FailureMessage, bool Replayed, PaymentDto Payment);

    /// <summary><c>transactionKey</c> is null for an approval whose key the PG has not told yet (learnt by reconciliation).</summary>
    public sealed record TransactionDto(string? TransactionKey, string Kind, decimal Amount, DateTimeOffset OccurredAt);

    public sealed record EventDto(DateTimeOffset OccurredAt, string Type, string Message, string? FromStatus,
        string? ToStatus, string? HttpMethod, string? Path, int? StatusCode, string? PgCode, long? LatencyMs,
        string? RequestSummary, string? ResponseSummary, string TraceId, string? SpanId);

    public sealed record PaymentDetailDto(PaymentDto Payment, IReadOnlyList<TransactionDto> Transactions,
        IReadOnlyList<EventDto> Events);

    private static async Task<Results<Ok<PaymentDto>, Accepted<PaymentDto>, ProblemHttpResult>> ConfirmAsync(
        HttpRequest request, PaymentService payments, CancellationToken ct)
    {
        if (!request.HasJsonContentType())
            return UnsupportedMediaType();
        var body = await ReadBodyAsync<ConfirmBody>(request, ct);
        if (body is null)
            return Problem(400, "INVALID_REQUEST", "The body must be JSON: {paymentKey, orderId, amount}.");
        if (body.Amount is null)
            return Problem(400, "INVALID_AMOUNT", "amount is required.");
        var currency = body.Currency ?? Money.LedgerCurrency;
        try
        {
            PaymentValidation.EnsureCurrency(currency);
        }
        catch (DomainException e)
        {
            return Problem(e);
        }
        if (!MinorUnits.TryToMinor(body.Amount.Value, currency, out var minor))
            return Problem(400, "INVALID_AMOUNT", $"amount {MinorUnits.Describe(body.Amount.Value, currency)} (or is too large).");
        try
        {
            var p = await payments.ConfirmAsync(new ConfirmCommand(body.PaymentKey ?? "", body.OrderId ?? "", minor,
                ApiCallers.Actor(request.HttpContext.User), currency), ct);
            return p.Status switch
            {
                PaymentStatus.DONE or PaymentStatus.PARTIAL_CANCELED or PaymentStatus.CANCELED => TypedResults.Ok(PaymentDto.Of(p)),
                PaymentStatus.UNKNOWN or PaymentStatus.IN_PROGRESS => TypedResults.Accepted($"/api/v1/payments/{p.PaymentKey}", PaymentDto.Of(p)),
                _ => Problem(402, p.FailureCode ?? "PAYMENT_FAILED",
                    $"The payment failed: {p.FailureMessage ?? p.Status.ToString()}",
                    new() { ["pgCode"] = p.FailureCode, ["paymentKey"] = p.PaymentKey, ["status"] = p.Status.ToString(), ["traceId"] = p.TraceId }),
            };
        }
        catch (DomainException e)
        {
            return Problem(e);
        }
    }

    private static async Task<Results<Ok<CancelDto>, Accepted<CancelDto>, ProblemHttpResult>> CancelAsync(
        string paymentKey, HttpRequest request, PaymentService payments, CancellationToken ct)
    {
        var key = request.Headers["Idempotency-Key"].ToString();
        if (string.IsNullOrWhiteSpace(key))
            return Problem(400, "INVALID_IDEMPOTENCY_KEY", "An Idempotency-Key header is required for a cancel.");
        try
        {
            // Before anything is read or written: a key the PG cannot take must not reach an intent.
            PaymentValidation.EnsureIdempotencyKey(key);
        }
        catch (DomainException e)
        {
            return Problem(e);
        }
        if (!request.HasJsonContentType())
            return UnsupportedMediaType();
        var body = await ReadBodyAsync<CancelBody>(request, ct);
        if (body is null)
            return Problem(400, "INVALID_REQUEST", "The body must be JSON: {cancelReason, cancelAmount?}.");
        try
        {
            var actor = ApiCallers.Actor(request.HttpContext.User);
            long? cancelMinor = null;
            if (body.CancelAmount is { } cancelAmount)
            {
                var currency = await payments.CurrencyOfAsync(paymentKey, ct)
                               ?? throw DomainException.NotFound("NOT_FOUND_PAYMENT", $"No payment with paymentKey {paymentKey}.");
                if (!MinorUnits.TryToMinor(cancelAmount, currency, out var m))
                    return Problem(400, "INVALID_AMOUNT", $"cancelAmount {MinorUnits.Describe(cancelAmount, currency)} (or is too large).");
                cancelMinor = m;
            }
            var o = await payments.CancelAsync(new CancelCommand(paymentKey, key, cancelMinor, body.CancelReason ?? "", actor), ct);
            var dto = new CancelDto(o.Status.ToString(), o.IdempotencyKey, MinorUnits.ToMajor(o.Amount, o.Payment.Currency), o.TransactionKey, o.FailureCode,
                o.FailureMessage, o.IsReplay, PaymentDto.Of(o.Payment));
            return o.Status switch
            {
                CancelAttemptStatus.SUCCEEDED => TypedResults.Ok(dto),
                CancelAttemptStatus.FAILED => Problem(422, o.FailureCode ?? "CANCEL_FAILED",
                    $"The PG refused the cancel: {o.FailureMessage}",
                    new() { ["pgCode"] = o.FailureCode, ["paymentKey"] = paymentKey, ["replayed"] = o.IsReplay }),
                _ => TypedResults.Accepted($"/api/v1/payments/{paymentKey}", dto),
            };
        }
        catch (DomainException e)
        {
            return Problem(e);
        }
    }

    private static async Task<Results<Ok<PaymentDetailDto>, ProblemHttpResult>> GetAsync(string paymentKey,
        PaymentService payments, CancellationToken ct)
    {
        var d = await payments.GetAsync(paymentKey, ct);
        if (d is null)
            return Problem(404, "NOT_FOUND_PAYMENT", $"No payment with paymentKey {paymentKey}.");
        return TypedResults.Ok(new PaymentDetailDto(PaymentDto.Of(d.Payment),
            d.Transactions.Select(t => new TransactionDto(t.TransactionKey, t.Kind.ToString(), MinorUnits.ToMajor(t.Amount, t.Currency), t.OccurredAt)).ToList(),
            d.Events.Select(e => new EventDto(e.OccurredAt, e.Type, e.Message, e.FromStatus, e.ToStatus, e.HttpMethod, e.Path,
                e.StatusCode, e.PgCode, e.LatencyMs, e.RequestSummary, e.ResponseSummary, e.TraceId, e.SpanId)).ToList()));
    }

    private static async Task<T?> ReadBodyAsync<T>(HttpRequest request, CancellationToken ct) where T : class
    {
        try
        {
            return await request.ReadFromJsonAsync<T>(ct);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Bodies of the checkout API are small JSON documents.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    private static ValueTask<object?> LimitBodySize(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxBodyBytes;
        return next(context);
    }

    private static ProblemHttpResult UnsupportedMediaType() =>
        Problem(415, ApiProblems.CodeFor(415), "The body must be JSON (Content-Type: application/json).");

    private static ProblemHttpResult Problem(DomainException e) => ApiProblems.Result(e);

    private static ProblemHttpResult Problem(int status, string code, string detail, Dictionary<string, object?>? extensions = null) =>
        ApiProblems.Result(status, code, detail, extensions);
}
