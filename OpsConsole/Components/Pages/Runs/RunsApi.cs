using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpsConsole.Components.Account;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Components.Pages.Runs;

/// <summary>
/// <c>POST /console/runs</c> (form: <c>date</c>=yyyy-MM-dd, <c>pullFirst</c>, antiforgery token): starts a
/// reconciliation run for on-call and admin, the same action as the Runs page's "Run now", for scripts
/// and runbooks that hold a console session.
/// </summary>
public static class RunsApi
{
    public const string Path = "/console/runs";

    /// <summary>The settlement CSV template (header and one example line, UTF-8 with BOM): whoever may import settlements.</summary>
    public const string TemplatePath = "/console/settlements/template.csv";

    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, StartAsync).RequireAuthorization(ConsoleActions.RunReconciliation.Policy);
        app.MapGet(TemplatePath, () => TypedResults.File(SettlementCsvFormat.TemplateCsv(), "text/csv; charset=utf-8", "settlement-template.csv"))
            .RequireAuthorization(ConsoleActions.ImportSettlement.Policy);
        return app;
    }

    private static async Task<Results<Accepted<RunStarted>, ProblemHttpResult>> StartAsync(
        [FromForm] string? date, [FromForm] bool? pullFirst, HttpContext http, ReconciliationService runs,
        AuditLog audit, TimeProvider clock)
    {
        var actor = http.User.Identity?.Name ?? "unknown";
        var businessDate = DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : BusinessCalendar.Today(clock).AddDays(-1);
        try
        {
            var runId = await RunTrigger.StartAsync(runs, audit, businessDate, actor, pullFirst ?? false);
            return TypedResults.Accepted($"/runs#run-{runId}", new RunStarted(runId, businessDate));
        }
        catch (DomainException e)
        {
            return TypedResults.Problem(e.Message, statusCode: e.HttpStatus, title: e.Code);
        }
    }
}

public sealed record RunStarted(long RunId, DateOnly BusinessDate);

/// <summary>Starting a run from the console: one place, so the page and the endpoint audit alike.</summary>
public static class RunTrigger
{
    /// <param name="engine">An external engine (e.g. <c>bigquery</c>); null runs in the console's database.</param>
    public static async Task<long> StartAsync(ReconciliationService runs, AuditLog audit, DateOnly businessDate,
        string actor, bool pullFirst, string? engine = null)
    {
        var date = businessDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        try
        {
            var runId = await runs.StartAsync(businessDate, actor, pullFirst, engine: engine);
            await audit.WriteAsync(actor, "recon.run", "recon_run", runId.ToString(CultureInfo.InvariantCulture),
                after: $"businessDate={date} pullFirst={pullFirst}" + (engine is null ? "" : $" engine={engine}"), outcome: "started");
            return runId;
        }
        catch (DomainException e)
        {
            await audit.WriteAsync(actor, "recon.run", "business_date", date, outcome: $"refused: {e.Code}");
            throw;
        }
    }
}
