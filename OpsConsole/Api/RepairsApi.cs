using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Repairs;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Repairs;

namespace OpsConsole.Api;

/// <summary>
/// Repairs for other tools: <c>/api/v1/repairs</c>, JSON, RFC 7807 problems. Cookie-authenticated (a console
/// session); each action is checked against its console policy here and again by <see cref="RepairService"/>.
/// State-changing requests need the antiforgery token and the console's own origin (ConsoleRequestGuard).
/// </summary>
public static class RepairsApi
{
    public static WebApplication MapRepairsApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1/repairs").WithTags("Repairs").RequireAuthorization().DisableAntiforgery();
        api.MapGet("", ListAsync).RequireAuthorization(ConsoleActions.ViewRepairs.Policy);
        api.MapGet("/{id:long}", GetAsync).RequireAuthorization(ConsoleActions.ViewRepairs.Policy);
        api.MapPost("", RequestAsync).RequireAuthorization(ConsoleActions.RequestRepair.Policy);
        api.MapPost("/{id:long}/approve", ApproveAsync).RequireAuthorization(ConsoleActions.ApproveRepair.Policy);
        api.MapPost("/{id:long}/reject", RejectAsync).RequireAuthorization(ConsoleActions.ApproveRepair.Policy);
        app.MapRepairBatchesApi(); // the repairs feature's endpoints are mapped from here, batches included
        return app;
    }

    public sealed record RequestBody(string? Kind, string? PaymentKey, long? FindingId, long? Amount, long? ConfirmAmount,
        string? ReasonCode, string? Comment);

    public sealed record RejectBody(string? Reason);

    public sealed record RepairDto(long Id, string Kind, string Status, string PaymentKey, string OrderId, long? FindingId,
        long? BatchId, long Amount, bool IsFullRefund, string IdempotencyKey, string ReasonCode, string Comment,
        string RequestedBy, DateTimeOffset RequestedAt, DateTimeOffset ExpiresAt, string? ApprovedBy,
        DateTimeOffset? ApprovedAt, string? RejectedBy, string? RejectReason, DateTimeOffset? ExecutionStartedAt,
        DateTimeOffset? CompletedAt, string? Outcome, string? TransactionKey)
    {
        public static RepairDto Of(RepairRequest r) => new(r.Id, r.Kind.ToString(), r.Status.ToString(), r.PaymentKey,
            r.OrderId, r.FindingId, r.BatchId, r.Amount, r.IsFullRefund, r.IdempotencyKey, r.ReasonCode, r.Comment,
            r.RequestedBy, r.RequestedAt, r.ExpiresAt, r.ApprovedBy, r.ApprovedAt, r.RejectedBy, r.RejectReason,
            r.ExecutionStartedAt, r.CompletedAt, r.Outcome, r.TransactionKey);
    }

    public sealed record StepDto(DateTimeOffset At, string Actor, string Action, string? Reason, string? Outcome);

    public sealed record RepairDetailDto(RepairDto Repair, IReadOnlyList<StepDto> Steps);

    public sealed record RepairListDto(IReadOnlyList<RepairDto> Items);

    private static async Task<Results<Ok<RepairListDto>, ProblemHttpResult>> ListAsync(bool? pending, bool? waitingForMe,
        string? paymentKey, HttpContext http, IAuthorizationService authz, RepairService repairs, CancellationToken ct)
    {
        if (await ForbiddenAsync(http, authz, ConsoleActions.ViewRepairs) is { } forbidden) return forbidden;
        var items = await repairs.ListAsync(pending ?? false, waitingForMe == true ? Name(http) : null,
            string.IsNullOrWhiteSpace(paymentKey) ? null : paymentKey, cancellationToken: ct);
        return TypedResults.Ok(new RepairListDto(items.Select(RepairDto.Of).ToList()));
    }

    private static async Task<Results<Ok<RepairDetailDto>, ProblemHttpResult>> GetAsync(long id, HttpContext http,
        IAuthorizationService authz, RepairService repairs, CancellationToken ct)
    {
        if (await ForbiddenAsync(http, authz, ConsoleActions.ViewRepairs) is { } forbidden) return forbidden;
        try
        {
            var r = await repairs.GetAsync(id, ct);
            var steps = await repairs.StepsAsync(r, ct);
            return TypedResults.Ok(new RepairDetailDto(RepairDto.Of(r),
                steps.Select(s => new StepDto(s.At, s.Actor, s.Action, s.Reason, s.Outcome)).ToList()));
        }
        catch (DomainException e)
        {
            return Problem(e);
        }
    }

    private static async Task<Results<Created<RepairDto>, ProblemHttpResult>> RequestAsync(HttpRequest request,
        IAuthorizationService authz, RepairService repairs, CancellationToken ct)
    {
        if (await ForbiddenAsync(request.HttpContext, authz, ConsoleActions.RequestRepair) is { } forbidden) return forbidden;
        var body = await ReadBodyAsync<RequestBody>(request, ct);
        if (body is null)
            return Problem(400, "INVALID_REQUEST",
                "The body must be JSON: {kind, paymentKey, findingId?, amount?, confirmAmount?, reasonCode, comment}.");
        if (!Enum.TryParse<RepairKind>(body.Kind, ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || int.TryParse(body.Kind, out _))
            return Problem(400, "INVALID_KIND", $"kind must be one of {string.Join(", ", Enum.GetNames<RepairKind>())}.");
        if (string.IsNullOrWhiteSpace(body.PaymentKey))
            return Problem(400, "INVALID_PAYMENT_KEY", "paymentKey is required.");
        try
        {
            var r = await repairs.RequestAsync(new RepairCommand(kind, body.PaymentKey, body.FindingId, body.Amount,
                body.ConfirmAmount, body.ReasonCode ?? "", body.Comment ?? "", Name(request.HttpContext)), Roles(request.HttpContext), ct);
            return TypedResults.Created($"/api/v1/repairs/{r.Id}", RepairDto.Of(r));
        }
        catch (DomainException e)
        {
            return Problem(e);
        }
    }

    private static async Task<Results<Ok<RepairDto>, ProblemHttpResult>> ApproveAsync(long id, HttpContext http,
        IAuthorizationService authz, RepairService repairs, CancellationToken ct)
    {
        if (await ForbiddenAsync(http, authz, ConsoleActions.ApproveRepair) is { } forbidden) return forbidden;
        try
        {
            return TypedResults.Ok(RepairDto.Of(await repairs.ApproveAsync(id, Name(http), Roles(http), ct)));
        }
        catch (DomainException e)
        {
            return Problem(e);
        }
    }

    private static async Task<Results<Ok<RepairDto>, ProblemHttpResult>> RejectAsync(long id, HttpRequest request,
        IAuthorizationService authz, RepairService repairs, CancellationToken ct)
    {
        if (await ForbiddenAsync(request.HttpContext, authz, ConsoleActions.ApproveRepair) is { } forbidden) return forbidden;
        var body = await ReadBodyAsync<RejectBody>(request, ct);
        if (body is null)
            return Problem(400, "INVALID_REQUEST", "The body must be JSON: {reason}.");
        try
        {
            return TypedResults.Ok(RepairDto.Of(await repairs.RejectAsync(id, Name(request.HttpContext), body.Reason ?? "",
                Roles(request.HttpContext), ct)));
        }
        catch (DomainException e)
        {
            return Problem(e);
        }
    }

    /// <summary>The action's console policy, answered as a 403 problem (the cookie handler would answer an empty 403).</summary>
    private static async Task<ProblemHttpResult?> ForbiddenAsync(HttpContext http, IAuthorizationService authz, ConsoleAction action)
    {
        var result = await authz.AuthorizeAsync(http.User, action.Policy);
        return result.Succeeded ? null : Problem(403, "FORBIDDEN", action.DeniedReason);
    }

    private static string Name(HttpContext http) => http.User.Identity?.Name ?? "unknown";

    private static IReadOnlyCollection<string> Roles(HttpContext http) => RepairRoles.Of(http.User);

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

    private static ProblemHttpResult Problem(DomainException e) => Edge.ApiProblems.Result(e);

    private static ProblemHttpResult Problem(int status, string code, string detail) => Edge.ApiProblems.Result(status, code, detail);
}
