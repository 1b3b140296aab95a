using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Components.Account;
using OpsConsole.Components.Shared;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.Findings;

namespace OpsConsole.Components.Pages.Discrepancies;

/// <summary>
/// <c>GET /console/findings/export.csv?{the grid's filter}</c>: every finding matching the filter (all pages),
/// streamed row by row, with the filter in the file name (<c>pg=NAME</c> keeps one PG connection's). Each row names its
/// PG (the last column). The export is audited.
/// </summary>
public static class FindingExport
{
    public const string Path = "/console/findings/export.csv";

    public static readonly string Header = string.Join(',',
        "id", "business_date", "type", "status", "verdict", "transaction_key", "payment_key", "order_id", "trace_id",
        "payment_status", "internal_kind", "internal_amount", "internal_method", "internal_business_date",
        "external_line_count", "external_amount", "external_amount_total", "external_fee", "external_expected_fee",
        "external_method", "external_sold_date", "diff_fields", "money_at_risk", "assignee", "first_seen_at_utc",
        "last_updated_at_utc", "updated_count", "currency", "pg");

    public static IEndpointRouteBuilder MapFindingExport(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, ExportAsync).RequireAuthorization(ConsoleActions.ExportFindings.Policy);
        return app;
    }

    private static async Task ExportAsync(HttpContext http, IDbContextFactory<OpsDbContext> dbFactory, AuditLog audit)
    {
        var filter = FindingFilter.FromQuery(name => http.Request.Query[name].FirstOrDefault());
        var user = http.User.Identity?.Name ?? "unknown";
        http.Response.ContentType = CsvCells.ContentType;
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{filter.ToFileName()}\"";

        var rows = 0;
        var outcome = "success";
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(http.RequestAborted);
            await using var writer = CsvCells.Writer(http.Response.Body);
            await writer.WriteLineAsync(Header);
            var query = filter.Apply(db.Set<Finding>().AsNoTracking()).OrderBy(f => f.BusinessDate).ThenBy(f => f.Id);
            await foreach (var f in query.AsAsyncEnumerable().WithCancellation(http.RequestAborted))
            {
                await writer.WriteLineAsync(Line(f));
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
            await audit.WriteAsync(user, "findings.export", "recon_finding", filter.ToQueryString() is { Length: > 0 } q ? q : "*",
                outcome: $"{outcome}: {rows} rows");
        }
    }

    public static string Line(Finding f)
    {
        static string T(string? text) => CsvCells.Text(text);
        static string N(long? v) => CsvCells.Number(v);
        static string D(DateOnly? d) => CsvCells.Date(d);
        return CsvCells.Row(N(f.Id), D(f.BusinessDate), T(f.Type.ToString()), T(f.Status.ToString()), T(f.Verdict.ToString()),
            T(f.TransactionKey), T(f.PaymentKey), T(f.OrderId), T(f.TraceId), T(f.PaymentStatus?.ToString()), T(f.InternalKind?.ToString()),
            N(f.InternalAmount), T(f.InternalMethod?.ToString()), D(f.InternalBusinessDate), N(f.ExternalLineCount),
            N(f.ExternalAmount), N(f.ExternalAmountTotal), N(f.ExternalFee), N(f.ExternalExpectedFee),
            T(f.ExternalMethod?.ToString()), D(f.ExternalSoldDate), T(f.DiffFields), N(f.MoneyAtRisk), T(f.Assignee),
            CsvCells.Utc(f.FirstSeenAt), CsvCells.Utc(f.LastSeenAt), N(f.SeenCount), T(f.Currency), T(f.Pg));
    }
}
