using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Data;
using OpsConsole.Core.Repairs;

namespace OpsConsole.Components.Pages.Repairs;

/// <summary>Reads the console and the API share about repairs: their audit trail and who may do what.</summary>
public static class RepairQueries
{
    /// <summary>The repair's steps, oldest first: its own audit rows and those of the findings it resolved.</summary>
    public static async Task<IReadOnlyList<AuditEntry>> StepsAsync(IDbContextFactory<OpsDbContext> dbFactory, RepairRequest repair,
        CancellationToken cancellationToken = default)
    {
        var id = repair.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var actor = $"repair #{id}";
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditEntries.AsNoTracking()
            .Where(a => (a.TargetType == "repair" && a.TargetId == id) || a.Actor == actor)
            .OrderBy(a => a.At).ThenBy(a => a.Id).Take(500).ToListAsync(cancellationToken);
    }

    /// <summary>The user's console roles, as the repair service checks them.</summary>
    public static IReadOnlyCollection<string> RolesOf(ClaimsPrincipal user) =>
        user.FindAll(ClaimTypes.Role).Select(c => c.Value).Distinct().ToList();

    /// <summary>Why <paramref name="user"/> cannot approve <paramref name="repair"/> now, or null when they can.</summary>
    public static string? WhyCannotApprove(RepairRequest repair, string? user, DateTimeOffset now) =>
        BatchItem(repair) ?? (repair.Status != RepairStatus.REQUESTED ? $"Repair #{repair.Id} is {repair.Status}: only REQUESTED repairs can be approved."
        : now >= repair.ExpiresAt ? $"Repair #{repair.Id} expired at {repair.ExpiresAt:u}; request it again."
        : string.Equals(user, repair.RequestedBy, StringComparison.OrdinalIgnoreCase)
            ? $"You requested repair #{repair.Id}; a different finance, on-call or admin user must approve it."
        : null);

    public static string? WhyCannotReject(RepairRequest repair) =>
        BatchItem(repair) ?? (repair.Status is RepairStatus.REQUESTED or RepairStatus.APPROVED ? null
            : $"Repair #{repair.Id} is {repair.Status}: only REQUESTED or APPROVED repairs can be rejected.");

    /// <summary>An item of a batch is decided with its batch (the server refuses it one by one).</summary>
    private static string? BatchItem(RepairRequest repair) =>
        repair is { BatchId: { } batch, Status: RepairStatus.REQUESTED }
            ? $"Repair #{repair.Id} is part of batch #{batch}: approve or reject the batch." : null;

    /// <summary>Why <paramref name="user"/> cannot approve <paramref name="batch"/> now, or null when they can.</summary>
    public static string? WhyCannotApprove(RepairBatch batch, string? user, DateTimeOffset now) =>
        batch.Status != RepairBatchStatus.REQUESTED ? $"Batch #{batch.Id} is {batch.Status}: only REQUESTED batches can be approved."
        : batch.IsExpiredAt(now) ? batch.ExpiredMessage
        : string.Equals(user, batch.RequestedBy, StringComparison.OrdinalIgnoreCase)
            ? $"You requested batch #{batch.Id}; a different finance, on-call or admin user must approve it."
        : null;

    public static string? WhyCannotReject(RepairBatch batch) =>
        batch.Status == RepairBatchStatus.REQUESTED ? null
            : $"Batch #{batch.Id} is {batch.Status}: only REQUESTED batches can be rejected.";

    public static MudBlazor.Color StatusColor(RepairBatchStatus status) => status switch
    {
        RepairBatchStatus.DONE => MudBlazor.Color.Success,
        RepairBatchStatus.REJECTED => MudBlazor.Color.Error,
        RepairBatchStatus.APPROVED => MudBlazor.Color.Warning,
        RepairBatchStatus.EXPIRED => MudBlazor.Color.Default,
        _ => MudBlazor.Color.Info,
    };

    public static MudBlazor.Color ResultColor(RepairBatchItemResult result) => result switch
    {
        RepairBatchItemResult.SUCCEEDED => MudBlazor.Color.Success,
        RepairBatchItemResult.FAILED => MudBlazor.Color.Error,
        RepairBatchItemResult.UNKNOWN => MudBlazor.Color.Warning,
        RepairBatchItemResult.PENDING => MudBlazor.Color.Info,
        _ => MudBlazor.Color.Default,
    };

    public static MudBlazor.Color StatusColor(RepairStatus status) => status switch
    {
        RepairStatus.SUCCEEDED => MudBlazor.Color.Success,
        RepairStatus.FAILED or RepairStatus.REJECTED => MudBlazor.Color.Error,
        RepairStatus.UNKNOWN or RepairStatus.EXECUTING or RepairStatus.APPROVED => MudBlazor.Color.Warning,
        RepairStatus.REQUESTED => MudBlazor.Color.Info,
        _ => MudBlazor.Color.Default,
    };
}
