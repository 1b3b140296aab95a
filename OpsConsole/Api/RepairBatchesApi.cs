using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpsConsole.Components.Account;
using OpsConsole.Core.Common;
using OpsConsole.Core.Repairs;

namespace OpsConsole.Api;

/// <summary>
/// Bulk repairs: <c>/api/v1/repair-batches</c>. Cookie-authenticated; roles are checked by
/// <see cref="RepairBatchService"/> (requesters and approvers: finance, oncall, admin; four eyes).
/// </summary>
public static class RepairBatchesApi
{
    /// <summary>Mapped by <see cref="RepairsApi.MapRepairsApi"/>.</summary>
    internal static WebApplication MapRepairBatchesApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1/repair-batches").WithTags("Repairs").RequireAuthorization().DisableAntiforgery();
        api.MapPost("", RequestAsync).RequireAuthorization(ConsoleActions.RequestRepair.Policy);
        api.MapGet("/{id:long}", GetAsync).RequireAuthorization(ConsoleActions.ViewRepairs.Policy);
        api.MapPost("/{id:long}/approve", ApproveAsync).RequireAuthorization(ConsoleActions.ApproveRepair.Policy);
        api.MapPost("/{id:long}/reject", RejectAsync).RequireAuthorization(ConsoleActions.ApproveRepair.Policy);
        api.MapGet("/{id:long}/report.csv", ReportAsync).RequireAuthorization(ConsoleActions.ViewRepairs.Policy);
        return app;
    }

    public sealed record BatchBody(IReadOnlyList<long>? FindingIds, string? ReasonCode, string? Comment);

    public sealed record RejectBody(string? Reason);

    public sealed record ItemDto(long FindingId, string PaymentKey, long? RepairId, long Amount, string Result, string? Why);

    public sealed record BatchDto(long Id, string Status, string RequestedBy, DateTimeOffset RequestedAt, DateTimeOffset? ExpiresAt,
        string? ApprovedBy, int ItemCount, long TotalAmount, int Succeeded, int Failed, int Unknown, int Skipped, IReadOnlyList<ItemDto> Items)
    {
        public static BatchDto Of(RepairBatchView v) => new(v.Batch.Id, v.Batch.Status.ToString(), v.Batch.RequestedBy,
            v.Batch.RequestedAt, v.Batch.ExpiresAt, v.Batch.ApprovedBy, v.Batch.ItemCount, v.Batch.TotalAmount,
            v.Count(RepairBatchItemResult.SUCCEEDED), v.Count(RepairBatchItemResult.FAILED), v.Count(RepairBatchItemResult.UNKNOWN),
            v.Count(RepairBatchItemResult.SKIPPED),
            v.Items.Select(i => new ItemDto(i.FindingId, i.PaymentKey, i.RepairId, i.Amount, i.Result.ToString(), i.Why)).ToList());
    }

    private static string[] Roles(ClaimsPrincipal user) => ConsoleRoles.All.Where(user.IsInRole).ToArray();

    private static string Name(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";

    private static async Task<Results<Ok<BatchDto>, ProblemHttpResult>> RequestAsync(BatchBody body, ClaimsPrincipal user,
        RepairBatchService batches, CancellationToken ct) =>
        await Run(async () => BatchDto.Of(await batches.RequestAsync(body.FindingIds ?? [], body.ReasonCode ?? "", body.Comment ?? "",
            Name(user), Roles(user), ct)));

    private static async Task<Results<Ok<BatchDto>, ProblemHttpResult>> GetAsync(long id, RepairBatchService batches, CancellationToken ct) =>
        await Run(async () => BatchDto.Of(await batches.GetAsync(id, ct)));

    private static async Task<Results<Ok<BatchDto>, ProblemHttpResult>> ApproveAsync(long id, ClaimsPrincipal user,
        RepairBatchService batches, CancellationToken ct) =>
        await Run(async () => BatchDto.Of(await batches.ApproveAsync(id, Name(user), Roles(user), ct)));

    private static async Task<Results<Ok<BatchDto>, ProblemHttpResult>> RejectAsync(long id, RejectBody body, ClaimsPrincipal user,
        RepairBatchService batches, CancellationToken ct) =>
        await Run(async () => BatchDto.Of(await batches.RejectAsync(id, Name(user), body.Reason ?? "", Roles(user), ct)));

    private static async Task<IResult> ReportAsync(long id, RepairBatchService batches, CancellationToken ct)
    {
        try
        {
            var view = await batches.GetAsync(id, ct);
            return Results.File(CsvCells.FileBytes(RepairBatchService.ReportCsv(view)), CsvCells.ContentType,
                $"repair-batch-{id}-{view.Batch.Status.ToString().ToLowerInvariant()}.csv");
        }
        catch (DomainException e)
        {
            return Problem(e);
        }
    }

    private static async Task<Results<Ok<BatchDto>, ProblemHttpResult>> Run(Func<Task<BatchDto>> action)
    {
        try
        {
            return TypedResults.Ok(await action());
        }
        catch (DomainException e)
        {
            return Problem(e);
        }
    }

    private static ProblemHttpResult Problem(DomainException e) => Edge.ApiProblems.Result(e);
}
