using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OpsConsole.Components.Account;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Components.Pages.Runs;

/// <summary>
/// <c>POST /console/runs</c> (form: <c>date</c>=yyyy-MM-dd, <c>pullFirst</c>, <c>pg</c>, antiforgery token): starts
/// the reconciliation run of one PG connection (<c>pg</c>), or one run per configured PG when <c>pg</c> is absent, for
/// on-call and admin — the same action as the Runs page's "Run now", for scripts and runbooks that hold a console
/// session. The answer names the first run and lists every run started.
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
        [FromForm] string? date, [FromForm] bool? pullFirst, [FromForm] string? pg, HttpContext http, ReconciliationService runs,
        AuditLog audit, TimeProvider clock)
    {
        var actor = http.User.Identity?.Name ?? "unknown";
        var businessDate = DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : BusinessCalendar.Today(clock).AddDays(-1);
        try
        {
            var started = await RunTrigger.StartEachAsync(runs, audit, businessDate, actor, pullFirst ?? false,
                string.IsNullOrWhiteSpace(pg) ? null : pg.Trim());
            if (started.Runs.Count == 0)
                return TypedResults.Problem(string.Join(" ", started.Refused), statusCode: StatusCodes.Status409Conflict, title: "RUN_IN_PROGRESS");
            var first = started.Runs[0].RunId;
            return TypedResults.Accepted($"/runs#run-{first}", new RunStarted(first, businessDate, started.Runs, started.Refused));
        }
        catch (DomainException e)
        {
            return TypedResults.Problem(e.Message, statusCode: e.HttpStatus, title: e.Code);
        }
    }
}

/// <param name="RunId">The first run started.</param>
/// <param name="Runs">Every run started, one per PG.</param>
/// <param name="Refused">PGs whose run of the date was already running (one sentence each).</param>
public sealed record RunStarted(long RunId, DateOnly BusinessDate, IReadOnlyList<PgRunStarted>? Runs = null,
    IReadOnlyList<string>? Refused = null);

public sealed record PgRunStarted(long RunId, string Pg);

/// <summary>What <see cref="RunTrigger.StartEachAsync"/> started, and what it could not start.</summary>
public sealed record PgRunsStarted(IReadOnlyList<PgRunStarted> Runs, IReadOnlyList<string> Refused);

/// <summary>Starting a run from the console: one place, so the page and the endpoint audit alike.</summary>
public static class RunTrigger
{
    /// <param name="engine">An external engine (e.g. <c>bigquery</c>); null runs in the console's database.</param>
    /// <param name="pg">The PG connection (null: the only one; refused with PG_REQUIRED when several are configured).</param>
    public static async Task<long> StartAsync(ReconciliationService runs, AuditLog audit, DateOnly businessDate,
        string actor, bool pullFirst, string? engine = null, string? pg = null)
    {
        var date = businessDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        try
        {
            var runId = await runs.StartAsync(businessDate, actor, pullFirst, engine: engine, pg: pg);
            await audit.WriteAsync(actor, "recon.run", "recon_run", runId.ToString(CultureInfo.InvariantCulture),
                after: $"businessDate={date} pullFirst={pullFirst}" + (pg is null ? "" : $" pg={pg}") +
                       (engine is null ? "" : $" engine={engine}"), outcome: "started");
            return runId;
        }
        catch (DomainException e)
        {
            await audit.WriteAsync(actor, "recon.run", "business_date", date, outcome: $"refused: {e.Code}");
            throw;
        }
    }

    /// <summary>
    /// The run of <paramref name="pg"/>, or (null) one run per configured PG connection, each started and audited as
    /// <see cref="StartAsync"/>. A PG whose run of the date is already running is named in <see cref="PgRunsStarted.Refused"/>
    /// and the others still start; any other refusal (a bad PG name, say) is thrown.
    /// </summary>
    public static async Task<PgRunsStarted> StartEachAsync(ReconciliationService runs, AuditLog audit, DateOnly businessDate,
        string actor, bool pullFirst, string? pg)
    {
        var names = pg is not null ? [runs.Connections.Resolve(pg).Name] : runs.Connections.All.Select(c => c.Name).ToList();
        var started = new List<PgRunStarted>();
        var refused = new List<string>();
        foreach (var name in names)
        {
            try
            {
                started.Add(new PgRunStarted(await StartAsync(runs, audit, businessDate, actor, pullFirst, pg: name), name));
            }
            catch (DomainException e) when (e.Code == "RUN_IN_PROGRESS")
            {
                refused.Add(e.Message);
            }
        }
        return new PgRunsStarted(started, refused);
    }
}
