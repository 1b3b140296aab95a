using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpsConsole.Components.Account;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Components.Pages.Runs;

/// <summary>
/// <c>POST /console/runs</c> (form: <c>date</c>=yyyy-MM-dd, <c>pullFirst</c>, <c>pg</c>, antiforgery token): starts a
/// reconciliation run for on-call and admin, the same action as the Runs page's "Run now", for scripts
/// and runbooks that hold a console session. Without <c>pg</c> every configured PG's run of the date starts; the answer
/// lists each started run with its PG. An unknown <c>pg</c> is refused (400 PG_UNKNOWN), nothing started.
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
        [FromForm] string? date, [FromForm] bool? pullFirst, [FromForm] string? pg, HttpContext http,
        ReconciliationService runs, AuditLog audit, TimeProvider clock)
    {
        var actor = http.User.Identity?.Name ?? "unknown";
        var businessDate = DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : BusinessCalendar.Today(clock).AddDays(-1);
        try
        {
            var started = await RunTrigger.StartEachAsync(runs, audit, businessDate, actor, pullFirst ?? false, pg: pg);
            var runId = started[0].RunId;
            return TypedResults.Accepted($"/runs#run-{runId}", new RunStarted(runId, businessDate, started));
        }
        catch (DomainException e)
        {
            return TypedResults.Problem(e.Message, statusCode: e.HttpStatus, title: e.Code);
        }
    }
}

/// <param name="RunId">The first started run (the only one when a PG was named).</param>
/// <param name="Runs">Every started run with its PG.</param>
public sealed record RunStarted(long RunId, DateOnly BusinessDate, IReadOnlyList<StartedRun> Runs);

/// <summary>Starting a run from the console: one place, so the page and the endpoint audit alike.</summary>
public static class RunTrigger
{
    /// <param name="engine">An external engine (e.g. <c>bigquery</c>); null runs in the console's database.</param>
    /// <param name="pg">The PG connection; null: every configured PG's run (one each). Returns the first started run.</param>
    public static async Task<long> StartAsync(ReconciliationService runs, AuditLog audit, DateOnly businessDate,
        string actor, bool pullFirst, string? engine = null, string? pg = null) =>
        (await StartEachAsync(runs, audit, businessDate, actor, pullFirst, engine, pg))[0].RunId;

    /// <summary>Starts the run of <paramref name="pg"/>, or (null) of every configured PG; audits each.</summary>
    public static async Task<IReadOnlyList<StartedRun>> StartEachAsync(ReconciliationService runs, AuditLog audit,
        DateOnly businessDate, string actor, bool pullFirst, string? engine = null, string? pg = null)
    {
        var date = businessDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        try
        {
            IReadOnlyList<StartedRun> started = string.IsNullOrWhiteSpace(pg)
                ? await runs.StartEachPgAsync(businessDate, actor, pullFirst, engine: engine)
                : [new StartedRun(await runs.StartAsync(businessDate, actor, pullFirst, engine: engine, pg: pg), pg.Trim())];
            foreach (var run in started)
                await audit.WriteAsync(actor, "recon.run", "recon_run", run.RunId.ToString(CultureInfo.InvariantCulture),
                    after: $"businessDate={date} pg={run.Pg} pullFirst={pullFirst}" + (engine is null ? "" : $" engine={engine}"),
                    outcome: "started");
            return started;
        }
        catch (DomainException e)
        {
            await audit.WriteAsync(actor, "recon.run", "business_date", date, outcome: $"refused: {e.Code}");
            throw;
        }
    }
}
