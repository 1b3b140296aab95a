using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Components.Account;
using OpsConsole.Components.Shared;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;

namespace OpsConsole.Components.Pages.Audit;

/// <summary>
/// <c>GET /console/audit/export.csv?actor=&amp;action=&amp;from=&amp;to=&amp;target=&amp;payment=</c>: the filtered audit log, every row,
/// streamed from the database to the response. The export itself is audited.
/// </summary>
public static class AuditExport
{
    public const string Path = "/console/audit/export.csv";

    public static IEndpointRouteBuilder MapAuditExport(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, ExportAsync).RequireAuthorization(ConsoleActions.AuditLog.Policy);
        return app;
    }

    private static async Task ExportAsync(HttpContext http, IDbContextFactory<OpsDbContext> dbFactory, AuditLog audit,
        [FromQuery] string? actor, [FromQuery] string? action, [FromQuery] string? from, [FromQuery] string? to,
        [FromQuery] string? target, [FromQuery] string? payment)
    {
        var filter = AuditFilter.FromQuery(actor, action, from, to, target, payment);
        var user = http.User.Identity?.Name ?? "unknown";
        http.Response.ContentType = CsvCells.ContentType;
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{filter.ToFileName()}\"";

        var rows = 0;
        var outcome = "success";
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(http.RequestAborted);
            await using var writer = CsvCells.Writer(http.Response.Body);
            await writer.WriteLineAsync("id,at_utc,actor,action,target_type,target_id,payment_key,before,after,reason,outcome,trace_id");
            var query = filter.Apply(db.AuditEntries.AsNoTracking()).OrderBy(a => a.At).ThenBy(a => a.Id);
            await foreach (var a in query.AsAsyncEnumerable().WithCancellation(http.RequestAborted))
            {
                await writer.WriteLineAsync(Line(a));
                if (++rows % 1000 == 0) await writer.FlushAsync(http.RequestAborted);
            }
            await writer.FlushAsync(http.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            outcome = "aborted by client";
        }
        finally
        {
            await audit.WriteAsync(user, "audit.export", "audit_log", filter.ToQueryString() is { Length: > 0 } q ? q : "*",
                outcome: $"{outcome}: {rows} rows");
        }
    }

    /// <summary>
    /// One exported row; free text is neutralised against formulas (see <see cref="CsvCells"/>) and masked as on
    /// the audit page (rows are masked when written; this covers rows written before that rule).
    /// </summary>
    public static string Line(AuditEntry a) => CsvCells.Row(CsvCells.Number(a.Id), CsvCells.Utc(a.At),
        CsvCells.Text(a.Actor), CsvCells.Text(a.Action), CsvCells.Text(a.TargetType), CsvCells.Text(a.TargetId),
        CsvCells.Text(a.PaymentKey), CsvCells.Text(Masking.MaskOrNull(a.Before)), CsvCells.Text(Masking.MaskOrNull(a.After)),
        CsvCells.Text(Masking.MaskOrNull(a.Reason)), CsvCells.Text(Masking.MaskOrNull(a.Outcome)), CsvCells.Text(a.TraceId));
}
